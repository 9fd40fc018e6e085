"""Train the theme model of the static embedding space (the fast path of issue 17), and write its card.

Usage (from the repository root)::

    HF_HUB_OFFLINE=1 .venv/bin/python models/themes_static/train.py /path/to/shared

The recipe and training data of the default model (``models/themes/train.py``: both dev sentence files,
with heading and paragraph as context) with :class:`policytext.embed.StaticEmbedder` vectors; saved to
``src/policytext/data/theme_model_static/`` and copied here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from policytext.embed import StaticEmbedder, static_theme_model_path
from policytext.evaluate import train_theme_model
from policytext.themes import ThemeClassifier, embedder_id

HERE = Path(__file__).resolve().parent
GOLD = ("sentences.jsonl", "sentences-2.jsonl")


def main(shared: Path) -> None:
    embedder = StaticEmbedder()
    cv = train_theme_model(ThemeClassifier(embedder=embedder), [shared / "eval" / "dev" / g for g in GOLD],
                           shared / "corpora", static_theme_model_path(), card=model_card, copy_to=HERE,
                           embedder=embedder, commitments=False,
                           extra={"training_source": "eval/dev/sentences.jsonl and sentences-2.jsonl (not shipped)"})
    print(cv.format())
    print(f"saved to {static_theme_model_path()} and {HERE}")


def model_card(clf: ThemeClassifier, cv) -> str:
    th = cv.metrics["themes"]
    rows = "\n".join(f"| `{k}` | {v['support']} | {v['f1']:.2f} |" for k, v in th["per_label"].items())
    return f"""# policytext theme model, static embedding space

**Task and recipe**: those of the default theme model (`models/themes/`), with sentence vectors from
`policytext.embed.StaticEmbedder` (`{embedder_id(clf._embedder())}`): static token vectors distilled from
all-MiniLM-L6-v2 (`models/static/`), a sentence being the mean of its tokens' vectors.

**Files**: `theme_model.npz` (arrays, `allow_pickle=False`) and `theme_model.json`;
`ThemeClassifier.load` refuses it with any other embedder.

**Training data**: the {len(cv.predictions)} dev gold sentences of both shared files.

## Measured ({cv.method})

| | micro-F1 | macro-F1 |
|---|---|---|
| static vectors + cues (grouped CV) | {th['micro']['f1']:.3f} | {th['macro']['f1']:.3f} |

| theme | gold | F1 |
|---|---|---|
{rows}

## Why it is not the default

Its theme macro-F1 is 0.05 below the MiniLM model's on the same sentences and folds (0.728), beyond the
0.02 a default may lose; the alignment is close on one gold file and lower on the other (README,
"Speed"). It is the option for large batches where speed matters more: `policytext score --embedding
static`, or `Analyzer.static()` in Python.
"""


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared")
