"""Benchmark the batch pipeline on a corpus (default: the shared corpus).

Prints, as a table and as JSON:

* per stage (read, parse/extract, embed, theme-score, align-score): seconds,
  words/s and docs/s, models already loaded (their load time is shown apart);
* the whole pipeline, cold (fresh store, fresh process: model loading included)
  with 1 and 2 workers, its peak memory, and the warm rerun (nothing changed);
* spaCy's default ``en_core_web_sm`` ``nlp.pipe`` words/s on the same texts,
  and the pipeline's ratio to it;
* the embedding on one thread (sentences/s and its time over spaCy's): with
  spaCy's time, what bounds the whole pipeline on this machine.

``--precision`` (``auto``, ``fp32``, ``bf16``) sets the embedding precision of
every run; ``auto`` is bfloat16 on a CPU with AMX, float32 elsewhere.

Usage::

    HF_HUB_OFFLINE=1 python benchmarks/bench_pipeline.py                 # shared corpus, full
    HF_HUB_OFFLINE=1 python benchmarks/bench_pipeline.py --short         # demo corpus, in-process (CI)
    HF_HUB_OFFLINE=1 python benchmarks/bench_pipeline.py --precision bf16  # on a CPU with AMX
    python benchmarks/bench_pipeline.py --corpus DIR --eu ID --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "corpora" / "demo"
SHARED = Path(os.environ.get("POLICYTEXT_SHARED_DATA", REPO.parent / "shared")) / "corpora"


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def stages(corpus: Path, eu: str, precision: str = "auto", one_thread: bool = True) -> dict[str, Any]:
    """Time each stage on its own, with the models loaded beforehand (and the embedding on one thread)."""
    import numpy as np

    from policytext.alignment import align_units
    from policytext.batch import AnalyzerSpec
    from policytext.ingest import load_corpus
    from policytext.themes import sentence_contexts

    out: dict[str, Any] = {}
    t = time.perf_counter()
    docs = list(load_corpus(corpus))
    out["read"] = time.perf_counter() - t
    words = sum(d.word_count for d in docs)
    t = time.perf_counter()
    spec = AnalyzerSpec(precision=precision).resolved()
    out["precision"] = spec.precision
    analyzer = spec.build()
    extractor, (memo, classifier) = analyzer.commitment_extractor("en"), analyzer.stages("default")
    extractor.nlp  # noqa: B018 - load spaCy
    memo.encode(["warm up"])
    out["model_load"] = time.perf_counter() - t
    english = [d for d in docs if d.is_english]
    t = time.perf_counter()
    list(extractor.extract_many(english))
    out["parse_extract"] = time.perf_counter() - t
    texts = [s.text for d in docs for s in d.sentences]
    contexts = [c for d in docs for c in sentence_contexts(d, d.sentences)]
    memo.clear()
    t = time.perf_counter()
    vectors = memo.encode(texts)
    out["embed"] = time.perf_counter() - t
    if one_thread:  # what one worker process gets on a machine shared with another
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        memo.clear()
        t = time.perf_counter()
        memo.encode(texts)
        out["embed_1_thread"] = time.perf_counter() - t
        torch.set_num_threads(threads)
    t = time.perf_counter()
    scores = classifier.predict_proba(texts, context=contexts)  # sentence vectors come from the memo
    out["theme_score"] = time.perf_counter() - t
    memo.clear()
    from policytext.alignment import Unit

    spans, i = {}, 0
    for d in docs:
        spans[d.doc_id] = (i, i + len(d.sentences))
        i += len(d.sentences)

    def units(d):
        return [Unit(s.segment_id, d.doc_id, s.text, s.page, s.paragraph, s.start, s.end, is_heading=s.is_heading)
                for s in d.sentences]

    a, b = spans[eu]
    eu_doc = next(d for d in docs if d.doc_id == eu)
    t = time.perf_counter()
    for d in docs:
        if d.doc_id == eu:
            continue
        c, e = spans[d.doc_id]
        align_units(units(eu_doc), vectors[a:b], scores[a:b], units(d), vectors[c:e], scores[c:e],
                    [str(x) for x in classifier.classes_], thresholds=np.asarray(classifier.thresholds_))
    out["align_score"] = time.perf_counter() - t
    out["words"], out["docs"], out["sentences"] = words, len(docs), len(texts)
    return out


def spacy_baseline(corpus: Path) -> dict[str, float]:
    """spaCy's default en_core_web_sm pipeline, ``nlp.pipe`` over the documents' texts."""
    from policytext.ingest import load_corpus
    from policytext.models import load_spacy

    texts = [d.text for d in load_corpus(corpus)]
    nlp, _ = load_spacy("en_core_web_sm")
    nlp.max_length = max(nlp.max_length, max(len(t) for t in texts) + 1)
    list(nlp.pipe(texts[:1]))  # warm up
    t = time.perf_counter()
    for _ in nlp.pipe(texts):
        pass
    seconds = time.perf_counter() - t
    words = sum(len(x.split()) for x in texts)
    return {"seconds": seconds, "words_per_s": words / seconds}


def run_once(corpus: Path, eu: str, store: Path, workers: int, precision: str = "auto") -> dict[str, Any]:
    """One ``score_corpus`` call in this process (the unit the subprocess mode times)."""
    from policytext.batch import AnalyzerSpec, LocalExecutor, score_corpus

    t = time.perf_counter()
    executor = LocalExecutor(workers)
    try:
        result = score_corpus(corpus, eu=eu, store=store, executor=executor, progress=False,
                              spec=AnalyzerSpec(precision=precision))
    finally:
        executor.close()
    return {"seconds": time.perf_counter() - t, "counts": result.counts, "peak_mb": _peak_mb(),
            "children_peak_mb": _peak_mb(resource.RUSAGE_CHILDREN)}


def run_in_subprocess(corpus: Path, eu: str, store: Path, workers: int, precision: str = "auto") -> dict[str, Any]:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--once", str(store), "--workers", str(workers), "--corpus", str(corpus),
         "--eu", eu, "--precision", precision], capture_output=True, text=True, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - t
    return result


def cpu_kind() -> str:
    """``AMX-BF16`` (Intel Xeon with AMX), ``AVX-512`` or ``AVX2`` (e.g. AMD EPYC), from /proc/cpuinfo."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return "unknown"
    return "AMX-BF16" if "amx_bf16" in flags else "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags \
        else "other"


def whole_process(corpus: Path, eu: str, tmp: Path, workers: int, precision: str = "auto",
                  embedding: str = "minilm") -> dict[str, Any]:
    """``policytext score`` as a user runs it, in a fresh process: cold (new store, models loaded), then the
    same command again on the unchanged corpus (a no-op rerun: imports, checks, one store query), five times."""
    exe = Path(sys.executable).with_name("policytext")
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "policytext"]), "score",
           str(corpus), "--eu", eu, "--out", str(tmp / f"cli-{embedding}"), "--workers", str(workers),
           "--precision", precision, "--embedding", embedding, "--no-progress"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    def timed(extra: list[str]) -> float:
        t = time.perf_counter()
        subprocess.run(cmd + extra, capture_output=True, text=True, check=True, env=env)
        return time.perf_counter() - t

    out = {"cold": timed([])}
    # A rerun takes well under a second, where a shared machine's noise is ±15%: the median of five.
    reruns = sorted(timed(["--force"]) for _ in range(5))
    out["rerun"], out["rerun_min"], out["rerun_max"] = reruns[2], reruns[0], reruns[-1]
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--eu", default=None)
    parser.add_argument("--short", action="store_true", help="demo corpus, in-process, 1 worker (for CI)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16"),
                        help="embedding precision (auto: bf16 on a CPU with AMX, else fp32)")
    parser.add_argument("--once", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    corpus = args.corpus or (DEMO if args.short or not (SHARED / "manifest.csv").is_file() else SHARED)
    eu = args.eu or ("eu-digital-strategy" if corpus == DEMO else "eu-ids-2025")
    if args.once is not None:
        print(json.dumps(run_once(corpus, eu, args.once, args.workers, args.precision)))
        return {}

    report: dict[str, Any] = {"corpus": str(corpus), "eu": eu}
    with tempfile.TemporaryDirectory(prefix="policytext-bench-") as tmp:
        if args.short:
            cold = run_once(corpus, eu, Path(tmp) / "s1.duckdb", 1, args.precision)
            report["cold"] = {"1": cold}
            report["warm"] = run_once(corpus, eu, Path(tmp) / "s1.duckdb", 1, args.precision)
        else:
            report["cold"] = {str(w): run_in_subprocess(corpus, eu, Path(tmp) / f"s{w}.duckdb", w, args.precision)
                              for w in (1, 2)}
            report["warm"] = run_in_subprocess(corpus, eu, Path(tmp) / "s1.duckdb", 1, args.precision)
        if not args.short:
            report["process"] = whole_process(corpus, eu, Path(tmp), 2, args.precision)
            report["process_static"] = whole_process(corpus, eu, Path(tmp), 2, args.precision, "static")
        report["stages"] = st = stages(corpus, eu, args.precision, one_thread=not args.short)
        report["spacy"] = spacy_baseline(corpus)
    report["cpu"] = cpu_kind()
    words, docs = st["words"], st["docs"]
    print(f"corpus {corpus}: {docs} documents, {words:,} words, {st['sentences']:,} sentences; "
          f"embedding precision {st['precision']}")
    print(f"{'stage':<26}{'seconds':>9}{'words/s':>12}{'docs/s':>9}")
    for name in ("read", "parse_extract", "embed", "theme_score", "align_score"):
        s = st[name]
        print(f"{name:<26}{s:>9.2f}{words / s:>12,.0f}{docs / s:>9.2f}")
    print(f"{'(model load, once)':<26}{st['model_load']:>9.2f}")
    pipeline_s = sum(st[k] for k in ("read", "parse_extract", "embed", "theme_score", "align_score"))
    print(f"{'stages total (warm models)':<26}{pipeline_s:>9.2f}{words / pipeline_s:>12,.0f}{docs / pipeline_s:>9.2f}")
    load = st["model_load"]
    for w, c in report["cold"].items():
        print(f"{'cold run, ' + w + ' worker(s)':<26}{c['seconds']:>9.2f}{words / c['seconds']:>12,.0f}"
              f"{docs / c['seconds']:>9.2f}   peak {c['peak_mb'] + c['children_peak_mb']:,.0f} MB")
        c["seconds_without_load"] = max(c["seconds"] - load, 1e-3)
        print(f"{'  without the model load':<26}{c['seconds_without_load']:>9.2f}"
              f"{words / c['seconds_without_load']:>12,.0f}{docs / c['seconds_without_load']:>9.2f}"
              f"   (one load, {load:.1f} s, measured above; workers load theirs in parallel)")
    warm = report["warm"]
    cold1 = report["cold"]["1"]["seconds"]
    print(f"{'warm rerun':<26}{warm['seconds']:>9.2f}   {cold1 / warm['seconds']:,.0f}x faster than cold "
          f"(counts {warm['counts']})")
    sp = report["spacy"]["words_per_s"]
    ratios = {f"cold_{w}_vs_spacy": words / c["seconds"] / sp for w, c in report["cold"].items()}
    ratios.update({f"cold_{w}_without_load_vs_spacy": words / c["seconds_without_load"] / sp
                   for w, c in report["cold"].items()})
    ratios.update({"stages_vs_spacy": words / pipeline_s / sp, "warm_speedup": cold1 / warm["seconds"]})
    print(f"spaCy en_core_web_sm nlp.pipe (model loaded, one process): {sp:,.0f} words/s; pipeline/spaCy: "
          + ", ".join(f"{k.removesuffix('_vs_spacy').replace('_', ' ')} {v:.2f}x"
                      for k, v in ratios.items() if k.endswith("_vs_spacy")))
    if "embed_1_thread" in st:
        # The bound: one worker per core, each embedding on one thread.  Even if the two cores shared the
        # embedding perfectly, it takes half its one-thread time, before any parse or model load.
        e1, spacy_s = st["embed_1_thread"], words / sp
        ratios["embed_1_thread_vs_spacy_time"] = e1 / spacy_s
        print(f"embedding alone, one thread: {st['sentences'] / e1:,.0f} sentences/s, {e1:.1f} s = "
              f"{e1 / spacy_s:.2f}x spaCy's parse time ({spacy_s:.1f} s); on two cores at best {e1 / 2:.1f} s, "
              f"leaving {spacy_s - e1 / 2:.1f} s for the parse ({st['parse_extract']:.1f} s on one core) "
              f"and the model load ({load:.1f} s) to meet 1.0x")
    if "process" in report:
        # What issue 17 asks: the whole `policytext score` process (cold, model load included) against spaCy's
        # plain parse of the same texts, and the no-op rerun against the cold run.
        pr, spacy_s = report["process"], words / sp
        ratios["process_cold_vs_spacy"] = spacy_s / pr["cold"]
        ratios["process_rerun_speedup"] = pr["cold"] / pr["rerun"]
        print(f"whole `policytext score` process, 2 workers, {report['cpu']} CPU, precision {st['precision']}: "
              f"cold {pr['cold']:.1f} s = {ratios['process_cold_vs_spacy']:.2f}x spaCy's plain parse "
              f"({spacy_s:.1f} s; target >= 1.0x); no-op rerun {pr['rerun']:.2f} s (median of 5, "
              f"{pr['rerun_min']:.2f}-{pr['rerun_max']:.2f}) = "
              f"{ratios['process_rerun_speedup']:.0f}x faster than cold (target >= 50x)")
    if "process_static" in report:
        ps = report["process_static"]
        ratios["process_static_cold_vs_spacy"] = spacy_s / ps["cold"]
        ratios["process_static_rerun_speedup"] = ps["cold"] / ps["rerun"]
        print(f"the same with --embedding static (the fast option; lower theme F1, see the README): cold "
              f"{ps['cold']:.1f} s = {ratios['process_static_cold_vs_spacy']:.2f}x spaCy's plain parse; no-op rerun "
              f"{ps['rerun']:.2f} s (median of 5, {ps['rerun_min']:.2f}-{ps['rerun_max']:.2f}) = {ratios['process_static_rerun_speedup']:.0f}x faster than cold")
    report["ratios"] = ratios
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return report


if __name__ == "__main__":
    main()
