"""Issue 16's failure modes on small hand-made documents: who speaks, true gaps, evidence worth quoting.

No model: sentences, vectors and theme scores are written by hand, and the alignment core and the
briefing summariser are run on them.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from policytext.alignment import Unit, align_units, anchored, is_boilerplate
from policytext.records import DocumentMeta
from policytext.report import Report, summarise_briefing

from test_align_core import THEMES, _unit, _vec  # the hand-made sentences and vectors of the core's tests


EU_UNITS = [
    _unit(0, "eu", "The EU will invest in trustworthy AI testing facilities.", commitment=True, strength="firm",
          speaker="EU"),
    _unit(1, "eu", "The EU will deploy secure submarine cables to partner regions.", commitment=True,
          strength="firm", speaker="EU"),
]
EU_VECS = np.stack([_vec(1, 0, 0, 0.1), _vec(0, 1, 0, 0.1)])
EU_THEMES = np.array([[0.9, 0, 0], [0, 0.9, 0]])


def _align(units, vecs, themes, kinds=None, cues=None):
    return align_units(EU_UNITS, EU_VECS, EU_THEMES, units, np.stack(vecs), np.array(themes), THEMES,
                       partner="Veloria", partner_kinds=kinds, cues=cues)


def test_the_eus_own_sentence_inside_a_joint_text_is_never_the_partners():
    """A joint statement whose only AI sentence is the EU's own: AI has no partner evidence at all."""
    units = [_unit(0, "p", "The EU also supports research projects on trustworthy AI testing facilities.",
                   commitment=True, strength="soft", speaker="EU"),
             _unit(1, "p", "Both sides will deploy secure submarine cables to partner regions.", commitment=True,
                   strength="firm", speaker="joint")]
    vecs = [_vec(1, 0, 0, 0.12), _vec(0, 1, 0, 0.12)]
    themes = [[0.9, 0, 0], [0, 0.9, 0]]
    a = _align(units, vecs, themes, kinds=["eu", "agreed"])
    ai, conn = a.theme("ai"), a.theme("connectivity")
    assert ai.partner_sentences == 0 and not ai.evidence and ai.status == "absent"
    assert conn.evidence and conn.evidence[0].partner.kind == "agreed" and conn.partner_kinds == {"agreed": 1}
    assert a.basis == "signed" and a.partner_kinds["eu"] == 1
    # without speakers every sentence would have counted as the partner's
    assert _align(units, vecs, themes).theme("ai").partner_sentences == 1


def test_a_heading_or_a_definition_that_matches_an_eu_sentence_is_never_evidence():
    units = [_unit(0, "p", "Trustworthy AI testing facilities", is_heading=True, speaker="none"),
             _unit(1, "p", "(z) The term \u201cAI testing facility\u201d means a facility for trustworthy AI.",
                   speaker="Veloria"),
             _unit(2, "p", "Veloria will build trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="Veloria")]
    vecs = [_vec(1, 0, 0, 0.1), _vec(1, 0, 0, 0.11), _vec(1, 0, 0, 0.3)]
    a = _align(units, vecs, [[0.9, 0, 0]] * 3, kinds=["none", "own", "own"])
    ev = a.theme("ai").evidence
    assert [e.partner.segment_id for e in ev] == ["p:s2"]
    assert is_boilerplate(units[1].text) and not is_boilerplate(units[2].text)


def test_a_theme_with_matched_statements_is_never_a_gap_and_gaps_come_from_the_table():
    units = [_unit(0, "p", "Veloria will invest in trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="Veloria")]
    a = _align(units, [_vec(1, 0, 0, 0.12)], [[0.9, 0, 0]], kinds=["own"])
    data = summarise_briefing(a, partner_meta=[DocumentMeta("p-doc", signatories="Veloria")])
    status = {t["theme"]: t["status"] for t in data["themes"]}
    assert status["ai"] == "shared" and status["connectivity"] == "absent"
    assert [g["theme"] for g in data["gaps"]] == ["connectivity"] == [g["theme"] for g in data["summary"]["gaps"]]
    assert all(p["theme"] != "ai" for p in data["talking_points"] if p["kind"] == "raise")


def test_a_theme_named_in_passing_is_not_absent():
    """"... platform regulation, data governance, and cybersecurity": the classifier missed it, the cue did not."""
    units = [_unit(0, "p", "Both sides discussed AI and submarine cables.", speaker="Veloria")]
    cues = {"connectivity": re.compile(r"submarine cables?", re.I)}
    a = _align(units, [_vec(0.3, 0.3, 1, 0)], [[0.9, 0, 0]], kinds=["own"], cues=cues)
    conn = a.theme("connectivity")
    assert conn.partner_sentences == 0 and conn.partner_mentions == 1 and conn.status == "mentioned"
    data = summarise_briefing(a)
    assert "connectivity" not in {g["theme"] for g in data["gaps"]}


def test_a_negated_sentence_is_no_divergence_when_it_opposes_a_harm_or_sits_in_agreed_text():
    units = [_unit(0, "p", "We will not tolerate the misuse of trustworthy AI testing facilities.", commitment=True,
                   strength="firm", negated=True, speaker="Veloria"),
             _unit(1, "p", "We will not deploy secure submarine cables to partner regions.", commitment=True,
                   strength="firm", negated=True, speaker="joint")]
    vecs = [_vec(1, 0, 0, 0.2), _vec(0, 1, 0, 0.2)]
    a = _align(units, vecs, [[0.9, 0, 0], [0, 0.9, 0]], kinds=["own", "agreed"])
    assert not any(t.divergences for t in a.themes)
    data = summarise_briefing(a)
    assert data["divergences"] == [] and "No divergence found" in Report(data).markdown()


def test_a_pair_that_shares_no_specific_term_is_not_a_shared_commitment_in_any_format():
    """Close by cosine but naming different things: kept as the theme's closest pair, never listed as shared."""
    units = [_unit(0, "p", "Veloria will modernise its tax administration.", commitment=True, strength="firm",
                   speaker="Veloria")]
    a = _align(units, [_vec(1, 0, 0, 0.3)], [[0.9, 0, 0]], kinds=["own"])
    ai = a.theme("ai")
    assert ai.matched == 1 and ai.shared == 0 and ai.status == "addressed"
    assert ai.evidence and "not a shared commitment" in ai.evidence[0].reason
    assert not anchored(EU_UNITS[0].text, units[0].text)
    report = Report(summarise_briefing(a))
    assert report.data["shared"] == []
    for text in (report.markdown(), report.html(), "\n".join(p.text for p in report.docx(charts=False).paragraphs)):
        shared_section = text.split("Shared commitments", 2)[-1].split("EU priorities absent", 1)[0]
        assert "tax administration" not in shared_section


def test_every_partner_quote_says_who_speaks_and_talking_points_never_ask_to_firm_up_agreed_text():
    units = [_unit(0, "p", "Both sides intend to invest in trustworthy AI testing facilities.", commitment=True,
                   strength="intent", speaker="joint")]
    a = _align(units, [_vec(1, 0, 0, 0.12)], [[0.9, 0, 0]], kinds=["agreed"])
    meta = DocumentMeta("p-doc", title="Veloria-EU Joint Statement", date="2024-05-01", doc_type="joint_statement",
                        signatories="EU;Veloria")
    data = summarise_briefing(a, partner_meta=[meta])
    partner_quotes = [q for q in data["annex"] if q["side"] == "partner"]
    assert partner_quotes and all(q["voice"] == "agreed: EU and Veloria" for q in partner_quotes)
    kinds = [p["kind"] for p in data["talking_points"]]
    assert "build_on" in kinds and "firm_up" not in kinds
    build = next(p for p in data["talking_points"] if p["kind"] == "build_on")
    assert "our 2024 joint statement" in build["text"] and "both sides" in build["text"]
    # a line composed from the sentence (reported speech, the sentence cited), not the sentence pasted in
    assert "set out the intention to invest in trustworthy AI testing facilities" in build["text"]
    assert "“" not in build["text"] and build["refs"][-1] == partner_quotes[0]["ref"]
    assert "agreed: EU and Veloria" in Report(data).markdown()


@pytest.mark.parametrize("text", [
    "(c) Within 60 days, the Minister for Digital Affairs of Veloria shall:",
    "Nothing in this order shall be construed to limit the powers of the Veloria Data Authority.",
    "The second meeting of the Veloria-EU Digital Council took place in Brussels in March.",
    "Preparing a Plan for Veloria Cable Security.",
])
def test_boilerplate_is_recognised(text):
    assert is_boilerplate(text)


def _analysis(doc_id: str, meta: DocumentMeta, text: str, deadline: str):
    from policytext.records import Analysis, Commitment

    unit = Unit(f"{doc_id}:s0", doc_id, text, paragraph=0, commitment=True, strength="firm", speaker="Veloria")
    c = Commitment(f"{doc_id}:c0", doc_id, unit.segment_id, text, 0, len(text), "Veloria", "firm", deadline=deadline,
                   themes=("connectivity",))
    return Analysis(doc_id=doc_id, meta=meta, units=(unit,), vectors=np.zeros((1, 4), np.float32),
                    theme_scores=np.zeros((1, 3)), themes=tuple(THEMES), thresholds=np.full(3, 0.5), commitments=(c,))


def test_dated_commitments_leave_out_revoked_texts_and_dates_that_are_no_deadline():
    units = [_unit(0, "p", "Veloria will build trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="Veloria")]
    a = _align(units, [_vec(1, 0, 0, 0.12)], [[0.9, 0, 0]], kinds=["own"])
    live = DocumentMeta("live", date="2024-01-10", signatories="Veloria")
    revoked = DocumentMeta("old", date="2023-10-30", signatories="Veloria", status="revoked 2025-01-20")
    docs = [_analysis("live", live, "Veloria will open a submarine cable landing station by 2027.", "by 2027"),
            _analysis("again", live, "Veloria will open a submarine cable landing station by 2027.", "by 2027"),
            _analysis("live2", live, "Veloria will apply the guidelines adopted in May 2009.", "in May 2009"),
            _analysis("old", revoked, "Within 90 days the Secretary will issue guidance.", "Within 90 days"),
            _analysis("past", live, "Veloria will adopt a 5G security strategy by 2024.", "by 2024"),
            _analysis("rel", live, "Veloria will extend 5G coverage by the next Ministerial.", "by the next Ministerial"),
            _analysis("forest", live, "Veloria will halt forest loss by 2030.", "by 2030"),
            _analysis("wg", live, "The working group will submit a progress report by 2028.", "by 2028")]
    f = summarise_briefing(a, analyzed=docs)["follow_up"]
    # once (the same sentence twice), not the forest pledge the theme model put on connectivity, not the
    # procedural report, not a deadline relative to a meeting in a 2024 text
    assert [x["deadline"] for x in f["items"]] == ["by 2027"]
    assert f["items"][0]["quote"]["voice"] == "own: Veloria" and f["items"][0]["actor"] == "Veloria"
    assert "old (revoked 2025-01-20)" in f["note"] and "2 commitment(s) whose date has passed" in f["note"]


@pytest.mark.shared
def test_a_partner_gets_the_texts_it_signed_with_others(shared):
    from policytext import load_corpus
    from policytext.ingest import resolve_partners

    corpus = load_corpus(shared / "corpora")
    own = resolve_partners(corpus, ["Japan"])
    signed = resolve_partners(corpus, ["Japan"], signed=True)
    assert [d.doc_id for d in own["Japan"]] == ["eu-jp-dpc-2023"]
    assert {"eu-jp-dpc-2023", "g7-hiroshima-2023"} <= {d.doc_id for d in signed["Japan"]}
    assert "eu-us-ttc-2021" not in {d.doc_id for d in signed["Japan"]}


@pytest.mark.shared
def test_a_partner_name_inside_a_groups_parentheses_does_not_make_it_ambiguous(shared):
    from policytext import load_corpus
    from policytext.ingest import resolve_partners

    groups = resolve_partners(load_corpus(shared / "corpora"), ["Korea"])
    assert list(groups) == ["Republic of Korea"]


def test_a_raise_point_does_not_quote_a_sentence_listing_many_areas():
    units = [_unit(0, "p", "Veloria will invest in trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="Veloria")]
    listing = Unit("eu:s1", "eu-doc", "Cooperation will focus on submarine cables, AI, data, skills, identity, platforms, "
                   "children, and standards.", page=1, paragraph=1, commitment=True, strength="firm", speaker="EU")
    a = align_units([EU_UNITS[0], listing], EU_VECS, EU_THEMES, units, np.stack([_vec(1, 0, 0, 0.12)]),
                    np.array([[0.9, 0, 0]]), THEMES, partner="Veloria", partner_kinds=["own"])
    data = summarise_briefing(a)
    raise_point = next(p for p in data["talking_points"] if p["kind"] == "raise")
    assert "cables, AI, data" not in raise_point["text"]  # the list's item on the theme, not the list
    assert raise_point["text"].startswith("Secure and trusted connectivity: under our strategy, the EU aims to "
                                          "focus on submarine cables.")
    cited = next(q for q in data["annex"] if q["ref"] == raise_point["refs"][0])
    assert cited["text"] == listing.text
    # an EU sentence that leans on the one before it gives no line: the gap stays in the gap section, no
    # template point is made of it
    leaning = Unit("eu:s1", "eu-doc", "It will also cover submarine cables.", page=1, paragraph=1, commitment=True,
                   strength="firm", speaker="EU")
    a = align_units([EU_UNITS[0], leaning], EU_VECS, EU_THEMES, units, np.stack([_vec(1, 0, 0, 0.12)]),
                    np.array([[0.9, 0, 0]]), THEMES, partner="Veloria", partner_kinds=["own"])
    data = summarise_briefing(a)
    assert [g["theme"] for g in data["gaps"]] == ["connectivity"]
    assert not [p for p in data["talking_points"] if p["kind"] == "raise"]


def test_a_partner_known_only_from_others_texts_has_its_gaps_worded_as_such():
    """Third-party texts only (a fact sheet another government issued on the partner): a gap is silence in the
    texts on the partner, never "the partner's documents say nothing"."""
    units = [_unit(0, "p", "Veloria and Ostland will deploy secure submarine cables to partner regions.",
                   commitment=True, strength="firm", speaker="joint")]
    a = _align(units, [_vec(0, 1, 0, 0.12)], [[0, 0.9, 0]], kinds=["third"])
    meta = DocumentMeta("p-doc", title="Ostland fact sheet on Veloria", date="2024-05-01", doc_type="factsheet",
                        signatories="Ostland")
    data = summarise_briefing(a, partner_meta=[meta])
    assert a.basis == "third-party only" and data["gaps"]
    md = Report(data).markdown()
    assert "the documents on Veloria here, all issued by others, say nothing on it" in md
    assert "Veloria's documents here say nothing" not in md and "partner's documents" not in md
    signed = summarise_briefing(_align(units, [_vec(0, 1, 0, 0.12)], [[0, 0.9, 0]], kinds=["own"]),
                                partner_meta=[meta])
    assert signed["summary"]["gap_note"] == "Veloria's documents here say nothing on it"


def test_a_theme_only_in_others_words_inside_the_partners_documents_is_mentioned_not_absent():
    """The US's plans for Kenya inside their joint statement: Kenya's signed text is silent on the theme, but its
    documents are not: never a gap ("the documents say nothing on it" would be false)."""
    units = [_unit(0, "p", "Veloria will invest in trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="Veloria"),
             _unit(1, "p", "Ostland will help Veloria deploy secure submarine cables.", commitment=True,
                   strength="firm", speaker="Ostland")]
    a = _align(units, [_vec(1, 0, 0, 0.12), _vec(0, 1, 0, 0.12)], [[0.9, 0, 0], [0, 0.9, 0]],
               kinds=["own", "third"])
    conn = a.theme("connectivity")
    assert a.basis == "signed" and conn.partner_sentences == 0  # the score rests on signed text only
    assert conn.partner_mentions == 1 and conn.status == "mentioned"
    assert "connectivity" not in {g["theme"] for g in summarise_briefing(a)["gaps"]}


def test_a_sentence_listing_several_things_shares_only_its_item_on_the_theme():
    privacy = re.compile(r"privacy|personal data", re.I)
    listing = ("Cooperation will focus on secure submarine cables, trustworthy AI, digital skills, cybersecurity, "
               "and citizens' privacy.")
    # the partner sentence shares words with other items of the list, not with its item on privacy
    assert anchored(listing, "We will fund trustworthy AI and digital skills for privacy regulators.")
    assert not anchored(listing, "We will fund trustworthy AI and digital skills for privacy regulators.", privacy)
    assert anchored(listing, "We will protect citizens' privacy online.", privacy)
    # "human rights" is one term: two sentences naming it share one thing, not two
    assert not anchored("We protect human rights online.", "They defend human rights at sea.")
    # "values" and "committed" name no object: a governance topic and shared values are no common undertaking
    assert not anchored("Global digital governance must support EU interests and fundamental values.",
                        "The governance of AI should be updated in line with our shared democratic values.")


def test_a_description_matched_by_meaning_backs_the_score_but_is_never_a_shared_commitment():
    eu = [_unit(0, "eu", "Trustworthy AI testing facilities are reshaping research in Europe.", speaker="EU"),
          EU_UNITS[1]]
    units = [_unit(0, "p", "Veloria will invest in trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="Veloria")]
    a = align_units(eu, EU_VECS, EU_THEMES, units, np.stack([_vec(1, 0, 0, 0.12)]), np.array([[0.9, 0, 0]]),
                    THEMES, partner="Veloria", partner_kinds=["own"])
    ai = a.theme("ai")
    assert ai.score is not None and ai.score > 50  # the match counts in the score
    assert ai.shared == 0 and ai.status == "addressed"  # but no commitment is shared
    assert not summarise_briefing(a)["shared"]


def test_agreed_text_on_a_theme_without_a_shared_pair_is_still_built_on():
    """The partner co-signed an undertaking on connectivity that no EU sentence matches closely: common ground to
    build on, as a composed line citing it."""
    from policytext.records import Analysis

    text = "Both sides intend to extend secure submarine cables to the Pacific islands."
    unit = _unit(0, "p", text, commitment=True, strength="intent", speaker="joint")
    a = _align([unit], [_vec(0.2, 0.5, 1, 0)], [[0, 0.9, 0]], kinds=["agreed"])
    assert a.theme("connectivity").status == "addressed" and a.theme("connectivity").shared == 0
    meta = DocumentMeta("p-doc", title="Veloria-EU Joint Statement", date="2024-05-01", doc_type="joint_statement",
                        signatories="EU;Veloria")
    doc = Analysis(doc_id="p-doc", meta=meta, units=(unit,), vectors=np.zeros((1, 4), np.float32),
                   theme_scores=np.array([[0, 0.9, 0]]), themes=tuple(THEMES), thresholds=np.full(3, 0.5),
                   commitments=())
    data = summarise_briefing(a, partner_meta=[meta], analyzed=[doc])
    build = [p for p in data["talking_points"] if p["kind"] == "build_on" and p["theme"] == "connectivity"]
    assert len(build) == 1
    assert ("in our 2024 joint statement both sides set out the intention to extend secure submarine cables to the "
            "Pacific islands") in build[0]["text"]
    cited = {q["ref"]: q for q in data["annex"]}
    assert cited[build[0]["refs"][-1]]["text"] == text and cited[build[0]["refs"][0]]["side"] == "EU"


@pytest.mark.parametrize("score, status", [(0.45, "mentioned"), (0.2, "absent")])
def test_a_sentence_scored_just_under_the_threshold_keeps_a_theme_from_being_called_absent(score, status):
    """"Absent" is repeated in the room: a partner sentence within the classifier's margin of the threshold
    (online harassment of women and girls, for child protection) is no proof of silence."""
    units = [_unit(0, "p", "Veloria will invest in trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="Veloria"),
             _unit(1, "p", "Veloria will fight online abuse of women and girls.", commitment=True, strength="firm",
                   speaker="Veloria")]
    a = _align(units, [_vec(1, 0, 0, 0.12), _vec(0, 0, 0, 1)], [[0.9, 0, 0], [0, score, 0]], kinds=["own", "own"])
    assert a.theme("connectivity").partner_sentences == 0 and a.theme("connectivity").status == status
    assert ("connectivity" in {g["theme"] for g in summarise_briefing(a)["gaps"]}) == (status == "absent")


def test_text_cosigned_with_others_counts_as_signed_but_not_in_the_own_text_score():
    """A joint statement of Veloria and Ostland is Veloria's signed word, not Veloria's alone: it counts in the score,
    is labelled co-signed, and stays out of the own-text score."""
    units = [_unit(0, "p", "Veloria and Ostland will invest in trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="joint")]
    a = _align(units, [_vec(1, 0, 0, 0.12)], [[0.9, 0, 0]], kinds=["cosigned"])
    ai = a.theme("ai")
    assert a.basis == "signed" and ai.partner_sentences == 1 and ai.score is not None
    assert ai.partner_kinds == {"cosigned": 1} and ai.own_score is None
    meta = DocumentMeta("p-doc", title="Veloria-Ostland Joint Statement", date="2024-05-01",
                        doc_type="joint_statement", signatories="Veloria;Ostland")
    data = summarise_briefing(a, partner_meta=[meta])
    assert {q["voice"] for q in data["annex"] if q["side"] == "partner"} == {"co-signed: Veloria with Ostland"}
    assert "co-signed with others" in data["summary"]["basis"]


def test_a_partys_summary_of_a_joint_statement_counts_but_not_as_its_own_position():
    """Veloria's ministry summarises its joint statement with the EU: its text (the score counts it), but not
    Veloria's position alone (no own-text score), and the briefing says so."""
    from policytext.extract.speakers import summary_of_joint_text

    meta = DocumentMeta("p-doc", title="Veloria-EU Digital Council held (ministry summary of the joint statement)",
                        issuer="Ministry of Digital Affairs of Veloria", partner="Veloria", date="2024-05-01",
                        doc_type="press_release")
    assert summary_of_joint_text(meta)
    assert not summary_of_joint_text(DocumentMeta("x", title="Joint statement of Veloria and the EU"))
    assert summary_of_joint_text(DocumentMeta("y", title="Council held", notes="Veloria's summary of the first joint "
                                                                               "statement, not the statement itself."))
    units = [_unit(0, "p", "Veloria will invest in trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="Veloria")]
    plain = _align(units, [_vec(1, 0, 0, 0.12)], [[0.9, 0, 0]], kinds=["own"])
    summary = align_units(EU_UNITS, EU_VECS, EU_THEMES, units, np.stack([_vec(1, 0, 0, 0.12)]), np.array([[0.9, 0, 0]]),
                          THEMES, partner="Veloria", partner_kinds=["own"], own_text=[False])
    assert summary.theme("ai").score == plain.theme("ai").score is not None
    assert plain.theme("ai").own_score is not None and summary.theme("ai").own_score is None
    data = summarise_briefing(summary, partner_meta=[meta])
    assert any("summary of a joint statement, not the statement itself" in w and "own-text" in w
               for w in data["summary"]["warnings"])


def test_a_report_by_others_beside_signed_text_is_said_to_be_left_out_of_the_scores():
    units = [_unit(0, "p", "Both sides will deploy secure submarine cables to partner regions.", commitment=True,
                   strength="firm", speaker="joint"),
             Unit("o:s0", "o-doc", "Ostland and Veloria will invest in trustworthy AI testing facilities.", page=1,
                  paragraph=0, commitment=True, strength="firm", speaker="Ostland+Veloria")]
    a = _align(units, [_vec(0, 1, 0, 0.12), _vec(1, 0, 0, 0.12)], [[0, 0.9, 0], [0.9, 0, 0]],
               kinds=["agreed", "third"])
    assert a.basis == "signed" and a.theme("ai").partner_sentences == 0  # the report is not scored
    metas = [DocumentMeta("p-doc", title="Veloria-EU Joint Statement", date="2024-05-01", doc_type="joint_statement",
                          signatories="EU;Veloria"),
             DocumentMeta("o-doc", title="Ostland fact sheet", date="2024-06-01", doc_type="factsheet",
                          signatories="Ostland")]
    warnings = summarise_briefing(a, partner_meta=metas)["summary"]["warnings"]
    assert any(w.startswith("o-doc (Ostland") and "never counted in the scores" in w for w in warnings)


@pytest.mark.parametrize("text, procedural", [
    ("The Veloria Partnership is also an action coalition as part of the Ostland-led initiative.", True),
    ("By adding thirteen new members to the coalition, the initiative grew.", True),
    ("The parties discussed opportunities ahead of the next meeting.", True),
    ("Nothing here is without prejudice to the regulatory autonomy of the parties.", True),
    ("We will build a secure network of submarine cables.", False),
    ("Veloria will protect children online.", False),
])
def test_descriptions_narration_and_savings_clauses_are_never_quoted_as_positions(text, procedural):
    from policytext.report.summarise import _procedural

    assert _procedural(text) is procedural


def test_a_weak_theme_whose_only_partner_line_is_procedural_says_so_instead_of_an_empty_entry():
    units = [_unit(0, "p", "Veloria will invest in trustworthy AI testing facilities.", commitment=True,
                   strength="firm", speaker="Veloria"),
             _unit(1, "p", "The working group on submarine cables will meet again ahead of the next meeting.",
                   speaker="Veloria")]
    a = _align(units, [_vec(1, 0, 0, 0.12), _vec(0, 1, 0, 0.12)], [[0.9, 0, 0], [0, 0.9, 0]], kinds=["own", "own"])
    assert a.theme("connectivity").status == "addressed"
    data = summarise_briefing(a)
    weak = next(w for w in data["weak"] if w["theme"] == "connectivity")
    assert not weak["partner"]  # the procedural line is not quoted
    assert not weak["eu"]  # the EU's sentence on it has a close (unshared) match: no gap quote either
    section = Report(data).markdown().split("### Addressed, but no shared undertaking", 1)[1]
    line = next(x for x in section.splitlines() if x.startswith("- **Secure and trusted connectivity**"))
    assert line.endswith("no sentence worth quoting (what there is on it is procedural or descriptive)")
    assert "No sentence worth quoting" in Report(data).html()
