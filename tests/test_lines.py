"""Talking-point lines: a sentence condensed to what it says on one theme (policytext.report.lines)."""

from __future__ import annotations

import re

import pytest

from policytext.report.lines import condense, third_person

pytest.importorskip("spacy")


def test_a_list_of_actions_keeps_the_one_on_the_theme():
    text = ("We intend to cooperate to address the misuse of technology, to protect our societies from "
            "information manipulation and interference, promote secure connectivity, and support human rights "
            "defenders.")
    line = condense(text, re.compile(r"information manipulation"))
    assert line is not None and not line.stance
    assert line.phrase == "cooperate to protect our societies from information manipulation and interference"
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
    text = ("We intend to strengthen cooperation and collective efforts, including by accelerating exchange of "
            "information, towards ensuring respect for labour standards in supply chains.")
    assert condense(text).phrase == "strengthen cooperation and collective efforts"  # the "including" tail off
    # the parse reads "flows" as the verb of the that-clause: no line rather than "reaffirmed that ... flows"
    text = "We reaffirm that cross-border data flows, information sharing and data protection contribute to growth."
    assert condense(text, re.compile("data flows")) is None
    assert condense("We will fund research on cables — in line with our plan — and on satellites.") is None


def test_a_member_kept_from_a_list_leaves_no_joiner_and_a_cue_verb_is_not_repeated():
    text = ("We commit to protect the information environment by supporting media freedom and online freedom as "
            "well as addressing foreign information manipulation and interference.")
    line = condense(text, re.compile("information manipulation"))
    assert line.phrase == ("protect the information environment by addressing foreign information manipulation and "
                           "interference")
    assert condense("We will also explore building a robust semiconductor ecosystem.").phrase == \
        "explore building a robust semiconductor ecosystem"


def test_a_report_of_what_was_done_is_no_undertaking():
    text = ("The Policy Pillar also examined the centrality of the cyber insurance industry in tackling "
            "ransomware, and committed to enhancing engagement with industry.")
    assert condense(text, re.compile("cyber|ransomware")) is None  # never "committed to examine ..."
    assert condense("We reaffirmed our commitment to a secure internet.").stance  # a stance in the past is one
