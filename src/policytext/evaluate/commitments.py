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

import os
import re
from typing import TYPE_CHECKING, Any

from ..records import DocumentMeta

if TYPE_CHECKING:  # pragma: no cover
    from ..extract.extractor import CommitmentExtractor
    from ..ingest.corpus import Corpus

__all__ = ["gold_leads", "modal_baseline", "predict_commitments", "train_commitment_model"]

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


def gold_leads(items: list[dict], corpus: Corpus | None) -> list[str | None]:
    """Per gold sentence, the lead-in it is a list item of in its document ("... commit to:"), or ``None``."""
    from ..extract.commitments import looks_like_heading, split_marker
    from ..extract.decide import lead_ins
    from .gold import locate_sentences

    if corpus is None:
        return [None] * len(items)
    docs = {d.doc_id: d for d in corpus}
    segments = locate_sentences(items, docs)
    cache: dict[str, list[int | None]] = {}
    out: list[str | None] = []
    for item, seg in zip(items, segments):
        if seg is None:
            out.append(None)
            continue
        sents = docs[item["doc_id"]].sentences
        if item["doc_id"] not in cache:
            cache[item["doc_id"]] = lead_ins([split_marker(s.text)[0] for s in sents], [s.text for s in sents],
                                             [s.is_heading or s.is_note or looks_like_heading(s.text) for s in sents])
        k = next(n for n, s in enumerate(sents) if s is seg)
        lead = cache[item["doc_id"]][k]
        out.append(sents[lead].text if lead is not None else None)
    return out


def predict_commitments(items: list[dict], corpus: Corpus | None = None, *,
                        extractor: CommitmentExtractor | None = None, mode: str = "auto",
                        n_splits: int = 5) -> list[dict]:
    """Predict commitment, strength and actor of gold sentences.

    Parameters
    ----------
    items : gold rows with at least ``id``, ``doc_id`` and ``text``.
    corpus : the corpus the sentences come from; ``corpus[doc_id].meta``
        (issuer, partner, doc_type) resolves "we" and unnamed actors, and each
        sentence's lead-in is found in its document.  Without it (or for an
        unknown ``doc_id``) the actor of "we" is ``"other"``.
    extractor : the extractor to use (default: one shared
        :class:`~policytext.extract.CommitmentExtractor` on ``en_core_web_sm``).
    mode : ``"auto"``: when the extractor's commitment model was trained on some of
        these sentences, each sentence is decided by a model refitted without its
        document (grouped cross-validation, ``n_splits`` folds); ``"model"``: the
        model as is (optimistic on its training sentences).

    Returns
    -------
    list of dict
        one per item, in order: ``{"id", "commitment": bool, "strength": str | None,
        "actor": str | None}``.
    """
    import numpy as np

    extractor = extractor or _default_extractor()
    metas: list[DocumentMeta | None] = []
    for item in items:
        doc_id = item.get("doc_id", "")
        if corpus is not None and doc_id in corpus:
            metas.append(corpus[doc_id].meta)
        else:
            metas.append(DocumentMeta(doc_id=doc_id) if doc_id else None)
    texts = [item["text"] for item in items]
    readings = extractor.read(texts, gold_leads(items, corpus))
    model = extractor.commitment_model
    trained = set(model.meta.get("training_data", {}).get("ids", [])) if model is not None else set()
    keep = None
    if model is not None and mode == "auto" and trained & {item.get("id") for item in items}:
        from sklearn.model_selection import GroupKFold

        from ..extract.decide import CommitmentModel

        X = extractor.feature_matrix(texts, readings, metas)
        y = np.array([bool(item.get("commitment")) for item in items])
        groups = [item["doc_id"] for item in items]
        keep = np.zeros(len(items), dtype=bool)
        for train, test in GroupKFold(n_splits=min(n_splits, len(set(groups)))).split(X, y, groups):
            fold = CommitmentModel.fit(X[train], y[train], C=model.meta.get("C", 0.3))
            keep[test] = fold.decide(X[test])
    found = extractor.records(texts, extractor.decide(texts, readings, metas, keep=keep), metas)
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




def train_commitment_model(
    gold_paths: list[str | os.PathLike[str]],
    corpus_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    C: float = 0.3,
    n_splits: int = 5,
    card: Any = None,
    copy_to: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Measure the commitment model on gold sentences, fit it on all of them and save it.

    1. every sentence read once by the rules (with its lead-in and document type);
    2. figures: the rules alone; the model by cross-validation grouped by document (each sentence
       decided by a model fitted without its document); with several gold files, each file decided
       by a model fitted on the others only (documents of another kind: an estimate for unseen ones);
    3. the model fitted on all sentences, saved with the training files' checksums and ids, the
       figures and ``card(figures)`` (Markdown) as ``README.md``; copied to ``copy_to`` when given.

    Returns the figures: ``{"rules": ..., "model_cv": ..., "cross_file": {file: ...}}`` (each a
    :func:`~policytext.evaluate.metrics.commitment_metrics` dict).
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from ..extract.decide import CommitmentModel
    from ..extract.extractor import CommitmentExtractor
    from ..ingest import load_corpus
    from .gold import gold_files, read_golds
    from .metrics import commitment_metrics
    from .themes import publish

    rows = read_golds(gold_paths)
    corpus = load_corpus(corpus_dir)
    extractor = CommitmentExtractor(decider=CommitmentModel(np.zeros(len(_features())), 0.0))
    metas = [corpus[r["doc_id"]].meta if r["doc_id"] in corpus else DocumentMeta(doc_id=r["doc_id"]) for r in rows]
    texts = [r["text"] for r in rows]
    readings = extractor.read(texts, gold_leads(rows, corpus))
    X = extractor.feature_matrix(texts, readings, metas)
    y = np.array([bool(r.get("commitment")) for r in rows])

    def scored(mask: np.ndarray, keep: np.ndarray | None) -> dict[str, Any]:
        """Figures on the sentences of ``mask``: the rules' hits (``keep`` None) or the decided ones."""
        idx = np.flatnonzero(mask)
        sub_texts, sub_readings = [texts[i] for i in idx], [readings[i] for i in idx]
        sub_metas = [metas[i] for i in idx]
        hits = ([r.hit for r in sub_readings] if keep is None
                else extractor.decide(sub_texts, sub_readings, sub_metas, keep=keep))
        found = extractor.records(sub_texts, hits, sub_metas)
        return commitment_metrics([rows[i] for i in idx],
                                  [{"commitment": c is not None, "strength": c.strength if c else None,
                                    "actor": c.actor if c else None} for c in found])

    everything = np.ones(len(rows), dtype=bool)
    groups = [r["doc_id"] for r in rows]
    keep = np.zeros(len(rows), dtype=bool)
    folds = min(n_splits, len(set(groups)))
    for train, test in GroupKFold(n_splits=folds).split(X, y, groups):
        keep[test] = CommitmentModel.fit(X[train], y[train], C=C).decide(X[test])
    figures: dict[str, Any] = {"rules": scored(everything, None), "model_cv": scored(everything, keep),
                               "cross_file": {}, "method": f"grouped cross-validation, {folds} folds by doc_id"}
    files = np.array([r["_file"] for r in rows])
    for name in dict.fromkeys(files.tolist()):
        test = files == name
        if test.all():
            continue
        held = CommitmentModel.fit(X[~test], y[~test], C=C).decide(X[test])
        figures["cross_file"][name] = {"model": scored(test, held), "rules": scored(test, None)}
    model = CommitmentModel.fit(X, y, C=C)
    model.meta.update(training_data={"files": gold_files(gold_paths), "ids": [r["id"] for r in rows]},
                      evaluation={k: v for k, v in figures.items()})
    folder = model.save(out)
    publish(folder, ["commitment_model.npz", "commitment_model.json"],
            card(model, figures) if card is not None else None, copy_to)
    return figures


def _features() -> tuple[str, ...]:
    from ..extract.decide import FEATURES

    return FEATURES
