"""The result store: one embedded database holding everything a batch run produced.

Why DuckDB
----------
The store is a single DuckDB file (``pip install policytext[store]``).  DuckDB
is columnar, so the typical questions ("mean score per theme over 10,000
documents", "every firm commitment on connectivity") scan only the columns
they need; it speaks SQL, hands results to pandas and Arrow without copies,
and writes Parquet/CSV/JSON natively (``COPY ... TO``).  It is ACID with a
write-ahead log: a transaction is either in the file or not, and a process
killed at any moment (``kill -9`` included) leaves a database that the next
open replays to the last commit.  Its limit — one writing process at a time —
fits batch scoring: only the driver of a run writes; parallel and distributed
workers return plain results to it.  (SQLite would also be safe, but is a row
store with no Parquet export and no list types; the text-level embedding
cache of :mod:`policytext.embed`, written by many processes at once, stays in
SQLite for that reason.)

Tables
------
``runs``
    one row per batch run: settings, model versions, fingerprints, counters.
``run_items``
    what each run did with each document: ``analysed``, ``rescored``,
    ``skipped`` (results reused) or ``failed`` (with the error).
``documents``
    document metadata, keyed by ``doc_key`` (content hash + metadata).
``analyses``, ``sentences``, ``commitments``, ``entities``
    the model stages, keyed by ``(doc_key, analysis_fp)``: sentences carry
    their theme scores (``DOUBLE[]``) and embedding (``FLOAT[]``).
``alignments``, ``theme_alignments``
    scores against an EU reference, keyed by ``(doc_key, reference_key, score_fp)``.
``theme_scores`` (view)
    sentences × themes in long form, with ``assigned``.

Uniqueness of keys is kept by the writer (delete, then insert, in one
transaction per document) rather than by index constraints.

Examples
--------
>>> from policytext.store import Store
>>> with Store("results.duckdb") as store:                                   # doctest: +SKIP
...     store.sql("SELECT theme, avg(score) FROM theme_alignments GROUP BY theme")
...     store.export("exports/", fmt="parquet")
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import errno
import functools
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .alignment import Alignment
from .errors import PolicytextError
from .records import Analysis, Commitment, Document, DocumentMeta, Entity, Unit, document_key

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Store", "AnalysisRecord", "StoreError", "TABLES", "EXPORT_FORMATS", "document_key", "document_row"]

#: Tables (and the view) of the store, in dependency order.
TABLES = (
    "runs", "run_items", "documents", "analyses", "sentences", "commitments", "entities",
    "alignments", "theme_alignments", "theme_scores",
)
EXPORT_FORMATS = ("parquet", "csv", "jsonl")

_COMMITMENT_COLS = [f.name for f in dataclasses.fields(Commitment)]
_ENTITY_COLS = [f.name for f in dataclasses.fields(Entity)]
_THEME_COLS = ["theme", "score", "low", "high", "eu_coverage", "partner_coverage", "eu_sentences",
               "partner_sentences", "eu_commitments", "partner_commitments", "agreement", "parity",
               "divergence", "matched"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR,
    corpus VARCHAR, reference VARCHAR, reference_key VARCHAR, analysis_fp VARCHAR, score_fp VARCHAR,
    settings VARCHAR, models VARCHAR, executor VARCHAR, workers INTEGER, device VARCHAR,
    n_documents INTEGER, n_analysed INTEGER, n_scored INTEGER, n_skipped INTEGER, n_failed INTEGER,
    seconds DOUBLE);
CREATE TABLE IF NOT EXISTS run_items (
    run_id VARCHAR, doc_id VARCHAR, doc_key VARCHAR, role VARCHAR, status VARCHAR,
    error VARCHAR, error_type VARCHAR, seconds DOUBLE, recorded_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS documents (
    doc_key VARCHAR, doc_id VARCHAR, content_hash VARCHAR, title VARCHAR, issuer VARCHAR, partner VARCHAR,
    doc_type VARCHAR, date VARCHAR, language VARCHAR, path VARCHAR, file_format VARCHAR, words INTEGER,
    sentences INTEGER, pages INTEGER, warnings VARCHAR, recorded_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS analyses (
    doc_key VARCHAR, analysis_fp VARCHAR, doc_id VARCHAR, run_id VARCHAR, created_at TIMESTAMP,
    n_sentences INTEGER, n_commitments INTEGER, themes VARCHAR[], thresholds DOUBLE[], notes VARCHAR[],
    seconds DOUBLE);
CREATE TABLE IF NOT EXISTS sentences (
    doc_key VARCHAR, analysis_fp VARCHAR, idx INTEGER, segment_id VARCHAR, doc_id VARCHAR, text VARCHAR,
    start INTEGER, "end" INTEGER, page INTEGER, paragraph INTEGER, is_heading BOOLEAN, commitment BOOLEAN,
    strength VARCHAR, negated BOOLEAN, condition VARCHAR, theme_scores DOUBLE[], embedding FLOAT[]);
-- added after the first release: stores written before get the column (NULL: not a note)
ALTER TABLE sentences ADD COLUMN IF NOT EXISTS is_note BOOLEAN;
-- on whose behalf each sentence speaks (policytext.extract.speakers); '' in stores from before
ALTER TABLE sentences ADD COLUMN IF NOT EXISTS speaker VARCHAR;
-- whether the document's commitments were extracted (False: its language has no commitment rules)
ALTER TABLE analyses ADD COLUMN IF NOT EXISTS commitments_extracted BOOLEAN;
-- the backend, the document's language and its metadata (JSON): an Analysis is loaded as it was saved
ALTER TABLE analyses ADD COLUMN IF NOT EXISTS backend VARCHAR;
ALTER TABLE analyses ADD COLUMN IF NOT EXISTS language VARCHAR;
ALTER TABLE analyses ADD COLUMN IF NOT EXISTS meta VARCHAR;
ALTER TABLE analyses ADD COLUMN IF NOT EXISTS precision VARCHAR;
ALTER TABLE analyses ADD COLUMN IF NOT EXISTS models VARCHAR;
CREATE TABLE IF NOT EXISTS commitments (
    doc_key VARCHAR, analysis_fp VARCHAR, commitment_id VARCHAR, doc_id VARCHAR, segment_id VARCHAR,
    text VARCHAR, start INTEGER, "end" INTEGER, actor VARCHAR, strength VARCHAR, actor_text VARCHAR,
    action VARCHAR, action_phrase VARCHAR, object VARCHAR, cue VARCHAR, negated BOOLEAN, condition VARCHAR,
    deadline VARCHAR, quantity VARCHAR, themes VARCHAR[], page INTEGER, paragraph INTEGER);
CREATE TABLE IF NOT EXISTS entities (
    doc_key VARCHAR, analysis_fp VARCHAR, entity_id VARCHAR, label VARCHAR, text VARCHAR, doc_id VARCHAR,
    segment_id VARCHAR, start INTEGER, "end" INTEGER, page INTEGER, paragraph INTEGER, source VARCHAR);
CREATE TABLE IF NOT EXISTS alignments (
    doc_key VARCHAR, reference_key VARCHAR, score_fp VARCHAR, doc_id VARCHAR, partner VARCHAR,
    overall DOUBLE, overall_low DOUBLE, overall_high DOUBLE, run_id VARCHAR, created_at TIMESTAMP,
    seconds DOUBLE, detail VARCHAR);
CREATE TABLE IF NOT EXISTS theme_alignments (
    doc_key VARCHAR, reference_key VARCHAR, score_fp VARCHAR, doc_id VARCHAR, partner VARCHAR,
    theme VARCHAR, score DOUBLE, low DOUBLE, high DOUBLE, eu_coverage DOUBLE, partner_coverage DOUBLE,
    eu_sentences INTEGER, partner_sentences INTEGER, eu_commitments INTEGER, partner_commitments INTEGER,
    agreement DOUBLE, parity DOUBLE, divergence DOUBLE, matched INTEGER, evidence INTEGER,
    divergences INTEGER);
CREATE OR REPLACE VIEW theme_scores AS
SELECT doc_key, analysis_fp, doc_id, segment_id, themes[k] AS theme, scores[k] AS score,
       scores[k] >= thresholds[k] AS assigned
FROM (SELECT s.doc_key, s.analysis_fp, s.doc_id, s.segment_id, s.idx, s.theme_scores AS scores,
             a.themes, a.thresholds, unnest(range(1, len(s.theme_scores) + 1)) AS k
      FROM sentences s JOIN analyses a USING (doc_key, analysis_fp));
"""


#: Up to this many rows an insert goes row by row (no Arrow, no pandas import).
SMALL_INSERT = 64

class StoreError(PolicytextError):
    """The store cannot be opened or used (locked by another process, damaged, wrong path, disk full, read-only)."""


def _write_problem(error: BaseException) -> str:
    """A short name for why a write failed: full disk, read-only, or DuckDB's own message."""
    code = getattr(error, "errno", None)
    text = str(error)
    if code == errno.ENOSPC or "No space left" in text:
        return "the disk is full (no space left on device)"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "read-only" in text.lower() or "Permission denied" in text:
        return f"the store is read-only ({text})"
    return text


#: The analysis record the store keeps (one name for it everywhere: :class:`policytext.records.Analysis`).
AnalysisRecord = Analysis


#: Bytes 8-12 of every DuckDB database file.
_DUCKDB_MAGIC = b"DUCK"


def _check_store_file(path: Path) -> None:
    """Refuse a store path that is a folder or a file other than a DuckDB database (a new path is fine).

    DuckDB itself would open, say, a CSV file as an empty database and keep nothing.
    """
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a store file; pass a file such as {path / 'store.duckdb'}")
    if not path.exists():
        return
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError as e:
        raise StoreError(f"{path}: cannot read the store ({e.strerror})") from e
    if head[8:12] != _DUCKDB_MAGIC:
        kind = f" (it looks like a {path.suffix.lstrip('.').upper()} file)" if path.suffix and path.suffix != ".duckdb" else ""
        raise StoreError(f"{path}: not a DuckDB store{kind}; pass a new file or an existing .duckdb store to --store, "
                         "this file is left as it is")


def document_row(doc: Document) -> dict[str, Any]:
    """The ``documents`` table row of a document."""
    m = doc.meta
    return {
        "doc_key": document_key(m), "doc_id": m.doc_id, "content_hash": m.content_hash, "title": m.title,
        "issuer": m.issuer, "partner": m.partner, "doc_type": m.doc_type, "date": m.date, "language": m.language,
        "path": m.path, "file_format": m.file_format, "words": doc.word_count, "sentences": len(doc.sentences),
        "pages": doc.page_count, "warnings": "; ".join(doc.warnings),
    }


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC).replace(tzinfo=None)


def _list_array(values: np.ndarray, type_: Any) -> Any:
    """A ``(n, width)`` array as an Arrow list column (one list per row)."""
    import pyarrow as pa

    values = np.asarray(values)
    n, width = values.shape
    offsets = pa.array(np.arange(n + 1, dtype=np.int64) * width, pa.int32())
    return pa.ListArray.from_arrays(offsets, pa.array(values.ravel(), type_))


class Store:
    """A DuckDB file holding documents, analyses, scores and runs.

    Parameters
    ----------
    path : the database file (created with its folder if missing), or
        ``":memory:"`` for a throw-away store.
    read_only : open for reading only (several readers may share a file
        that no process is writing).

    Raises
    ------
    StoreError
        if the file is locked by another writing process or is not a DuckDB database.
    """

    def __init__(self, path: str | os.PathLike[str] = ":memory:", *, read_only: bool = False) -> None:
        try:
            import duckdb
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise StoreError("the store needs DuckDB: pip install 'policytext[store]'") from e
        self.path = str(path)
        if self.path != ":memory:":
            _check_store_file(Path(self.path))
        if self.path != ":memory:" and not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise StoreError(f"{self.path}: cannot open the store: {_write_problem(e)}; pass another --store") from e
            raise StoreError(
                f"{self.path}: cannot open the store ({e}); another process may be writing to it — "
                "wait for it to finish, or pass another --store"
            ) from e
        except duckdb.Error as e:
            raise StoreError(f"{self.path}: not a usable DuckDB store ({e})") from e
        self.read_only = read_only
        if not read_only:
            with self._writing("create the tables"):
                self.con.execute(_SCHEMA)

    @functools.cached_property
    def _is_note_column(self) -> str:
        """``is_note`` as a stored column, or ``false`` in a store opened read-only from before the column."""
        return self._column("sentences", "is_note", "false")

    def _column(self, table: str, column: str, default: str) -> str:
        """SQL for ``column`` of ``table``, ``default`` where NULL or where the store predates the column
        (a store opened read-only is not given the columns added since)."""
        names = {r[0] for r in self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
        return f"coalesce({column}, {default})" if column in names else default

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """Turn a failed write (full disk, read-only file or store, I/O error) into a :class:`StoreError`.

        The message names the problem and says that what was committed before is kept.
        """
        import duckdb

        try:
            yield
        except (OSError, duckdb.Error) as e:
            if isinstance(e, duckdb.InvalidInputException) and "read-only" not in str(e).lower():
                raise
            raise StoreError(
                f"{self.path}: cannot {what}: {_write_problem(e)}. Everything committed before is kept; "
                "fix the problem (free disk space, make the store writable, or pass another --store) "
                "and rerun to resume"
            ) from e

    def _rollback(self) -> None:
        # After a fatal I/O error DuckDB may refuse even the rollback: the transaction is not
        # committed either way, and the error that caused it is the one to report.
        with contextlib.suppress(Exception):
            self.con.execute("ROLLBACK")

    # -- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store(path={self.path!r})"

    # -- queries ----------------------------------------------------------------------------
    def search(self, query: str, **filters: Any) -> pd.DataFrame:
        """Sentences of the store on a subject: :func:`policytext.search.search` on this store (keep the store
        open in a notebook: its word index is built once per connection)."""
        from .search import search

        return search(self, query, **filters)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a SQL query and return the result as a DataFrame."""
        return self.con.sql(query, params=list(params) if params is not None else None).df()

    def table(self, name: str) -> pd.DataFrame:
        """A whole table (or the ``theme_scores`` view) as a DataFrame."""
        if name not in TABLES:
            raise ValueError(f"table must be one of {', '.join(TABLES)}, got {name!r}")
        return self.sql(f'SELECT * FROM "{name}"')

    def count(self, name: str) -> int:
        if name not in TABLES:
            raise ValueError(f"table must be one of {', '.join(TABLES)}, got {name!r}")
        return int(self.con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0])

    def export(
        self, folder: str | os.PathLike[str], *, fmt: str = "parquet", tables: Iterable[str] | None = None
    ) -> list[Path]:
        """Write tables to ``folder/<table>.<fmt>`` (``parquet``, ``csv`` or ``jsonl``); return the paths.

        Embeddings are list columns: kept in Parquet and JSONL, written as
        ``[x, y, ...]`` text in CSV.
        """
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"fmt must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for name in tables or TABLES:
            if name not in TABLES:
                raise ValueError(f"no table {name!r} (tables: {', '.join(TABLES)})")
            path = folder / f"{name}.{fmt}"
            self.copy_to(f'SELECT * FROM "{name}"', path, fmt=fmt)
            out.append(path)
        return out

    def copy_to(self, query: str, path: str | os.PathLike[str], *, fmt: str = "parquet",
                params: Sequence[Any] | None = None) -> Path:
        """Write the result of ``query`` to ``path`` with DuckDB's ``COPY`` (atomic: temp file, then rename)."""
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"fmt must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
        options = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER true", "jsonl": "FORMAT json"}[fmt]
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        quoted = str(tmp).replace("'", "''")
        if fmt == "csv":
            # CSV has no list type: lists become their text form.
            rel = self.con.sql(query, params=list(params) if params is not None else None)
            casts = ", ".join(
                f'CAST("{c}" AS VARCHAR) AS "{c}"' if str(t).endswith("[]") else f'"{c}"'
                for c, t in zip(rel.columns, rel.types)
            )
            query = f"SELECT {casts} FROM ({query})"
        try:
            with self._writing(f"write {path}"):
                self.con.execute(f"COPY ({query}) TO '{quoted}' ({options})",
                                 list(params) if params is not None else None)
                os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        return path

    # -- runs -------------------------------------------------------------------------------
    def begin_run(self, **fields: Any) -> str:
        """Record the start of a run; return its id."""
        run_id = fields.pop("run_id", None) or f"{_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        row = {"run_id": run_id, "started_at": _now(), "status": "running", **_jsonify(fields)}
        with self._writing("record the run"):
            self._insert_row("runs", row)
        return run_id

    def finish_run(self, run_id: str, *, status: str = "finished", **counts: Any) -> None:
        sets = {"finished_at": _now(), "status": status, **counts}
        assignments = ", ".join(f"{k} = ?" for k in sets)
        with self._writing("record the end of the run"):
            self.con.execute(f"UPDATE runs SET {assignments} WHERE run_id = ?", [*sets.values(), run_id])

    def run_items(self, run_id: str) -> pd.DataFrame:
        return self.sql("SELECT * FROM run_items WHERE run_id = ? ORDER BY recorded_at, doc_id", [run_id])

    def last_run(self) -> dict[str, Any] | None:
        frame = self.sql("SELECT * FROM runs ORDER BY started_at DESC LIMIT 1")
        return frame.iloc[0].to_dict() if len(frame) else None

    # -- documents --------------------------------------------------------------------------
    def put_documents(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert document metadata rows (``doc_key`` plus metadata); known keys are left as they are."""
        if not rows:
            return
        import pandas as pd

        frame = pd.DataFrame([{**r, "recorded_at": _now()} for r in rows]).drop_duplicates("doc_key")
        self.con.register("_new_documents", frame)
        try:
            with self._writing("store document metadata"):
                self.con.execute(
                    "INSERT INTO documents BY NAME SELECT * FROM _new_documents "
                    "WHERE doc_key NOT IN (SELECT doc_key FROM documents)"
                )
        finally:
            self.con.unregister("_new_documents")

    # -- lookups ----------------------------------------------------------------------------
    def analysed(self, doc_keys: Iterable[str], analysis_fp: str) -> set[str]:
        """Those of ``doc_keys`` that have an analysis with fingerprint ``analysis_fp``."""
        keys = list(dict.fromkeys(doc_keys))
        if not keys:
            return set()
        rows = self.con.execute(
            "SELECT DISTINCT doc_key FROM analyses WHERE analysis_fp = ? AND list_contains(?, doc_key)",
            [analysis_fp, keys],
        ).fetchall()
        return {r[0] for r in rows}

    def scored(self, doc_keys: Iterable[str], reference_key: str, score_fp: str) -> set[str]:
        """Those of ``doc_keys`` that have an alignment with the reference under ``score_fp``."""
        keys = list(dict.fromkeys(doc_keys))
        if not keys:
            return set()
        rows = self.con.execute(
            "SELECT DISTINCT doc_key FROM alignments WHERE reference_key = ? AND score_fp = ? "
            "AND list_contains(?, doc_key)",
            [reference_key, score_fp, keys],
        ).fetchall()
        return {r[0] for r in rows}

    def load_analysis(self, doc_key: str, analysis_fp: str) -> Analysis:
        """Rebuild the :class:`~policytext.records.Analysis` of a document, bit for bit as it was saved."""
        extra = ", ".join(self._column("analyses", c, d) for c, d in (
            ("commitments_extracted", "true"), ("backend", "'default'"), ("language", "''"), ("meta", "NULL"),
            ("precision", "'fp32'"), ("models", "NULL")))
        head = self.con.execute(
            f"SELECT doc_id, themes, thresholds, notes, seconds, {extra} FROM analyses "
            "WHERE doc_key = ? AND analysis_fp = ?",
            [doc_key, analysis_fp],
        ).fetchall()
        if not head:
            raise KeyError(f"no analysis of document {doc_key[:12]}… with fingerprint {analysis_fp[:12]}…")
        doc_id, themes, thresholds, notes, seconds, extracted, backend, language, meta, precision, models = head[0]
        key = [doc_key, analysis_fp]
        table = self.con.sql(
            'SELECT segment_id, doc_id, text, page, paragraph, start, "end", commitment, strength, negated, '
            f"condition, is_heading, {self._is_note_column} AS is_note, "
            f"{self._column('sentences', 'speaker', _EMPTY_TEXT)} AS speaker, theme_scores, embedding FROM sentences "
            "WHERE doc_key = ? AND analysis_fp = ? ORDER BY idx",
            params=key,
        ).to_arrow_table()
        n = table.num_rows
        cols = {name: table.column(name).to_pylist() for name in table.column_names[:14]}
        units = tuple(
            Unit(segment_id=cols["segment_id"][i], doc_id=cols["doc_id"][i], text=cols["text"][i],
                 page=cols["page"][i], paragraph=cols["paragraph"][i], start=cols["start"][i], end=cols["end"][i],
                 commitment=cols["commitment"][i], strength=cols["strength"][i], negated=cols["negated"][i],
                 condition=cols["condition"][i], is_heading=cols["is_heading"][i], is_note=cols["is_note"][i],
                 speaker=cols["speaker"][i])
            for i in range(n)
        )
        scores = _unlist(table.column("theme_scores"), n, np.float64)
        vectors = _unlist(table.column("embedding"), n, np.float32)
        commitments = tuple(
            Commitment(**{**dict(zip(_COMMITMENT_COLS, row)), "themes": tuple(row[_COMMITMENT_COLS.index("themes")])})
            for row in self.con.execute(
                f"SELECT {', '.join(_q(c) for c in _COMMITMENT_COLS)} FROM commitments "
                "WHERE doc_key = ? AND analysis_fp = ? ORDER BY start, commitment_id", key).fetchall()
        )
        entities = tuple(
            Entity(**dict(zip(_ENTITY_COLS, row)))
            for row in self.con.execute(
                f"SELECT {', '.join(_q(c) for c in _ENTITY_COLS)} FROM entities "
                "WHERE doc_key = ? AND analysis_fp = ? ORDER BY start, \"end\", entity_id", key).fetchall()
        )
        return Analysis(
            doc_key=doc_key, doc_id=doc_id, units=units, vectors=vectors, theme_scores=scores,
            themes=tuple(themes), thresholds=np.asarray(thresholds, dtype=np.float64), commitments=commitments,
            entities=entities, notes=tuple(notes or ()), seconds=float(seconds or 0.0),
            commitments_extracted=bool(extracted), backend=backend, language=language,
            meta=DocumentMeta(**json.loads(meta)) if meta else None, precision=precision,
            models=json.loads(models) if models else {},
        )

    # -- writes: one transaction per document ----------------------------------------------
    def put_result(
        self,
        *,
        run_id: str,
        doc_id: str,
        doc_key: str | None,
        role: str,
        status: str,
        analysis_fp: str | None = None,
        analysis: Analysis | None = None,
        alignment: Alignment | None = None,
        reference_key: str | None = None,
        score_fp: str | None = None,
        seconds: float = 0.0,
        error: str = "",
        error_type: str = "",
    ) -> None:
        """Store what was computed for one document, and the run's record of it, in one transaction.

        Either all of it is in the store afterwards or (after a crash) none of
        it: a resumed run then simply does the document again.
        """
        con = self.con
        with self._writing(f"store the results of {doc_id}"):
            con.execute("BEGIN TRANSACTION")
            try:
                if analysis is not None:
                    if analysis_fp is None:
                        raise ValueError("analysis_fp is required with an analysis")
                    self._write_analysis(analysis, analysis_fp, run_id)
                if alignment is not None:
                    if doc_key is None or reference_key is None or score_fp is None:
                        raise ValueError("doc_key, reference_key and score_fp are required with an alignment")
                    self._write_alignment(alignment, doc_key, doc_id, reference_key, score_fp, run_id, seconds)
                con.execute("DELETE FROM run_items WHERE run_id = ? AND doc_id = ? AND role = ?",
                            [run_id, doc_id, role])
                self._insert_row("run_items", {
                    "run_id": run_id, "doc_id": doc_id, "doc_key": doc_key, "role": role, "status": status,
                    "error": error, "error_type": error_type, "seconds": seconds, "recorded_at": _now(),
                })
                con.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def put_skipped(self, run_id: str, items: Sequence[tuple[str, str]], *, role: str = "partner") -> None:
        """Record documents whose results were reused (``(doc_id, doc_key)`` pairs), in one transaction."""
        if not items:
            return
        now = _now()
        with self._writing("record the reused results"):
            self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.executemany(
                    "DELETE FROM run_items WHERE run_id = ? AND doc_id = ? AND role = ?",
                    [[run_id, doc_id, role] for doc_id, _ in items],
                )
                self._insert_rows("run_items", [
                    {"run_id": run_id, "doc_id": doc_id, "doc_key": key, "role": role, "status": "skipped",
                     "error": "", "error_type": "", "seconds": 0.0, "recorded_at": now}
                    for doc_id, key in items
                ])
                self.con.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _write_analysis(self, a: Analysis, analysis_fp: str, run_id: str) -> None:
        import pyarrow as pa

        key = [a.doc_key, analysis_fp]
        for table in ("analyses", "sentences", "commitments", "entities"):
            self.con.execute(f"DELETE FROM {table} WHERE doc_key = ? AND analysis_fp = ?", key)
        self._insert_row("analyses", {
            "doc_key": a.doc_key, "analysis_fp": analysis_fp, "doc_id": a.doc_id, "run_id": run_id,
            "created_at": _now(), "n_sentences": len(a.units), "n_commitments": len(a.commitments),
            "themes": list(a.themes), "thresholds": [float(t) for t in a.thresholds], "notes": list(a.notes),
            "seconds": a.seconds, "commitments_extracted": bool(a.commitments_extracted), "backend": a.backend,
            "language": a.language,
            "meta": json.dumps(a.meta.to_dict(), ensure_ascii=False, sort_keys=True) if a.meta is not None else None,
            "precision": a.precision, "models": json.dumps(a.models, ensure_ascii=False, sort_keys=True),
        })
        n = len(a.units)
        sentences = pa.table({
            "doc_key": pa.array([a.doc_key] * n, pa.string()),
            "analysis_fp": pa.array([analysis_fp] * n, pa.string()),
            "idx": pa.array(range(n), pa.int32()),
            **{name: pa.array([getattr(u, name) for u in a.units])
               for name in ("segment_id", "doc_id", "text", "start", "end", "page", "paragraph", "is_heading",
                            "is_note", "commitment", "strength", "negated", "condition", "speaker")},
            "theme_scores": _list_array(np.asarray(a.theme_scores, np.float64).reshape(n, len(a.themes)), pa.float64()),
            "embedding": _list_array(np.asarray(a.vectors, np.float32).reshape(n, -1 if n else 0), pa.float32()),
        })
        self._insert_arrow("sentences", sentences)
        if a.commitments:
            rows = [{"doc_key": a.doc_key, "analysis_fp": analysis_fp, **c.to_dict()} for c in a.commitments]
            self._insert_rows("commitments", rows)
        if a.entities:
            rows = [{"doc_key": a.doc_key, "analysis_fp": analysis_fp, **e.to_dict()} for e in a.entities]
            self._insert_rows("entities", rows)

    def _write_alignment(self, al: Alignment, doc_key: str, doc_id: str, reference_key: str, score_fp: str,
                         run_id: str, seconds: float) -> None:
        key = [doc_key, reference_key, score_fp]
        for table in ("alignments", "theme_alignments"):
            self.con.execute(f"DELETE FROM {table} WHERE doc_key = ? AND reference_key = ? AND score_fp = ?", key)
        self._insert_row("alignments", {
            "doc_key": doc_key, "reference_key": reference_key, "score_fp": score_fp, "doc_id": doc_id,
            "partner": al.partner, "overall": al.overall, "overall_low": al.overall_low,
            "overall_high": al.overall_high, "run_id": run_id, "created_at": _now(), "seconds": seconds,
            "detail": json.dumps(al.to_dict(), ensure_ascii=False, default=_json_default),
        })
        rows = [
            {"doc_key": doc_key, "reference_key": reference_key, "score_fp": score_fp, "doc_id": doc_id,
             "partner": al.partner, **{c: getattr(t, c) for c in _THEME_COLS},
             "evidence": len(t.evidence), "divergences": len(t.divergences)}
            for t in al.themes
        ]
        self._insert_rows("theme_alignments", rows)

    # -- low-level inserts ------------------------------------------------------------------
    def _insert_row(self, table: str, row: Mapping[str, Any]) -> None:
        cols = ", ".join(_q(c) for c in row)
        marks = ", ".join("?" for _ in row)
        self.con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))

    def _insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many rows at once, through Arrow (row-by-row ``executemany`` is ~100x slower in DuckDB);
        a few rows (a no-op rerun's bookkeeping) row by row, which keeps DuckDB's Arrow path, and the
        pandas import it makes, out of the work of deciding that nothing changed."""
        if not rows:
            return
        if len(rows) <= SMALL_INSERT:
            cols = list(rows[0])
            if all(list(r) == cols for r in rows):
                self.con.executemany(
                    f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
                    [[r[c] for c in cols] for r in rows],
                )
                return
        import pyarrow as pa

        try:
            data = pa.Table.from_pylist([dict(r) for r in rows])
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed value types in a column: the slow path
            data = None
        if data is not None:
            self._insert_arrow(table, data)
            return
        cols = list(rows[0])
        self.con.executemany(
            f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [[r[c] for c in cols] for r in rows],
        )

    def _insert_arrow(self, table: str, data: Any) -> None:
        name = f"_arrow_{table}"
        self.con.register(name, data)
        try:
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
        finally:
            self.con.unregister(name)


#: SQL literal of an empty string (the default of text columns added since a store was written).
_EMPTY_TEXT = "''"


def _q(name: str) -> str:
    return f'"{name}"'


def _unlist(column: Any, n: int, dtype: type) -> np.ndarray:
    if n == 0:
        return np.zeros((0, 0), dtype=dtype)
    flat = column.combine_chunks().flatten().to_numpy(zero_copy_only=False).astype(dtype, copy=False)
    return flat.reshape(n, -1).copy()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def _jsonify(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v, sort_keys=True, default=_json_default) if isinstance(v, (dict, list)) else v
            for k, v in fields.items()}
