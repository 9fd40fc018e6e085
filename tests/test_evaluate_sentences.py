"""Sentence-level evaluation: metrics, gold reading, locating sentences, and the CLI on the dev set."""

from __future__ import annotations

import json

import numpy as np
import pytest

from policytext.evaluate import GoldError, locate_sentences, multilabel_metrics, read_gold


def test_multilabel_metrics_by_hand():
    truth = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 0]])
    pred = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 0]])
    m = multilabel_metrics(truth, pred, ["a", "b", "c"])
    a, b = m["per_label"]["a"], m["per_label"]["b"]
    assert (a["precision"], a["recall"], a["f1"]) == (1.0, 0.5, pytest.approx(2 / 3))
    assert (b["precision"], b["recall"], b["f1"]) == (0.5, 1.0, pytest.approx(2 / 3))
    assert m["per_label"]["c"]["empty"] and m["macro"]["labels"] == 2  # no gold, no predictions: left out
    assert m["macro"]["f1"] == pytest.approx(2 / 3)
    assert m["micro"]["precision"] == pytest.approx(2 / 3) and m["micro"]["recall"] == pytest.approx(2 / 3)


def test_read_gold_validates(tmp_path):
    good = {"id": "d#0", "doc_id": "d", "text": "x", "themes": []}
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(good) + "\n")
    with pytest.raises(GoldError, match="line 3: duplicate id"):
        read_gold(path)
    path.write_text('{"id": "a"}\n')
    with pytest.raises(GoldError, match="missing key"):
        read_gold(path)
    path.write_text("{oops\n")
    with pytest.raises(GoldError, match="not valid JSON"):
        read_gold(path)
    with pytest.raises(GoldError, match="not found"):
        read_gold(tmp_path / "none.jsonl")


def test_locate_sentences_strips_list_markers_and_uses_the_index_for_ties():
    from policytext import read_text

    doc = read_text("Intro line here.\n\nWe will act now.\n\nOther text.\n\nWe will act now.\n", doc_id="d")
    rows = [
        {"id": "d#3", "doc_id": "d", "text": "We will act now."},
        {"id": "d#1", "doc_id": "d", "text": "1. We  will act now."},
        {"id": "d#0", "doc_id": "d", "text": "Not in the document at all."},
        {"id": "x#0", "doc_id": "x", "text": "Unknown document."},
    ]
    found = locate_sentences(rows, {"d": doc})
    repeated = [s.segment_id for s in doc.sentences if s.text == "We will act now."]
    assert found[0].segment_id == repeated[1] and found[1].segment_id == repeated[0]
    assert found[2] is None and found[3] is None


@pytest.mark.slow
def test_every_dev_sentence_is_found_in_its_document(shared, shared_corpus):
    rows = read_gold(shared / "eval" / "dev" / "sentences.jsonl")
    found = locate_sentences(rows, {d.doc_id: d for d in shared_corpus})
    missing = [r["id"] for r, s in zip(rows, found) if s is None]
    assert not missing, missing
    # the id's number is an ordinal position: it grows with the position in policytext's split
    for doc_id in {r["doc_id"] for r in rows}:
        pairs = sorted((int(r["id"].rsplit("#", 1)[1]), s.start) for r, s in zip(rows, found) if r["doc_id"] == doc_id)
        starts = [start for _, start in pairs]
        assert starts == sorted(starts), doc_id


@pytest.mark.slow
def test_cli_evaluate_sentences_on_dev(shared, tmp_path):
    """The documented command on the dev gold file: grouped CV, figures printed, predictions written."""
    from typer.testing import CliRunner

    from policytext.cli import app

    gold = shared / "eval" / "dev" / "sentences.jsonl"
    out = tmp_path / "pred.jsonl"
    args = ["evaluate", "sentences", str(gold), "--corpus", str(shared / "corpora"), "--predictions", str(out)]
    result = CliRunner().invoke(app, args)
    print(result.output)  # the figures, visible with pytest -s and in CI logs
    assert result.exit_code == 0, result.output
    assert "grouped cross-validation" in result.output and "trained on 320 of these sentences" in result.output
    assert "themes_baseline" in result.output and "macro avg" in result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 320
    assert set(lines[0]) == {"id", "themes", "theme_scores", "commitment", "strength", "actor", "speaker"}
    assert len(lines[0]["theme_scores"]) == 17
    assert all(p["strength"] in (None, "firm", "intent", "soft") for p in lines)
    assert all(set(p["themes"]) <= set(p["theme_scores"]) for p in lines)

    macro_lines = [line.split() for line in result.output.splitlines() if line.strip().startswith("macro avg")]
    micro_lines = [line.split() for line in result.output.splitlines() if line.strip().startswith("micro avg")]
    macro, base = float(macro_lines[0][4]), float(macro_lines[1][4])  # model, then cues-only baseline
    print(f"grouped-CV macro-F1 {macro:.3f} (cues-only baseline {base:.3f})")
    assert macro >= 0.65
    assert float(micro_lines[0][4]) > float(micro_lines[1][4])

    # Commitments (issue 4): detection F1, strength macro-F1 and actor accuracy beside the modal-verb baseline.
    def flat(section: str, key: str) -> float:
        block = result.output.split(f"\n{section}\n", 1)[1]
        return float(next(line.split(":")[1] for line in block.splitlines() if line.strip().startswith(key + ":")))

    for key in ("commitment_f1", "strength_macro_f1", "actor_accuracy"):
        ours, baseline = flat("commitments", key), flat("commitments_baseline", key)
        print(f"{key}: {ours:.3f} (modal-verb baseline {baseline:.3f})")
        assert ours >= 0.85 and ours > baseline

    # Speakers (issue 16): speakers.jsonl lies beside the gold file; accuracy beside the document-usual baseline.
    accuracy, usual = flat("speakers", "accuracy"), flat("speakers", "baseline_accuracy")
    print(f"speaker accuracy {accuracy:.3f} (document-usual baseline {usual:.3f})")
    assert accuracy > usual and all(p["speaker"] for p in lines)

    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output


@pytest.mark.slow
def test_evaluate_as_is_on_data_the_model_did_not_see(tmp_path, embedder):
    """A gold file the model was not trained on is scored with the model as is (no CV)."""
    from policytext.evaluate import evaluate_sentences

    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": "a#0", "doc_id": "a", "text": "We will deploy 5G networks across the region.", "themes": ["connectivity"]},
        {"id": "b#0", "doc_id": "b", "text": "Ransomware attacks on hospitals must stop.", "themes": ["cybersecurity"]},
        {"id": "b#1", "doc_id": "b", "text": "The session closed at noon.", "themes": []},
    ]
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = evaluate_sentences(gold, embedder=embedder)
    assert res.method.startswith("shipped/given model as is")
    assert any("without context" in n for n in res.notes)
    assert res.metrics["themes"]["micro"]["f1"] == 1.0
