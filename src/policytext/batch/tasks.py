"""What a worker does with one document: the analyzer recipe, routing, analysis and alignment glue.

:class:`AnalyzerSpec` is the picklable recipe of the analyzer a worker builds
(once per process, :func:`analyzer_for`); :func:`analyse_task` reads one
document, routes it by language and analyses it; :func:`align_partner`
aligns a stored or fresh analysis with the EU reference.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..alignment import AlignConfig, Alignment
from ..errors import PolicytextError
from ..multilingual import ANALYSIS_REVISION
from ..records import Document, DocumentMeta
from ..records import Analysis, document_key
from ..store import document_row

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import Analyzer

__all__ = ["ANALYSIS_REVISION", "AnalyzerSpec", "DocumentMemo", "Source", "TaskResult", "align_partner",
           "analyse_task", "analyzer_for", "digest", "one_blas_thread", "resolve_device", "route", "warm"]

log = logging.getLogger("policytext")


def digest(*parts: str) -> str:
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



@dataclass(frozen=True)
class AnalyzerSpec:
    """A picklable recipe for the :class:`~policytext.pipeline.Analyzer` a worker builds.

    Parameters
    ----------
    embedding_model, spacy_model : model names (resolved offline from installed packages);
        ``embedding_model="static"`` (:data:`policytext.embed.STATIC`) is the fast path: static vectors
        distilled from MiniLM and the theme model trained with them (lower theme F1: see the README).
    theme_model : folder of a theme model; ``None`` for the shipped one.
    commitment_model : folder of a commitment model (``policytext train``); ``None`` for the shipped one.
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
    commitment_model: str | None = None
    device: str = "auto"
    batch_size: int = 64
    threads: int | None = None
    backend: str = "auto"
    precision: str = "auto"

    def __post_init__(self) -> None:
        from ..embed import check_precision
        from ..multilingual import BACKENDS

        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        check_precision(self.precision)

    def resolved(self) -> AnalyzerSpec:
        """This spec with ``precision="auto"`` decided for this machine (``"fp32"`` or ``"bf16"``)."""
        from ..embed import STATIC, resolve_precision

        if self.embedding_model == STATIC:  # table lookups: no precision to choose
            return replace(self, precision="fp32")
        return replace(self, precision=resolve_precision(self.precision, self.device))

    @property
    def backends(self) -> tuple[str, ...]:
        """The backends documents of a run may be routed to."""
        return ("default", "multilingual") if self.backend == "auto" else (self.backend,)

    def describe(self, backend: str = "default") -> dict[str, Any]:
        """Names, versions and checksums of the models and rule data ``backend`` uses; loads no model."""
        from ..multilingual import get_backend

        return get_backend(backend).describe(self)

    def fingerprint(self, backend: str = "default", description: dict[str, Any] | None = None) -> str:
        """SHA-256 of :meth:`describe` without local paths: what stored analyses of ``backend`` are keyed by.

        ``description``: ``describe(backend)`` when the caller has it already (it hashes model files).
        """
        desc = self.describe(backend) if description is None else description
        portable = {k: ({kk: vv for kk, vv in v.items() if kk != "path"} if isinstance(v, dict) else v)
                    for k, v in desc.items()}
        return digest(json.dumps(portable, sort_keys=True))

    def build(self) -> Analyzer:
        """Build the analyzer (models load lazily on first use)."""
        from ..embed import STATIC, Embedder, MultilingualEmbedder, StaticEmbedder, static_theme_model_path
        from ..extract import CommitmentExtractor
        from ..pipeline import Analyzer
        from ..themes import ThemeClassifier

        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        if self.embedding_model == STATIC:
            embedder = DocumentMemo(StaticEmbedder())
            classifier = ThemeClassifier.load(self.theme_model or static_theme_model_path(), embedder=embedder)
        else:
            embedder = DocumentMemo(Embedder(self.embedding_model, batch_size=self.batch_size,
                                              device=resolve_device(self.device), cache=False,
                                              precision=self.precision))
            classifier = ThemeClassifier.load(self.theme_model, embedder=embedder)
        extractor = CommitmentExtractor(self.spacy_model, decider=self.commitment_model or "default")
        return Analyzer(classifier=classifier, extractor=extractor, embedder=embedder,
                        multilingual_embedder=DocumentMemo(MultilingualEmbedder(threads=self.threads or None,
                                                                                 cache=False)))

    def planned_backend(self, meta: DocumentMeta) -> str | None:
        """The backend of a document known from its metadata alone (``None``: decided once it is read)."""
        if self.backend != "auto":
            return self.backend
        from ..ingest.language import base_language

        lang = base_language(meta.language or "")
        return "multilingual" if lang not in ("", "en") else None


class DocumentMemo:
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
def analyzer_for(spec: AnalyzerSpec) -> Analyzer:
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
class TaskResult:
    """A worker's answer: the document's analysis on ``backend`` (``None``: the stored one applies)."""

    doc_id: str
    doc_key: str | None
    document: dict[str, Any] | None = None
    analysis: Analysis | None = None
    backend: str = ""
    seconds: float = 0.0
    error: str = ""
    error_type: str = ""


def _read(source: Source) -> Document:
    from ..ingest import read_document

    if source.data is None:
        return read_document(source.path, doc_id=source.doc_id, meta=source.meta)
    # Shipped bytes (distributed workers need no shared file system).
    with tempfile.TemporaryDirectory(prefix="policytext-") as tmp:
        path = Path(tmp) / f"document{Path(source.path).suffix}"
        path.write_bytes(source.data)
        doc = read_document(path, doc_id=source.doc_id, meta=source.meta)
    return replace(doc, meta=replace(doc.meta, path=source.path))


def _analyse(spec: AnalyzerSpec, doc: Document, backend: str, doc_key: str) -> Analysis:
    analyzer = analyzer_for(spec)
    memos = [m for m in (analyzer.embedder, analyzer.multilingual_embedder) if isinstance(m, DocumentMemo)]
    t0 = time.perf_counter()
    for memo in memos:
        memo.clear()
    try:
        # One BLAS thread: numpy's reductions then add up in the same order in every process
        # (workers of any executor), so theme scores, and the bootstrap seeded from them, match bit
        # for bit.  Torch's own thread pool (the embeddings) is not affected.
        with one_blas_thread():
            a = analyzer.analyze_many([doc], backend=backend)[0]
    finally:
        for memo in memos:
            memo.clear()
        analyzer.clear_cache()  # one document at a time: do not keep results in memory
    return replace(a, doc_key=doc_key, seconds=time.perf_counter() - t0)


def align_partner(eu: Sequence[Analysis], partner: Analysis, label: str, config: AlignConfig,
                  models: dict[str, Any]) -> Alignment:
    """Align one partner analysis with the EU reference's, as :meth:`~policytext.pipeline.Analyzer.align` does."""
    from ..pipeline import align_analyses

    return align_analyses(eu, [partner], partner=label, config=config, models=models)


def analyse_task(spec: AnalyzerSpec, source: Source, backend: str | None = None,
                  stored: frozenset[str] = frozenset()) -> TaskResult:
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
            from ..multilingual import choose_backend

            backend = choose_backend([doc], spec.backend).name
        if backend in stored:
            return TaskResult(source.doc_id, doc_key, backend=backend, seconds=time.perf_counter() - t0)
        return TaskResult(source.doc_id, doc_key, {**document_row(doc), "doc_key": doc_key},
                           _analyse(spec, doc, backend, doc_key), backend=backend,
                           seconds=time.perf_counter() - t0)
    except Exception as e:  # isolation: recorded with the document, the batch goes on
        return TaskResult(source.doc_id, doc_key, seconds=time.perf_counter() - t0, error=str(e),
                           error_type=type(e).__name__)


def route(spec: AnalyzerSpec, source: Source) -> str | None:
    """The backend of ``source``, read here (no model); ``None`` if it cannot be read (its task will say why)."""
    from ..multilingual import choose_backend

    try:
        return choose_backend([_read(source)], spec.backend).name
    except Exception:  # noqa: BLE001 - the document's own task records the error
        return None


def warm(spec: AnalyzerSpec) -> None:
    """Load the default backend's models in a fresh worker process (pool initializer), before its first task.

    A failure is left to the first task, which reports it with the document.
    """
    with contextlib.suppress(Exception):
        analyzer = analyzer_for(spec)
        analyzer.commitment_extractor("en").nlp  # noqa: B018 - loads spaCy
        analyzer.embedder.encode(["warm up"])
        analyzer.embedder.clear()



@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


