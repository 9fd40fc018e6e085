"""Commitments of the shared corpus, and the dev-set figures beside the modal-verb baseline."""

from __future__ import annotations

import collections
import json

import pytest

from policytext.records import STRENGTHS


@pytest.fixture(scope="module")
def extractor():
    from policytext.extract import CommitmentExtractor

    return CommitmentExtractor()


@pytest.mark.slow
def test_extract_whole_shared_corpus(shared_corpus, extractor):
    results = list(extractor.extract_many(shared_corpus))
    assert [r.doc_id for r in results] == shared_corpus.ids
    print(f"\n{'doc_id':28} {'sentences':>9} {'commit':>6} " + " ".join(f"{s:>6}" for s in STRENGTHS) + "  actors")
    total = collections.Counter()
    for doc, res in zip(shared_corpus, results):
        by = collections.Counter(c.strength for c in res.commitments)
        total.update(by)
        actors = collections.Counter(c.actor for c in res.commitments).most_common(3)
        print(f"{doc.doc_id:28} {len(doc.sentences):9} {len(res.commitments):6} "
              + " ".join(f"{by[s]:6}" for s in STRENGTHS) + f"  {actors}")
        for c in res.commitments:
            assert c.strength in STRENGTHS
            assert doc.text[c.start:c.end] == c.text
            assert c.doc_id == doc.doc_id and c.segment_id.startswith(doc.doc_id + ":s")
        for e in res.entities:
            assert doc.text[e.start:e.end] == e.text
    print("total", dict(total))
    assert sum(total.values()) > 100
    assert all(total[s] > 0 for s in STRENGTHS)


@pytest.mark.slow
def test_dev_metrics_beat_thresholds(shared, shared_corpus):
    from policytext.evaluate import commitment_metrics, modal_baseline, predict_commitments

    gold = [json.loads(line) for line in (shared / "eval" / "dev" / "sentences.jsonl").read_text().splitlines() if line]
    ours = commitment_metrics(gold, predict_commitments(gold, shared_corpus))
    base = commitment_metrics(gold, modal_baseline(gold))
    print(f"\n{'metric':24} {'policytext':>10} {'modal baseline':>15}")
    for key in ("commitment_precision", "commitment_recall", "commitment_f1", "strength_accuracy",
                "strength_macro_f1", "actor_accuracy"):
        print(f"{key:24} {ours[key]:10.3f} {base[key]:15.3f}")
    print("strength F1 per class", {k: round(v, 3) for k, v in ours["strength_f1"].items()})
    assert ours["commitment_f1"] >= 0.85
    assert ours["strength_macro_f1"] >= 0.85
    assert ours["actor_accuracy"] >= 0.85
    for key in ("commitment_f1", "strength_macro_f1", "actor_accuracy"):
        assert ours[key] > base[key]
