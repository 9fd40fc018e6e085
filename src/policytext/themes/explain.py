"""Why a theme was assigned: per text and theme, the evidence behind the score, as ThemeScore records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..records import Document, ThemeScore
from .context import sentence_contexts
from .features import cue_text

if TYPE_CHECKING:  # pragma: no cover
    from .estimator import ThemeClassifier

__all__ = ["explain", "reason", "score_document"]


def explain(
clf: ThemeClassifier,
    X: Sequence[str],
    *,
    context: Sequence[str | Sequence[str]] | None = None,
    segment_ids: Sequence[str] | None = None,
    doc_id: str = "",
    assigned_only: bool = True,
) -> list[list[ThemeScore]]:
    """Per text, :class:`~policytext.records.ThemeScore` records with the reason of each score.

    The reason lists the evidence: the cue that matched (and the words it
    matched), the nearest definition or example and its cosine similarity,
    the learned text model's score, and the probability against the threshold.

    Parameters
    ----------
    X : texts.
    context : per text its context, or ``None``.
    segment_ids : ids to put in the records (default ``"0"``, ``"1"``, ...).
    doc_id : document id to put in the records.
    assigned_only : only the assigned themes (best first); else every theme in ``classes_`` order.
    """
    proba, ev = clf._scores(X, context)
    texts = list(X)
    ids = list(segment_ids) if segment_ids is not None else [str(i) for i in range(len(texts))]
    if len(ids) != len(texts):
        raise ValueError(f"segment_ids has {len(ids)} ids but X has {len(texts)} texts")
    patterns, thresholds = clf._patterns, clf.thresholds_
    out: list[list[ThemeScore]] = []
    for i, text in enumerate(texts):
        order = np.argsort(-proba[i]) if assigned_only else np.arange(len(clf.classes_))
        row = []
        for k in order:
            assigned = bool(proba[i, k] >= thresholds[k])
            if assigned_only and not assigned:
                continue
            row.append(ThemeScore(
                segment_id=ids[i], doc_id=doc_id, theme=str(clf.classes_[k]), score=float(proba[i, k]),
                assigned=assigned, reason=reason(clf, i, k, text, proba[i, k], thresholds[k], ev, patterns[k]),
            ))
        out.append(row)
    return out

def reason(clf: ThemeClassifier, i: int, k: int, text: str, p: float, t: float, ev: dict[str, np.ndarray], pattern) -> str:
    parts = []
    match = pattern.search(cue_text(text)) if pattern is not None else None
    if match:
        parts.append(f"cue matched {match.group(0)!r}")
    j = int(ev["nearest"][i, k])
    if j >= 0:
        kind = "definition" if clf.prototype_texts_[j].startswith(f"{clf.taxonomy_.themes[k].label}") else "example"
        proto = clf.prototype_texts_[j]
        proto = proto if len(proto) <= 80 else proto[:77] + "..."
        parts.append(f"nearest {kind} {proto!r} (cosine {ev['sims'][i, k]:.2f})")
    if ev["ctx_sims"][i, k]:
        parts.append(f"context cosine {ev['ctx_sims'][i, k]:.2f}")
    if clf.text_mask_[k]:
        parts.append(f"text model {ev['text_scores'][i, k]:+.2f}")
    op = ">=" if p >= t else "<"
    parts.append(f"p={p:.2f} {op} threshold {t:.2f}")
    return "; ".join(parts)

def score_document(
clf: ThemeClassifier, doc: Document, *, use_context: bool = True, assigned_only: bool = False
) -> list[ThemeScore]:
    """Score every sentence of ``doc`` on every theme, using each sentence's heading and paragraph.

    Returns
    -------
    list of ThemeScore
        sentence by sentence in document order; per sentence every theme in
        ``classes_`` order (or only the assigned ones with ``assigned_only=True``).
    """
    sentences = doc.sentences
    texts = [s.text for s in sentences]
    ctx = sentence_contexts(doc, sentences) if use_context else None
    rows = explain(clf, texts, context=ctx, segment_ids=[s.segment_id for s in sentences], doc_id=doc.doc_id,
                        assigned_only=assigned_only)
    return [score for row in rows for score in row]

