"""Talking-point lines: a sentence condensed to what it says on one theme (policytext.report.lines)."""

from __future__ import annotations

import re

import pytest

from policytext.report.lines import condense, third_person

pytest.importorskip("spacy")


def test_a_list_of_actions_keeps_the_one_on_the_theme():
    text = ("We intend to work together to curb the abuse of algorithms, to shield our voters from "
            "information manipulation and meddling, fund secure networks, and back independent journalists.")
    line = condense(text, re.compile(r"information manipulation"))
    assert line is not None and not line.stance
    assert line.phrase == "work together to shield our voters from information manipulation and meddling"
    assert line.said() == "committed to " + line.phrase


def test_cue_verbs_nouns_and_adjectives_lead_to_the_action():
    assert condense("We are committed to fostering an open and secure internet.").phrase == \
        "foster an open and secure internet"
    assert condense("We reaffirm our commitment to supporting digital skills in Africa.").phrase == \
        "support digital skills in Africa"
    assert condense("The two sides intend to deepen cooperation on quantum research.").phrase == \
        "deepen cooperation on quantum research"


def test_a_stance_is_reported_as_a_stance():
    line = condense("The parties acknowledge the strategic importance of subsea cables for security.")
    assert line is not None and line.stance
    assert line.phrase == "acknowledged the strategic importance of subsea cables for security"
    assert line.said() == line.phrase


def test_a_list_of_areas_keeps_the_area_on_the_theme():
    text = "The Commission will focus on cybersecurity, digital identity, data flows, and online platforms."
    assert condense(text, re.compile(r"digital identit")).phrase == "focus on digital identity"
    assert condense(text, re.compile(r"online platforms")).phrase == "focus on online platforms"


def test_no_line_when_none_is_sure():
    cyber = re.compile(r"cyber")
    assert condense("Artificial intelligence and data governance", None) is None  # a heading
    assert condense("It would also aim to deploy a business offer.", None) is None  # leans on the sentence before
    assert condense("This occurs within a market dominated by a few firms.", None) is None
    assert condense("We will build roads and bridges.", cyber) is None  # not on the theme
    assert condense("We will build cyber capacity, roads, bridges and ports.", cyber).phrase == "build cyber capacity"
    long = ("We will strengthen the resilience of the networks that connect our hospitals, schools, ports and "
            "power plants against cyber attacks launched by criminal groups and hostile states across the world.")
    assert condense(long, cyber) is None  # longer than a line


def test_lines_said_of_oneself_are_reported_in_the_third_person():
    assert third_person("protect our societies and ourselves") == "protect its societies and itself"
    assert third_person("protect our societies", plural=True) == "protect their societies"
    assert third_person("Our aim is what we said to us") == "Its aim is what it said to it"


def test_a_line_never_runs_words_together_or_keeps_a_clause_without_its_verb():
    text = ("We intend to deepen dialogue and joint work, including by speeding up sharing of research results, "
            "towards ensuring fair pay for workers in factories.")
    assert condense(text).phrase == "deepen dialogue and joint work"  # the "including" tail off
    # the parse reads "flows" as the verb of the that-clause: no line rather than "reaffirmed that ... flows"
    text = "We reaffirm that cross-border data flows, open standards and data protection contribute to growth."
    assert condense(text, re.compile("data flows")) is None
    assert condense("We will fund research on cables — in line with our plan — and on satellites.") is None


def test_a_member_kept_from_a_list_leaves_no_joiner_and_a_cue_verb_is_not_repeated():
    text = ("We commit to guard the news ecosystem by funding local radio and community newspapers as "
            "well as countering foreign information manipulation campaigns.")
    line = condense(text, re.compile("information manipulation"))
    assert line.phrase == "guard the news ecosystem by countering foreign information manipulation campaigns"
    assert condense("We will also explore building a regional chip testing centre.").phrase == \
        "explore building a regional chip testing centre"


def test_a_report_of_what_was_done_is_no_undertaking():
    text = ("The legal working group also reviewed the role of cyber insurers in curbing extortion attacks, "
            "and committed to closer contact with banks.")
    assert condense(text, re.compile("cyber|extortion")) is None  # never "committed to review ..."
    assert condense("We reaffirmed our commitment to a secure internet.").stance  # a stance in the past is one
