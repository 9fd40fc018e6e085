"""The batch run: plan the corpus, skip what the store holds, dispatch the rest, align, write results."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..alignment import AlignConfig
from ..errors import ManifestError, PolicytextError
from ..records import DocumentMeta
from ..records import Analysis, document_key
from ..store import Store
from .executors import Executor, LocalExecutor
from .tasks import (AnalyzerSpec, Source, TaskResult, align_partner, analyse_task, digest, one_blas_thread, route,
                    warm)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["BatchResult", "OUTPUT_FILES", "score_corpus"]

log = logging.getLogger("policytext")


# --------------------------------------------------------------------------- planning


def _plan(corpus: Path, manifest: str | None) -> list[Source]:
    """Every document of the corpus with its key, without parsing any file (hashing only).

    The corpus is planned as :func:`~policytext.ingest.load_corpus` plans it: the same documents,
    ids and refusals (links out of the folder, paths outside it), with the same messages.
    """
    from ..ingest import plan_corpus

    if corpus.is_file():
        corpus, manifest = corpus.parent, corpus.name
    plan = plan_corpus(corpus, manifest=manifest)
    for warning in plan.warnings:
        log.warning("%s", warning)
    return [Source(d.doc_id, str(d.path), d.meta, error=str(d.error), error_type=type(d.error).__name__)
            if d.error is not None else _keyed(Source(d.doc_id, str(d.path), d.meta)) for d in plan.documents]


def _keyed(source: Source) -> Source:
    try:
        data = Path(source.path).read_bytes()
    except OSError as e:
        return replace(source, error=f"{source.path}: cannot read the file ({e.strerror})", error_type="DocumentError")
    meta = replace(source.meta, content_hash=hashlib.sha256(data).hexdigest())
    return replace(source, meta=meta, doc_key=document_key(meta))


def _references(eu: Sequence[str], sources: list[Source]) -> tuple[list[Source], list[Source]]:
    by_id = {s.doc_id: s for s in sources}
    refs: list[Source] = []
    for item in eu:
        if item in by_id:
            refs.append(by_id[item])
        elif Path(item).is_file():
            p = Path(item)
            refs.append(_keyed(Source(p.stem, str(p), DocumentMeta(doc_id=p.stem, partner="EU"))))
        else:
            raise ManifestError(
                Path(item), f"EU reference {item!r} is neither a document id of the corpus nor a file "
                f"(ids: {', '.join(sorted(by_id)) or 'none'})",
            )
    bad = [r for r in refs if r.error]
    if bad:
        raise ManifestError(Path(bad[0].path), f"EU reference cannot be read: {bad[0].error}")
    ref_ids = {r.doc_id for r in refs}
    return refs, [s for s in sources if s.doc_id not in ref_ids]


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class Rows:
    """A query's result as plain rows, made a DataFrame only when asked.

    A rerun that changes nothing then never imports pandas: the result files are
    written by DuckDB itself and the command line prints these rows.
    """

    columns: tuple[str, ...]
    types: tuple[str, ...]  # DuckDB type names
    rows: list[tuple[Any, ...]]

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r)) for r in self.rows]

    def frame(self) -> pd.DataFrame:
        """The rows as DataFrame, with the dtypes DuckDB's own ``.df()`` gives these columns."""
        import pandas as pd

        frame = pd.DataFrame.from_records(self.rows, columns=list(self.columns))
        for name, kind in zip(self.columns, self.types):
            if kind == "VARCHAR":
                frame[name] = frame[name].astype("str")
            elif kind in _INTEGER_DTYPES:  # with NULLs: pandas' nullable integers (Int32), as DuckDB gives
                dtype = _INTEGER_DTYPES[kind]
                frame[name] = frame[name].astype(dtype if frame[name].notna().all() else dtype.capitalize())
            elif kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL"):
                frame[name] = frame[name].astype("float64")
        return frame


_INTEGER_DTYPES = {"TINYINT": "int8", "SMALLINT": "int16", "INTEGER": "int32", "BIGINT": "int64"}


@dataclass(frozen=True)
class BatchResult:
    """What a batch run did, and its results (read from the store).

    Attributes
    ----------
    scores : one row per document × theme (score, low, high, coverage, ..., backend), a DataFrame.
    summary : one row per document: overall, interval, status (``ok``/``failed``), error, action,
        backend, language, a DataFrame.
    rows : the same two tables as plain rows (``rows["summary"].records()``), without pandas.
    counts : ``documents``, ``analysed``, ``scored``, ``skipped``, ``failed``.
    files : the output files written.
    """

    run_id: str
    store: str
    rows: dict[str, Rows]
    counts: dict[str, int]
    seconds: float
    files: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def scores(self) -> pd.DataFrame:
        return self.rows["scores"].frame()

    @cached_property
    def summary(self) -> pd.DataFrame:
        return self.rows["summary"].frame()

    @property
    def failures(self) -> pd.DataFrame:
        return self.summary[self.summary["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when every document was scored, 1 when any failed."""
        return 1 if self.counts.get("failed", 0) else 0


# --------------------------------------------------------------------------- progress


@contextlib.contextmanager
def _progress(enabled: bool, total: int, description: str) -> Iterator[Callable[[int], None]]:
    if not enabled or total == 0:
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    from rich.text import Text

    class _Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.2f} docs/s" if speed else "– docs/s")

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def _want_progress(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty() and not os.environ.get("CI")


# --------------------------------------------------------------------------- the batch


def score_corpus(
    corpus: str | os.PathLike[str],
    *,
    eu: str | Sequence[str],
    store: str | os.PathLike[str] | Store | None = None,
    out: str | os.PathLike[str] | None = None,
    config: AlignConfig | None = None,
    executor: Executor | None = None,
    spec: AnalyzerSpec | None = None,
    progress: bool | None = None,
    force: bool = False,
) -> BatchResult:
    """Score every document of a corpus against the EU reference, incrementally.

    Parameters
    ----------
    corpus : a corpus folder (with ``manifest.csv`` or any supported files) or a manifest file.
    eu : the EU reference: document ids of the corpus, or file paths (taken together).
    store : the DuckDB store file (or an open :class:`~policytext.store.Store`);
        default ``OUT/store.duckdb``, or ``policytext.duckdb`` without ``out``.
    out : folder for ``scores.{parquet,csv}`` (document × theme) and
        ``summary.{parquet,csv}`` (one row per document); ``None`` writes none.
    config : alignment settings; a change re-scores from stored analyses.
    executor : where documents are analysed: ``None`` (this process), :class:`LocalExecutor` ``(workers)``
        (a pool of processes), :class:`DaskExecutor` ``(scheduler)`` (a cluster); see
        :func:`~policytext.batch.executors.make_executor`.  The caller closes an executor it passes.
    spec : the models, ``device`` and language routing (``backend``) to use; default
        :class:`AnalyzerSpec` ``()`` (each document routed by its language).
    progress : show a progress bar on stderr; ``None``: only on a terminal outside CI.
    force : replace result files already in ``out`` (otherwise refused before anything is done;
        the store in ``out`` is not a result file: it is reused, which makes a rerun incremental).

    Returns
    -------
    BatchResult
        scores, summary and counters; ``exit_code`` is 1 when a document failed.

    Raises
    ------
    FileExistsError
        if ``out`` holds result files and ``force`` is false (nothing is read or written then).
    ManifestError
        if the corpus or the EU reference cannot be found.
    StoreError
        if the store is locked by another run, read-only, or a write fails (disk full): the
        documents committed before are kept, the run is marked ``failed`` when the store still
        takes it, and a rerun resumes.
    ModelNotFoundError
        if a model package is not installed (before anything is written).

    Examples
    --------
    >>> from policytext.batch import score_corpus
    >>> result = score_corpus("corpora/demo", eu="eu-digital-strategy", out="results/")  # doctest: +SKIP
    >>> result.summary[["doc_id", "overall", "low", "high", "status"]]                    # doctest: +SKIP
    """
    t_start = time.perf_counter()
    if out is not None and not force:
        existing = [Path(out) / name for name in OUTPUT_FILES if (Path(out) / name).exists()]
        if existing:
            raise FileExistsError(f"{existing[0]} exists: pass --force (force=True) to replace the results in {out}")
    config = config or AlignConfig()
    spec = (spec or AnalyzerSpec()).resolved()  # "auto" precision decided once, here, for every worker
    eu_items = [eu] if isinstance(eu, str) else list(eu)
    if not eu_items:
        raise ValueError("eu must name at least one EU reference document (an id of the corpus or a file)")
    corpus = Path(corpus)
    sources = _plan(corpus, "manifest.csv")
    refs, partners = _references(eu_items, sources)

    backends = spec.backends
    models = {b: spec.describe(b) for b in backends}
    fps = {b: spec.fingerprint(b, models[b]) for b in backends}
    # The run's keys cover every backend a document may be routed to (the route is a function of the
    # document and spec.backend), so a score is found again whichever backend its document took.
    analysis_fp = fps["default"] if backends == ("default",) else digest(*(f"{b}:{fps[b]}" for b in backends))
    reference_key = digest(analysis_fp, *sorted(r.doc_key for r in refs))
    settings = {"align": config.to_dict(), "backend": spec.backend}
    score_fp = digest(analysis_fp, json.dumps(settings, sort_keys=True))

    own_store = not isinstance(store, Store)
    if own_store:
        path = Path(store) if store is not None else (Path(out) / "store.duckdb" if out else Path("policytext.duckdb"))
        db = Store(path)
    else:
        db = store
    runner: Executor | None = None
    own_executor = False
    run_id: str | None = None
    try:
        run_id = db.begin_run(
            corpus=str(corpus), reference=json.dumps(eu_items), reference_key=reference_key,
            analysis_fp=analysis_fp, score_fp=score_fp, settings=settings, models=models,
            executor=getattr(executor, "name", type(executor).__name__) if executor is not None else "local",
            workers=getattr(executor, "workers", 1), device=spec.device, n_documents=len(partners),
        )
        counts = {"documents": len(partners), "analysed": 0, "scored": 0, "skipped": 0, "failed": 0}

        valid = [s for s in partners if not s.error]
        done = db.scored([s.doc_key for s in valid], reference_key, score_fp)
        keys = [s.doc_key for s in valid] + [r.doc_key for r in refs]
        analysed = {b: db.analysed(keys, fps[b]) for b in backends}
        # largest documents first: the workers then finish together (longest-processing-time order)
        todo = sorted((s for s in valid if s.doc_key not in done), key=lambda s: -_file_size(s.path))
        skipped = [s for s in valid if s.doc_key in done]
        db.put_skipped(run_id, [(s.doc_id, s.doc_key) for s in skipped], role="partner")
        counts["skipped"] = len(skipped)
        for s in partners:
            if s.error:
                db.put_result(run_id=run_id, doc_id=s.doc_id, doc_key=None, role="partner", status="failed",
                              error=s.error, error_type=s.error_type)
                counts["failed"] += 1

        if todo:
            pool = isinstance(executor, LocalExecutor) and executor.workers > 1
            if pool and spec.threads is None:
                spec = replace(spec, threads=1)  # one torch thread per worker process
            eu_records: dict[str, list[Analysis]] = {
                b: [db.load_analysis(r.doc_key, fps[b]) for r in refs]
                for b in backends if all(r.doc_key in analysed[b] for r in refs)
            }
            planned = {s.doc_id: spec.planned_backend(s.meta) for s in todo}
            for s in todo:  # stored, route unknown: read here (no model) to learn which analysis applies
                if planned[s.doc_id] is None and any(s.doc_key in analysed[b] for b in backends):
                    planned[s.doc_id] = route(spec, s)
            # Documents on a known backend with a stored analysis need no worker: aligned here.
            rescore = [s for s in todo if planned[s.doc_id] is not None and s.doc_key in analysed[planned[s.doc_id]]]
            work = [s for s in todo if s not in rescore]
            # The EU reference on each backend known to be needed, analysed beside the partners.
            wanted = [b for b in backends if b not in eu_records
                      and any(p == b or (p is None and b == "default") for p in planned.values())]
            batch = _Batch(db, run_id, refs, fps, models, config, reference_key, score_fp, eu_records, counts,
                           requested=wanted)
            with _progress(_want_progress(progress), len(todo), "scoring") as advance:
                for s in rescore:
                    batch.partner(s, TaskResult(s.doc_id, s.doc_key, backend=planned[s.doc_id]))
                    advance(batch.flush())
                if work or wanted:
                    # Workers load the default models when they start, unless no document can need them.
                    warm_up = partial(warm, spec) if any(planned[s.doc_id] in (None, "default") for s in work) else None
                    runner, own_executor = (executor, False) if executor is not None else (LocalExecutor(1), True)
                    prepare = getattr(runner, "prepare", None)
                    if prepare is not None:
                        prepare(warm_up)
                    ship = runner.ships_data

                    def shipped(s: Source) -> Source:
                        return replace(s, data=Path(s.path).read_bytes()) if ship else s

                    # The references first (they unblock the partners' alignments), then the largest
                    # partners first: the workers then finish together (longest-processing-time order).
                    ref_jobs = [(r, b) for b in wanted for r in refs]
                    jobs = ref_jobs + [(s, None) for s in work]
                    tasks = [(spec, shipped(r), b) for r, b in ref_jobs]
                    tasks += [(spec, shipped(s), planned[s.doc_id],
                               frozenset(b for b in backends if s.doc_key in analysed[b])) for s in work]
                    lost: list[tuple[Source, str, tuple[Any, ...]]] = []
                    for i, res in runner.run(analyse_task, tasks, {}):
                        source, ref_backend = jobs[i]
                        res = _as_result(res, source)
                        if ref_backend is not None and res.error_type == "WorkerLost":
                            # lost with a worker another document killed: tried again alone, below
                            lost.append((source, ref_backend, tasks[i]))
                        elif ref_backend is not None:
                            batch.reference(source, ref_backend, res)
                        else:
                            batch.partner(source, res)
                        advance(batch.flush())
                    if lost:  # partners wait for their reference (held); a second loss stops the run
                        for i, res in runner.run(analyse_task, [task for *_, task in lost], {}):
                            batch.reference(lost[i][0], lost[i][1], _as_result(res, lost[i][0]))
                        advance(batch.flush())
                    # 3. documents found not to be English once read (``auto``): the multilingual reference.
                    if batch.waiting:
                        backend = "multilingual"
                        batch.requested.add(backend)
                        tasks = [(spec, shipped(r), backend) for r in refs]
                        for i, res in runner.run(analyse_task, tasks, {}):
                            batch.reference(refs[i], backend, _as_result(res, refs[i]))
                        advance(batch.flush())
        seconds = time.perf_counter() - t_start
        db.finish_run(run_id, status="finished", n_analysed=counts["analysed"], n_scored=counts["scored"],
                      n_skipped=counts["skipped"], n_failed=counts["failed"], seconds=seconds)
        try:
            rows = _results(db, run_id, reference_key, score_fp)
            files = _write_outputs(db, Path(out)) if out is not None else ()
        finally:
            _drop_outputs(db)
        return BatchResult(run_id=run_id, store=db.path, rows=rows, counts=counts,
                           seconds=seconds, files=files, settings=settings)
    except BaseException:
        # Stopped (store unwritable, reference unusable, interrupted): say so in the run's record if the
        # store still takes it.  Every document committed so far is kept; a rerun does the rest.
        if run_id is not None:
            with contextlib.suppress(Exception):
                db.finish_run(run_id, status="failed", seconds=time.perf_counter() - t_start)
        raise
    finally:
        if runner is not None and own_executor:
            runner.close()
        if own_store:
            db.close()


class _Batch:
    """The driver's side of a run: stores what the workers return and aligns partners with the reference.

    A partner is committed with its alignment in one transaction once the EU
    reference on its backend is known; until then it waits in memory (its
    reference is being analysed in another worker).  A partner whose backend's
    reference was not requested in this round (found not to be English once
    read) is committed with its analysis, ``pending``, and aligned after the
    reference is analysed on that backend.
    """

    def __init__(self, db: Store, run_id: str, refs: list[Source], fps: dict[str, str],
                 models: dict[str, dict[str, Any]], config: AlignConfig, reference_key: str, score_fp: str,
                 eu: dict[str, list[Analysis]], counts: dict[str, int], *, requested: Sequence[str]) -> None:
        self.db, self.run_id, self.refs, self.fps, self.models = db, run_id, refs, fps, models
        self.config, self.reference_key, self.score_fp, self.counts = config, reference_key, score_fp, counts
        self.eu = dict(eu)
        self.requested = set(requested)  # backends whose reference is being analysed
        self._partial: dict[str, dict[str, Analysis]] = {}
        self.held: list[tuple[Source, TaskResult]] = []  # waiting in memory for a reference in progress
        self.waiting: list[tuple[Source, TaskResult]] = []  # stored as pending: reference not requested yet
        self._pending: set[str] = set()  # doc ids analysed in this run and stored as pending
        self._done = 0

    def reference(self, source: Source, backend: str, res: TaskResult) -> None:
        if res.error:
            raise PolicytextError(f"EU reference {source.doc_id!r} could not be analysed: "
                                  f"{res.error_type}: {res.error}")
        if res.document:
            self.db.put_documents([res.document])
        self.db.put_result(run_id=self.run_id, doc_id=source.doc_id, doc_key=res.doc_key, role="reference",
                           status="analysed", analysis_fp=self.fps[backend], analysis=res.analysis,
                           seconds=res.seconds)
        got = self._partial.setdefault(backend, {})
        got[source.doc_key] = res.analysis
        if all(r.doc_key in got for r in self.refs):
            self.eu[backend] = [got[r.doc_key] for r in self.refs]
            ready = [x for x in self.held + self.waiting if x[1].backend == backend]
            self.held = [x for x in self.held if x[1].backend != backend]
            self.waiting = [x for x in self.waiting if x[1].backend != backend]
            for s, r in ready:
                self.partner(s, r)

    def partner(self, source: Source, res: TaskResult) -> None:
        db, counts = self.db, self.counts
        if res.error:
            db.put_result(run_id=self.run_id, doc_id=source.doc_id, doc_key=res.doc_key, role="partner",
                          status="failed", error=res.error, error_type=res.error_type, seconds=res.seconds)
            counts["failed"] += 1
            self._done += 1
            log.warning("%s: %s: %s", source.doc_id, res.error_type, res.error)
            return
        backend, fp = res.backend, self.fps[res.backend]
        if backend not in self.eu:
            if backend in self.requested:
                self.held.append((source, res))  # its reference is being analysed
                return
            if res.analysis is not None:  # keep the work: stored now, aligned after the reference
                if res.document:
                    db.put_documents([res.document])
                db.put_result(run_id=self.run_id, doc_id=source.doc_id, doc_key=res.doc_key, role="partner",
                              status="pending", analysis_fp=fp, analysis=res.analysis, seconds=res.seconds)
                counts["analysed"] += 1
                self._pending.add(source.doc_id)
                res = replace(res, analysis=None, document=None)
            self.waiting.append((source, res))
            return
        analysis = res.analysis if res.analysis is not None else db.load_analysis(res.doc_key, fp)
        label = _label(source, res)
        with one_blas_thread():
            # provenance of the analysis itself, in the shape Analyzer.align records it
            alignment = align_partner(self.eu[backend], analysis, label, self.config, analysis.models)
        if res.document:
            db.put_documents([res.document])
        status = "analysed" if res.analysis is not None or source.doc_id in self._pending else "rescored"
        db.put_result(run_id=self.run_id, doc_id=source.doc_id, doc_key=res.doc_key, role="partner", status=status,
                      analysis_fp=fp, analysis=res.analysis, alignment=alignment,
                      reference_key=self.reference_key, score_fp=self.score_fp, seconds=res.seconds)
        log.info("stored %s (%s, %s backend, %.1fs)", source.doc_id, status, backend, res.seconds)
        counts["analysed"] += int(res.analysis is not None)
        counts["scored"] += 1
        self._done += 1

    def flush(self) -> int:
        """Documents finished since the last call (for the progress bar)."""
        n, self._done = self._done, 0
        return n


def _label(source: Source, res: TaskResult) -> str:
    """The partner's name in results: the document row's partner, the manifest's, or the id."""
    doc = res.document or {}
    return doc.get("partner") or source.meta.partner or source.doc_id


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _as_result(res: TaskResult | BaseException, source: Source) -> TaskResult:
    """An executor's answer as a task result: a lost worker becomes a failure of that document."""
    if isinstance(res, BaseException):
        return TaskResult(source.doc_id, source.doc_key or None, error=str(res), error_type=type(res).__name__)
    return res


_SCORE_COLS = ["theme", "score", "low", "high", "eu_coverage", "partner_coverage", "eu_sentences",
               "partner_sentences", "eu_commitments", "partner_commitments", "agreement", "parity",
               "divergence", "matched", "evidence", "divergences"]


_BACKEND = "coalesce(json_extract_string(a.detail, '$.models.backend'), 'default')"


def _results(db: Store, run_id: str, reference_key: str, score_fp: str) -> dict[str, Rows]:
    """The run's two result tables, as rows, left also as temp tables ``_out_scores`` and ``_out_summary``."""
    cols = ", ".join(f't."{c}"' for c in _SCORE_COLS)
    scores = (
        f"SELECT i.doc_id, t.partner, {cols}, {_BACKEND} AS backend, i.doc_key FROM run_items i "
        "JOIN theme_alignments t ON t.doc_key = i.doc_key AND t.reference_key = ? AND t.score_fp = ? "
        "JOIN alignments a ON a.doc_key = i.doc_key AND a.reference_key = ? AND a.score_fp = ? "
        "WHERE i.run_id = ? AND i.role = 'partner' AND i.status <> 'failed' ORDER BY i.doc_id, t.theme",
        [reference_key, score_fp, reference_key, score_fp, run_id],
    )
    summary = (
        "SELECT i.doc_id, d.title, coalesce(a.partner, d.partner) AS partner, a.overall, "
        "a.overall_low AS low, a.overall_high AS high, "
        "CASE WHEN i.status = 'failed' THEN 'failed' ELSE 'ok' END AS status, i.error, i.error_type, "
        f"i.status AS action, CASE WHEN a.doc_key IS NULL THEN NULL ELSE {_BACKEND} END AS backend, "
        "d.language, i.doc_key FROM run_items i "
        "LEFT JOIN alignments a ON a.doc_key = i.doc_key AND a.reference_key = ? AND a.score_fp = ? "
        "LEFT JOIN (SELECT DISTINCT ON (doc_key) * FROM documents) d ON d.doc_key = i.doc_key "
        "WHERE i.run_id = ? AND i.role = 'partner' ORDER BY i.doc_id",
        [reference_key, score_fp, run_id],
    )
    tables = {}
    for name, (query, params) in (("scores", scores), ("summary", summary)):
        db.con.execute(f"CREATE OR REPLACE TEMP TABLE _out_{name} AS {query}", params)
        cur = db.con.execute(f"SELECT * FROM _out_{name}")
        tables[name] = Rows(tuple(d[0] for d in cur.description), tuple(str(d[1]) for d in cur.description),
                            cur.fetchall())
    return tables


#: The result files ``score_corpus(out=...)`` writes.
OUTPUT_FILES = ("scores.parquet", "scores.csv", "summary.parquet", "summary.csv")


def _write_outputs(db: Store, out: Path) -> tuple[str, ...]:
    """Write the tables :func:`_results` left in the store's session, by DuckDB (no pandas)."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name in ("scores", "summary"):
        for fmt in ("parquet", "csv"):
            files.append(str(db.copy_to(f"SELECT * FROM _out_{name}", out / f"{name}.{fmt}", fmt=fmt)))
    return tuple(files)


def _drop_outputs(db: Store) -> None:
    for name in ("scores", "summary"):
        db.con.execute(f"DROP TABLE IF EXISTS _out_{name}")
