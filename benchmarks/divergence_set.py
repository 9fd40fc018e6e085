"""Divergence detection measured on labelled candidate pairs of the shared corpus.

Two steps:

``python benchmarks/divergence_set.py candidates --shared ../shared --out docs/divergence/candidates.jsonl``
    builds candidate pairs: every partner-side sentence of the shared corpus that could take a
    position against the EU (a negation, or a contrary word such as "oppose", "restrict", "reject"),
    paired with its closest EU sentence (EU reference: the International Digital Strategy, its press
    release and Shaping Europe's Digital Future). Only ids and offsets are written, never the text:
    the texts stay in the shared data set.

``python benchmarks/divergence_set.py score --shared ../shared --labels docs/divergence/labels-*.jsonl``
    reads the annotators' labels (``{"id", "divergent": true|false}`` per candidate), reports their
    agreement (raw and Cohen's kappa), and the precision and recall of policytext's divergence rule
    against the pairs both annotators call divergent (and against either annotator).

Annotation guidelines: ``docs/divergence/GUIDELINES.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

EU_DOCS = ("eu-ids-2025", "eu-ids-2025-press", "eu-sedf-2020")
CONTRARY = re.compile(
    r"\b(?:not|never|no longer|oppose[sd]?|opposing|reject(?:s|ed|ing)?|refuse[sd]?|refrain(?:s|ed)?|"
    r"restrict(?:s|ed|ing)?|ban(?:s|ned|ning)?|prohibit(?:s|ed|ing)?|withdraw(?:s|n|ing)?|against)\b", re.I)


def _analyses(shared: Path):
    from policytext import load_corpus
    from policytext.pipeline import Analyzer

    corpus = load_corpus(shared / "corpora")
    analyzer = Analyzer()
    docs = [d for d in corpus if d.meta.language in ("", "en")]
    return corpus, {a.doc_id: a for a in analyzer.analyze_many(docs)}


def candidates(shared: Path, out: Path) -> None:
    import numpy as np

    from policytext.alignment import is_boilerplate
    from policytext.extract.speakers import default_reader, evidence_kind

    corpus, analyses = _analyses(shared)
    eu = [(a, i) for d in EU_DOCS for i, u in enumerate(analyses[d].units) for a in [analyses[d]]
          if not u.is_heading and u.speaker != "none" and not is_boilerplate(u.text)]
    eu_vecs = np.stack([a.vectors[i] for a, i in eu])
    reader = default_reader()
    rows = []
    for doc_id, a in sorted(analyses.items()):
        if doc_id in EU_DOCS or a.meta is None or a.meta.partner == "EU":
            continue
        authors = reader.authors(a.meta)
        party = reader.party(a.meta.partner)
        for i, u in enumerate(a.units):
            if u.is_heading or u.speaker in ("none", "") or is_boilerplate(u.text) or not CONTRARY.search(u.text):
                continue
            kind = evidence_kind(u.speaker, authors, party)
            if kind in ("eu", "none"):
                continue
            sims = eu_vecs @ a.vectors[i]
            k = int(sims.argmax())
            if sims[k] < 0.3:
                continue
            ea, ei = eu[k]
            rows.append({"id": f"{doc_id}:{u.segment_id}~{ea.doc_id}:{ea.units[ei].segment_id}",
                         "partner_doc": doc_id, "partner_segment": u.segment_id, "partner_kind": kind,
                         "eu_doc": ea.doc_id, "eu_segment": ea.units[ei].segment_id,
                         "cosine": round(float(sims[k]), 3)})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} candidate pairs -> {out}")


def texts(shared: Path, path: Path, out: Path) -> None:
    """Write the candidate pairs with their texts (for annotators; outside the repository)."""
    corpus, analyses = _analyses(shared)
    by_seg = {(a.doc_id, u.segment_id): u for a in analyses.values() for u in a.units}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with out.open("w", encoding="utf-8") as f:
        for r in rows:
            p, e = by_seg[(r["partner_doc"], r["partner_segment"])], by_seg[(r["eu_doc"], r["eu_segment"])]
            meta = corpus[r["partner_doc"]].meta
            f.write(json.dumps({"id": r["id"], "partner_document": f"{meta.title} ({meta.issuer}; signed by "
                                f"{meta.signatories or 'see issuer'})", "partner_sentence": p.text,
                                "eu_sentence": e.text}, ensure_ascii=False) + "\n")
    print(f"{len(rows)} pairs with texts -> {out}")


def _kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def score(shared: Path, candidates_path: Path, label_paths: list[Path]) -> None:
    from policytext.alignment import AlignConfig, _content_words, _divergent

    corpus, analyses = _analyses(shared)
    by_seg = {(a.doc_id, u.segment_id): u for a in analyses.values() for u in a.units}
    rows = {json.loads(x)["id"]: json.loads(x) for x in candidates_path.read_text(encoding="utf-8").splitlines() if x}
    labels = []
    for p in label_paths:
        labels.append({json.loads(x)["id"]: bool(json.loads(x)["divergent"])
                       for x in p.read_text(encoding="utf-8").splitlines() if x.strip()})
    ids = [i for i in rows if all(i in lab for lab in labels)]
    cfg = AlignConfig()
    pred = {}
    for i in ids:
        r = rows[i]
        p, e = by_seg[(r["partner_doc"], r["partner_segment"])], by_seg[(r["eu_doc"], r["eu_segment"])]
        shared_words = len(_content_words(p.text) & _content_words(e.text))
        about_same = r["cosine"] >= cfg.match_threshold or (shared_words >= 2 and r["cosine"] >= cfg.divergence_threshold)
        pred[i] = bool(about_same and _divergent(e, p, True, r["partner_kind"]))
    print(f"{len(ids)} candidate pairs labelled by {len(labels)} annotators")
    if len(labels) >= 2:
        a, b = [labels[0][i] for i in ids], [labels[1][i] for i in ids]
        agree = sum(x == y for x, y in zip(a, b)) / len(ids)
        print(f"agreement {agree:.3f}, Cohen's kappa {_kappa(a, b):.3f}; divergent: {sum(a)} and {sum(b)}")
    for name, gold in (("both annotators", {i for i in ids if all(lab[i] for lab in labels)}),
                       ("either annotator", {i for i in ids if any(lab[i] for lab in labels)})):
        found = {i for i in ids if pred[i]}
        tp = len(found & gold)
        prec = tp / len(found) if found else float("nan")
        rec = tp / len(gold) if gold else float("nan")
        print(f"gold = {name}: {len(gold)} divergent; policytext flags {len(found)}, {tp} right: "
              f"precision {prec:.2f}, recall {rec:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("step", choices=["candidates", "texts", "score"])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    ap.add_argument("--candidates", type=Path, default=Path("docs/divergence/candidates.jsonl"))
    ap.add_argument("--out", type=Path)
    ap.add_argument("--labels", type=Path, nargs="*", default=[])
    args = ap.parse_args()
    if args.step == "candidates":
        candidates(args.shared, args.out or args.candidates)
    elif args.step == "texts":
        texts(args.shared, args.candidates, args.out)
    else:
        score(args.shared, args.candidates, args.labels)


if __name__ == "__main__":
    main()
