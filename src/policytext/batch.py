"""Batch scoring: many documents against an EU reference, incremental, resumable, parallel.

:func:`score_corpus` scores every document of a corpus folder (or manifest)
against the EU reference and keeps everything in a :class:`~policytext.store.Store`:

incremental
    each document is keyed by ``doc_key`` (SHA-256 of its file's bytes and its
    manifest metadata); analyses by ``(doc_key, analysis_fp)``, where the
    analysis fingerprint names the models and their versions; scores by
    ``(doc_key, reference_key, score_fp)``, where ``score_fp`` adds the
    :class:`~policytext.alignment.AlignConfig`.  A rerun hashes the files, finds
    the results in the store and loads no model; a changed score setting
    re-scores from stored analyses without re-running the models; a changed
    file or model redoes that document.
resumable
    each document's results are committed in one transaction, so a run killed
    at any moment (``kill -9`` too) leaves a consistent store, and a rerun does
    only the documents that are missing.
deterministic
    a document's analysis depends on the document alone: it is analysed on its
    own, with an embedding memo that lives for that document only (no
    text-level cache shared across documents, whose contents would depend on
    processing order).  So results are bit-identical whatever the order,
    batch, worker count, executor or interruption — which matters because the
    bootstrap of :func:`~policytext.alignment.align_units` is seeded from the bytes
    of the vectors.
isolating
    a document that cannot be read or analysed is recorded with its error; the
    batch goes on, and :attr:`BatchResult.exit_code` is 1.  So is a document
    whose worker process dies (:class:`WorkerLost`): the local pool retries the
    documents that were in flight one at a time in a fresh pool, Dask retries
    them on another worker, and one that kills its worker again is recorded as
    failed.  A store write that fails (disk full, read-only) stops the run with
    a :class:`~policytext.store.StoreError`; what was committed stays.
parallel and distributed
    the unit of work is one document (read → route by language → extract →
    embed → theme scores), run by an executor: :class:`LocalExecutor`
    in-process (``workers=1``) or in a pool of worker processes (each loads its
    models when it starts and uses one torch thread), or :class:`DaskExecutor`
    on a Dask cluster.  The EU reference is analysed beside the partners, not
    before them.  Workers return plain records; this process aligns each
    partner with the reference (milliseconds) and is the only one writing to
    the store.
routed by language
    with ``AnalyzerSpec(backend="auto")`` (the default) an English document is
    analysed on the default backend and one that is not English (by its
    manifest ``language``, or as detected once read) on the multilingual
    backend, and aligned with the EU reference analysed on the same backend.
    Each analysis is keyed by its backend's model fingerprint; results carry a
    ``backend`` column.

Why Dask and not Ray: Dask's ``distributed`` is pure Python and
pip-installable (``pip install 'policytext[dist]'``), runs the same code on a
:class:`~distributed.LocalCluster` (what the tests use) and on a real cluster,
and needs no object store or separate runtime; the work here is
coarse-grained (one document per task, seconds each) and needs nothing Ray
adds.

Running on a real cluster
-------------------------
Install the same environment (``pip install 'policytext[all]'`` plus the
model packages) on every machine, then::

    # on the scheduler machine
    dask scheduler --port 8786
    # on each worker machine (one process per core or GPU; models load once per process)
    dask worker tcp://SCHEDULER:8786 --nworkers 4 --nthreads 1
    # anywhere that sees the corpus and the store
    policytext score CORPUS_DIR --eu eu-ids-2025 --store results.duckdb --out results/ \\
        --executor dask --scheduler tcp://SCHEDULER:8786

The driver sends each file's bytes with its task, so workers need no shared
file system; the store stays on the driver's disk.  With GPUs, start one
worker process per GPU (``--nworkers 1`` per GPU, ``CUDA_VISIBLE_DEVICES``
set) and pass ``--device cuda`` (or leave the default ``auto``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .alignment import AlignConfig, Alignment, Unit, align_units
from .errors import ManifestError, PolicytextError
from .records import Document, DocumentMeta
from .store import AnalysisRecord, Store, StoreError, document_key, document_row

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .pipeline import Analyzer

__all__ = [
    "AnalyzerSpec", "Source", "BatchResult", "Executor", "LocalExecutor", "DaskExecutor", "WorkerLost",
    "score_corpus", "resolve_device", "EXECUTORS",
]

log = logging.getLogger("policytext")

EXECUTORS = ("local", "dask")
def _sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def resolve_device(device: str | None) -> str:
    """``"auto"``/``None`` → ``"cuda"`` when torch sees a GPU, else ``"cpu"``; other values pass through."""
    if device in (None, "auto"):
        try:
            import torch
        except ImportError:
            return "cpu"
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda") and not device.startswith(("cuda:", "mps")):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}")
    return device


# --------------------------------------------------------------------------- analyzer recipe

#: Bumped when a change to reading, segmentation or analysis code changes what an analysis holds, so
#: that stored analyses made before are redone (it enters every fingerprint).  2: footnotes and
#: endnotes (PDF small print, HTML notes, paragraphs under a "Notes" heading) are flagged ``is_note``
#: and left out of the alignment and the commitments.  3: a sentence's vector is a function of the sentence
#: alone (one-thread forward passes over equal-length buckets; last bits changed), and whether commitments
#: were extracted is an explicit field.
ANALYSIS_REVISION = 3


@dataclass(frozen=True)
class AnalyzerSpec:
    """A picklable recipe for the :class:`~policytext.pipeline.Analyzer` a worker builds.

    Parameters
    ----------
    embedding_model, spacy_model : model names (resolved offline from installed packages).
    theme_model : folder of a theme model; ``None`` for the shipped one.
    device : ``"auto"`` (GPU when present), ``"cpu"``, ``"cuda"``.
    batch_size : sentences per embedding forward pass.
    threads : torch threads per process (``None``: torch's default).
    backend : ``"auto"`` (each document by its language: English documents on
        the default backend, a document that is not English, or has paragraphs
        that are not, on the multilingual one), ``"default"`` or
        ``"multilingual"`` (every document on that backend); see
        :mod:`policytext.multilingual`.  ``embedding_model`` and
        ``theme_model`` are the default backend's models.
    precision : the default backend's embedding precision: ``"auto"``
        (bfloat16 on a CPU with AMX-BF16, else float32), ``"fp32"`` or
        ``"bf16"`` (see :mod:`policytext.embed`).  :func:`score_corpus` resolves
        ``"auto"`` once, where the run starts (:meth:`resolved`), so every worker
        of a run uses the same precision.

    The models, and a precision other than float32, enter the fingerprint
    (:meth:`describe`).  Device, batch size and threads change the vectors
    only in float rounding (batch size 16 against 64: 1.4e-7 at most,
    measured), not the results, so they do not.
    """

    embedding_model: str = "all-MiniLM-L6-v2"
    spacy_model: str = "en_core_web_sm"
    theme_model: str | None = None
    device: str = "auto"
    batch_size: int = 64
    threads: int | None = None
    backend: str = "auto"
    precision: str = "auto"

    def __post_init__(self) -> None:
        from .embed import check_precision
        from .multilingual import BACKENDS

        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        check_precision(self.precision)

    def resolved(self) -> AnalyzerSpec:
        """This spec with ``precision="auto"`` decided for this machine (``"fp32"`` or ``"bf16"``)."""
        from .embed import resolve_precision

        return replace(self, precision=resolve_precision(self.precision, self.device))

    @property
    def backends(self) -> tuple[str, ...]:
        """The backends documents of a run may be routed to."""
        return ("default", "multilingual") if self.backend == "auto" else (self.backend,)

    def describe(self, backend: str = "default") -> dict[str, Any]:
        """Names, versions and checksums of the models and rule data ``backend`` uses; loads no model."""
        from . import __version__
        from .models import resolve_sentence_model, resolve_spacy_model

        pkg = Path(__file__).parent
        patterns = _files_sha(sorted((pkg / "extract" / "patterns").glob("*.jsonl")))
        if backend == "default":
            theme_dir = Path(self.theme_model) if self.theme_model else pkg / "data" / "theme_model"
            precision = self.resolved().precision
            return {
                "embedding": resolve_sentence_model(self.embedding_model, verify=False).to_dict(),
                # float32 adds nothing, so stores written before precision was an option keep their keys
                **({"embedding_precision": precision} if precision != "fp32" else {}),
                "spacy": resolve_spacy_model(self.spacy_model).to_dict(),
                "themes": {"path": str(theme_dir), "sha256": _files_sha(sorted(theme_dir.glob("*")))},
                "taxonomy_sha256": _files_sha([pkg / "data" / "taxonomy.yaml"]),
                "patterns_sha256": patterns,
                "policytext": __version__,
                "analysis_revision": ANALYSIS_REVISION,
            }
        if backend != "multilingual":
            raise ValueError(f"backend must be 'default' or 'multilingual', got {backend!r}")
        from .embed import resolve_use_model
        from .multilingual import multilingual_model_path

        theme_dir = multilingual_model_path()
        return {
            "backend": "multilingual",
            "embedding": resolve_use_model().to_dict(),
            "spacy": resolve_spacy_model(self.spacy_model).to_dict(),
            "spacy_fr": _optional_spacy("fr_core_news_sm"),
            "themes": {"path": str(theme_dir), "sha256": _files_sha(sorted(theme_dir.glob("*")))},
            "taxonomy_sha256": _files_sha([pkg / "data" / "taxonomy.yaml", pkg / "data" / "cues_multilingual.yaml"]),
            "patterns_sha256": patterns,
            "french_rules_sha256": _files_sha([pkg / "extract" / "french.py"]),
            "policytext": __version__,
            "analysis_revision": ANALYSIS_REVISION,
        }

    def fingerprint(self, backend: str = "default") -> str:
        """SHA-256 of :meth:`describe` without local paths: what stored analyses of ``backend`` are keyed by."""
        desc = self.describe(backend)
        portable = {k: ({kk: vv for kk, vv in v.items() if kk != "path"} if isinstance(v, dict) else v)
                    for k, v in desc.items()}
        return _sha(json.dumps(portable, sort_keys=True))

    def build(self) -> Analyzer:
        """Build the analyzer (models load lazily on first use)."""
        from .embed import Embedder, MultilingualEmbedder
        from .extract import CommitmentExtractor
        from .pipeline import Analyzer
        from .themes import ThemeClassifier

        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        embedder = _DocumentMemo(Embedder(self.embedding_model, batch_size=self.batch_size,
                                          device=resolve_device(self.device), cache=False,
                                          precision=self.precision))
        classifier = ThemeClassifier.load(self.theme_model, embedder=embedder)
        return Analyzer(classifier=classifier, extractor=CommitmentExtractor(self.spacy_model), embedder=embedder,
                        multilingual_embedder=_DocumentMemo(MultilingualEmbedder(threads=self.threads or None,
                                                                                 cache=False)))

    def planned_backend(self, meta: DocumentMeta) -> str | None:
        """The backend of a document known from its metadata alone (``None``: decided once it is read)."""
        if self.backend != "auto":
            return self.backend
        from .ingest.language import base_language

        lang = base_language(meta.language or "")
        return "multilingual" if lang not in ("", "en") else None


def _optional_spacy(name: str) -> dict[str, str]:
    from .models import resolve_spacy_model

    try:
        return resolve_spacy_model(name).to_dict()
    except PolicytextError as e:  # the French rules fall back to a blank pipeline: recorded as such
        return {"name": name, "missing": str(e)}


def _files_sha(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


class _DocumentMemo:
    """An embedder wrapper that remembers vectors for the current document only.

    The analyzer embeds a document's sentences, then the theme classifier asks
    for them again (with the contexts): the memo answers the repeats, and is
    cleared before the next document so that no result depends on what was
    embedded before.
    """

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self._memo: dict[str, np.ndarray] = {}

    def __getattr__(self, name: str) -> Any:
        if name in ("embedder", "_memo"):
            raise AttributeError(name)
        return getattr(self.embedder, name)

    def clear(self) -> None:
        self._memo.clear()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if todo:
            self._memo.update(zip(todo, self.embedder.encode(todo)))
        if not texts:
            return self.embedder.encode([])
        return np.stack([self._memo[t] for t in texts])


@lru_cache(maxsize=4)
def _analyzer(spec: AnalyzerSpec) -> Analyzer:
    """One analyzer per spec per process (workers keep their models between tasks)."""
    return spec.build()


# --------------------------------------------------------------------------- sources and tasks


@dataclass(frozen=True)
class Source:
    """A document to score: where it is, its manifest metadata and its key (read, not yet parsed)."""

    doc_id: str
    path: str
    meta: DocumentMeta
    doc_key: str = ""
    data: bytes | None = None
    error: str = ""
    error_type: str = ""


@dataclass(frozen=True)
class _TaskResult:
    """A worker's answer: the document's analysis on ``backend`` (``None``: the stored one applies)."""

    doc_id: str
    doc_key: str | None
    document: dict[str, Any] | None = None
    analysis: AnalysisRecord | None = None
    backend: str = ""
    seconds: float = 0.0
    error: str = ""
    error_type: str = ""


def _read(source: Source) -> Document:
    from .ingest import read_document

    if source.data is None:
        return read_document(source.path, doc_id=source.doc_id, meta=source.meta)
    # Shipped bytes (distributed workers need no shared file system).
    with tempfile.TemporaryDirectory(prefix="policytext-") as tmp:
        path = Path(tmp) / f"document{Path(source.path).suffix}"
        path.write_bytes(source.data)
        doc = read_document(path, doc_id=source.doc_id, meta=source.meta)
    return replace(doc, meta=replace(doc.meta, path=source.path))


def _analyse(spec: AnalyzerSpec, doc: Document, backend: str, doc_key: str) -> AnalysisRecord:
    analyzer = _analyzer(spec)
    memos = [m for m in (analyzer.embedder, analyzer.multilingual_embedder) if isinstance(m, _DocumentMemo)]
    t0 = time.perf_counter()
    for memo in memos:
        memo.clear()
    try:
        # One BLAS thread: numpy's reductions then add up in the same order in every process
        # (workers of any executor), so theme scores, and the bootstrap seeded from them, match bit
        # for bit.  Torch's own thread pool (the embeddings) is not affected.
        with _one_blas_thread():
            a = analyzer.analyze_many([doc], backend=backend)[0]
    finally:
        for memo in memos:
            memo.clear()
        analyzer.clear_cache()  # one document at a time: do not keep results in memory
    return AnalysisRecord(
        doc_key=doc_key, doc_id=doc.doc_id, units=a.units,
        vectors=np.asarray(a.vectors, np.float32).reshape(len(a.units), -1),
        theme_scores=np.asarray(a.theme_scores, np.float64), themes=a.themes,
        thresholds=np.asarray(a.thresholds, np.float64), commitments=a.commitments, entities=a.entities,
        notes=a.notes, seconds=time.perf_counter() - t0, commitments_extracted=a.commitments_extracted,
    )


def _align(eu: Sequence[AnalysisRecord], partner: AnalysisRecord, label: str, config: AlignConfig,
           models: dict[str, Any]) -> Alignment:
    def cat(items: Sequence[AnalysisRecord], name: str, width: int) -> np.ndarray:
        arrays = [getattr(a, name) for a in items if len(a.units)]
        return np.concatenate(arrays) if arrays else np.zeros((0, width))

    units: list[Unit] = [u for a in eu for u in a.units]
    ntheme = len(eu[0].themes)
    return align_units(
        units, cat(eu, "vectors", 0), cat(eu, "theme_scores", ntheme),
        list(partner.units), partner.vectors, partner.theme_scores, eu[0].themes,
        thresholds=eu[0].thresholds, partner=label, config=config, models=models,
        partner_commitments_known=partner.commitments_extracted,
    )


def _analyse_task(spec: AnalyzerSpec, source: Source, backend: str | None = None,
                  stored: frozenset[str] = frozenset()) -> _TaskResult:
    """The unit of work: read → route → analyse, one document.

    ``backend`` is the document's backend when known beforehand, ``None`` to
    decide it from the document once read
    (:func:`~policytext.multilingual.choose_backend`).  ``stored`` names the
    backends the store already holds an analysis of this document for: on one
    of those the task only reads (to learn the language) and returns no
    analysis.  Aligning with the EU reference is the driver's job (cheap, and
    it needs the reference, which may still be analysed in another worker).
    Errors are returned, not raised, so one bad document never stops a batch.
    """
    t0 = time.perf_counter()
    doc_key: str | None = source.doc_key or None
    try:
        if source.error:
            raise PolicytextError(source.error)
        doc = _read(source)
        # Keyed as planned (file bytes + manifest metadata), not by the metadata reading fills in
        # (a title from the heading, the detected language): so a rerun finds it without reading.
        doc_key = doc_key or document_key(doc.meta)
        if backend is None:
            from .multilingual import choose_backend

            backend = choose_backend([doc], spec.backend)
        if backend in stored:
            return _TaskResult(source.doc_id, doc_key, backend=backend, seconds=time.perf_counter() - t0)
        return _TaskResult(source.doc_id, doc_key, {**document_row(doc), "doc_key": doc_key},
                           _analyse(spec, doc, backend, doc_key), backend=backend,
                           seconds=time.perf_counter() - t0)
    except Exception as e:  # isolation: recorded with the document, the batch goes on
        return _TaskResult(source.doc_id, doc_key, seconds=time.perf_counter() - t0, error=str(e),
                           error_type=type(e).__name__)


def _route(spec: AnalyzerSpec, source: Source) -> str | None:
    """The backend of ``source``, read here (no model); ``None`` if it cannot be read (its task will say why)."""
    from .multilingual import choose_backend

    try:
        return choose_backend([_read(source)], spec.backend)
    except Exception:  # noqa: BLE001 - the document's own task records the error
        return None


def _warm(spec: AnalyzerSpec) -> None:
    """Load the default backend's models in a fresh worker process (pool initializer), before its first task.

    A failure is left to the first task, which reports it with the document.
    """
    with contextlib.suppress(Exception):
        analyzer = _analyzer(spec)
        analyzer.commitment_extractor("en").nlp  # noqa: B018 - loads spaCy
        analyzer.embedder.encode(["warm up"])
        analyzer.embedder.clear()


# --------------------------------------------------------------------------- executors


class WorkerLost(PolicytextError):
    """The process running a task died (killed, out of memory, crashed) before returning a result.

    Executors yield it in place of the task's result; the batch records the
    document as failed and goes on, and a rerun tries the document again.
    """


class Executor(Protocol):
    """Runs tasks and yields ``(index, result)`` as they complete.

    A task whose worker process died yields ``(index, WorkerLost(...))`` instead
    of raising, so that the other tasks go on.
    """

    name: str
    ships_data: bool

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]],
            shared: dict[str, Any]) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """Run tasks in this process (``workers=1``) or in a pool of ``workers`` processes.

    Each pool process loads its own models once and uses one torch thread, so
    ``workers`` should not exceed the cores (or the memory: ~1 GB each).
    """

    name = "local"
    ships_data = False

    def __init__(self, workers: int = 1, *, initializer: Callable[[], None] | None = None) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.initializer = initializer  # run once in each pool process (e.g. load the models)
        self._pool: ProcessPoolExecutor | None = None

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]],
            shared: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        if self.workers == 1 or len(tasks) <= 1:
            for i, args in enumerate(tasks):
                yield i, fn(*args, **shared)
            return
        yield from self._run_pool(fn, tasks, shared)

    def _run_pool(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]],
                  shared: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        """Run in the pool, at most ``2 × workers`` tasks in flight; survive a worker process dying.

        When a worker dies the pool breaks and every task in flight is lost.
        Those tasks (the suspects) are retried one at a time in a fresh pool:
        a task that kills its worker again, alone, is yielded as
        :class:`WorkerLost`; the others complete.  Then the rest go on in parallel.
        """
        pending = deque(range(len(tasks)))
        suspects: deque[int] = deque()
        while pending or suspects:
            pool = self._ensure_pool()
            if suspects:
                i = suspects.popleft()
                try:
                    result = pool.submit(fn, *tasks[i], **shared).result()
                except BrokenProcessPool as e:
                    self._discard_pool()
                    yield i, WorkerLost(f"the worker process died while processing this document, twice ({e}); "
                                        "recorded as failed, a rerun tries it again")
                    continue
                yield i, result
                continue
            inflight: dict[Future[Any], int] = {}
            broken = False
            while (pending or inflight) and not broken:
                while pending and len(inflight) < 2 * self.workers:
                    i = pending.popleft()
                    try:
                        inflight[pool.submit(fn, *tasks[i], **shared)] = i
                    except BrokenProcessPool:
                        pending.appendleft(i)
                        broken = True
                        break
                if not inflight:
                    break
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=inflight.__getitem__):
                    i = inflight.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        suspects.append(i)
                        broken = True
                        continue
                    yield i, result
            if broken:
                log.warning("a worker process died; retrying the %d document(s) it may have been processing, "
                            "one at a time", len(suspects) + len(inflight))
                suspects.extend(sorted(inflight.values()))
                self._discard_pool()

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing as mp

            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"),
                                             initializer=self.initializer)
        return self._pool

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Run tasks on a Dask distributed cluster (``pip install 'policytext[dist]'``).

    Parameters
    ----------
    scheduler : address of a running scheduler (``tcp://host:8786``), or a
        :class:`distributed.Client`; ``None`` starts a :class:`~distributed.LocalCluster`
        of ``workers`` processes with one thread each.
    workers : worker processes of the local cluster.
    """

    name = "dask"
    ships_data = True

    def __init__(self, scheduler: Any = None, *, workers: int = 2) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:
            raise PolicytextError(
                "the dask executor needs dask.distributed: pip install 'policytext[dist]'"
            ) from e
        self._cluster = None
        self._own_client = True
        if scheduler is None:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address=":0")  # any free port: clusters may run side by side
            self.client = Client(self._cluster)
        elif isinstance(scheduler, str):
            self.client = Client(scheduler)
        else:
            self.client, self._own_client = scheduler, False

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]],
            shared: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed as dask_completed

        if not tasks:
            return
        scattered = {k: self.client.scatter(v, broadcast=True) if v is not None else None
                     for k, v in shared.items()}
        futures = [self.client.submit(fn, *args, **scattered, pure=False) for args in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in dask_completed(futures):
            try:
                result = fut.result()
            except Exception as e:  # the task itself never raises: its worker died (KilledWorker) or was lost
                result = WorkerLost(f"the Dask worker running this document died or was lost "
                                    f"({type(e).__name__}: {e}); recorded as failed, a rerun tries it again")
            yield index[fut.key], result
            fut.release()

    def close(self) -> None:
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _make_executor(executor: str | Executor, workers: int, scheduler: str | None,
                   warm: Callable[[], None] | None = None) -> tuple[Executor, bool]:
    if not isinstance(executor, str):
        return executor, False
    if executor == "local":
        if scheduler:
            raise ValueError("--scheduler needs --executor dask")
        return LocalExecutor(workers, initializer=warm), True
    if executor == "dask":
        return DaskExecutor(scheduler, workers=max(workers, 1)), True
    raise ValueError(f"executor must be one of {', '.join(EXECUTORS)} (or an Executor), got {executor!r}")


# --------------------------------------------------------------------------- planning


def _plan(corpus: Path, manifest: str | None) -> list[Source]:
    """Every document of the corpus with its key, without parsing any file (hashing only).

    The corpus is planned as :func:`~policytext.ingest.load_corpus` plans it: the same documents,
    ids and refusals (links out of the folder, paths outside it), with the same messages.
    """
    from .ingest import plan_corpus

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
class BatchResult:
    """What a batch run did, and its results (read from the store).

    Attributes
    ----------
    scores : one row per document × theme (score, low, high, coverage, ..., backend).
    summary : one row per document: overall, interval, status (``ok``/``failed``), error, action,
        backend, language.
    counts : ``documents``, ``analysed``, ``scored``, ``skipped``, ``failed``.
    files : the output files written.
    """

    run_id: str
    store: str
    scores: pd.DataFrame
    summary: pd.DataFrame
    counts: dict[str, int]
    seconds: float
    files: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

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
    workers: int = 1,
    executor: str | Executor = "local",
    scheduler: str | None = None,
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
    workers : worker processes (local executor) or local-cluster workers (dask without a scheduler).
    executor : ``"local"``, ``"dask"``, or an :class:`Executor`.
    scheduler : address of a Dask scheduler (with ``executor="dask"``).
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
    fps = {b: spec.fingerprint(b) for b in backends}
    # The run's keys cover every backend a document may be routed to (the route is a function of the
    # document and spec.backend), so a score is found again whichever backend its document took.
    analysis_fp = fps["default"] if backends == ("default",) else _sha(*(f"{b}:{fps[b]}" for b in backends))
    reference_key = _sha(analysis_fp, *sorted(r.doc_key for r in refs))
    settings = {"align": config.to_dict(), "backend": spec.backend}
    score_fp = _sha(analysis_fp, json.dumps(settings, sort_keys=True))

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
            executor=executor if isinstance(executor, str) else getattr(executor, "name", type(executor).__name__),
            workers=workers, device=spec.device, n_documents=len(partners),
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
            pool = (executor == "local" and workers > 1) or (isinstance(executor, LocalExecutor) and executor.workers > 1)
            if pool and spec.threads is None:
                spec = replace(spec, threads=1)  # one torch thread per worker process
            eu_records: dict[str, list[AnalysisRecord]] = {
                b: [db.load_analysis(r.doc_key, fps[b]) for r in refs]
                for b in backends if all(r.doc_key in analysed[b] for r in refs)
            }
            planned = {s.doc_id: spec.planned_backend(s.meta) for s in todo}
            for s in todo:  # stored, route unknown: read here (no model) to learn which analysis applies
                if planned[s.doc_id] is None and any(s.doc_key in analysed[b] for b in backends):
                    planned[s.doc_id] = _route(spec, s)
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
                    batch.partner(s, _TaskResult(s.doc_id, s.doc_key, backend=planned[s.doc_id]))
                    advance(batch.flush())
                if work or wanted:
                    # Workers load the default models when they start, unless no document can need them.
                    warm = partial(_warm, spec) if any(planned[s.doc_id] in (None, "default") for s in work) else None
                    runner, own_executor = _make_executor(executor, workers, scheduler, warm=warm)
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
                    for i, res in runner.run(_analyse_task, tasks, {}):
                        source, ref_backend = jobs[i]
                        res = _as_result(res, source)
                        if ref_backend is not None:
                            batch.reference(source, ref_backend, res)
                        else:
                            batch.partner(source, res)
                        advance(batch.flush())
                    # 3. documents found not to be English once read (``auto``): the multilingual reference.
                    if batch.waiting:
                        backend = "multilingual"
                        batch.requested.add(backend)
                        tasks = [(spec, shipped(r), backend) for r in refs]
                        for i, res in runner.run(_analyse_task, tasks, {}):
                            batch.reference(refs[i], backend, _as_result(res, refs[i]))
                        advance(batch.flush())
        seconds = time.perf_counter() - t_start
        db.finish_run(run_id, status="finished", n_analysed=counts["analysed"], n_scored=counts["scored"],
                      n_skipped=counts["skipped"], n_failed=counts["failed"], seconds=seconds)
        scores, summary = _results(db, run_id, reference_key, score_fp)
        files = _write_outputs(db, scores, summary, Path(out)) if out is not None else ()
        return BatchResult(run_id=run_id, store=db.path, scores=scores, summary=summary, counts=counts,
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
                 eu: dict[str, list[AnalysisRecord]], counts: dict[str, int], *, requested: Sequence[str]) -> None:
        self.db, self.run_id, self.refs, self.fps, self.models = db, run_id, refs, fps, models
        self.config, self.reference_key, self.score_fp, self.counts = config, reference_key, score_fp, counts
        self.eu = dict(eu)
        self.requested = set(requested)  # backends whose reference is being analysed
        self._partial: dict[str, dict[str, AnalysisRecord]] = {}
        self.held: list[tuple[Source, _TaskResult]] = []  # waiting in memory for a reference in progress
        self.waiting: list[tuple[Source, _TaskResult]] = []  # stored as pending: reference not requested yet
        self._pending: set[str] = set()  # doc ids analysed in this run and stored as pending
        self._done = 0

    def reference(self, source: Source, backend: str, res: _TaskResult) -> None:
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

    def partner(self, source: Source, res: _TaskResult) -> None:
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
        with _one_blas_thread():
            alignment = _align(self.eu[backend], analysis, label, self.config, self.models[backend])
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


def _label(source: Source, res: _TaskResult) -> str:
    """The partner's name in results: the document row's partner, the manifest's, or the id."""
    doc = res.document or {}
    return doc.get("partner") or source.meta.partner or source.doc_id


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _as_result(res: _TaskResult | BaseException, source: Source) -> _TaskResult:
    """An executor's answer as a task result: a lost worker becomes a failure of that document."""
    if isinstance(res, BaseException):
        return _TaskResult(source.doc_id, source.doc_key or None, error=str(res), error_type=type(res).__name__)
    return res


_SCORE_COLS = ["theme", "score", "low", "high", "eu_coverage", "partner_coverage", "eu_sentences",
               "partner_sentences", "eu_commitments", "partner_commitments", "agreement", "parity",
               "divergence", "matched", "evidence", "divergences"]


_BACKEND = "coalesce(json_extract_string(a.detail, '$.models.backend'), 'default')"


def _results(db: Store, run_id: str, reference_key: str, score_fp: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = ", ".join(f't."{c}"' for c in _SCORE_COLS)
    scores = db.sql(
        f"SELECT i.doc_id, t.partner, {cols}, {_BACKEND} AS backend, i.doc_key FROM run_items i "
        "JOIN theme_alignments t ON t.doc_key = i.doc_key AND t.reference_key = ? AND t.score_fp = ? "
        "JOIN alignments a ON a.doc_key = i.doc_key AND a.reference_key = ? AND a.score_fp = ? "
        "WHERE i.run_id = ? AND i.role = 'partner' AND i.status <> 'failed' ORDER BY i.doc_id, t.theme",
        [reference_key, score_fp, reference_key, score_fp, run_id],
    )
    summary = db.sql(
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
    return scores, summary


#: The result files ``score_corpus(out=...)`` writes.
OUTPUT_FILES = ("scores.parquet", "scores.csv", "summary.parquet", "summary.csv")


def _write_outputs(db: Store, scores: pd.DataFrame, summary: pd.DataFrame, out: Path) -> tuple[str, ...]:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, frame in (("scores", scores), ("summary", summary)):
        db.con.register(f"_out_{name}", frame)
        try:
            for fmt in ("parquet", "csv"):
                files.append(str(db.copy_to(f"SELECT * FROM _out_{name}", out / f"{name}.{fmt}", fmt=fmt)))
        finally:
            db.con.unregister(f"_out_{name}")
    return tuple(files)
