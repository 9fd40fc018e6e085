"""Validity of the alignment score against the dev gold ratings (issue 5)."""

from __future__ import annotations

import csv

import pytest

EU_REFERENCE = ["eu-ids-2025-press", "eu-ids-2025"]


def test_read_alignment_gold_validates(tmp_path):
    from policytext.evaluate import GoldError, read_alignment_gold

    good = tmp_path / "a.csv"
    good.write_text("doc_id,theme,alignment\nx,ai,2.5\nx,privacy,\n")
    assert read_alignment_gold(good) == [{"doc_id": "x", "theme": "ai", "gold": 2.5},
                                         {"doc_id": "x", "theme": "privacy", "gold": None}]
    bad = tmp_path / "b.csv"
    bad.write_text("doc_id,theme,alignment\nx,ai,high\n")
    with pytest.raises(GoldError, match="line 2.*not a number"):
        read_alignment_gold(bad)
    with pytest.raises(GoldError, match="missing column"):
        (tmp_path / "c.csv").write_text("doc,theme\n")
        read_alignment_gold(tmp_path / "c.csv")


def test_plain_similarity_baseline():
    import numpy as np

    from policytext.evaluate import plain_similarity

    eu = np.array([[1.0, 0.0], [0.0, 1.0]])
    mask = np.array([[True, False, False], [False, True, False]])
    partner = np.array([[1.0, 0.0]])
    out = plain_similarity(eu, mask, partner)
    assert out[0] == pytest.approx(1.0) and out[1] == pytest.approx(0.0) and np.isnan(out[2])


@pytest.mark.slow
def test_cli_evaluate_alignment_on_dev(shared, tmp_path, demo_dir):
    """The documented command: Spearman with the gold ratings >= 0.60 overall, above the baseline."""
    from typer.testing import CliRunner

    from policytext.cli import app

    out = tmp_path / "alignment-pred.csv"
    args = ["evaluate", "alignment", str(shared / "eval" / "dev" / "alignment.csv"),
            "--corpus", str(shared / "corpora"), "--predictions", str(out)]
    for eu in EU_REFERENCE:
        args += ["--eu", eu]
    result = CliRunner().invoke(app, args)
    print(result.output)
    assert result.exit_code == 0, result.output
    assert "grouped cross-validation over partner documents" in result.output
    rho = float(next(line for line in result.output.splitlines() if "policytext alignment score" in line).split()[-1])
    base = float(next(line for line in result.output.splitlines() if "baseline (plain" in line).split()[-1])
    assert rho >= 0.60 and rho > base
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {"doc_id", "theme", "score", "low", "high"} <= set(rows[0])
    scored = [r for r in rows if r["score"] not in ("", None)]
    assert scored and all(float(r["low"]) <= float(r["score"]) <= float(r["high"]) for r in scored)


@pytest.mark.slow
def test_eu_joint_statements_score_above_an_unrelated_control(shared_corpus, demo_dir, embedder):
    """Joint statements the EU co-signed outrank a fisheries policy; every positive score has evidence."""
    from policytext import load_corpus
    from policytext.pipeline import Analyzer

    analyzer = Analyzer(embedder=embedder)
    eu = [shared_corpus[i] for i in EU_REFERENCE]
    control = load_corpus(demo_dir)["fisheries-policy"]
    control_score = analyzer.align(eu, [control]).overall
    joint = [d for d in shared_corpus if d.meta.doc_type == "joint_statement" and d.doc_id.startswith("eu-")]
    assert joint, "the shared corpus holds EU joint statements"
    for doc in joint:
        result = analyzer.align(eu, [doc])
        print(f"{doc.doc_id}: overall {result.overall} [{result.overall_low}, {result.overall_high}]; "
              f"control {control_score}")
        assert result.overall > control_score
        for t in result.themes:
            if t.score is not None:
                assert t.low <= t.score <= t.high
                if t.score > 0:
                    assert t.evidence or t.divergences, (doc.doc_id, t.theme)
