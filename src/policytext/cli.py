"""The ``policytext`` command line: a thin shell over importable functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

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
    store: Annotated[Path | None, typer.Option("--store", help="Also record the documents in this DuckDB store.")] = None,
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
    if store is not None:
        from .errors import PolicytextError
        from .store import Store, document_row

        try:
            with Store(store) as db:
                db.put_documents([document_row(d) for d in corpus])
        except PolicytextError as e:
            _fail(str(e))
    if as_json:
        for d in corpus:
            row = d.meta.to_dict() | {"words": d.word_count, "pages": d.page_count,
                                      "paragraphs": len(d.paragraphs), "sentences": len(d.sentences),
                                      "warnings": list(d.warnings), "status": "ok"}
            typer.echo(json.dumps(row, ensure_ascii=False))
        for f in corpus.failures:
            typer.echo(json.dumps(f.to_dict() | {"status": "failed"}, ensure_ascii=False))
        for w in corpus.warnings:
            typer.echo(f"warning: {w}", err=True)
    else:
        frame = corpus.to_frame()
        cols = ["doc_id", "file_format", "language", "words", "pages", "paragraphs", "sentences"]
        typer.echo(f"Loaded {len(corpus)} document(s) from {corpus_dir}")
        for w in corpus.warnings:
            typer.echo(f"warning: {w}")
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
    gold: Annotated[list[Path], typer.Argument(help="Gold sentences.jsonl file(s) (id, doc_id, text, themes, ...), "
                                                 "scored as one set.")],
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

    for path in gold:
        if not path.is_file():
            _fail(f"{path}: gold file not found")
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


def _load_docs(refs: list[str], corpus_dir: Path | None):
    """Documents named by id (in ``--corpus``) or by file path."""
    from .errors import PolicytextError
    from .ingest import load_corpus, read_document

    corpus = None
    if corpus_dir is not None:
        try:
            corpus = load_corpus(corpus_dir)
        except PolicytextError as e:
            _fail(str(e))
    docs = []
    for ref in refs:
        if corpus is not None and ref in corpus:
            docs.append(corpus[ref])
        elif Path(ref).is_file():
            try:
                docs.append(read_document(ref))
            except PolicytextError as e:
                _fail(str(e))
        else:
            where = f" in {corpus_dir}" if corpus_dir else " (pass --corpus to use ids)"
            _fail(f"{ref!r} is neither a file nor a document id{where}")
    return docs, corpus


def _model_folder(model: Path | None) -> tuple[str | None, str | None]:
    """(theme model folder, commitment model folder) of a ``--model`` folder; exits 2 when it holds neither."""
    if model is None:
        return None, None
    theme = (model / "theme_model.npz").is_file() and (model / "theme_model.json").is_file()
    commit = (model / "commitment_model.npz").is_file() and (model / "commitment_model.json").is_file()
    if not model.is_dir() or not (theme or commit):
        _fail(f"{model}: no model folder (it holds neither theme_model.npz/.json nor commitment_model.npz/.json; "
              "write one with `policytext train`)")
    return (str(model) if theme else None), (str(model) if commit else None)


def _analyzer(model: Path | None):
    """The analyzer of ``--model`` (the shipped models without one)."""
    from .errors import PolicytextError
    from .pipeline import Analyzer

    theme, commit = _model_folder(model)
    if theme is None and commit is None:
        return Analyzer()
    from .embed import Embedder
    from .extract import CommitmentExtractor
    from .themes import ThemeClassifier

    embedder = Embedder() if theme else None
    try:
        classifier = ThemeClassifier.load(theme, embedder=embedder) if theme else None
    except PolicytextError as e:
        _fail(str(e))
    return Analyzer(classifier=classifier, embedder=embedder, extractor=CommitmentExtractor(decider=commit or "default"))


@app.command()
def align(
    eu: Annotated[list[str], typer.Option("--eu", help="EU reference: document id (in --corpus) or file. Repeatable.")],
    partner: Annotated[list[str], typer.Option("--partner", help="Partner: a document id or partner name (in --corpus), or a file. Repeatable.")],
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus folder to resolve ids.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    by_document: Annotated[bool, typer.Option("--by-document", help="Score each partner document on its own "
                                              "(default: documents of the same partner together).")] = False,
    model: Annotated[Path | None, typer.Option("--model", help="Folder of models written by `policytext train` (theme "
                                               "and/or commitment model; default: the shipped ones).")] = None,
) -> None:
    """Score thematic alignment of partner documents with the EU reference, with intervals and evidence."""
    from .ingest import resolve_partners
    from .pipeline import align_many, alignment_table

    if fmt not in ("table", "json", "csv"):
        _fail(f"--format must be table, json or csv, not {fmt!r}")
    eu_docs, loaded = _load_docs(eu, corpus)
    files = [ref for ref in partner if Path(ref).is_file() and (loaded is None or ref.strip() not in loaded)]
    partner_docs, _ = _load_docs(files, None) if files else ([], None)
    named = [ref for ref in partner if ref not in files]
    if named:  # ids and partner names, resolved as `report` resolves them
        if loaded is None:
            _fail(f"{named[0]!r} is not a file; pass --corpus to name documents by id or partner name")
        try:
            groups_by_name = resolve_partners(loaded, named, exclude=[d.doc_id for d in eu_docs])
        except KeyError as e:
            _fail(str(e.args[0]) if e.args else str(e))
        partner_docs += [d for docs in groups_by_name.values() for d in docs if d not in partner_docs]
    groups: dict[str, list] = {}
    for d in partner_docs:
        groups.setdefault(d.doc_id if by_document else (d.meta.partner or d.doc_id), []).append(d)
    results = align_many(eu_docs, groups, analyzer=_analyzer(model))
    if fmt == "json":
        typer.echo(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    elif fmt == "csv":
        import pandas as pd

        typer.echo(pd.concat([r.to_frame() for r in results]).to_csv(index=False), nl=False)
    else:
        for r in results:
            typer.echo(f"\n{r.partner}: overall {_num(r.overall)} [{_num(r.overall_low)}-{_num(r.overall_high)}]")
            frame = r.to_frame()[["theme", "score", "low", "high", "partner_sentences", "matched", "divergences"]]
            typer.echo(frame.to_string(index=False, na_rep="-", float_format=lambda x: f"{x:.0f}"))
        if len(results) > 1:
            typer.echo("\nPartners x themes (score):")
            typer.echo(alignment_table(results).to_string(na_rep="-", float_format=lambda x: f"{x:.0f}"))


def _text_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as a plain aligned text table (scores to one decimal, ``-`` for missing), without pandas."""
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "-" if v != v else f"{v:.1f}"
        return "-" if v is None else str(v)

    body = [columns] + [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(line[i]) for line in body) for i in range(len(columns))]
    return "\n".join("  ".join(v.rjust(w) for v, w in zip(line, widths)).rstrip() for line in body)


def _num(x: float | None) -> str:
    from .formatting import number

    return number(x, missing="-")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo outputs.")] = Path("demo-output"),
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Demo corpus (default: the bundled corpora/demo).")] = None,
    eu: Annotated[str, typer.Option("--eu", help="Id of the EU reference document.")] = "eu-digital-strategy",
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing outputs.")] = False,
) -> None:
    """Run the whole analysis on the demo corpus and write an alignment summary (Markdown, JSON, CSV)."""
    from .demo import run_demo, find_demo_corpus

    corpus = corpus or find_demo_corpus()
    if corpus is None:
        _fail("demo corpus not found: pass --corpus corpora/demo (it ships in the repository)")
    try:
        written = run_demo(corpus, out, eu_id=eu, force=force)
    except FileExistsError as e:
        _fail(f"{e}; pass --force to overwrite")
    for path in written:
        typer.echo(f"wrote {path}")


@evaluate_app.command("alignment")
def evaluate_alignment_cmd(
    gold: Annotated[Path, typer.Argument(help="Gold alignment.csv (doc_id,theme,alignment).")],
    corpus: Annotated[Path, typer.Option("--corpus", help="Corpus holding the partner documents and the EU reference.")],
    eu: Annotated[list[str], typer.Option("--eu", help="EU reference document id or file. Repeatable.")],
    predictions: Annotated[Path | None, typer.Option("--predictions", help="Write doc_id,theme,score CSV here.")] = None,
    training_gold: Annotated[list[Path] | None, typer.Option("--training-gold", help="Gold sentence file(s) the theme "
                                                             "model was trained on (default: the files it names, "
                                                             "beside GOLD). Repeatable.")] = None,
    mode: Annotated[str, typer.Option(help="auto: score each document with a theme model that never saw it; "
                                      "model: the shipped model as is.")] = "auto",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --predictions file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Correlate alignment scores with gold ratings (Spearman), overall and per theme, beside a baseline."""
    from .errors import PolicytextError
    from .evaluate import evaluate_alignment

    if predictions is not None and predictions.exists() and not force:
        _fail(f"{predictions} exists; pass --force to overwrite it")
    try:
        result = evaluate_alignment(gold, corpus, eu, predictions_path=predictions, training_gold=training_gold or None,
                                    mode=mode)
    except (PolicytextError, KeyError, ValueError) as e:
        _fail(str(e))
    typer.echo(json.dumps(result.to_dict(), indent=2) if as_json else result.format())


@app.command("score")
def score_cmd(
    corpus_dir: Annotated[Path, typer.Argument(help="Corpus folder (with manifest.csv, or any supported files) or a manifest file.")],
    eu: Annotated[list[str], typer.Option("--eu", help="EU reference: a document id of the corpus or a file (repeatable).")],
    store: Annotated[Path | None, typer.Option("--store", help="DuckDB store (default: OUT/store.duckdb, or ./policytext.duckdb).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for scores.{parquet,csv} and summary.{parquet,csv}.")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes (or local Dask workers).")] = 1,
    executor: Annotated[str, typer.Option("--executor", help="local or dask.")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786.")] = None,
    device: Annotated[str, typer.Option("--device", help="Embedding device: auto, cpu or cuda.")] = "auto",
    backend: Annotated[str, typer.Option("--backend", help="auto (each document by its language), default (English models) or multilingual (USE for every document).")] = "auto",
    precision: Annotated[str, typer.Option("--precision", help="Embedding precision: auto (bf16 on a CPU with AMX, else fp32), fp32 or bf16.")] = "auto",
    embedding: Annotated[str, typer.Option("--embedding", help="minilm (default) or static: static vectors distilled "
                                           "from MiniLM, much faster, lower theme F1 (see the README).")] = "minilm",
    config: Annotated[Path | None, typer.Option("--config", help="JSON file of alignment settings (AlignConfig fields).")] = None,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal, off in CI).")] = None,
    model: Annotated[Path | None, typer.Option("--model", help="Folder of models written by `policytext train` (theme "
                                               "and/or commitment model; default: the shipped ones).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace scores.* and summary.* already in --out.")] = False,
) -> None:
    """Score every document of a corpus against the EU reference, incrementally and resumably.

    Unchanged documents are not recomputed; a killed run resumes where it
    stopped.  Exits 0 when every document was scored, 1 when any failed
    (listed in the summary), 2 when the corpus, reference or store is unusable.
    """
    from .alignment import AlignConfig
    from .batch import EXECUTORS, AnalyzerSpec, score_corpus
    from .batch.executors import make_executor
    from .errors import PolicytextError

    if executor not in EXECUTORS:
        _fail(f"--executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if scheduler and executor != "dask":
        _fail("--scheduler needs --executor dask")
    if device not in ("auto", "cpu", "cuda") and not device.startswith("cuda:"):
        _fail(f"--device must be auto, cpu, cuda or cuda:N, got {device!r}")
    from .multilingual import BACKENDS

    if backend not in BACKENDS:
        _fail(f"--backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    from .embed import PRECISIONS

    if precision not in PRECISIONS:
        _fail(f"--precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if not corpus_dir.exists():
        _fail(f"{corpus_dir}: corpus folder not found")
    theme_model, commitment_model = _model_folder(model)
    if embedding not in ("minilm", "static"):
        _fail(f"--embedding must be minilm or static, got {embedding!r}")
    if embedding == "static" and backend == "multilingual":
        _fail("--embedding static is English only; use --backend auto or default")
    align_config = None
    if config is not None:
        try:
            align_config = AlignConfig(**json.loads(config.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as e:
            _fail(f"{config}: unusable alignment settings ({e}); give a JSON object of AlignConfig fields")
    try:
        runner = make_executor(executor, workers=workers, scheduler=scheduler)  # starts nothing yet
        try:
            result = score_corpus(corpus_dir, eu=eu, store=store, out=out, config=align_config, executor=runner,
                                  spec=AnalyzerSpec(device=device, backend=backend, precision=precision,
                                                    theme_model=theme_model, commitment_model=commitment_model,
                                                    **({"embedding_model": "static"} if embedding == "static" else {})),
                                  progress=progress, force=force)
        finally:
            runner.close()
    except (PolicytextError, ValueError, FileExistsError) as e:
        _fail(str(e))
    c = result.counts
    typer.echo(f"Scored {c['documents']} document(s) in {result.seconds:.1f}s: {c['analysed']} analysed, "
               f"{c['scored'] - c['analysed']} re-scored, {c['skipped']} unchanged, {c['failed']} failed "
               f"(run {result.run_id}, store {result.store})")
    summary = result.rows["summary"].records()
    if summary:
        typer.echo(_text_table(summary, ["doc_id", "partner", "overall", "low", "high", "backend", "status"]))
    for row in summary:
        if row["status"] == "failed":
            typer.echo(f"failed: {row['doc_id']}: {row['error']}", err=True)
    for f in result.files:
        typer.echo(f"wrote {f}")
    raise typer.Exit(result.exit_code)


@app.command("report")
def report_cmd(
    corpus: Annotated[Path, typer.Option("--corpus", help="Corpus folder holding the EU and partner documents.")],
    eu: Annotated[list[str], typer.Option("--eu", help="EU reference document id (repeatable).")],
    partner: Annotated[list[str], typer.Option("--partner", help="Partner document id or partner name (repeatable); "
                                               "documents of one partner make one briefing.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the briefings (.html, .md, .docx, .json).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing briefings.")] = False,
    signed: Annotated[bool, typer.Option("--signed/--own-partner-only",
                                         help="A partner named by name also gets the documents of others it signed "
                                              "(manifest signatories), e.g. a G7 communiqué for Japan.")] = True,
    model: Annotated[Path | None, typer.Option("--model", help="Folder of models written by `policytext train` (theme "
                                               "and/or commitment model; default: the shipped ones).")] = None,
) -> None:
    """Write a dialogue briefing per partner (HTML, Markdown, DOCX, JSON), and a comparison for several.

    Each briefing has an executive summary, a theme table and chart, shared
    commitments, gaps, partner-only priorities, divergences, talking points,
    change over time, an annex of every quote with its anchor, and a methods
    note.  Exits 2 when the corpus, an id or the output folder is unusable.
    """
    from .errors import PolicytextError
    from .ingest import load_corpus
    from .report import FORMATS, build_briefings, resolve_partners, write_reports
    from .report.summarise import slugify

    if not corpus.is_dir():
        _fail(f"{corpus}: corpus folder not found")
    if out.exists() and not out.is_dir():
        _fail(f"{out} exists and is not a folder")
    try:
        docs = load_corpus(corpus)
    except PolicytextError as e:
        _fail(str(e))
    # Refuse to overwrite before the (slow) analysis, not after it.
    try:
        groups = resolve_partners(docs, partner, exclude=eu, signed=signed)
    except KeyError as e:
        _fail(str(e.args[0]) if e.args else str(e))
    stems = [f"briefing-{slugify(label)}" for label in groups] + (["comparison"] if len(groups) > 1 else [])
    existing = [out / f"{stem}{suffix}" for stem in stems for suffix in FORMATS.values()
                if (out / f"{stem}{suffix}").exists()]
    if existing and not force:
        _fail(f"{existing[0]} exists; pass --force to overwrite it")
    try:
        reports, comp = build_briefings(docs, eu, partner, signed=signed, analyzer=_analyzer(model))
    except KeyError as e:
        _fail(str(e.args[0]) if e.args else str(e))
    except (PolicytextError, ValueError) as e:
        _fail(str(e))
    try:
        written = write_reports(reports + ([comp] if comp else []), out, force=force)
    except FileExistsError as e:
        _fail(str(e))
    except ValueError as e:
        _fail(str(e))
    for r in reports:
        o = r.data["overall"]
        score = "-" if o["score"] is None else f"{o['score']:.0f}"
        typer.echo(f"{r.data['partner']}: overall {score} [{o['interval']}], {len(r.data['talking_points'])} talking "
                   f"points, {len(r.data['annex'])} quotes")
    for path in written:
        typer.echo(f"wrote {path}")


@evaluate_app.command("translations")
def evaluate_translations_cmd(
    corpus: Annotated[Path, typer.Option("--corpus", help="Corpus holding the English originals and the EU reference.")],
    translations: Annotated[Path, typer.Option("--translations", help="Corpus folder of translations (id = original id + .LANG).")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold alignment.csv of the originals.")],
    eu: Annotated[list[str], typer.Option("--eu", help="EU reference document id or file. Repeatable.")],
    training_gold: Annotated[list[Path] | None, typer.Option("--training-gold", help="Gold sentence file(s) the "
                                                             "multilingual theme model was trained on (default: the "
                                                             "files it names, beside --gold). Repeatable.")] = None,
    mode: Annotated[str, typer.Option(help="auto: score each pair with a theme model that never saw the original; "
                                      "model: the shipped model as is.")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Compare each translation with its English original (multilingual backend): score difference, share inside
    the English interval, Spearman rho with the originals' gold, and French commitments."""
    from .errors import PolicytextError
    from .evaluate import evaluate_translations

    for path in (corpus, translations, gold):
        if not path.exists():
            _fail(f"{path}: not found")
    try:
        result = evaluate_translations(corpus, translations, gold, eu, training_gold=training_gold or None, mode=mode)
    except (PolicytextError, KeyError, ValueError) as e:
        _fail(str(e))
    typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str) if as_json else result.format())


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="What to look for, in words (e.g. \"subsea cables\").")],
    store: Annotated[Path | None, typer.Option("--store", help="A store written by `policytext score`.")] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Or a corpus folder, analysed on the fly into a "
                                                "cached store ($POLICYTEXT_CACHE/search; incremental).")] = None,
    eu: Annotated[list[str] | None, typer.Option("--eu", help="With --corpus: the EU reference (repeatable).")] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="Only this partner's documents.")] = None,
    theme: Annotated[str | None, typer.Option("--theme", help="Only sentences on this theme (an id).")] = None,
    speaker: Annotated[str | None, typer.Option("--speaker", help="joint, EU, partner (one party alone) or a "
                                                "speaker label such as US.")] = None,
    commitments: Annotated[bool, typer.Option("--commitments", help="Only commitments.")] = False,
    strength: Annotated[str | None, typer.Option("--strength", help="Only commitments of this strength.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only documents dated on or after YYYY-MM-DD.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Only documents in this language (en, fr...).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many sentences to show.")] = 20,
    mode: Annotated[str, typer.Option("--mode", help="hybrid, lexical or embedding.")] = "hybrid",
    query_lang: Annotated[str | None, typer.Option("--query-lang", help="The query's language (fr, de, ja...; "
                                                   "default: guessed, English when unsure). Another language than "
                                                   "English needs `policytext index` once.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per sentence.")] = False,
) -> None:
    """Find the sentences of an analysed corpus on a subject: hybrid ranking (BM25 + meaning), with filters."""
    from .errors import PolicytextError
    from .search import SearchError, search

    if (store is None) == (corpus is None):
        _fail("give either --store (a scored store) or --corpus with --eu (analysed on the fly)")
    if corpus is not None:
        store = _corpus_store(corpus, eu)
    if not store.is_file():
        _fail(f"{store}: store not found (write one with `policytext score --store`)")
    try:
        found = search(store, query, partner=partner, theme=theme, speaker=speaker, commitments=commitments,
                       strength=strength, since=since, lang=lang, limit=limit, mode=mode, query_lang=query_lang)
    except (SearchError, PolicytextError) as e:
        _fail(str(e))
    if as_json:
        for row in found.to_dict(orient="records"):
            typer.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    if found.empty:
        typer.echo("No sentence matches.")
        return
    for row in found.itertuples():
        extra = f", {row.strength}" if row.commitment else ""
        typer.echo(f"{row.rank}. [{row.anchor}; {row.speaker or '?'}{extra}] {row.sentence}\n   ({row.why})")


@app.command("index")
def index_cmd(
    store: Annotated[Path, typer.Option("--store", help="A store written by `policytext score`.")],
) -> None:
    """Give every stored sentence a multilingual vector, so that queries in any of 16 languages find them."""
    from .errors import PolicytextError
    from .search import build_multilingual_index

    if not store.is_file():
        _fail(f"{store}: store not found (write one with `policytext score --store`)")

    def show(done: int, total: int) -> None:
        typer.echo(f"  {done}/{total} sentences", err=True)

    try:
        n = build_multilingual_index(store, progress=show)
    except PolicytextError as e:
        _fail(str(e))
    typer.echo(f"multilingual index of {store}: {n} sentence(s) embedded" + ("" if n else " (it was up to date)"))


@app.command("agreed")
def agreed_cmd(
    subject: Annotated[str, typer.Argument(help="The subject, in words (e.g. \"subsea cables\").")],
    partner: Annotated[str, typer.Option("--partner", help="The partner (its name in the manifest).")],
    store: Annotated[Path, typer.Option("--store", help="A store written by `policytext score`.")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="How many undertakings to show.")] = 10,
    with_others: Annotated[bool, typer.Option("--with-others", help="Also the partner's joint texts with others "
                                              "than the EU (each says who signed).")] = False,
) -> None:
    """The firmest wording already agreed with a partner on a subject, and how it was phrased over time."""
    from .errors import PolicytextError
    from .search import SearchError, agreed_wording

    if not store.is_file():
        _fail(f"{store}: store not found (write one with `policytext score --store`)")
    try:
        found = agreed_wording(store, subject, partner=partner, limit=limit, with_eu=not with_others)
    except (SearchError, PolicytextError) as e:
        _fail(str(e))
    if found.empty:
        scope = "jointly with anyone" if with_others else "with the EU (--with-others: joint texts with others too)"
        typer.echo(f"Nothing agreed with {partner} on {subject!r}: no joint commitment on the subject signed {scope}.")
        return
    for row in found.itertuples():
        typer.echo(f"{row.rank}. {row.strength or '?'}, {row.date or 'undated'} [{row.anchor}; signed by "
                   f"{row.signed_by}] "
                   f"{row.sentence}\n   ({row.why})")
        for h in row.history:
            if (h["doc_id"], h["sentence"]) != (row.doc_id, row.sentence):
                typer.echo(f"   {h['date'] or 'undated'} [{h['anchor']}; {h['strength'] or 'not a commitment'}; "
                           f"cosine {h['similarity']:.2f}] {h['sentence']}")


@app.command("followup")
def followup_cmd(
    partner: Annotated[str, typer.Option("--partner", help="The partner (its name in the manifest).")],
    store: Annotated[Path, typer.Option("--store", help="A store written by `policytext score`.")],
    every: Annotated[bool, typer.Option("--all", help="Every commitment, not only those with a deadline.")] = False,
    threshold: Annotated[float, typer.Option("--threshold", min=0.0, max=1.0,
                                             help="Least cosine of a link (with two specific terms shared).")] = 0.6,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the links (one row each) to this CSV.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the CSV file.")] = False,
) -> None:
    """What the partner promised (with a deadline) and what its later documents report on it."""
    from .followup import followup

    if not store.is_file():
        _fail(f"{store}: store not found (write one with `policytext score --store`)")
    if csv is not None and csv.exists() and not force:
        _fail(f"{csv} exists; pass --force to overwrite it")
    try:
        frame = followup(store, partner, deadlines_only=not every, threshold=threshold, long=True)
    except ValueError as e:
        _fail(str(e))
    if frame.empty:
        typer.echo(f"No {'' if every else 'dated '}commitment of {partner} to follow up.")
    for (_, anchor), rows in frame.groupby(["date", "anchor"], sort=False):
        first = rows.iloc[0]
        due = f" — due {first['deadline']}" if first["deadline"] else ""
        typer.echo(f"[{first['status'].upper()}] {first['date']} {anchor} ({first['speaker']}){due}\n"
                   f"  {first['commitment']}")
        later = first["later_documents"] or "none"
        if not first["link_sentence"]:
            typer.echo(f"  no later sentence reports on it (later documents: {later})")
        for row in rows.itertuples():
            if row.link_sentence:
                typer.echo(f"  -> {row.link_status}: [{row.link_anchor}; {row.link_speaker}; cosine "
                           f"{row.similarity:.2f}] {row.link_sentence}")
    if csv is not None:
        csv.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(csv, index=False)
        typer.echo(f"wrote {csv}")


def _corpus_store(corpus: Path, eu: list[str] | None) -> Path:
    """A corpus analysed into its cached store (incremental: unchanged documents are not analysed again)."""
    import hashlib

    from .batch import score_corpus
    from .embed import default_cache_dir
    from .errors import PolicytextError

    if not eu:
        _fail("--corpus needs --eu: the EU reference the corpus is scored against")
    key = hashlib.sha256(str(corpus.resolve()).encode("utf-8")).hexdigest()[:16]
    path = default_cache_dir() / "search" / f"{corpus.resolve().name}-{key}.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = score_corpus(corpus, eu=eu, store=path, progress=False)
    except (PolicytextError, ValueError) as e:
        _fail(str(e))
    c = result.counts
    typer.echo(f"{corpus}: {c['analysed']} document(s) analysed, {c['skipped']} unchanged, {c['failed']} failed "
               f"(store {path})", err=True)
    return path


_REVIEW_HELP = """  a = accept   s = skip   q = quit   or corrections, then Enter, e.g.
  themes=ai,privacy   commitment=no   strength=firm   actor=EU   speaker=joint   (themes= for none)"""


@app.command("review")
def review_cmd(
    corpus: Annotated[Path, typer.Option("--corpus", help="Corpus folder of the documents to review.")],
    out: Annotated[Path, typer.Option("--out", help="Gold JSONL file the answers are appended to (a session on an "
                                                    "existing file goes on where it stopped).")],
    doc: Annotated[list[str] | None, typer.Option("--doc", help="Review only this document (repeatable).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Stop after this many answers.")] = None,
) -> None:
    """Review the model's reading of sentences, least sure first; accept or correct each (saved at once as gold)."""
    from .errors import PolicytextError
    from .review import ReviewSession

    if not corpus.is_dir():
        _fail(f"{corpus}: corpus folder not found")
    try:
        session = ReviewSession(corpus, out, doc_ids=doc or None)
    except (PolicytextError, KeyError) as e:
        _fail(str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e))
    answered = 0
    typer.echo(_REVIEW_HELP)
    while (item := session.next()) is not None and (limit is None or answered < limit):
        typer.echo(f"\n[{len(session.pending())} left] {item.doc_id} — {item.why}")
        typer.echo(f"  “{item.text}”")
        typer.echo(f"  themes: {', '.join(item.themes) or '-'}   commitment: {'yes' if item.commitment else 'no'}"
                   + (f" ({item.strength}, actor {item.actor})" if item.commitment else "")
                   + f"   speaker: {item.speaker or '-'}")
        while True:
            answer = typer.prompt(">").strip()  # no default: Enter alone accepts nothing
            if answer == "q":
                typer.echo(f"Stopped; {answered} answer(s) saved to {out}.")
                return
            if answer == "s":
                session.skip(item)
                break
            try:
                if answer == "a":
                    session.accept(item)
                else:
                    session.correct(item, **_corrections(answer))
            except ValueError as e:
                typer.echo(f"  {e}")
                continue
            answered += 1
            break
    typer.echo(f"{answered} answer(s) saved to {out}; {len(session.pending())} sentence(s) left.")


def _corrections(answer: str) -> dict[str, Any]:
    """``themes=ai,privacy commitment=no ...`` -> keyword arguments of ``ReviewSession.correct``."""
    out: dict[str, Any] = {}
    for part in answer.split():
        key, sep, value = part.partition("=")
        if not sep or key not in ("themes", "commitment", "strength", "actor", "speaker"):
            raise ValueError(f"not understood: {part!r}\n{_REVIEW_HELP}")
        if key == "themes":
            out[key] = [t for t in value.split(",") if t]
        elif key == "commitment":
            if value.lower() not in ("yes", "no", "y", "n", "true", "false"):
                raise ValueError(f"commitment=yes or commitment=no, not {value!r}")
            out[key] = value.lower() in ("yes", "y", "true")
        else:
            out[key] = value
    return out


@app.command("train")
def train_cmd(
    gold: Annotated[list[Path], typer.Argument(help="Gold sentence file(s): your corrections (policytext review) "
                                                    "and any other gold, as one set.")],
    corpus: Annotated[Path, typer.Option("--corpus", help="Corpus folder holding the sentences' documents.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the new models (theme and commitment) and their "
                                                    "model card.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite the models in an existing --out folder.")] = False,
    folds: Annotated[int, typer.Option(help="Folds of the grouped cross-validation (by document).")] = 5,
) -> None:
    """Retrain the theme and commitment models on gold sentences; print grouped-CV figures beside the models in use.

    Use the result with `--model OUT` (score, report, align), `ThemeClassifier.load(OUT)` or
    `CommitmentExtractor(decider=OUT)`.
    """
    from .errors import PolicytextError
    from .evaluate.retrain import train_models

    for path in gold:
        if not path.is_file():
            _fail(f"{path}: gold file not found")
    if not corpus.is_dir():
        _fail(f"{corpus}: corpus folder not found")
    try:
        report = train_models(gold, corpus, out, force=force, n_splits=folds)
    except (PolicytextError, ValueError, FileExistsError) as e:
        _fail(str(e))
    typer.echo(report.format())


def main() -> None:  # pragma: no cover - thin wrapper
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
