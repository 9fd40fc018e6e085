"""Alignment evaluation: the score against raters' partner x theme judgements (Spearman's rho)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..formatting import metric
from .gold import gold_contexts, label_matrix, read_alignment_gold, training_rows
from .metrics import spearman

__all__ = ["AlignmentEvaluation", "evaluate_alignment", "plain_similarity"]


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
    training_gold: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
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
    training_gold : the gold sentence file(s) the theme model was trained on
        (default: the files its metadata names, beside ``gold_path``).  With ``mode="auto"``,
        when the shipped theme model learned from sentences of a partner
        document, that document is scored with a model refitted without them
        (grouped cross-validation over the partner documents, ``n_folds`` folds),
        so no partner is scored by a model that saw it.
    mode : ``"auto"`` (as above) or ``"model"`` (the shipped model as is: optimistic).
    config : :class:`~policytext.alignment.AlignConfig` for the score.
    """
    import pandas as pd
    from sklearn.base import clone

    from ..ingest import load_corpus, read_document
    from ..pipeline import Analyzer

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
        train_rows = training_rows(clf.model_meta_, training_gold, gold_path)
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
