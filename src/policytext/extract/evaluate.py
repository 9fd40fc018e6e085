"""Score commitment predictions against gold sentences (``eval/dev/sentences.jsonl``).

Three functions, used by ``policytext evaluate sentences``:

* :func:`predict_commitments` -- the extractor on standalone gold sentences,
  with each sentence's document metadata (issuer, partner, doc_type) as context;
* :func:`modal_baseline` -- modal verbs alone (will/shall/must -> firm,
  intend/aim/plan/seek -> intent, should/could/may -> soft; actor: the
  sentence's first named party, "we" read as ``joint``, else ``None``);
* :func:`commitment_metrics` -- the figures.

Metric definitions (:func:`commitment_metrics`)
-----------------------------------------------
``commitment_precision`` / ``_recall`` / ``_f1``
    binary detection: is the sentence a commitment (all sentences).
``strength_accuracy``
    on sentences that are gold commitments, the share whose predicted strength
    equals the gold one; a missed commitment (predicted ``None``) counts wrong.
``strength_macro_f1``
    on the same sentences, the unweighted mean over ``firm``, ``intent`` and
    ``soft`` of the per-class F1 (``None`` predictions are errors for every
    class: they lower recall, never help precision).
``actor_accuracy``
    on gold commitments, the share whose predicted actor equals the gold actor
    (a missed commitment counts wrong).
``n``, ``n_gold_commitments``, ``n_pred_commitments``
    counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..records import STRENGTHS, DocumentMeta

if TYPE_CHECKING:  # pragma: no cover
    from ..ingest.corpus import Corpus
    from .extractor import CommitmentExtractor

__all__ = ["predict_commitments", "modal_baseline", "commitment_metrics"]

_MODALS = (
    ("firm", re.compile(r"\b(?:will|shall|must)\b", re.I)),
    ("intent", re.compile(r"\b(?:intends?|intended|aims?|aimed|plans?|planned|seeks?|sought)\b", re.I)),
    ("soft", re.compile(r"\b(?:should|could|may)\b", re.I)),
)
_NAIVE_ACTORS = (
    ("joint", re.compile(r"\b(?:we|both sides|the two sides)\b", re.I)),
    ("EU", re.compile(r"\b(?:EU|European Union|the Commission|the Union)\b")),
    ("US", re.compile(r"\b(?:United States|U\.S\.|US)\b")),
    ("African Union", re.compile(r"\b(?:African Union|AU)\b")),
)

_EXTRACTOR: CommitmentExtractor | None = None


def _default_extractor() -> CommitmentExtractor:
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from .extractor import CommitmentExtractor

        _EXTRACTOR = CommitmentExtractor()
    return _EXTRACTOR


def predict_commitments(items: list[dict], corpus: Corpus | None = None, *,
                        extractor: CommitmentExtractor | None = None) -> list[dict]:
    """Predict commitment, strength and actor of gold sentences.

    Parameters
    ----------
    items : gold rows with at least ``id``, ``doc_id`` and ``text``.
    corpus : the corpus the sentences come from; ``corpus[doc_id].meta``
        (issuer, partner, doc_type) resolves "we" and unnamed actors.  Without
        it (or for an unknown ``doc_id``) the actor of "we" is ``"other"``.
    extractor : the extractor to use (default: one shared
        :class:`~policytext.extract.CommitmentExtractor` on ``en_core_web_sm``).

    Returns
    -------
    list of dict
        one per item, in order: ``{"id", "commitment": bool, "strength": str | None,
        "actor": str | None}``.
    """
    extractor = extractor or _default_extractor()
    metas: list[DocumentMeta | None] = []
    for item in items:
        doc_id = item.get("doc_id", "")
        if corpus is not None and doc_id in corpus:
            metas.append(corpus[doc_id].meta)
        else:
            metas.append(DocumentMeta(doc_id=doc_id) if doc_id else None)
    found = extractor.classify([item["text"] for item in items], metas)
    return [
        {"id": item.get("id"), "commitment": c is not None, "strength": c.strength if c else None,
         "actor": c.actor if c else None}
        for item, c in zip(items, found)
    ]


def modal_baseline(items: list[dict]) -> list[dict]:
    """The modal-verb baseline: a sentence with a modal cue is a commitment of that strength.

    will/shall/must -> ``firm``; intend/aim/plan/seek -> ``intent``;
    should/could/may -> ``soft`` (first family found in that order wins).  The
    actor is naive: "we"/"both sides" -> ``joint``, else the first of EU, US,
    African Union named in the sentence, else ``None``.
    """
    out = []
    for item in items:
        text = item["text"]
        strength = next((s for s, rx in _MODALS if rx.search(text)), None)
        actor = next((a for a, rx in _NAIVE_ACTORS if rx.search(text)), None) if strength else None
        out.append({"id": item.get("id"), "commitment": strength is not None, "strength": strength, "actor": actor})
    return out


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def commitment_metrics(gold: Sequence[dict], pred: Sequence[dict]) -> dict[str, Any]:
    """Commitment detection P/R/F1, strength accuracy and macro-F1, actor accuracy.

    ``gold`` and ``pred`` are aligned lists of dicts with ``commitment``,
    ``strength`` and ``actor``.  See the module docstring for the definitions.

    Raises
    ------
    ValueError
        if the lists differ in length.
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items but pred has {len(pred)}; they must be aligned")
    tp = sum(1 for g, p in zip(gold, pred) if g["commitment"] and p["commitment"])
    fp = sum(1 for g, p in zip(gold, pred) if not g["commitment"] and p["commitment"])
    fn = sum(1 for g, p in zip(gold, pred) if g["commitment"] and not p["commitment"])
    precision, recall, f1 = _f1(tp, fp, fn)
    pairs = [(g, p) for g, p in zip(gold, pred) if g["commitment"]]
    n = len(pairs)
    strength_acc = sum(1 for g, p in pairs if p["commitment"] and p["strength"] == g["strength"]) / n if n else 0.0
    per_class = {}
    for s in STRENGTHS:
        s_tp = sum(1 for g, p in pairs if g["strength"] == s and p["commitment"] and p["strength"] == s)
        s_fp = sum(1 for g, p in pairs if g["strength"] != s and p["commitment"] and p["strength"] == s)
        s_fn = sum(1 for g, p in pairs if g["strength"] == s and not (p["commitment"] and p["strength"] == s))
        per_class[s] = _f1(s_tp, s_fp, s_fn)[2]
    actor_acc = sum(1 for g, p in pairs if p["commitment"] and p["actor"] == g["actor"]) / n if n else 0.0
    return {
        "n": len(gold),
        "n_gold_commitments": n,
        "n_pred_commitments": tp + fp,
        "commitment_precision": precision,
        "commitment_recall": recall,
        "commitment_f1": f1,
        "strength_accuracy": strength_acc,
        "strength_macro_f1": sum(per_class.values()) / len(per_class),
        "strength_f1": per_class,
        "actor_accuracy": actor_acc,
    }
