"""Load (issue 9): a batch's peak memory does not grow with the number of documents.

A reduced run of ``benchmarks/load.py``: generated corpora of two sizes (short
documents recombined from shared paragraphs, in ``tmp_path``), each scored in a
fresh process; the larger size's peak RSS must stay under 1.3 × the smaller
one's + 100 MB.  On 2 busy cores a document takes 1–3 s (spaCy, embeddings,
theme scores, a 200-draw bootstrap), so CI runs 10 vs 40 documents; set
``POLICYTEXT_LOAD_SIZES="100 1000"`` (or run the script) for the full check.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.shared]
REPO = Path(__file__).resolve().parents[1]


def test_peak_memory_is_bounded_independent_of_corpus_size(shared, tmp_path):
    spec = importlib.util.spec_from_file_location("policytext_load_bench", REPO / "benchmarks" / "load.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    sizes = sorted(int(n) for n in os.environ.get("POLICYTEXT_LOAD_SIZES", "10 40").split())
    reports = [bench.run_size(n, tmp_path, shared=shared) for n in sizes]
    for r in reports:
        print(f"{r['documents']} documents: {r['seconds']:.1f} s, peak RSS {r['peak_mb']:.1f} MB")
        assert r["counts"]["scored"] == r["documents"] and r["counts"]["failed"] == 0
        assert r["rerun_counts"]["skipped"] == r["documents"] and r["rerun_counts"]["analysed"] == 0  # a no-op
    ok, bound = bench.check(reports)
    assert ok, f"peak {reports[-1]['peak_mb']:.1f} MB over the bound {bound:.1f} MB"
