"""The commitment model: features, lead-ins, persistence, and the decision through every entry point."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from policytext.errors import ModelIntegrityError
from policytext.extract.decide import FEATURES, CommitmentModel, added_strength, features, lead_ins
from policytext.records import DocumentMeta

JOINT = DocumentMeta(doc_id="ve-js", issuer="Government of Veloria; European Commission", partner="Veloria",
                     doc_type="joint_statement", signatories="EU;Veloria")
LAW = DocumentMeta(doc_id="reg-x", issuer="European Union", partner="EU", doc_type="law")
LEAD = "To reach these goals, Veloria and the European Union commit to:"
ITEMS = ["- map the data centres that serve public administrations;",
         "- train two thousand civil servants in secure cloud procurement."]


def column(x: np.ndarray, name: str) -> float:
    return float(x[FEATURES.index(name)])


def test_lead_ins_follow_list_items_until_plain_text_or_heading():
    markers = ["", "bullet", "bullet", "", "bullet", "", "bullet"]
    texts = ["We commit to:", "- a", "- b", "Plain text.", "- c", "Heading:", "- d"]
    headings = [False, False, False, False, False, True, False]
    assert lead_ins(markers, texts, headings) == [None, 0, 0, None, None, None, None]
    # a nested lead-in inside a list takes over for the items after it
    assert lead_ins(["", "bullet", "bullet"], ["Both sides will:", "- act as follows:", "- x"]) == [None, 0, 1]


def test_features_read_rules_words_context_and_document_type():
    hit = {"strength": "soft", "negated": False, "condition": "", "deadline": "by 2027"}
    x = features("(12) Providers should publish their rules by 2027.", hit, doc_type="law")
    assert x.shape == (len(FEATURES),) and x.min() >= 0 and x.max() <= 1
    assert column(x, "rule") == column(x, "rule_soft") == column(x, "rule_deadline") == 1
    assert column(x, "rule_firm") == 0 and column(x, "recital") == 1 and column(x, "doc_legal") == 1
    assert column(x, "word_soft") == 1 and column(x, "word_firm") == 0
    y = features(ITEMS[0], None, marker="bullet", under_lead=True, lead={"strength": "firm"}, doc_type="joint_statement")
    assert column(y, "rule") == 0 and column(y, "list_item") == 1 and column(y, "under_lead_in") == 1
    assert column(y, "lead_in_commits") == column(y, "lead_firm") == column(y, "doc_joint") == 1
    assert column(features(LEAD, None), "lead_in_itself") == 1
    assert column(features("We recall that the partners have already adopted common guidelines.", None),
                  "progress") == 1


def test_added_strength_comes_from_the_lead_in_then_the_words():
    assert added_strength("- train staff", {"strength": "intent"}) == "intent"
    assert added_strength("Agencies should publish reports.", None) == "soft"
    assert added_strength("Agencies are acting to prevent abuse.", None) == "firm"


def test_model_round_trip_and_refusal(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(60, len(FEATURES))).astype(float)
    y = X[:, 0] > 0
    model = CommitmentModel.fit(X, y)
    assert model.decide(X).mean() > 0.9 * y.mean() and (model.decide(X) == y).mean() > 0.9
    folder = model.save(tmp_path / "m", extra={"note": "mine"})
    again = CommitmentModel.load(folder)
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    meta = json.loads((folder / "commitment_model.json").read_text())
    assert meta["features"] == list(FEATURES) and meta["note"] == "mine"
    meta["features"] = meta["features"][:-1]
    (folder / "commitment_model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelIntegrityError, match="other features"):
        CommitmentModel.load(folder)
    with pytest.raises(ValueError, match="columns"):
        CommitmentModel.fit(X[:, :3], y)


def test_shipped_model_records_its_training_and_figures():
    model = CommitmentModel.load()
    assert model.meta["training_data"]["ids"] and model.meta["evaluation"]["model_cv"]["n"] == len(
        model.meta["training_data"]["ids"])
    assert model.weights()["rule"] > 0  # the rules' reading is evidence for a commitment


@pytest.fixture(scope="module")
def extractor():
    from policytext.extract import CommitmentExtractor

    return CommitmentExtractor()


@pytest.mark.slow
def test_an_item_the_rules_miss_under_a_committing_lead_in_is_added(extractor):
    from policytext.extract import CommitmentExtractor

    rules = CommitmentExtractor(decider=None)
    assert rules.classify(ITEMS[:1], [JOINT], leads=[LEAD])[0] is None  # the rules alone miss it
    found = extractor.classify(ITEMS, [JOINT, JOINT], leads=[LEAD, LEAD])
    assert all(c is not None for c in found)
    assert [(c.strength, c.actor, c.action) for c in found] == [("firm", "joint", "map"), ("firm", "joint", "train")]
    # without its lead-in the same item is only a fragment
    assert extractor.classify(ITEMS[:1], [JOINT])[0] is None


@pytest.mark.slow
def test_a_model_can_drop_a_rule_hit_and_the_decision_is_the_same_in_documents(tmp_path):
    from policytext.extract import CommitmentExtractor
    from policytext.ingest import read_document

    recital = "(7) A common framework for digital credentials should lower the cost of cross-border services."
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("rule")] = 4.0
    weights[FEATURES.index("recital")] = -8.0
    strict = CommitmentExtractor(decider=CommitmentModel(weights, -2.0))
    assert CommitmentExtractor(decider=None).classify([recital], [LAW])[0] is not None
    assert strict.classify([recital], [LAW])[0] is None
    text = "Joint statement of Veloria and the EU\n\n" + LEAD + "\n\n" + "\n\n".join(ITEMS) + "\n"
    path = tmp_path / "ve-js.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path, doc_id="ve-js", meta=JOINT)
    shipped = CommitmentExtractor()
    in_doc = {c.text: (c.strength, c.actor) for c in shipped.extract(doc).commitments}
    alone = shipped.classify(ITEMS, [JOINT, JOINT], leads=[LEAD, LEAD])
    assert {c.text: (c.strength, c.actor) for c in alone} == {t: v for t, v in in_doc.items() if t in ITEMS}


@pytest.mark.slow
def test_evaluation_decides_training_sentences_by_grouped_cv(shared):
    """The shipped model learned from the dev gold: evaluating on it refits without each document."""
    from policytext.evaluate import evaluate_sentences

    gold = [shared / "eval" / "dev" / n for n in ("sentences.jsonl", "sentences-2.jsonl")]
    result = evaluate_sentences(gold, shared / "corpora")
    assert "commitments: model decided by grouped cross-validation" in result.method
    model = CommitmentModel.load()
    assert result.metrics["commitments"]["commitment_f1"] == pytest.approx(
        model.meta["evaluation"]["model_cv"]["commitment_f1"], abs=1e-9)
    assert os.fspath(gold[0]) in result.gold_path
