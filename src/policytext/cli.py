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


def main() -> None:  # pragma: no cover - thin wrapper
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
