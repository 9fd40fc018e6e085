"""Determinism (issue 9): the same inputs and settings give byte-identical result files.

``policytext score`` is run three times from scratch (fresh store each time) on a
corpus generated in ``tmp_path`` from the shared paragraphs: twice with one
worker, once with two worker processes.  The CSV and Parquet outputs must be the
same bytes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policytext.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.shared]
REPO = Path(__file__).resolve().parents[1]
EU = "eu-ids-2025"
FILES = ("scores.csv", "summary.csv", "scores.parquet", "summary.parquet")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, shared) -> Path:
    spec = importlib.util.spec_from_file_location("policytext_load_bench", REPO / "benchmarks" / "load.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.make_corpus(tmp_path_factory.mktemp("determinism") / "corpus", 4, shared=shared, seed=3,
                             min_paras=2, max_paras=4)


def score(corpus: Path, folder: Path, workers: int) -> dict[str, bytes]:
    out = folder / "out"
    result = CliRunner().invoke(app, ["score", str(corpus), "--eu", EU, "--store", str(folder / "store.duckdb"),
                                      "--out", str(out), "--workers", str(workers), "--no-progress"])
    assert result.exit_code == 0, result.output
    return {name: (out / name).read_bytes() for name in FILES}


def test_score_outputs_are_byte_identical_across_runs_and_worker_counts(corpus, tmp_path):
    first = score(corpus, tmp_path / "a", workers=1)
    second = score(corpus, tmp_path / "b", workers=1)
    parallel = score(corpus, tmp_path / "c", workers=2)
    assert first["scores.csv"].count(b"\n") == 1 + 4 * 17  # header + documents x themes
    for name in FILES:
        assert first[name] == second[name], f"{name} differs between two identical runs"
        assert first[name] == parallel[name], f"{name} differs between 1 and 2 workers"


def test_scores_do_not_depend_on_the_threads_a_worker_has(corpus, tmp_path, monkeypatch):
    """The AMX defect, reproduced on any CPU: vectors that change with the thread count.

    Under the double, the embedding of a text differs between a process on two
    torch threads and one on one.  One worker runs on the process's threads, two
    workers on one thread each, so the scores would differ unless the embedder
    pins its forward pass to :data:`~policytext.embed.FORWARD_THREADS`.
    """
    import torch

    import doubles
    from doubles import thread_sensitive_forward
    from policytext.batch import LocalExecutor, score_corpus

    monkeypatch.setattr("policytext.embed.Embedder._forward", doubles._thread_sensitive)
    monkeypatch.setenv("POLICYTEXT_CACHE", str(tmp_path / "cache"))  # no vector computed without the double
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        one = score_corpus(corpus, eu=EU, store=tmp_path / "one.duckdb", progress=False)
        pool = LocalExecutor(2, initializer=thread_sensitive_forward)
        try:
            two = score_corpus(corpus, eu=EU, store=tmp_path / "two.duckdb", executor=pool, progress=False)
        finally:
            pool.close()
    finally:
        torch.set_num_threads(before)
    cols = ["doc_id", "theme", "score", "low", "high", "agreement", "parity", "divergence"]
    assert one.exit_code == two.exit_code == 0
    assert one.scores[cols].equals(two.scores[cols])
    assert one.summary[["doc_id", "overall", "low", "high"]].equals(two.summary[["doc_id", "overall", "low", "high"]])
