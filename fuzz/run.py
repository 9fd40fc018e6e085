"""Coverage-guided fuzzing of the readers, segmenter and loaders with atheris (libFuzzer).

Usage (from the repository root, after ``pip install -e ".[fuzz]"``)::

    python fuzz/run.py --seconds 60                  # every target, 60 s each
    python fuzz/run.py --target pdf --seconds 600    # one target
    python fuzz/run.py --list

Each target runs in its own process (libFuzzer exits when done), seeded with
small valid inputs, with the bytes passed as a whole file to the entry point
(see ``fuzz/targets.py``).  A :class:`~policytext.errors.PolicytextError` is
the documented refusal; any other exception is a crash: atheris prints the
traceback and writes the input to ``fuzz/crashes/<target>/crash-*``.  The
report gives, per target, the inputs tried, refused and the crashes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _child(target: str, seconds: int, corpus_dir: Path, crash_dir: Path, stats_file: Path) -> None:
    """Run one target under atheris in this process (exits when the time is up or on a crash)."""
    import atheris

    with atheris.instrument_imports(include=["policytext"]):
        from fuzz.targets import run_target, seeds  # noqa: F401 - instruments policytext
        import policytext.ingest  # noqa: F401
        import policytext.segment  # noqa: F401
        import policytext.taxonomy  # noqa: F401

    import logging

    logging.disable(logging.CRITICAL)  # pdfminer and the corpus loader log every damaged input
    stats = {"tried": 0, "refused": 0}

    def one_input(data: bytes) -> None:
        stats["tried"] += 1
        if not run_target(target, data):
            stats["refused"] += 1
        if stats["tried"] % 200 == 0:
            stats_file.write_text(json.dumps(stats))

    import atexit

    atexit.register(lambda: stats_file.write_text(json.dumps(stats)))
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for n, seed in enumerate(seeds(target)):
        (corpus_dir / f"seed-{n}").write_bytes(seed)
    crash_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.argv[0], f"-max_total_time={seconds}", "-rss_limit_mb=2048", "-timeout=20",
            "-max_len=65536", f"-artifact_prefix={crash_dir}/", str(corpus_dir)]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    from fuzz.targets import TARGETS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="fuzzing time per target (default 60)")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="target(s); default all")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    parser.add_argument("--work", type=Path, default=REPO / "fuzz" / "work", help="corpus and crash folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(sorted(TARGETS)))
        return 0
    if args.child:
        stats_file = Path(os.environ["POLICYTEXT_FUZZ_STATS"])
        _child(args.child, args.seconds, args.work / "corpus" / args.child, args.work / "crashes" / args.child,
               stats_file)
        return 0
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: pip install -e '.[fuzz]'", file=sys.stderr)
        return 2
    results = {}
    for target in args.target or sorted(TARGETS):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            stats_file = Path(tmp.name)
        env = {**os.environ, "POLICYTEXT_FUZZ_STATS": str(stats_file)}
        proc = subprocess.run(
            [sys.executable, __file__, "--child", target, "--seconds", str(args.seconds), "--work", str(args.work)],
            env=env, capture_output=True, text=True,
        )
        stats = json.loads(stats_file.read_text() or "{}") if stats_file.stat().st_size else {}
        stats_file.unlink()
        crashes = sorted((args.work / "crashes" / target).glob("crash-*")) + sorted(
            (args.work / "crashes" / target).glob("timeout-*")) + sorted((args.work / "crashes" / target).glob("oom-*"))
        results[target] = {**stats, "crashes": len(crashes), "exit": proc.returncode}
        print(f"{target}: {stats.get('tried', 0)} inputs, {stats.get('refused', 0)} refused with a "
              f"PolicytextError, {len(crashes)} crashes (exit {proc.returncode})", flush=True)
        if proc.returncode != 0:
            print(proc.stderr[-4000:], file=sys.stderr)
    total = sum(r.get("tried", 0) for r in results.values())
    n_crashes = sum(r["crashes"] for r in results.values())
    print(f"total: {total} inputs, {n_crashes} crashes")
    return 1 if n_crashes or any(r["exit"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
