"""Score sentence speakers against gold (``speakers.jsonl`` beside a ``sentences.jsonl``).

Used by ``policytext evaluate sentences``: when a ``speakers.jsonl`` lies beside
the gold file, each prediction gets its ``speaker`` and the report gains a
section ``speakers``:

``accuracy``
    the share of gold sentences whose predicted speaker equals the gold label
    (labels of the guidelines, section 4: ``joint``, ``EU``, ``US``, ``India+US``, ``other``, ``none``);
``baseline_accuracy``
    every sentence given its document's most frequent gold speaker (an
    oracle at the document level: most sentences speak for the whole
    document; the errors that matter are the others);
``off_usual``, ``off_usual_accuracy``
    sentences whose gold speaker is not their document's usual one, and the share predicted right;
``eu_in_joint``, ``eu_in_joint_found``
    gold ``EU`` sentences in documents the EU signed with others, and how many were predicted ``EU``
    (the sentences that must never count as the partner's).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .gold import GoldError, locate_sentences

if TYPE_CHECKING:  # pragma: no cover
    from ..extract.speakers import SpeakerReader
    from ..ingest.corpus import Corpus

__all__ = ["read_speakers", "predict_speakers", "speaker_metrics"]


def read_speakers(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read ``{"id", "speaker"}`` lines; raises :class:`GoldError` naming the file and line on a bad one."""
    path = Path(path)
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out[str(row["id"])] = str(row["speaker"])
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise GoldError(path, f"expected a JSON object with 'id' and 'speaker' ({e})", line=n) from None
    return out


def predict_speakers(rows: Sequence[dict[str, Any]], corpus: Corpus | None, *,
                     reader: SpeakerReader | None = None) -> list[str]:
    """The speaker of each gold sentence, read in its document as the analysis reads it.

    Each sentence is found in its document (for its heading/note status); the
    document's metadata gives its authors.  Without a corpus (or for an unknown
    document) the sentence is read with unknown authors.
    """
    from ..extract.speakers import SpeakerReader

    reader = reader or SpeakerReader()
    docs = {d.doc_id: d for d in corpus} if corpus is not None else {}
    segments = locate_sentences(rows, docs) if docs else [None] * len(rows)
    authors: dict[str, Any] = {}
    out = []
    for row, seg in zip(rows, segments):
        doc = docs.get(row.get("doc_id", ""))
        key = row.get("doc_id", "")
        if key not in authors:
            authors[key] = reader.authors(doc.meta if doc is not None else None, doc.text if doc is not None else "")
        out.append(reader.speaker(row["text"], authors[key], heading=bool(seg is not None and seg.is_heading),
                                  note=bool(seg is not None and seg.is_note),
                                  title=doc.meta.title if doc is not None else ""))
    return out


def speaker_metrics(rows: Sequence[dict[str, Any]], gold: dict[str, str], predicted: Sequence[str],
                    corpus: Corpus | None = None) -> dict[str, Any]:
    """Speaker accuracy, the document-usual-speaker baseline, and the sentences that matter (module docstring)."""
    from ..extract.speakers import SpeakerReader

    pairs = [(r, p) for r, p in zip(rows, predicted) if r["id"] in gold]
    if not pairs:
        return {"n": 0, "note": "no gold speaker for these sentences"}
    by_doc: dict[str, Counter[str]] = {}
    for r, _ in pairs:
        by_doc.setdefault(r["doc_id"], Counter())[gold[r["id"]]] += 1
    usual = {d: max(c.items(), key=lambda kv: (kv[1], kv[0]))[0] for d, c in by_doc.items()}
    docs = {d.doc_id: d for d in corpus} if corpus is not None else {}
    reader = SpeakerReader()
    joint_docs = {d for d in by_doc if d in docs and (a := reader.authors(docs[d].meta, docs[d].text)).joint and a.signed_by("EU")}
    right = sum(gold[r["id"]] == p for r, p in pairs)
    base = sum(gold[r["id"]] == usual[r["doc_id"]] for r, _ in pairs)
    off = [(r, p) for r, p in pairs if gold[r["id"]] != usual[r["doc_id"]]]
    eu_joint = [(r, p) for r, p in pairs if gold[r["id"]] == "EU" and r["doc_id"] in joint_docs]
    errors = Counter(f"{gold[r['id']]} -> {p}" for r, p in pairs if gold[r["id"]] != p)
    return {
        "n": len(pairs),
        "accuracy": right / len(pairs),
        "baseline_accuracy": base / len(pairs),
        "off_usual": len(off),
        "off_usual_accuracy": (sum(gold[r["id"]] == p for r, p in off) / len(off)) if off else 1.0,
        "eu_in_joint": len(eu_joint),
        "eu_in_joint_found": sum(p == "EU" for _, p in eu_joint),
        "errors": dict(errors.most_common()),
    }
