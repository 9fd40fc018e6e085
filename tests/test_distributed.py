"""The Dask executor on a LocalCluster of two worker processes gives the same results as a local run."""

from __future__ import annotations

import pandas as pd
import pytest

from policytext.batch import DaskExecutor, LocalExecutor, score_corpus

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow
EU = "eu-digital-strategy"
COLS = ["doc_id", "partner", "theme", "score", "low", "high", "eu_coverage", "partner_coverage", "agreement",
        "parity", "divergence", "matched", "doc_key"]


def test_dask_local_cluster_equals_local_run(demo_dir, tmp_path):
    local = score_corpus(demo_dir, eu=EU, store=tmp_path / "local.duckdb", executor=LocalExecutor(1), progress=False)
    executor = DaskExecutor(workers=2)  # a LocalCluster of 2 processes, 1 thread each
    try:
        assert len(executor.client.scheduler_info()["workers"]) == 2
        dist = score_corpus(demo_dir, eu=EU, store=tmp_path / "dask.duckdb", executor=executor, progress=False)
    finally:
        executor.close()
    assert dist.counts == local.counts == {"documents": 3, "analysed": 3, "scored": 3, "skipped": 0, "failed": 0}
    pd.testing.assert_frame_equal(dist.scores[COLS], local.scores[COLS])
    pd.testing.assert_frame_equal(dist.summary.drop(columns=["action"]), local.summary.drop(columns=["action"]))
