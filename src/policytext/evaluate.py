"""Score policytext's predictions against gold labels.

:func:`evaluate_sentences` reads a gold ``sentences.jsonl`` (see the annotation
guidelines), finds each sentence in its document (for context), predicts its
themes, and measures per-theme precision, recall and F1 with micro and macro
averages, beside a *cues only* baseline row.

It evaluates honestly by default: when the theme model was trained on the gold
file itself (detected from the training sentence ids and data hash stored with
the model), it fits fresh models in cross-validation grouped by document and
scores each sentence with a model that never saw its document.

The result is data first: :attr:`SentenceEvaluation.metrics` is a dict of
sections (``"themes"``, ``"themes_baseline"``; later stages add their own, e.g.
commitments) and :attr:`SentenceEvaluation.predictions` a list of dicts, one per
gold sentence, that other stages may extend with their own fields before
:meth:`SentenceEvaluation.write_predictions` writes them as JSON lines.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import PolicytextError
from .formatting import metric
from .models import file_sha256
from .records import Document, Segment

__all__ = [
    "AlignmentEvaluation",
    "evaluate_alignment",
    "read_alignment_gold",
    "plain_similarity",
    "SentenceEvaluation",
    "evaluate_sentences",
    "train_theme_model",
    "read_gold",
    "locate_sentences",
    "multilabel_metrics",
    "format_metrics",
    "gold_contexts",
    "label_matrix",
]


class GoldError(PolicytextError):
    """A gold file is missing or malformed."""

    def __init__(self, path: str | os.PathLike[str], problem: str, *, line: int | None = None) -> None:
        self.path, self.problem, self.line = str(path), problem, line
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


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


# --------------------------------------------------------------------------- gold


def read_gold(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a gold ``sentences.jsonl``; each line needs ``id``, ``doc_id``, ``text`` and ``themes``."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as e:
        raise GoldError(path, "gold file not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise GoldError(path, f"cannot read the file ({e})") from e
    rows, seen = [], set()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise GoldError(path, f"not valid JSON ({e.msg})", line=n) from e
        missing = [k for k in ("id", "doc_id", "text", "themes") if k not in row]
        if missing:
            raise GoldError(path, f"missing key(s) {', '.join(missing)}", line=n)
        if not isinstance(row["themes"], list):
            raise GoldError(path, "'themes' must be a list of theme ids", line=n)
        if row["id"] in seen:
            raise GoldError(path, f"duplicate id {row['id']!r}", line=n)
        seen.add(row["id"])
        rows.append(row)
    if not rows:
        raise GoldError(path, "no gold sentences in the file")
    return rows


_LIST_MARKER = re.compile(r"^\s*(?:\(?(?:\d{1,3}|[ivxlc]{1,5}|[a-z])[.)]|[-•*–·▪])\s+", re.IGNORECASE)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def locate_sentences(rows: Sequence[dict[str, Any]], documents: dict[str, Document]) -> list[Segment | None]:
    """Find each gold sentence among the sentences of its document.

    A gold id reads ``{doc_id}#{n}``, with ``n`` the 0-based position of the
    sentence in the annotators' own sentence split of the document; that split
    differs from policytext's (it keeps list markers such as ``"1."`` and cuts
    some sentences elsewhere), so sentences are matched by text (whitespace and
    case ignored, list markers stripped, then by prefix), and ``n`` only breaks
    ties between repeated sentences (the one at the most similar relative
    position wins).  ``None`` where the document or the sentence is not found.
    """
    found: list[Segment | None] = []
    for row in rows:
        doc = documents.get(row["doc_id"])
        if doc is None:
            found.append(None)
            continue
        sentences = doc.sentences
        gold = _norm(row["text"])
        bare = _norm(_LIST_MARKER.sub("", row["text"]))
        normed = [_norm(s.text) for s in sentences]
        hits = [i for i, t in enumerate(normed) if t in (gold, bare)]
        if not hits:
            head = bare[:60]
            hits = [i for i, t in enumerate(normed) if head and (head in t or (len(t) > 20 and t in bare))]
        if not hits:
            found.append(None)
            continue
        try:
            n = int(str(row["id"]).rsplit("#", 1)[1])
        except (IndexError, ValueError):
            n = 0
        found.append(sentences[min(hits, key=lambda i: abs(i - n))])
    return found


# --------------------------------------------------------------------------- metrics


def multilabel_metrics(truth: np.ndarray, pred: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Per-label precision, recall, F1, support and predicted count, with micro and macro averages.

    Macro averages are over all ``labels`` (a label with no gold and no
    predicted positives scores 0 only if it has predictions, else it is left
    out of the macro average and marked ``"empty": True``).
    """
    truth, pred = np.asarray(truth).astype(bool), np.asarray(pred).astype(bool)
    per: dict[str, dict[str, Any]] = {}
    ps, rs, fs = [], [], []
    for k, label in enumerate(labels):
        tp = int((truth[:, k] & pred[:, k]).sum())
        npred, nsup = int(pred[:, k].sum()), int(truth[:, k].sum())
        p = tp / npred if npred else 0.0
        r = tp / nsup if nsup else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        empty = nsup == 0 and npred == 0
        per[label] = {"precision": p, "recall": r, "f1": f, "support": nsup, "predicted": npred, "empty": empty}
        if not empty:
            ps.append(p)
            rs.append(r)
            fs.append(f)
    tp = int((truth & pred).sum())
    npred, nsup = int(pred.sum()), int(truth.sum())
    p = tp / npred if npred else 0.0
    r = tp / nsup if nsup else 0.0
    micro = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": nsup,
             "predicted": npred}
    macro = {"precision": float(np.mean(ps)) if ps else 0.0, "recall": float(np.mean(rs)) if rs else 0.0,
             "f1": float(np.mean(fs)) if fs else 0.0, "labels": len(fs)}
    return {"per_label": per, "micro": micro, "macro": macro}


def format_metrics(section: dict[str, Any], *, title: str = "") -> str:
    """Render one metrics section as a fixed-width table."""
    lines = [title] if title else []
    if "per_label" not in section:  # a flat section (e.g. added by another stage)
        for k, v in section.items():
            if isinstance(v, dict):
                v = ", ".join(f"{a}={b:.3f}" if isinstance(b, float) else f"{a}={b}" for a, b in v.items())
            lines.append(f"  {k}: {v:.3f}" if isinstance(v, float) else f"  {k}: {v}")
        return "\n".join(lines)
    width = max([len(k) for k in section["per_label"]] + [10])
    lines.append(f"  {'label':<{width}}  {'prec':>6} {'recall':>6} {'f1':>6} {'gold':>5} {'pred':>5}")
    for label, m in section["per_label"].items():
        lines.append(f"  {label:<{width}}  {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
                     f"{m['support']:5d} {m['predicted']:5d}")
    mi, ma = section["micro"], section["macro"]
    lines.append(f"  {'micro avg':<{width}}  {mi['precision']:6.3f} {mi['recall']:6.3f} {mi['f1']:6.3f} "
                 f"{mi['support']:5d} {mi['predicted']:5d}")
    lines.append(f"  {'macro avg':<{width}}  {ma['precision']:6.3f} {ma['recall']:6.3f} {ma['f1']:6.3f}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- evaluation


def gold_contexts(
    rows: Sequence[dict[str, Any]], corpus_dir: str | os.PathLike[str]
) -> tuple[list[str], list[str]]:
    """The context (heading and paragraph) of each gold sentence, and the ids of those not found."""
    from .ingest import load_corpus
    from .themes import sentence_contexts

    docs = {d.doc_id: d for d in load_corpus(corpus_dir)}
    segments = locate_sentences(rows, docs)
    context = [sentence_contexts(docs[r["doc_id"]], [s])[0] if s is not None else ""
               for r, s in zip(rows, segments)]
    return context, [r["id"] for r, s in zip(rows, segments) if s is None]


def label_matrix(rows: Sequence[dict[str, Any]], classes: Sequence[str]) -> np.ndarray:
    index = {c: k for k, c in enumerate(classes)}
    Y = np.zeros((len(rows), len(classes)), dtype=np.int64)
    for i, row in enumerate(rows):
        for t in row["themes"]:
            if t in index:
                Y[i, index[t]] = 1
    return Y


def train_theme_model(
    model: Any,
    gold_path: str | os.PathLike[str],
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
    import shutil

    gold_path, corpus_dir = Path(gold_path), Path(corpus_dir)
    rows = read_gold(gold_path)
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
        "training_data": {"file": gold_path.name, "sha256": file_sha256(gold_path), "ids": [r["id"] for r in rows]},
        "evaluation": {"method": cv.method, "scores": scores},
        **(extra or {}),
    }
    folder = model.save(out, extra=meta)
    files = ["theme_model.npz", "theme_model.json"]
    if card is not None:
        (folder / "README.md").write_text(card(model, cv), encoding="utf-8")
        files.append("README.md")
    if copy_to is not None:
        for name in files:
            shutil.copy2(folder / name, Path(copy_to) / name)
    return cv


def evaluate_sentences(
    gold_path: str | os.PathLike[str],
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
    gold_path : a ``sentences.jsonl`` gold file.
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
    commitments : also predict commitment, strength and actor (rules of
        :mod:`policytext.extract`) and add sections ``"commitments"`` and
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

    from .themes import ThemeClassifier, compile_cues, cue_matrix, sentence_contexts

    if mode not in ("auto", "cv", "model"):
        raise ValueError(f"mode must be 'auto', 'cv' or 'model', got {mode!r}")
    gold_path = Path(gold_path)
    rows = read_gold(gold_path)
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

    trained_ids = set(getattr(model, "model_meta_", {}).get("training_data", {}).get("ids", []))
    overlap = len(trained_ids & {r["id"] for r in rows})
    same_file = getattr(model, "model_meta_", {}).get("training_data", {}).get("sha256") == file_sha256(gold_path)
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
        from .extract.evaluate import commitment_metrics, modal_baseline, predict_commitments
        from .ingest import load_corpus

        corpus = load_corpus(corpus_dir) if corpus_dir is not None else None
        found = predict_commitments(rows, corpus)
        metrics["commitments"] = commitment_metrics(rows, found)
        metrics["commitments_baseline"] = commitment_metrics(rows, modal_baseline(rows))
        for line, c in zip(predictions, found):
            line.update(commitment=bool(c["commitment"]), strength=c["strength"], actor=c["actor"])
        method += "; commitments: rules (nothing trained on the gold labels), baseline: modal-verb cues alone"
    result = SentenceEvaluation(metrics=metrics, predictions=predictions, method=method, gold_path=str(gold_path),
                                notes=notes)
    if predictions_path is not None:
        result.write_predictions(predictions_path)
    return result


# --------------------------------------------------------------------------- alignment


@dataclass
class AlignmentEvaluation:
    """The outcome of :func:`evaluate_alignment`: correlations with gold ratings, model and baseline."""

    predictions: Any  # DataFrame: doc_id, theme, gold, score, low, high, baseline
    metrics: dict[str, Any]
    method: str
    notes: list[str] = field(default_factory=list)

    def format(self) -> str:
        m = self.metrics
        lines = [f"Method: {self.method}"]
        lines += [f"note: {n}" for n in self.notes]
        lines.append(f"Spearman rho over {m['n']} partner-document x theme pairs:")
        lines.append(f"  policytext alignment score : {metric(m['spearman'])}")
        lines.append(f"  baseline (plain similarity): {metric(m['baseline_spearman'])}")
        lines.append(f"  {'theme':<24}{'n':>4}{'rho':>8}{'baseline':>10}")
        for theme, row in m["per_theme"].items():
            lines.append(f"  {theme:<24}{row['n']:>4}{metric(row['spearman']):>8}{metric(row['baseline_spearman']):>10}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "notes": self.notes, "metrics": self.metrics}




def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    from scipy.stats import spearmanr

    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(spearmanr(a, b).statistic)


def read_alignment_gold(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read ``doc_id,theme,alignment`` rows (alignment 0-3, empty where the EU is silent -> ``None``)."""
    import csv

    path = Path(path)
    if not path.is_file():
        raise GoldError(path, "gold file not found")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"doc_id", "theme", "alignment"} - set(reader.fieldnames or [])
        if missing:
            raise GoldError(path, f"missing column(s): {', '.join(sorted(missing))}")
        rows = []
        for n, row in enumerate(reader, start=2):
            value = (row["alignment"] or "").strip()
            try:
                rating = float(value) if value else None
            except ValueError as e:
                raise GoldError(path, f"alignment {value!r} is not a number", line=n) from e
            rows.append({"doc_id": row["doc_id"].strip(), "theme": row["theme"].strip(), "gold": rating})
    return rows


def plain_similarity(eu_vectors: np.ndarray, eu_theme_mask: np.ndarray, partner_vectors: np.ndarray) -> np.ndarray:
    """Baseline per theme: mean over the EU's sentences on the theme of their best cosine to any partner sentence.

    No theme reading of the partner, no commitments: plain embedding similarity.
    ``NaN`` for themes the EU does not address.
    """
    out = np.full(eu_theme_mask.shape[1], np.nan)
    if len(partner_vectors) == 0:
        return np.where(eu_theme_mask.any(axis=0), 0.0, np.nan)
    best = (eu_vectors @ partner_vectors.T).max(axis=1)
    for j in range(eu_theme_mask.shape[1]):
        if eu_theme_mask[:, j].any():
            out[j] = float(best[eu_theme_mask[:, j]].mean())
    return out


def evaluate_alignment(
    gold_path: str | os.PathLike[str],
    corpus_dir: str | os.PathLike[str],
    eu_ids: Sequence[str],
    *,
    predictions_path: str | os.PathLike[str] | None = None,
    training_gold: str | os.PathLike[str] | None = None,
    mode: str = "auto",
    config: Any = None,
    analyzer: Any = None,
    n_folds: int = 4,
) -> AlignmentEvaluation:
    """Score each ``doc_id, theme`` of an alignment gold file and correlate with the gold ratings.

    Parameters
    ----------
    gold_path : ``alignment.csv`` (``doc_id,theme,alignment``).
    corpus_dir : corpus holding the partner documents and the EU reference.
    eu_ids : ids (in the corpus) or file paths of the EU reference documents.
    predictions_path : write ``doc_id,theme,score`` (plus interval and baseline) there as CSV.
    training_gold : the ``sentences.jsonl`` the theme model was trained on
        (default: ``sentences.jsonl`` beside ``gold_path``).  With ``mode="auto"``,
        when the shipped theme model learned from sentences of a partner
        document, that document is scored with a model refitted without them
        (grouped cross-validation over the partner documents, ``n_folds`` folds),
        so no partner is scored by a model that saw it.
    mode : ``"auto"`` (as above) or ``"model"`` (the shipped model as is: optimistic).
    config : :class:`~policytext.alignment.AlignConfig` for the score.
    """
    import pandas as pd
    from sklearn.base import clone

    from .ingest import load_corpus, read_document
    from .pipeline import Analyzer

    if mode not in ("auto", "model"):
        raise ValueError(f"mode must be 'auto' or 'model', got {mode!r}")
    rows = read_alignment_gold(gold_path)
    corpus = load_corpus(corpus_dir)
    eu_docs = [corpus[i] if i in corpus else read_document(i) for i in eu_ids]
    base = analyzer or Analyzer()
    _, clf = base.stages("default")
    notes: list[str] = []
    train_rows: list[dict[str, Any]] = []
    trained = getattr(clf, "model_meta_", {}).get("training_data", {})
    trained_docs = {i.split("#")[0] for i in trained.get("ids", [])}
    doc_ids = list(dict.fromkeys(r["doc_id"] for r in rows))
    needs_holdout = mode == "auto" and bool(trained_docs & set(doc_ids))
    if needs_holdout:
        tg = Path(training_gold) if training_gold else Path(gold_path).with_name("sentences.jsonl")
        if not tg.is_file() or file_sha256(tg) != trained.get("sha256"):
            raise GoldError(tg, "the theme model was trained on sentences of these partner documents; pass the "
                                "sentences.jsonl it was trained on (--training-gold) so each document is scored "
                                "by a model fitted without it, or use --mode model (optimistic)")
        train_rows = read_gold(tg)
        train_ctx, _ = gold_contexts(train_rows, corpus_dir)
        classes = [str(c) for c in clf.classes_]
        Y = label_matrix(train_rows, classes)
        # Partner documents the model learned from fall into n_folds groups; each group is scored by a
        # theme model refitted without the gold sentences of that group's documents.
        held = sorted(trained_docs & set(doc_ids))
        fold_of = {d: i % n_folds for i, d in enumerate(held)}
        fold_analyzers: dict[int, Any] = {}
        method = (f"grouped cross-validation over partner documents ({min(n_folds, len(held))} folds): each "
                  "partner document scored with a theme model refitted without the gold sentences of its fold's "
                  "documents")
    else:
        method = "theme model as is" + (" (trained on these documents: optimistic)" if trained_docs & set(doc_ids)
                                        else "")

    records = []
    for doc_id in doc_ids:
        if doc_id not in corpus:
            notes.append(f"{doc_id}: not in the corpus, skipped")
            continue
        analyzer_d = base
        if needs_holdout and doc_id in trained_docs:
            k = fold_of[doc_id]
            if k not in fold_analyzers:
                out = {d for d, f in fold_of.items() if f == k}
                keep = [i for i, r in enumerate(train_rows) if r["doc_id"] not in out]
                fold = clone(clf).set_params(embedder=base.stages("default")[0])
                fold.fit([train_rows[i]["text"] for i in keep], Y[keep], context=[train_ctx[i] for i in keep],
                         groups=[train_rows[i]["doc_id"] for i in keep])
                fold_analyzers[k] = base.with_classifier(fold)
            analyzer_d = fold_analyzers[k]
        # the document's backend, decided as `policytext align` decides it (by its language)
        route = analyzer_d.backend_for(list(eu_docs) + [corpus[doc_id]])
        result = analyzer_d.align(eu_docs, [corpus[doc_id]], config=config, backend=route)
        eu = analyzer_d.analyze_many(eu_docs, backend=route)
        eu_vecs = np.concatenate([a.vectors for a in eu])
        eu_mask = np.concatenate([a.theme_scores >= a.thresholds for a in eu])
        heads = np.array([u.is_heading for a in eu for u in a.units])
        eu_mask &= ~heads[:, None]
        partner = analyzer_d.analyze(corpus[doc_id], backend=route)
        baseline = dict(zip(eu[0].themes, plain_similarity(eu_vecs, eu_mask, partner.vectors)))
        for t in result.themes:
            records.append({"doc_id": doc_id, "theme": t.theme, "score": t.score, "low": t.low, "high": t.high,
                            "baseline": None if np.isnan(baseline[t.theme]) else round(float(baseline[t.theme]), 4)})
    pred = pd.DataFrame(records)
    gold = pd.DataFrame(rows)
    table = gold.merge(pred, on=["doc_id", "theme"], how="left")
    scored = table[table["gold"].notna()].copy()
    # A theme the EU reference does not address in our reading has no score: count it as 0.
    scored["score"] = scored["score"].fillna(0.0)
    scored["baseline"] = scored["baseline"].fillna(0.0)
    per_theme = {}
    for theme, g in scored.groupby("theme", sort=True):
        per_theme[theme] = {"n": int(len(g)), "spearman": spearman(g["gold"], g["score"]),
                            "baseline_spearman": spearman(g["gold"], g["baseline"])}
    metrics = {
        "n": int(len(scored)),
        "spearman": spearman(scored["gold"], scored["score"]),
        "baseline_spearman": spearman(scored["gold"], scored["baseline"]),
        "per_theme": per_theme,
    }
    if predictions_path is not None:
        table[["doc_id", "theme", "score", "low", "high", "baseline", "gold"]].to_csv(predictions_path, index=False)
    return AlignmentEvaluation(predictions=table, metrics=metrics, method=method, notes=notes)
