"""Executors: where the per-document tasks run (this process, a process pool, a Dask cluster)."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from ..errors import PolicytextError

__all__ = ["EXECUTORS", "DaskExecutor", "Executor", "LocalExecutor", "WorkerLost", "make_executor"]

log = logging.getLogger("policytext")

EXECUTORS = ("local", "dask")


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
        self._warm: Callable[[], None] | None = None
        self._pool: ProcessPoolExecutor | None = None

    def prepare(self, warm: Callable[[], None] | None) -> None:
        """What a pool process runs when it starts, unless an ``initializer`` was given (load the models)."""
        self._warm = warm

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
                                             initializer=self.initializer or self._warm)
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
            import distributed  # noqa: F401  (checked now; the cluster starts when first needed)
        except ImportError as e:
            raise PolicytextError(
                "the dask executor needs dask.distributed: pip install 'policytext[dist]'"
            ) from e
        self.scheduler, self.workers = scheduler, workers
        self._cluster = None
        self._client: Any = None
        self._own_client = not (scheduler is not None and not isinstance(scheduler, str))

    @property
    def client(self) -> Any:
        """The :class:`distributed.Client`, connected (and a local cluster started) on first use, so a run
        with nothing to analyse starts nothing."""
        if self._client is None:
            from distributed import Client, LocalCluster

            if self.scheduler is None:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             dashboard_address=":0")  # any free port: clusters may run side by side
                self._client = Client(self._cluster)
            elif isinstance(self.scheduler, str):
                self._client = Client(self.scheduler)
            else:
                self._client = self.scheduler
        return self._client

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
        if self._own_client and self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(kind: str = "local", *, workers: int = 1, scheduler: str | None = None) -> Executor:
    """The executor the command line names: ``"local"`` (``workers`` processes; 1: this process) or
    ``"dask"`` (a cluster at ``scheduler``, or a local one of ``workers`` processes)."""
    if kind == "local":
        if scheduler:
            raise ValueError("--scheduler needs --executor dask")
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(scheduler, workers=max(workers, 1))
    raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")
# --------------------------------------------------------------------------- planning


