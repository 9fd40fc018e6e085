"""Retrain the theme and commitment models on an analyst's corrections plus any gold (``policytext train``).

The loop a team uses to adapt policytext to its own documents: review sentences
(:mod:`policytext.review`), save the corrections as gold JSONL, retrain here, and
point the analysis at the new folder (``--model DIR``, ``ThemeClassifier.load(DIR)``,
``CommitmentExtractor(decider=DIR)``).  The figures printed are measured, never
fitted: the new models by cross-validation grouped by document, beside the models in
use on the same sentences (as they are on sentences they never learned from, by the
same grouped cross-validation where they did).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["TrainingReport", "train_models"]


@dataclass
class TrainingReport:
    """What :func:`train_models` measured and wrote."""

    folder: Path
    n_sentences: int
    n_documents: int
    themes_new: dict[str, Any]
    themes_current: dict[str, Any]
    themes_method: str
    commitments_new: dict[str, Any]
    commitments_current: dict[str, Any]
    commitments_rules: dict[str, Any]

    def format(self) -> str:
        def pct(x: float) -> str:
            return f"{x:.3f}"

        rows = [
            ("theme macro-F1", self.themes_current["macro"]["f1"], self.themes_new["macro"]["f1"]),
            ("theme micro-F1", self.themes_current["micro"]["f1"], self.themes_new["micro"]["f1"]),
            ("commitment F1", self.commitments_current["commitment_f1"], self.commitments_new["commitment_f1"]),
            ("strength macro-F1", self.commitments_current["strength_macro_f1"],
             self.commitments_new["strength_macro_f1"]),
            ("actor accuracy", self.commitments_current["actor_accuracy"], self.commitments_new["actor_accuracy"]),
        ]
        lines = [f"Trained on {self.n_sentences} gold sentences from {self.n_documents} documents; wrote {self.folder}",
                 "New models: grouped cross-validation by document (each sentence scored by a model fitted "
                 "without its document).",
                 f"Models in use: {self.themes_method}.",
                 "",
                 f"  {'figure':<20} {'in use':>8} {'new':>8}"]
        lines += [f"  {name:<20} {pct(cur):>8} {pct(new):>8}" for name, cur, new in rows]
        lines.append(f"  (commitment rules alone: F1 {pct(self.commitments_rules['commitment_f1'])})")
        return "\n".join(lines)


def train_models(
    gold: str | os.PathLike[str] | list[str | os.PathLike[str]],
    corpus_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    force: bool = False,
    n_splits: int = 5,
    embedder: Any = None,
) -> TrainingReport:
    """Retrain the theme model and the commitment model on ``gold`` and save both in ``out``.

    Parameters
    ----------
    gold : gold sentence file(s) (JSONL: ``id``, ``doc_id``, ``text``, ``themes``, ``commitment``,
        ``strength``, ``actor``), e.g. an analyst's corrections plus the dev gold.
    corpus_dir : the corpus holding the sentences' documents (context, lead-ins, document types).
    out : a new folder (an existing model folder only with ``force``): ``theme_model.*``,
        ``commitment_model.*`` and a ``README.md`` model card with the figures.
    """
    from ..extract.decide import FEATURES
    from ..themes import ThemeClassifier
    from .commitments import train_commitment_model
    from .gold import read_golds
    from .themes import evaluate_sentences, train_theme_model

    paths = [gold] if isinstance(gold, (str, os.PathLike)) else list(gold)
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not force:
        raise FileExistsError(f"{out} exists and is not empty; pass --force to overwrite the models in it")
    rows = read_golds(paths)
    missing = [r["id"] for r in rows if "commitment" not in r]
    if missing:
        raise ValueError(f"gold sentence(s) without a 'commitment' label: {', '.join(missing[:5])}; label each "
                         "sentence's commitment (true/false), strength and actor")
    n_docs = len({r["doc_id"] for r in rows})
    if n_docs < 2:
        raise ValueError("training needs gold sentences from at least 2 documents (it is measured by "
                         "cross-validation grouped by document)")
    current = evaluate_sentences(paths, corpus_dir, mode="auto", n_splits=n_splits, embedder=embedder)
    cv = train_theme_model(ThemeClassifier(embedder=embedder), paths, corpus_dir, out, n_splits=n_splits,
                           embedder=embedder, commitments=False)
    figures = train_commitment_model(paths, corpus_dir, out, n_splits=n_splits)
    report = TrainingReport(
        folder=out, n_sentences=len(rows), n_documents=n_docs,
        themes_new=cv.metrics["themes"], themes_current=current.metrics["themes"], themes_method=current.method,
        commitments_new=figures["model_cv"], commitments_current=current.metrics["commitments"],
        commitments_rules=figures["rules"],
    )
    (out / "README.md").write_text(_card(report, paths, len(FEATURES)), encoding="utf-8")
    return report


def _card(r: TrainingReport, paths: list[Any], n_features: int) -> str:
    per = "\n".join(f"| `{k}` | {v['support']} | {v['f1']:.2f} |" for k, v in r.themes_new["per_label"].items())
    files = ", ".join(f"`{Path(p).name}`" for p in paths)
    return f"""# policytext models retrained on your labels

Written by `policytext train` from {files}: {r.n_sentences} sentences, {r.n_documents} documents.

- `theme_model.npz` / `.json`: the theme classifier (`ThemeClassifier.load(this folder)`), default
  recipe of `policytext.themes.ThemeClassifier`;
- `commitment_model.npz` / `.json`: the commitment model over {n_features} features
  (`CommitmentExtractor(decider=this folder)`);
- use both with `policytext score/report/align --model this-folder`.

## Figures (grouped cross-validation by document for the new models)

{r.format()}

| theme | gold | F1 (new, grouped CV) |
|---|---|---|
{per}

Figures from few documents are uncertain; a theme with fewer than 5 positives gets no text model.
"""
