"""Batch scoring: incremental, resumable (a real SIGKILL), isolating, with exit codes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from policytext.alignment import AlignConfig
from policytext.batch import score_corpus
from policytext.cli import app
from policytext.store import Store

pytestmark = pytest.mark.slow
EU = "eu-digital-strategy"
#: Columns that hold results (not run bookkeeping): equal runs agree on all of them.
RESULT_SCORES = ["doc_id", "partner", "theme", "score", "low", "high", "eu_coverage", "partner_coverage",
                 "agreement", "parity", "divergence", "matched", "evidence", "divergences", "doc_key"]
RESULT_SUMMARY = ["doc_id", "partner", "overall", "low", "high", "status", "error", "doc_key"]


def results(result) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (result.scores[RESULT_SCORES].reset_index(drop=True),
            result.summary[RESULT_SUMMARY].reset_index(drop=True))


def assert_same(a, b) -> None:
    for x, y in zip(results(a), results(b)):
        pd.testing.assert_frame_equal(x, y)


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory, demo_dir) -> Path:
    """The demo corpus plus variants of its partner documents (7 partners), to kill a run mid-way."""
    root = tmp_path_factory.mktemp("corpus")
    rows = (demo_dir / "manifest.csv").read_text(encoding="utf-8").splitlines()
    out = [rows[0]]
    for row in rows[1:]:
        out.append(row)
        doc_id, path = row.split(",", 1)[0], row.rsplit(",", 1)[1]
        shutil.copy(demo_dir / path, root / path)
        if doc_id != EU:
            variant = f"{doc_id}-v2"
            suffix = Path(path).suffix
            text = (demo_dir / path).read_text(encoding="utf-8")
            extra = "\n\nThe parties will cooperate on secure undersea cables.\n" if suffix != ".html" else ""
            (root / f"{variant}{suffix}").write_text(text.replace("2025", "2026") + extra, encoding="utf-8")
            out.append(row.replace(doc_id, variant))
    (root / "manifest.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, big_corpus):
    """An uninterrupted run (loads the models once for this module)."""
    store = tmp_path_factory.mktemp("baseline") / "store.duckdb"
    return score_corpus(big_corpus, eu=EU, store=store, progress=False), store


def test_baseline_scores_every_document(baseline):
    result, _ = baseline
    assert result.counts == {"documents": 6, "analysed": 6, "scored": 6, "skipped": 0, "failed": 0}
    assert result.exit_code == 0
    assert set(result.summary["status"]) == {"ok"}
    assert result.scores.groupby("doc_id").size().nunique() == 1  # every document × every theme


def test_second_run_recomputes_nothing(baseline, big_corpus, tmp_path):
    first, store = baseline
    again = score_corpus(big_corpus, eu=EU, store=store, out=tmp_path / "out", progress=False)
    assert again.counts == {"documents": 6, "analysed": 0, "scored": 0, "skipped": 6, "failed": 0}
    assert_same(first, again)
    with Store(store) as db:
        items = db.run_items(again.run_id)
        assert set(items["status"]) == {"skipped"} and len(items) == 6
    summary = pd.read_parquet(tmp_path / "out" / "summary.parquet")
    assert list(summary["doc_id"]) == list(first.summary["doc_id"])
    assert (tmp_path / "out" / "scores.csv").is_file()


def test_noop_rerun_from_the_command_line_loads_no_model_code_and_no_pandas(baseline, big_corpus, tmp_path):
    """A rerun that changes nothing needs file hashes and store queries: no torch, spaCy, or pandas."""
    import json

    first, store = baseline
    copy = tmp_path / "store.duckdb"
    shutil.copy(store, copy)
    out = tmp_path / "out"
    code = ("import json, sys\nfrom policytext.cli import main\nsys.argv = sys.argv[:1] + sys.argv[2:]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))")
    proc = subprocess.run([sys.executable, "-c", code, "policytext", "score", str(big_corpus), "--eu", EU,
                           "--store", str(copy), "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, proc.stderr
    assert "6 unchanged" in proc.stdout and "fisheries-policy" in proc.stdout
    heavy = [m for m in ("pandas", "torch", "spacy", "sentence_transformers", "sklearn") if m in report["modules"]]
    assert not heavy, f"a no-op rerun imported {heavy}"
    # The files DuckDB wrote hold what the Python API returns, with the same columns and types.
    for name, frame in (("scores", first.scores), ("summary", first.summary)):
        written = pd.read_parquet(out / f"{name}.parquet")
        cols = RESULT_SCORES if name == "scores" else RESULT_SUMMARY
        pd.testing.assert_frame_equal(written[cols], frame[cols], check_dtype=False)
        assert [str(t) for t in written[cols].dtypes] == [str(t) for t in frame[cols].dtypes]


def test_changed_setting_rescores_without_models(baseline, big_corpus, tmp_path, monkeypatch):
    import policytext.batch as batch
    import policytext.batch.tasks as tasks

    _, store = baseline
    copy = tmp_path / "store.duckdb"
    shutil.copy(store, copy)

    def no_models(*args, **kwargs):
        raise AssertionError("a re-score must not load models or start workers")

    with monkeypatch.context() as m:
        m.setattr(tasks, "analyzer_for", no_models)
        m.setattr(batch.LocalExecutor, "_ensure_pool", no_models)
        result = score_corpus(big_corpus, eu=EU, store=copy, config=AlignConfig(n_bootstrap=50),
                              executor=batch.LocalExecutor(2), progress=False)
    assert result.counts["analysed"] == 0 and result.counts["scored"] == 6
    assert set(result.summary["status"]) == {"ok"}
    assert set(result.summary["action"]) == {"rescored"}
    # A changed document is redone, the others are not.
    changed = tmp_path / "corpus"
    shutil.copytree(big_corpus, changed)
    path = changed / "fisheries-policy.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nA new closing sentence.\n", encoding="utf-8")
    result = score_corpus(changed, eu=EU, store=copy, config=AlignConfig(n_bootstrap=50), progress=False)
    assert result.counts["analysed"] == 1 and result.counts["skipped"] == 5


def test_failure_is_isolated_and_sets_exit_code(baseline, big_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(big_corpus, corpus)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    manifest = corpus / "manifest.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "broken,,,,,,en,,,,,,,broken.pdf\n"
                        "empty,,,,,,en,,,,,,,empty.txt\nmissing,,,,,,en,,,,,,,missing.txt\n", encoding="utf-8")
    store = tmp_path / "store.duckdb"
    shutil.copy(baseline[1], store)  # the good documents are already scored: only the bad ones are tried
    result = CliRunner().invoke(app, ["score", str(corpus), "--eu", EU, "--store", str(store),
                                      "--out", str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 1, result.output
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    failed = summary[summary.status == "failed"]
    assert sorted(failed.doc_id) == ["broken", "empty", "missing"]
    assert failed.error.str.len().min() > 0
    assert (summary.status == "ok").sum() == 6
    # The failures are not cached: a rerun tries them again, and skips the rest.
    again = score_corpus(corpus, eu=EU, store=store, progress=False)
    assert again.counts["failed"] == 3 and again.counts["skipped"] == 6 and again.exit_code == 1


def test_bad_reference_exits_2(big_corpus, tmp_path):
    result = CliRunner().invoke(app, ["score", str(big_corpus), "--eu", "no-such-id", "--store",
                                      str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2
    assert "no-such-id" in result.output


def test_sigkill_mid_run_then_resume_equals_uninterrupted_run(baseline, big_corpus, tmp_path):
    store = tmp_path / "store.duckdb"
    code = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stderr, format='%(message)s');"
            "from policytext.cli import main; sys.argv[0] = 'policytext'; main()")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "score", str(big_corpus), "--eu", EU, "--store", str(store), "--no-progress"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )
    stored = 0
    try:
        for line in proc.stderr:  # kill as soon as two documents are committed
            if line.startswith("stored "):
                stored += 1
                if stored == 2:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
    finally:
        proc.wait(timeout=120)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    with Store(store) as db:  # the store opens (WAL replayed) and holds only whole documents
        run = db.table("runs").iloc[0]
        assert run["status"] == "running" and pd.isna(run["finished_at"])
        assert db.count("alignments") >= 2
    resumed = score_corpus(big_corpus, eu=EU, store=store, progress=False)
    assert resumed.counts["skipped"] >= 2 and resumed.counts["analysed"] + resumed.counts["skipped"] == 6
    assert_same(baseline[0], resumed)
    with Store(store) as db:
        dup = db.sql("SELECT doc_key, count(*) AS n FROM alignments GROUP BY doc_key HAVING n > 1")
        assert dup.empty
        assert db.count("alignments") == 6
        assert db.sql("SELECT count(DISTINCT doc_key) AS n FROM analyses").n[0] == db.count("analyses") == 7


def test_benchmark_short_mode(tmp_path):
    """The benchmark script runs (short mode: demo corpus, in-process) and reports every figure."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_pipeline", Path(__file__).parents[1] / "benchmarks" /
                                                  "bench_pipeline.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    report = bench.main(["--short", "--json", str(tmp_path / "bench.json")])
    assert set(report["stages"]) >= {"read", "parse_extract", "embed", "theme_score", "align_score"}
    assert report["warm"]["counts"]["skipped"] == 3 and report["spacy"]["words_per_s"] > 0
    assert (tmp_path / "bench.json").is_file()


def test_second_score_into_a_result_folder_exits_2_untouched_and_force_replaces(baseline, big_corpus, tmp_path):
    _, store = baseline
    copy, out = tmp_path / "store.duckdb", tmp_path / "out"
    shutil.copy(store, copy)
    args = ["score", str(big_corpus), "--eu", EU, "--store", str(copy), "--out", str(out), "--no-progress"]
    assert CliRunner().invoke(app, args).exit_code == 0
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2
    assert "scores.parquet exists" in again.output and "--force" in again.output
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before
    (out / "summary.csv").write_text("stale\n", encoding="utf-8")
    forced = CliRunner().invoke(app, args + ["--force"])
    assert forced.exit_code == 0, forced.output
    assert (out / "summary.csv").read_bytes() == before["summary.csv"][0]


def test_score_refuses_a_link_out_of_the_folder_as_ingest_does(baseline, demo_dir, tmp_path):
    from policytext import load_corpus

    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    for name in ("eu-digital-strategy.md", "veloria-eu-joint-statement.txt"):
        shutil.copy(demo_dir / name, corpus / name)
    shutil.copy(demo_dir / "fisheries-policy.txt", outside / "secret.txt")
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    ingest_failure = load_corpus(corpus).failures
    assert [f.doc_id for f in ingest_failure] == ["secret"]
    result = score_corpus(corpus, eu=EU, store=tmp_path / "s.duckdb", progress=False)
    failed = result.failures
    assert failed["doc_id"].tolist() == ["secret"]
    assert failed["error"].tolist() == [ingest_failure[0].error]
    assert "is a link out of the corpus folder" in ingest_failure[0].error
    with Store(tmp_path / "s.duckdb", read_only=True) as db:
        assert db.sql("SELECT count(*) AS n FROM documents WHERE doc_id = 'secret'").n[0] == 0
    assert set(result.summary.set_index("doc_id").status.items()) == {("secret", "failed"),
                                                                      ("veloria-eu-joint-statement", "ok")}
