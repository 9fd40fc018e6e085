"""Search latency on large stores (issue 19): 10,000 and 100,000 sentences, generated from a scored store.

The store of the shared corpus (about 3,800 sentences) is copied and its documents repeated under new
ids (document rows, analyses and sentences, with their stored vectors) until the store holds the asked
number of sentences; then each of the 32 judged queries (``docs/search/queries.jsonl``) runs in every
mode, with and without filters, the query embedder loaded once (as in a notebook session).  Printed: the
median and 95th-percentile latency per mode, and the store's size.

Usage::

    HF_HUB_OFFLINE=1 python benchmarks/search_latency.py --store STORE.duckdb --sizes 10000 100000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUERIES = HERE.parent / "docs" / "search" / "queries.jsonl"


def grow(store: Path, sentences: int, folder: Path) -> Path:
    """A copy of ``store`` holding at least ``sentences`` sentences (its documents repeated under new ids)."""
    import duckdb

    target = folder / f"store-{sentences}.duckdb"
    shutil.copy(store, target)
    con = duckdb.connect(str(target))
    have = con.execute("SELECT count(*) FROM sentences").fetchone()[0]
    copies = -(-sentences // have) - 1
    for table, keyed in (("documents", ("doc_key", "doc_id")), ("analyses", ("doc_key", "doc_id")),
                         ("sentences", ("doc_key", "doc_id"))):
        cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
        select = ", ".join(f"{c} || '-r' || r.range AS {c}" if c in keyed else f'"{c}"' for c in cols)
        con.execute(f"INSERT INTO {table} SELECT {select} FROM {table}, range(1, {copies + 1}) r "
                    f"WHERE {table}.doc_key NOT LIKE '%-r%'")
    n = con.execute("SELECT count(*) FROM sentences").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    print(f"store with {n:,} sentences ({copies + 1} copies of {have:,}): {target.stat().st_size / 2**20:,.0f} MB")
    return target


def timings(store: Path, queries: list[str], embedders: dict) -> dict[str, list[float]]:
    from policytext.search import search
    from policytext.store import Store

    out: dict[str, list[float]] = {}
    with Store(store, read_only=True) as db:
        t = time.perf_counter()
        search(db, queries[0], embedders=embedders, mode="lexical")  # builds the connection's word index
        out["first lexical query of a session (builds the word index)"] = [time.perf_counter() - t]
        for name, kwargs in (("hybrid", {}), ("lexical", {"mode": "lexical"}), ("embedding", {"mode": "embedding"}),
                             ("hybrid, joint commitments of one partner",
                              {"partner": "United States", "speaker": "joint", "commitments": True})):
            search(db, queries[0], embedders=embedders, **kwargs)  # warm DuckDB's caches
            times = []
            for q in queries:
                t = time.perf_counter()
                search(db, q, embedders=embedders, limit=20, **kwargs)
                times.append(time.perf_counter() - t)
            out[name] = times
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a store of the shared corpus (policytext score)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from policytext.embed import Embedder

    queries = [json.loads(x)["query"] for x in QUERIES.read_text(encoding="utf-8").splitlines() if x.strip()]
    embedders = {384: Embedder()}
    embedders[384].encode(["warm up"])
    report = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            store = grow(args.store, size, Path(tmp))
            found = timings(store, queries, embedders)
            report["sizes"][size] = {}
            for mode, times in found.items():
                qs = sorted(times)
                med, p95 = statistics.median(qs), qs[min(len(qs) - 1, int(0.95 * len(qs)))]
                report["sizes"][size][mode] = {"median_s": med, "p95_s": p95}
                print(f"  {size:>7,} sentences  {mode:<42} median {med * 1000:6.0f} ms   p95 {p95 * 1000:6.0f} ms "
                      f"({len(qs)} queries)")
            store.unlink()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
