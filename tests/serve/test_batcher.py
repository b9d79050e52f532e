"""The batcher on its own: requests batched across clients, bounds held, order kept."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from transkit.data import Segment
from transkit.serve.batcher import Batcher, Job, QueueFull


def _job(key: str, n: int, tokens: int = 10) -> Job:
    return Job(key, [Segment(id=str(n), source=f"s{n}")], tokens, payload=n)


def _worker(calls: list, delay: float = 0.05):
    def work(engine, key, jobs):
        calls.append((engine, key, [j.payload for j in jobs], threading.current_thread().name))
        time.sleep(delay)
        return [f"{key}:{j.payload}" for j in jobs]

    return work


def test_concurrent_requests_share_batches_and_get_their_own_answers() -> None:
    calls: list = []

    async def main() -> list:
        batcher = Batcher({"de-en": ["engine"]}, _worker(calls), window=0.01, max_tokens=1000)
        batcher.start()
        try:
            return await asyncio.gather(*(batcher.submit(_job("de-en", n)) for n in range(40)))
        finally:
            await batcher.stop()

    answers = asyncio.run(main())
    assert answers == [f"de-en:{n}" for n in range(40)]
    assert len(calls) < 10  # 40 requests in a few batches, not 40
    assert all(name.startswith("replica-") for *_, name in calls)  # off the event loop


def test_token_bound_and_kinds_are_respected() -> None:
    calls: list = []

    async def main() -> None:
        batcher = Batcher({"a": ["e"], "b": ["e"]}, _worker(calls, 0.0), window=0.02, max_tokens=25)
        batcher.start()
        try:
            jobs = [_job("a" if n % 2 else "b", n, tokens=10) for n in range(10)]
            await asyncio.gather(*(batcher.submit(j) for j in jobs))
        finally:
            await batcher.stop()

    asyncio.run(main())
    for _, key, payloads, _ in calls:
        assert len(payloads) <= 2  # 2 x 10 tokens fit in 25, 3 do not
        assert all((p % 2 == 1) == (key == "a") for p in payloads)  # one kind per batch


def test_full_queue_refuses_at_once() -> None:
    async def main() -> None:
        batcher = Batcher({"p": ["e"]}, _worker([], 0.2), window=0.0, max_queue=2)
        batcher.start()
        try:
            first = asyncio.ensure_future(batcher.submit(_job("p", 0)))
            await asyncio.sleep(0.05)  # the first is being worked on
            waiting = [asyncio.ensure_future(batcher.submit(_job("p", n))) for n in (1, 2)]
            await asyncio.sleep(0)
            with pytest.raises(QueueFull):
                await batcher.submit(_job("p", 3))
            assert await first == "p:0"
            assert await asyncio.gather(*waiting) == ["p:1", "p:2"]
        finally:
            await batcher.stop()

    asyncio.run(main())


def test_two_replicas_work_at_once() -> None:
    calls: list = []

    async def main() -> None:
        batcher = Batcher({"p": ["e0", "e1"]}, _worker(calls, 0.2), window=0.0, max_tokens=10)
        batcher.start()
        try:
            started = time.perf_counter()
            await asyncio.gather(*(batcher.submit(_job("p", n, tokens=10)) for n in range(2)))
            return time.perf_counter() - started
        finally:
            await batcher.stop()

    elapsed = asyncio.run(main())
    assert {engine for engine, *_ in calls} == {"e0", "e1"}
    assert elapsed < 0.38  # in parallel, not 2 x 0.2 s one after the other


def test_a_lone_request_is_not_held_by_the_window() -> None:
    """Nothing else in flight: no one to wait for, so the window is skipped."""
    calls: list = []

    async def main() -> tuple[float, float]:
        batcher = Batcher({"de-en": ["engine"]}, _worker(calls, 0.0), window=0.5, max_tokens=1000)
        batcher.start()
        try:
            started = time.perf_counter()
            await batcher.submit(_job("de-en", 1))
            alone = time.perf_counter() - started
            # while a batch runs, a newcomer waits the window for company
            slow = Batcher({"de-en": ["a", "b"]}, _worker(calls, 0.3), window=0.2, max_tokens=1000)
            slow.start()
            try:
                first = asyncio.ensure_future(slow.submit(_job("de-en", 2)))
                await asyncio.sleep(0.05)
                started = time.perf_counter()
                await slow.submit(_job("de-en", 3))
                company = time.perf_counter() - started
                await first
            finally:
                await slow.stop()
            return alone, company
        finally:
            await batcher.stop()

    alone, company = asyncio.run(main())
    assert alone < 0.25  # not the 0.5 s window
    assert company >= 0.2 + 0.3 - 0.05  # waited for company, on the free replica
