"""Unit tests of commitment rules, actor resolution and details (negation, condition, deadline, quantity)."""

from __future__ import annotations

import pytest

from policytext.extract.commitments import looks_like_heading, split_marker
from policytext.evaluate import commitment_metrics, modal_baseline
from policytext.records import DocumentMeta

EU = DocumentMeta(doc_id="eu-x", issuer="European Commission", partner="EU", doc_type="strategy")
JOINT = DocumentMeta(doc_id="eu-jp-x", issuer="Government of Japan and European Commission", partner="Japan",
                     doc_type="joint_statement")
US = DocumentMeta(doc_id="us-x", issuer="The White House", partner="United States", doc_type="factsheet")


@pytest.fixture(scope="module")
def extractor():
    from policytext.extract import CommitmentExtractor

    return CommitmentExtractor()


def classify(extractor, text, meta=EU):
    return extractor.classify([text], [meta])[0]


def test_split_marker_and_headings():
    assert split_marker("• Develop standards") == ("bullet", 2)
    assert split_marker("(ii) submit a report") == ("enum", 5)
    assert split_marker("2. Cooperate with partners") == ("number", 3)
    assert split_marker("U.S.-EU cooperation grows.") == ("", 0)
    assert looks_like_heading("Cooperating on Digital Technology to Deliver Innovation")
    assert not looks_like_heading("We will deploy secure networks.")


@pytest.mark.parametrize(
    ("text", "strength"),
    [
        ("The Union will deploy secure cables to partner countries.", "firm"),
        ("We are committed to protecting an open internet.", "firm"),
        ("Develop a regional framework for cross-border data flows.", "firm"),
        ("Launching a joint task force on quantum research.", "firm"),
        ("We aim to strengthen cooperation on standards.", "intent"),
        ("The Commission would support partners in adopting trusted 5G vendors.", "intent"),
        ("Encourage partner countries to adopt data protection laws.", "soft"),
        ("We welcome the progress of the partnership on digital skills.", "soft"),
        ("Partners will need to invest more in digital skills.", "soft"),
        ("The EU should promote its model of an open internet.", "soft"),
    ],
)
def test_strengths(extractor, text, strength):
    c = classify(extractor, text)
    assert c is not None and c.strength == strength, (text, c)


@pytest.mark.parametrize(
    "text",
    [
        "This will strengthen the resilience of supply chains.",  # a prediction, no agent
        "In 2021 the leaders committed to a new partnership.",  # past background
        "Digital Partnership Council Outcomes",  # a heading
        "We recognize that the supply chain is complex.",  # a stance on a bare fact
        "Connectivity is the building block of the digital transformation.",
    ],
)
def test_not_commitments(extractor, text):
    assert classify(extractor, text) is None


def test_actor_resolution_uses_document_context(extractor):
    text = "We will cooperate on secure connectivity."
    assert classify(extractor, text, EU).actor == "EU"
    assert classify(extractor, text, JOINT).actor == "joint"
    assert classify(extractor, text, US).actor == "US"
    assert classify(extractor, "Both sides will launch a working group on AI.", EU).actor == "joint"
    assert classify(extractor, "The United States and the European Union will cooperate on AI.", JOINT).actor == "joint"
    assert classify(extractor, "Japan will host the next meeting.", JOINT).actor == "Japan"
    assert classify(extractor, "China will expand its export controls.", JOINT).actor == "other"
    voice = extractor.voice(DocumentMeta(doc_id="x", issuer="The White House", partner="India", doc_type="factsheet"))
    assert voice.actor == "joint"


def test_details(extractor):
    c = classify(extractor, "The Commission will not impose new rules before 2026, subject to a review.")
    assert c.negated and c.deadline == "before 2026" and c.condition.startswith("subject to a review")
    assert c.action == "impose" and "rules" in c.object and c.actor_text == "The Commission"
    c = classify(extractor, "We will mobilise EUR 300 billion by 2027 where appropriate.")
    assert "300 billion" in c.quantity and c.deadline == "by 2027" and c.condition == "where appropriate"
    c = classify(extractor, "Within 180 days, the Secretary shall publish guidance.", US)
    assert c.strength == "firm" and c.actor == "US" and "180 days" in c.deadline


def test_metrics_definitions():
    gold = [
        {"commitment": True, "strength": "firm", "actor": "EU"},
        {"commitment": True, "strength": "soft", "actor": "joint"},
        {"commitment": False, "strength": None, "actor": None},
    ]
    pred = [
        {"commitment": True, "strength": "firm", "actor": "EU"},
        {"commitment": False, "strength": None, "actor": None},
        {"commitment": True, "strength": "intent", "actor": "EU"},
    ]
    m = commitment_metrics(gold, pred)
    assert m["commitment_precision"] == 0.5 and m["commitment_recall"] == 0.5
    assert m["strength_accuracy"] == 0.5 and m["actor_accuracy"] == 0.5
    assert m["strength_f1"] == {"firm": 1.0, "intent": 0.0, "soft": 0.0}
    with pytest.raises(ValueError, match="aligned"):
        commitment_metrics(gold, pred[:1])


def test_modal_baseline():
    out = modal_baseline([{"text": "We will act."}, {"text": "The EU should act."}, {"text": "It rains."}])
    assert [o["strength"] for o in out] == ["firm", "soft", None]
    assert [o["actor"] for o in out] == ["joint", "EU", None]


def test_a_footnote_is_not_the_documents_commitment(extractor):
    from policytext.ingest import Block
    from policytext.segment import build_document

    text = "The Commission will publish guidance on cable security by 2026."
    doc = build_document([Block("Secure connectivity", heading=True), Block(text), Block(text, note=True)], EU)
    commitments, entities = extractor.extract(doc)
    body, note = [s for s in doc.sentences if s.text == text]
    assert not body.is_note and note.is_note
    assert [c.segment_id for c in commitments] == [body.segment_id]
    # the note's entities are still found (from the gazetteer), with its anchors
    assert any(e.segment_id == note.segment_id and e.label == "INSTITUTION" for e in entities)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("By the next U.S.-EU TTC Ministerial, we intend to develop a roadmap on AI.",
         "By the next U.S.-EU TTC Ministerial"),
        ("The parties will report on progress by the next ministerial meeting.", "by the next ministerial meeting"),
        ("We will meet again before the next G7 summit.", "before the next G7 summit"),
        ("We will cooperate by 2027.", "by 2027"),
        ("We will cooperate at the next meeting.", ""),  # when, not a deadline
    ],
)
def test_deadlines_relative_to_events(extractor, text, deadline):
    """What an analyst checks before the next meeting: "by the next Ministerial" is a deadline."""
    c = classify(extractor, text, JOINT)
    assert c is not None and c.deadline == deadline


@pytest.mark.parametrize("text, strength", [
    ("We recall the obligations of States under international law.", "soft"),      # a reporting verb, not an act
    ("Welcoming the visit this week by the Chairman to the United States.", "soft"),  # a stance bullet, not firm
    ("Nothing in this order shall be construed to limit the powers of the Veloria Data Authority.", None),  # savings
    ("This order shall be implemented consistent with applicable law.", None),
])
def test_reporting_verbs_and_savings_clauses_are_not_firm(extractor, text, strength):
    meta = DocumentMeta("t", issuer="United States and European Union", partner="United States",
                        doc_type="joint_statement")
    found = extractor.classify([text], [meta])[0]
    assert (found.strength if found else None) == strength
