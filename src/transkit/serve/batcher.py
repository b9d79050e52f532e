"""Dynamic batching: requests from all clients translated together.

Every request's segments wait in one bounded queue.  A collector on the
event loop takes the oldest job, waits for a free model replica of its
language pair and then, while other batches are being served (so more
requests are on their way), at most ``window`` seconds more, and hands every
queued job of the same kind (pair and glossary) that fits in ``max_tokens``
source tokens to that replica's thread as one batch.  The thread runs the
pipeline's batch step (`transkit.batch.translate_segments`, translation and
term enforcement in one) and the results go back to each job's future.
While a replica works the queue fills, so under load batches grow by
themselves; a request that comes alone is decoded at once.

A full queue refuses a job at once (`QueueFull`, answered 503 with
``Retry-After``) rather than letting memory grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from transkit.data import Segment
from transkit.serve.logs import REQUEST_ID

__all__ = ["Batcher", "Job", "QueueFull"]

log = logging.getLogger("transkit.serve")


class QueueFull(Exception):
    """The queue holds as many jobs as it may; try again shortly."""


@dataclass
class Job:
    """One request's segments of one kind, and the future its answer goes to."""

    key: Hashable  # (pair, glossary id): jobs of one key share a batch
    segments: list[Segment]
    tokens: int
    alternatives: int = 0  # extra hypotheses wanted per segment
    payload: Any = None  # what the worker needs to finish the job
    future: asyncio.Future[Any] | None = None
    queued: float = field(default_factory=time.perf_counter)
    request_id: str = "-"  # for the log lines the batch writes


#: Runs one batch in a replica's thread: (replica, key, jobs) -> one result per job.
Worker = Callable[[Any, Hashable, Sequence[Job]], list[Any]]


class Batcher:
    """One queue, a collector task, and per-pair replica threads."""

    def __init__(
        self,
        replicas: dict[Hashable, list[Any]],
        worker: Worker,
        *,
        window: float = 0.005,
        max_tokens: int = 2048,
        max_queue: int = 256,
        pair_of: Callable[[Hashable], Hashable] = lambda key: key,
    ) -> None:
        self._replicas = replicas  # pair -> engines (one per replica)
        self._worker = worker
        self._window = window
        self._max_tokens = max_tokens
        self._max_queue = max_queue
        self._pair_of = pair_of
        self._pending: deque[Job] = deque()
        self._wake: asyncio.Event | None = None
        self._free: dict[Hashable, asyncio.Queue[int]] = {}
        self._threads: dict[tuple[Hashable, int], ThreadPoolExecutor] = {}
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Future[Any]] = set()
        self.batches = 0
        self.batched_jobs = 0

    # ------------------------------------------------------------------ life
    def start(self) -> None:
        """Start the collector (on the running event loop)."""
        self._wake = asyncio.Event()
        for pair, engines in self._replicas.items():
            free: asyncio.Queue[int] = asyncio.Queue()
            for i in range(len(engines)):
                free.put_nowait(i)
                self._threads[(pair, i)] = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix=f"replica-{i}"
                )
            self._free[pair] = free
        self._task = asyncio.get_running_loop().create_task(self._collect())

    async def stop(self) -> None:
        """Finish the batches in flight, fail what still waits, stop the threads."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._running:
            await asyncio.wait(self._running, timeout=1)  # SIGTERM: exit within 10 s
        while self._pending:
            job = self._pending.popleft()
            if job.future is not None and not job.future.done():
                job.future.set_exception(QueueFull("server is shutting down"))
        for pool in self._threads.values():
            pool.shutdown(wait=False, cancel_futures=True)

    @property
    def queued(self) -> int:
        return len(self._pending)

    # ------------------------------------------------------------------ use
    async def submit(self, job: Job) -> Any:
        """Queue ``job`` and wait for its result; `QueueFull` when there is no room."""
        if len(self._pending) >= self._max_queue:
            raise QueueFull(f"the translation queue is full ({self._max_queue} requests waiting)")
        if self._pair_of(job.key) not in self._replicas:
            raise KeyError(job.key)
        job.request_id = REQUEST_ID.get()
        job.future = asyncio.get_running_loop().create_future()
        self._pending.append(job)
        assert self._wake is not None
        self._wake.set()
        return await job.future

    # ------------------------------------------------------------------ inside
    async def _collect(self) -> None:
        assert self._wake is not None
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            head = self._pending[0]
            pair = self._pair_of(head.key)
            replica = await self._free[pair].get()
            # Wait for company only when others are being served: then more
            # requests are on their way.  A lone request goes at once.
            wait = self._window - (time.perf_counter() - head.queued)
            if wait > 0 and self._running and self._tokens_of(head.key) < self._max_tokens:
                await asyncio.sleep(wait)
            jobs = self._take(head.key)
            if not jobs:
                self._free[pair].put_nowait(replica)
                continue
            self.batches += 1
            self.batched_jobs += len(jobs)
            loop = asyncio.get_running_loop()
            engine = self._replicas[pair][replica]
            # Log lines written while the batch runs carry the ids of its requests.
            context = contextvars.copy_context()
            context.run(REQUEST_ID.set, ",".join(job.request_id for job in jobs))
            done = loop.run_in_executor(
                self._threads[(pair, replica)], context.run, self._worker, engine, head.key, jobs
            )
            self._running.add(done)
            done.add_done_callback(
                lambda fut, jobs=jobs, pair=pair, replica=replica: self._finish(
                    fut, jobs, pair, replica
                )
            )

    def _tokens_of(self, key: Hashable) -> int:
        return sum(job.tokens for job in self._pending if job.key == key)

    def _take(self, key: Hashable) -> list[Job]:
        """The oldest jobs of ``key`` that fit the token bound (at least one); drop cancelled."""
        taken: list[Job] = []
        kept: deque[Job] = deque()
        tokens = 0
        while self._pending:
            job = self._pending.popleft()
            if job.future is not None and job.future.done():
                continue  # its client went away
            if job.key == key and (not taken or tokens + job.tokens <= self._max_tokens):
                taken.append(job)
                tokens += job.tokens
            else:
                kept.append(job)
        self._pending = kept
        return taken

    def _finish(self, fut: asyncio.Future[Any], jobs: list[Job], pair: Hashable, replica: int):
        self._running.discard(fut)
        self._free[pair].put_nowait(replica)
        error = fut.exception() if not fut.cancelled() else asyncio.CancelledError()
        results = None if error else fut.result()
        if error:
            ids = ",".join(job.request_id for job in jobs)
            log.error("batch of requests [%s] failed: %r", ids, error)
        for k, job in enumerate(jobs):
            if job.future is None or job.future.done():
                continue
            if error:
                job.future.set_exception(error)
            else:
                assert results is not None
                job.future.set_result(results[k])
