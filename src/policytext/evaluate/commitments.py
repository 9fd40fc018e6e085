"""Score commitment predictions against gold sentences (``eval/dev/sentences.jsonl``).

Three functions, used by ``policytext evaluate sentences``:

* :func:`predict_commitments` -- the extractor on standalone gold sentences,
  with each sentence's document metadata (issuer, partner, doc_type) as context;
* :func:`modal_baseline` -- modal verbs alone (will/shall/must -> firm,
  intend/aim/plan/seek -> intent, should/could/may -> soft; actor: the
  sentence's first named party, "we" read as ``joint``, else ``None``);
* :func:`~policytext.evaluate.metrics.commitment_metrics` -- the figures.

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
from typing import TYPE_CHECKING

from ..records import DocumentMeta

if TYPE_CHECKING:  # pragma: no cover
    from ..extract.extractor import CommitmentExtractor
    from ..ingest.corpus import Corpus

__all__ = ["modal_baseline", "predict_commitments"]

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
        from ..extract.extractor import CommitmentExtractor

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


