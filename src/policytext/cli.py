"""The ``policytext`` command line: a thin shell over importable functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="policytext",
    help="Analyse policy texts for digital diplomacy: themes, commitments, EU-partner alignment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
evaluate_app = typer.Typer(help="Score predictions against gold labels.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def ingest(
    corpus_dir: Annotated[Path, typer.Argument(help="Corpus folder (with manifest.csv, or any supported files).")],
    manifest: Annotated[str, typer.Option(help="Manifest file name inside the folder.")] = "manifest.csv",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per document instead of a table.")] = False,
) -> None:
    """Load a corpus and print what loaded and what failed.

    Exits 0 when at least one document loaded, 1 when none did, 2 when the
    corpus itself is unusable (no folder, broken manifest).
    """
    from .errors import ManifestError
    from .ingest import load_corpus

    try:
        corpus = load_corpus(corpus_dir, manifest=manifest)
    except ManifestError as e:
        _fail(str(e))
    if as_json:
        for d in corpus:
            row = d.meta.to_dict() | {"words": d.word_count, "pages": d.page_count,
                                      "paragraphs": len(d.paragraphs), "sentences": len(d.sentences),
                                      "warnings": list(d.warnings), "status": "ok"}
            typer.echo(json.dumps(row, ensure_ascii=False))
        for f in corpus.failures:
            typer.echo(json.dumps(f.to_dict() | {"status": "failed"}, ensure_ascii=False))
    else:
        frame = corpus.to_frame()
        cols = ["doc_id", "file_format", "language", "words", "pages", "paragraphs", "sentences"]
        typer.echo(f"Loaded {len(corpus)} document(s) from {corpus_dir}")
        if len(frame):
            typer.echo(frame[cols].to_string(index=False))
        for d in corpus:
            for w in d.warnings:
                typer.echo(f"warning: {d.doc_id}: {w}")
        if corpus.failures:
            typer.echo(f"Failed: {len(corpus.failures)}")
            for f in corpus.failures:
                typer.echo(f"  {f.doc_id}: {f.error}")
    if len(corpus) == 0:
        raise typer.Exit(1)


@evaluate_app.command("sentences")
def evaluate_sentences_cmd(
    gold: Annotated[Path, typer.Argument(help="Gold sentences.jsonl (id, doc_id, text, themes, ...).")],
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus folder holding the gold sentences' documents (for context).")] = None,
    predictions: Annotated[Path | None, typer.Option("--predictions", help="Write one JSON line per sentence here.")] = None,
    model: Annotated[Path | None, typer.Option("--model", help="Theme model folder (default: the shipped model).")] = None,
    mode: Annotated[str, typer.Option(help="auto: grouped CV when the model was trained on GOLD; cv: always; model: as is.")] = "auto",
    folds: Annotated[int, typer.Option(help="Folds of the grouped cross-validation (by doc_id).")] = 5,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --predictions file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON instead of tables.")] = False,
) -> None:
    """Score theme predictions on gold sentences: per-theme precision, recall, F1, micro/macro averages.

    A cues-only baseline is printed beside the model.  When the model was
    trained on GOLD itself, it is evaluated by cross-validation grouped by
    document (say so in the output), never on the sentences it learned from.
    """
    from .errors import PolicytextError
    from .evaluate import evaluate_sentences

    if not gold.is_file():
        _fail(f"{gold}: gold file not found")
    if corpus is not None and not corpus.is_dir():
        _fail(f"{corpus}: corpus folder not found")
    if predictions is not None and predictions.exists() and not force:
        _fail(f"{predictions} exists; pass --force to overwrite it")
    try:
        result = evaluate_sentences(gold, corpus, predictions_path=predictions, model=model, mode=mode, n_splits=folds)
    except (PolicytextError, ValueError) as e:
        _fail(str(e))
    typer.echo(json.dumps(result.to_dict(), indent=2) if as_json else result.format())
    if predictions is not None:
        typer.echo(f"Wrote {len(result.predictions)} predictions to {predictions}", err=as_json)


def main() -> None:  # pragma: no cover - thin wrapper
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
