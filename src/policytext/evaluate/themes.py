"""Theme (and commitment) evaluation on gold sentences, and training a theme model with its figures."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .gold import gold_contexts, gold_files, label_matrix, read_golds, trained_on
from .metrics import format_metrics, multilabel_metrics

__all__ = ["SentenceEvaluation", "evaluate_sentences", "train_theme_model"]


@dataclass
class SentenceEvaluation:
    """The outcome of :func:`evaluate_sentences`.

    Attributes
    ----------
    metrics : sections of metrics by name; ``"themes"`` and ``"themes_baseline"``
        each hold ``{"per_label": {theme: {precision, recall, f1, support, predicted}},
        "micro": {...}, "macro": {...}}``.
    predictions : one dict per gold sentence: ``id``, ``themes``, ``theme_scores``.
    method : how the predictions were made (e.g. ``"grouped-cv (5 folds by doc_id)"``).
    notes : remarks for the reader (sentences not found, labels outside the taxonomy...).
    """

    metrics: dict[str, dict[str, Any]]
    predictions: list[dict[str, Any]]
    method: str
    gold_path: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"gold": self.gold_path, "method": self.method, "notes": self.notes, "metrics": self.metrics}

    def write_predictions(self, path: str | os.PathLike[str]) -> Path:
        """Write one JSON object per line: ``{"id", "themes", "theme_scores", ...}``."""
        path = Path(path)
        with path.open("w", encoding="utf-8") as f:
            for row in self.predictions:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        return path

    def format(self) -> str:
        """A plain-text report: method, notes, then one table per metrics section."""
        lines = [f"Gold: {self.gold_path} ({len(self.predictions)} sentences)", f"Method: {self.method}"]
        lines += [f"Note: {n}" for n in self.notes]
        for name, section in self.metrics.items():
            lines += ["", format_metrics(section, title=name)]
        return "\n".join(lines)


def train_theme_model(
    model: Any,
    gold_path: str | os.PathLike[str] | list[str | os.PathLike[str]],
    corpus_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    card: Any = None,
    extra: dict[str, Any] | None = None,
    copy_to: str | os.PathLike[str] | None = None,
    n_splits: int = 5,
    embedder: Any = None,
    commitments: bool = True,
) -> SentenceEvaluation:
    """Measure a theme model on gold sentences, fit it on all of them and save it (your own labels too).

    1. grouped cross-validation by document (:func:`evaluate_sentences`, ``mode="cv"``);
    2. ``model.fit`` on every gold sentence, with its heading and paragraph as context;
    3. ``model.save(out)`` with the training data's checksum and ids and the CV scores in the
       JSON, plus ``card(model, cv)`` (a model card in Markdown) as ``README.md`` when given;
       the files are also copied to ``copy_to`` when given.

    Returns the cross-validation result.
    """

    corpus_dir = Path(corpus_dir)
    rows = read_golds(gold_path)
    cv = evaluate_sentences(gold_path, corpus_dir, model=model, mode="cv", n_splits=n_splits, embedder=embedder,
                            commitments=commitments)
    context, _ = gold_contexts(rows, corpus_dir)
    Y = label_matrix(rows, model._resolve_taxonomy().ids)
    model.fit([r["text"] for r in rows], Y, context=context, groups=[r["doc_id"] for r in rows])
    scores = {name: {"micro": sec["micro"], "macro": sec["macro"],
                     "per_label": {k: {m: v[m] for m in ("precision", "recall", "f1", "support")}
                                   for k, v in sec["per_label"].items()}}
              for name, sec in cv.metrics.items() if name.startswith("themes")}
    meta = {
        "training_data": {"files": gold_files(gold_path), "ids": [r["id"] for r in rows]},
        "evaluation": {"method": cv.method, "scores": scores},
        **(extra or {}),
    }
    folder = model.save(out, extra=meta)
    publish(folder, ["theme_model.npz", "theme_model.json"], card(model, cv) if card is not None else None, copy_to)
    return cv


def publish(folder: Path, files: list[str], card: str | None, copy_to: str | os.PathLike[str] | None) -> None:
    """Write a saved model's card (``README.md``) beside its files, and copy them to ``copy_to``."""
    import shutil

    if card is not None:
        (folder / "README.md").write_text(card, encoding="utf-8")
        files = [*files, "README.md"]
    if copy_to is not None:
        for name in files:
            shutil.copy2(folder / name, Path(copy_to) / name)


def _commitment_model():
    from .commitments import _default_extractor

    return _default_extractor().commitment_model


def evaluate_sentences(
    gold_path: str | os.PathLike[str] | list[str | os.PathLike[str]],
    corpus_dir: str | os.PathLike[str] | None = None,
    *,
    predictions_path: str | os.PathLike[str] | None = None,
    model: Any = None,
    mode: str = "auto",
    n_splits: int = 5,
    embedder: Any = None,
    commitments: bool = True,
) -> SentenceEvaluation:
    """Evaluate theme predictions on gold sentences.

    Parameters
    ----------
    gold_path : a ``sentences.jsonl`` gold file, or several (read as one set; grouped CV runs over all
        their documents; each file's ``speakers.jsonl`` neighbour is read when present).
    corpus_dir : the corpus folder holding the gold sentences' documents; each
        sentence is found in its document (``doc_id``) to give the classifier
        its heading and paragraph as context.  ``None``: no context.
    predictions_path : write one JSON line per gold sentence there.
    model : a fitted :class:`~policytext.themes.ThemeClassifier`, a folder
        holding one, or ``None`` for the shipped model.
    mode : ``"auto"`` (grouped cross-validation when the model was trained on
        these gold sentences, else the model as is), ``"cv"`` (always grouped
        cross-validation: fit a fresh model with the same parameters per fold)
        or ``"model"`` (the model as is, even if trained on this data: optimistic).
    n_splits : folds of the cross-validation, grouped by ``doc_id``.
    embedder : embedder for the model (``None``: the default one).
    commitments : also predict commitment, strength and actor (the rules of :mod:`policytext.extract`
        weighed by the commitment model; by grouped cross-validation when the model learned from these
        sentences, :func:`~policytext.evaluate.commitments.predict_commitments`) and add sections ``"commitments"`` and
        ``"commitments_baseline"`` (modal-verb cues alone) and the fields
        ``commitment``, ``strength``, ``actor`` to each prediction.

    Returns
    -------
    SentenceEvaluation
        metrics sections ``"themes"`` (the classifier) and ``"themes_baseline"``
        (a theme is assigned when one of its cues matches), predictions, method, notes.
    """
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    from ..themes import ThemeClassifier, compile_cues, cue_matrix

    if mode not in ("auto", "cv", "model"):
        raise ValueError(f"mode must be 'auto', 'cv' or 'model', got {mode!r}")
    paths = [Path(gold_path)] if isinstance(gold_path, (str, os.PathLike)) else [Path(p) for p in gold_path]
    rows = read_golds(paths)
    notes: list[str] = []

    if model is None or isinstance(model, (str, os.PathLike)):
        model = ThemeClassifier.load(model, embedder=embedder)
    fitted = hasattr(model, "threshold_")
    if not fitted:  # an unfitted estimator: its parameters are evaluated by cross-validation
        mode = "cv"
    taxonomy = model.taxonomy_ if fitted else model._resolve_taxonomy()
    classes = list(taxonomy.ids)
    outside = sorted({t for r in rows for t in r["themes"]} - set(classes))
    if outside:
        notes.append(f"gold themes outside the taxonomy, ignored: {', '.join(outside)}")
    texts = [r["text"] for r in rows]
    groups = [r["doc_id"] for r in rows]
    Y = label_matrix(rows, classes)

    context: list[str] | None = None
    if corpus_dir is not None:
        context, lost = gold_contexts(rows, corpus_dir)
        if lost:
            notes.append(f"{len(lost)} sentence(s) not found in their document, scored without context: "
                         + ", ".join(lost[:5]) + (" ..." if len(lost) > 5 else ""))

    meta = getattr(model, "model_meta_", {})
    trained_ids = set(meta.get("training_data", {}).get("ids", []))
    overlap = len(trained_ids & {r["id"] for r in rows})
    same_file = bool(trained_on(meta) & {f["sha256"] for f in gold_files(paths)})
    use_cv = mode == "cv" or (mode == "auto" and (overlap or same_file))
    if use_cv:
        n_groups = len(set(groups))
        folds = min(n_splits, n_groups)
        if folds < 2:
            raise ValueError(f"grouped cross-validation needs at least 2 documents, the gold file has {n_groups}")
        proba = np.zeros(Y.shape)
        thresholds = np.zeros(Y.shape)
        for train, test in GroupKFold(n_splits=folds).split(texts, Y, groups):
            fold = clone(model)
            if embedder is not None or getattr(model, "_default_embedder", None) is not None:
                fold.set_params(embedder=embedder or model._default_embedder)
            fold.fit([texts[i] for i in train], Y[train],
                     context=None if context is None else [context[i] for i in train],
                     groups=[groups[i] for i in train])
            proba[test] = fold.predict_proba([texts[i] for i in test],
                                             context=None if context is None else [context[i] for i in test])
            thresholds[test] = fold.thresholds_
        pred = (proba >= thresholds).astype(np.int64)
        why = (f"the model was trained on {overlap} of these sentences" if overlap else
               "the model was trained on this file" if same_file else "requested")
        method = (f"grouped cross-validation, {folds} folds by doc_id ({why}): each sentence scored by a model "
                  "fitted without its document")
    else:
        if mode == "model" and (overlap or same_file):
            notes.append("the model was trained on these sentences: the scores are optimistic")
        proba = model.predict_proba(texts, context=context)
        pred = (proba >= model.thresholds_).astype(np.int64)
        method = f"shipped/given model as is (trained on {model.training_.get('n', 0)} sentences)"
    if context is None:
        notes.append("no corpus given: sentences scored without context")

    baseline = cue_matrix(texts, compile_cues(taxonomy)).astype(np.int64)
    metrics = {
        "themes": multilabel_metrics(Y, pred, classes),
        "themes_baseline": multilabel_metrics(Y, baseline, classes),
    }
    predictions = []
    for i, row in enumerate(rows):
        order = np.argsort(-proba[i])
        predictions.append({
            "id": row["id"],
            "themes": [classes[k] for k in order if pred[i, k]],
            "theme_scores": {classes[k]: round(float(proba[i, k]), 4) for k in range(len(classes))},
        })
    if commitments and not all("commitment" in r for r in rows):
        notes.append("the gold file has no commitment labels: commitments not evaluated")
        commitments = False
    if commitments:
        from .commitments import modal_baseline, predict_commitments
        from .metrics import commitment_metrics
        from ..ingest import load_corpus

        corpus = load_corpus(corpus_dir) if corpus_dir is not None else None
        found = predict_commitments(rows, corpus)
        metrics["commitments"] = commitment_metrics(rows, found)
        metrics["commitments_baseline"] = commitment_metrics(rows, modal_baseline(rows))
        for line, c in zip(predictions, found):
            line.update(commitment=bool(c["commitment"]), strength=c["strength"], actor=c["actor"])
        model = _commitment_model()
        trained_on_gold = model is not None and bool(
            set(model.meta.get("training_data", {}).get("ids", [])) & {r["id"] for r in rows})
        method += ("; commitments: model decided by grouped cross-validation (it was trained on these sentences), "
                   "strength and actor as the rules read them" if trained_on_gold else
                   "; commitments: rules weighed by the commitment model" if model is not None else
                   "; commitments: rules alone")
        method += ", baseline: modal-verb cues alone"
    speaker_files = list(dict.fromkeys(p.parent / "speakers.jsonl" for p in paths))
    speaker_files = [p for p in speaker_files if p.is_file()]
    if speaker_files:
        from ..ingest import load_corpus
        from .speakers import predict_speakers, read_speakers, speaker_metrics

        corpus = load_corpus(corpus_dir) if corpus_dir is not None else None
        gold_speakers = {k: v for p in speaker_files for k, v in read_speakers(p).items()}
        speakers = predict_speakers(rows, corpus)
        metrics["speakers"] = speaker_metrics(rows, gold_speakers, speakers, corpus)
        for line, sp in zip(predictions, speakers):
            line["speaker"] = sp
        method += (f"; speakers: rules (nothing trained on the gold labels) against {', '.join(p.name for p in speaker_files)}, baseline: "
                   "each document's most frequent gold speaker")
        if corpus is None:
            notes.append("no corpus given: speakers read without the documents' authors")
    result = SentenceEvaluation(metrics=metrics, predictions=predictions, method=method, gold_path=", ".join(map(str, paths)),
                                notes=notes)
    if predictions_path is not None:
        result.write_predictions(predictions_path)
    return result


