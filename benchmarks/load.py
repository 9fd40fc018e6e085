"""Load check: score many short documents in one batch and show that memory does not grow with their number.

Builds corpora of generated documents in a temporary folder (paragraphs of the
shared corpus recombined, 3–6 per document; nothing is written to the
project), scores each size in a fresh process (``policytext score`` with one
worker) and prints, per size, the documents, the seconds, documents per second
and the peak resident memory of that process.  The check passes when the peak
of the largest size is at most ``1.3 ×`` the smallest one's plus 100 MB.

Usage::

    HF_HUB_OFFLINE=1 python benchmarks/load.py                   # 100 vs 1,000 documents (several minutes)
    HF_HUB_OFFLINE=1 python benchmarks/load.py --sizes 50 200    # quicker
    python benchmarks/load.py --shared DIR --json out.json

Exit status: 0 when the check passes, 1 when it does not.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYTEXT_SHARED_DATA", REPO.parent / "shared"))
EU_ID = "eu-ids-2025"
#: Peak of the largest size allowed: RATIO × the smallest size's peak + SLACK_MB.
RATIO, SLACK_MB = 1.3, 100.0

_CHILD = """
import json, resource, sys, time
from policytext.batch import AnalyzerSpec, LocalExecutor, score_corpus
t = time.perf_counter()
spec = AnalyzerSpec(embedding_model="static") if sys.argv[6] == "static" else None
r = score_corpus(sys.argv[1], eu=sys.argv[2], store=sys.argv[3], out=sys.argv[4],
                 executor=LocalExecutor(int(sys.argv[5])), progress=False, spec=spec, force=True)
print(json.dumps({"seconds": time.perf_counter() - t, "counts": r.counts,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def paragraphs(shared: Path) -> list[str]:
    """Paragraphs (40–120 words) of the shared corpus's English text files, EU reference excluded."""
    out: list[str] = []
    with open(shared / "corpora" / "manifest.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        path = shared / "corpora" / "texts" / f"{row['id']}.txt"
        if row["id"] == EU_ID or row.get("language", "en") != "en" or not path.is_file():
            continue
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            text = " ".join(block.split())
            if 40 <= len(text.split()) <= 120:
                out.append(text)
    return out


def make_corpus(root: Path, n: int, *, shared: Path = SHARED, seed: int = 0, min_paras: int = 3,
                max_paras: int = 6) -> Path:
    """Write ``n`` generated documents plus the EU reference and a manifest to ``root``; return ``root``.

    The same ``n`` and ``seed`` give the same files.  The first ``k`` documents
    of a corpus of size ``n`` are those of any size ≥ ``k`` with the same seed.
    """
    pool = paragraphs(shared)
    if not pool:
        raise SystemExit(f"no paragraphs found under {shared / 'corpora'}")
    root.mkdir(parents=True, exist_ok=True)
    eu_text = (shared / "corpora" / "texts" / f"{EU_ID}.txt").read_text(encoding="utf-8")
    (root / f"{EU_ID}.txt").write_text(eu_text, encoding="utf-8")
    rng = random.Random(seed)
    lines = ["id,title,issuer,partner,doc_type,date,language,path",
             f"{EU_ID},EU reference,European Commission,EU,strategy,2025-06-05,en,{EU_ID}.txt"]
    for i in range(n):
        doc_id = f"gen-{i:05d}"
        paras = rng.sample(pool, rng.randint(min_paras, max_paras))
        (root / f"{doc_id}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")
        lines.append(f"{doc_id},Generated {i},Partner {i % 7},Partner {i % 7},statement,2024-01-01,en,{doc_id}.txt")
    (root / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def run_size(n: int, workdir: Path, *, workers: int = 1, shared: Path = SHARED,
             embedding: str = "minilm") -> dict[str, Any]:
    """Score a generated corpus of ``n`` documents in a fresh process, then again in another (a no-op rerun:
    nothing changed); the first run's seconds, counts and peak memory, and the rerun's wall time."""
    corpus = make_corpus(workdir / f"corpus-{n}", n, shared=shared)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cmd = [sys.executable, "-c", _CHILD, str(corpus), EU_ID, str(workdir / f"store-{n}.duckdb"),
           str(workdir / f"out-{n}"), str(workers), embedding]
    runs = []
    for _ in range(2):
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"scoring {n} documents failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        runs.append((time.perf_counter() - t, json.loads(proc.stdout.strip().splitlines()[-1])))
    report = runs[0][1]
    report["documents"] = n
    report["docs_per_s"] = n / report["seconds"]
    report["rerun_process_seconds"] = runs[1][0]
    report["rerun_counts"] = runs[1][1]["counts"]
    return report


def check(reports: list[dict[str, Any]]) -> tuple[bool, float]:
    """Whether the largest size's peak stays under ``RATIO ×`` the smallest's + ``SLACK_MB``; and that bound."""
    small, large = min(reports, key=lambda r: r["documents"]), max(reports, key=lambda r: r["documents"])
    bound = RATIO * small["peak_mb"] + SLACK_MB
    return large["peak_mb"] <= bound, bound


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--shared", type=Path, default=SHARED, help="folder holding corpora/manifest.csv")
    ap.add_argument("--json", type=Path, help="also write the report here")
    ap.add_argument("--embedding", choices=("minilm", "static"), default="minilm",
                    help="static: the fast option (policytext score --embedding static)")
    args = ap.parse_args(argv)
    reports = []
    with tempfile.TemporaryDirectory(prefix="policytext-load-") as tmp:
        for n in sorted(args.sizes):
            r = run_size(n, Path(tmp), workers=args.workers, shared=args.shared, embedding=args.embedding)
            reports.append(r)
            print(f"{n:>6} documents ({args.embedding}): {r['seconds']:7.1f} s, {r['docs_per_s']:5.2f} docs/s, "
                  f"peak RSS {r['peak_mb']:7.1f} MB; no-op rerun {r['rerun_process_seconds']:.1f} s (whole "
                  f"process; skipped {r['rerun_counts']['skipped']})", flush=True)
    ok, bound = check(reports)
    print(f"largest peak {max(reports, key=lambda r: r['documents'])['peak_mb']:.1f} MB, bound {bound:.1f} MB "
          f"({RATIO} x smallest + {SLACK_MB:.0f} MB): {'ok' if ok else 'FAILED'}")
    result = {"sizes": reports, "bound_mb": bound, "ok": ok}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
