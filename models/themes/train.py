"""Train the default theme model shipped with policytext, and write its model card.

Usage (from the repository root)::

    HF_HUB_OFFLINE=1 .venv/bin/python models/themes/train.py /path/to/shared

It (1) measures the method by cross-validation grouped by document on the dev
gold sentences (each sentence scored by a model that never saw its document),
(2) fits the model on all dev sentences, (3) saves it as arrays + JSON to
``src/policytext/data/theme_model/`` (package data) and copies it here, with a
model card giving the grouped-CV figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

from policytext.evaluate import train_theme_model
from policytext.themes import PAIR_FEATURES, ThemeClassifier, embedder_id, default_model_path

HERE = Path(__file__).resolve().parent
GOLD = ("sentences.jsonl", "sentences-2.jsonl")
SOURCE = "eval/dev/sentences.jsonl and sentences-2.jsonl of the shared data set (not shipped)"


def main(shared: Path) -> None:
    cv = train_theme_model(ThemeClassifier(), [shared / "eval" / "dev" / g for g in GOLD], shared / "corpora",
                           default_model_path(), card=model_card, copy_to=HERE, extra={"training_source": SOURCE})
    print(cv.format())
    print(f"saved to {default_model_path()} and {HERE}")


def model_card(clf: ThemeClassifier, cv) -> str:
    th = cv.metrics["themes"]
    base = cv.metrics["themes_baseline"]
    n_docs = len({p["id"].split("#")[0] for p in cv.predictions})
    thin = ", ".join(f"`{k}`" for k, v in th["per_label"].items() if v["support"] < clf.min_positives) or "none"
    rows = "\n".join(
        f"| `{k}` | {v['support']} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | "
        f"{base['per_label'][k]['f1']:.2f} |"
        for k, v in th["per_label"].items()
    )
    return f"""# policytext default theme model

**Task**: multi-label theme classification of sentences (and paragraphs) into the
{len(clf.classes_)} themes of the default taxonomy (`policytext/data/taxonomy.yaml`,
fingerprint `{clf.taxonomy_.fingerprint[:16]}`).

**Files**: `theme_model.npz` (arrays only, loaded with `allow_pickle=False`) and
`theme_model.json` (classes, taxonomy fingerprint, embedding model, parameters,
training data hash and ids, measured scores). `ThemeClassifier.load()` refuses a
model whose themes, taxonomy content or embedding model differ from the ones in use.

**Embeddings**: `{embedder_id(clf._embedder())}`
(all-MiniLM-L6-v2 from its offline package).

## Method

For every (sentence, theme) pair, evidence features: the theme's cues match
(regular expressions from the taxonomy); best cosine similarity of the sentence
to the theme's definition and examples, absolute and relative to the best theme;
the same similarity for the sentence's context (section heading + paragraph, embedded as the mean of
their sentence vectors);
and, for themes with at least {clf.min_positives} training positives, the
out-of-fold score of a per-theme logistic regression on the sentence and context
embeddings (C={clf.C}). One theme-agnostic logistic regression over these
{len(PAIR_FEATURES)} features gives a probability per pair; one global threshold
(maximising micro-F1 on the training pairs, {clf.threshold_:.3f}) decides
assignment; themes without a text model are scored by the evidence-only pair model
(threshold {clf.evidence_threshold_:.3f}, chosen by the same rule). No per-theme threshold or rule was set by hand. An evidence-only
pair model (without the per-theme text models) is stored too: it is what a
zero-shot `ThemeClassifier(taxonomy=...).fit()` uses for a user's own taxonomy.

## Training data

The {len(cv.predictions)} dev gold sentences of the shared evaluation set
(`eval/dev/sentences.jsonl` and `sentences-2.jsonl`, {n_docs} documents; labels by two annotators,
adjudicated), all used for the shipped model. Themes with fewer than {clf.min_positives} positives
({thin}) get no text model and rely on cues and prototypes.

## Measured scores (honest)

{cv.method}. The baseline assigns a theme when one of its cues matches.

| | micro-F1 | macro-F1 (17 themes) |
|---|---|---|
| model (grouped CV) | {th['micro']['f1']:.3f} | {th['macro']['f1']:.3f} |
| cues only baseline | {base['micro']['f1']:.3f} | {base['macro']['f1']:.3f} |

| theme | gold | precision | recall | F1 | baseline F1 |
|---|---|---|---|---|---|
{rows}

## Limits

- {len(cv.predictions)} sentences from {n_docs} documents: per-theme figures for themes with fewer than
  ~10 examples are very uncertain; held-out documents may score lower.
- English only (the cues and the embedding model are English).
- Without context (a bare sentence) the context features are zero; pass the
  paragraph/heading (`score_document` does) for the scores above.
- `evaluate sentences` on the dev file re-runs grouped CV (it detects that the
  shipped model was trained on it); scores on other data use the model as is.
"""


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared")
