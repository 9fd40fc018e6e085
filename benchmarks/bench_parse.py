"""What each spaCy component costs in the commitment parse, and what dropping it does to dev quality (issue 17).

Usage (from the repository root)::

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_parse.py [--shared ../shared]

1. Time: every sentence the extractor parses in the shared corpus (those its cue pre-filter lets
   through) run through ``en_core_web_sm``'s components one by one, on one thread, and the time of each
   component summed; beside it the share of the corpus's sentences that are parsed at all.
2. Quality: the dev gold sentences of both files read with the full pipeline and with one component
   left out (``ner``; ``lemmatizer``), commitment F1, strength macro-F1 and actor accuracy by the
   rules' reading (the commitment model's cross-validated figures depend on the same reading).
Prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parents[1] / "shared"


def component_times(corpus_dir: Path) -> tuple[dict[str, float], int, int]:
    from policytext.extract import CommitmentExtractor
    from policytext.extract.commitments import looks_like_heading, split_marker
    from policytext.ingest import load_corpus

    ext = CommitmentExtractor(decider=None)
    nlp = ext.nlp
    texts, total = [], 0
    for doc in load_corpus(corpus_dir):
        for seg in doc.sentences:
            total += 1
            if seg.is_heading or seg.is_note or looks_like_heading(seg.text):
                continue
            marker, offset = split_marker(seg.text)
            if ext.is_candidate(seg.text[offset:], marker):
                texts.append(seg.text[offset:])
    times = {"make_doc": 0.0, **{name: 0.0 for name, _ in nlp.pipeline}}
    for text in texts:
        t = time.perf_counter()
        doc = nlp.make_doc(text)
        times["make_doc"] += time.perf_counter() - t
        for name, proc in nlp.pipeline:
            t = time.perf_counter()
            doc = proc(doc)
            times[name] += time.perf_counter() - t
    return times, len(texts), total


def quality_without(shared: Path, drop: str | None) -> dict[str, float]:
    from policytext.evaluate import read_golds
    from policytext.evaluate.commitments import gold_leads
    from policytext.evaluate.metrics import commitment_metrics
    from policytext.extract import CommitmentExtractor
    from policytext.ingest import load_corpus

    rows = read_golds([shared / "eval" / "dev" / n for n in ("sentences.jsonl", "sentences-2.jsonl")])
    corpus = load_corpus(shared / "corpora")
    ext = CommitmentExtractor(decider=None)
    if drop:
        ext.nlp.remove_pipe(drop)
    metas = [corpus[r["doc_id"]].meta for r in rows]
    texts = [r["text"] for r in rows]
    readings = ext.read(texts, gold_leads(rows, corpus))
    found = ext.records(texts, [r.hit for r in readings], metas)
    m = commitment_metrics(rows, [{"commitment": c is not None, "strength": c.strength if c else None,
                                   "actor": c.actor if c else None} for c in found])
    return {k: m[k] for k in ("commitment_f1", "strength_macro_f1", "actor_accuracy")}


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("POLICYTEXT_SHARED_DATA", DEFAULT_SHARED)))
    args = parser.parse_args()
    torch.set_num_threads(1)
    times, parsed, total = component_times(args.shared / "corpora")
    all_s = sum(times.values())
    print(f"{parsed:,} of {total:,} sentences parsed ({parsed / total:.0%}: the cue pre-filter); one thread")
    print(f"{'component':<18}{'seconds':>9}{'share':>8}")
    for name, s in times.items():
        print(f"{name:<18}{s:>9.2f}{s / all_s:>8.0%}")
    print(f"{'all':<18}{all_s:>9.2f}")
    print()
    print(f"{'left out':<18}{'commitment F1':>14}{'strength F1':>13}{'actor acc.':>12}   (rules' reading, both dev files)")
    for drop in (None, "ner", "lemmatizer"):
        try:
            q = quality_without(args.shared, drop)
        except ValueError as e:  # spaCy refuses: the rules' patterns need what the component sets
            print(f"{drop:<18}  cannot be left out: {str(e).splitlines()[0][:90]}")
            continue
        print(f"{drop or '(nothing)':<18}{q['commitment_f1']:>14.3f}{q['strength_macro_f1']:>13.3f}"
              f"{q['actor_accuracy']:>12.3f}")


if __name__ == "__main__":
    main()
