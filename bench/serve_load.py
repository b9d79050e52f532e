"""The load side of `bench/serve.py`: concurrent clients, latencies, raw-socket faults.

Every loop is bounded (a request count or a deadline), every client has a
timeout, and everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "LoadResult",
    "percentile",
    "run_load",
    "disconnect_mid_request",
    "raw_request",
]


@dataclass
class LoadResult:
    """What one load phase measured."""

    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    bad_bodies: int = 0  # 200 answers without a usable translatedText

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0) - self.bad_bodies

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    def unexpected(self, allowed: Sequence[int] = (200,)) -> int:
        """Requests that got neither an allowed status nor a usable body."""
        other = sum(n for s, n in self.statuses.items() if s not in allowed)
        return other + sum(self.errors.values()) + self.bad_bodies


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation; 0.0 when empty."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=1000, method="inclusive")[
        min(998, max(0, round(q * 1000) - 1))
    ]


async def run_load(
    base_url: str,
    sentences: Sequence[str],
    *,
    clients: int,
    requests: int,
    source: str = "de",
    target: str = "en",
    timeout_s: float = 120.0,
    on_done: Callable[[int], None] | None = None,
    deadline_s: float | None = None,
    stop_when_refused: bool = False,
) -> LoadResult:
    """``clients`` concurrent clients send ``requests`` LibreTranslate
    ``POST /translate`` requests in all, one sentence each, cycling ``sentences``.

    ``on_done(n)`` is called after the n-th finished request (the soak reads
    the server's memory there).  Stops early at ``deadline_s`` if given; with
    ``stop_when_refused`` a client stops once a connection is refused (the
    server has closed its socket).
    """
    import aiohttp

    result = LoadResult()
    issued = 0
    finished = 0
    stop_at = None if deadline_s is None else time.perf_counter() + deadline_s
    url = base_url.rstrip("/") + "/translate"

    async def client(http: aiohttp.ClientSession) -> None:
        nonlocal issued, finished
        while issued < requests and (stop_at is None or time.perf_counter() < stop_at):
            index = issued
            issued += 1
            body = {
                "q": sentences[index % len(sentences)],
                "source": source,
                "target": target,
                "format": "text",
            }
            started = time.perf_counter()
            try:
                async with http.post(url, json=body) as response:
                    content = await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                name = _error_name(exc)
                result.errors[name] += 1
                if stop_when_refused and name == "ConnectError":
                    finished += 1
                    return
            else:
                result.latencies.append(time.perf_counter() - started)
                result.statuses[response.status] += 1
                if response.status == 200 and not _has_translation(content):
                    result.bad_bodies += 1
            finished += 1
            if on_done is not None:
                on_done(finished)

    # aiohttp rather than httpx: at 32 clients httpx's own work per request
    # (in this process, on the same two cores) capped what was measured.
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, trust_env=False) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        result.seconds = time.perf_counter() - started
    result.requests = finished
    return result


def _error_name(exc: BaseException) -> str:
    """httpx-style names the reports use: ConnectError, ReadError, Timeout, other."""
    import aiohttp

    if isinstance(exc, aiohttp.ClientConnectorError):
        return "ConnectError"
    if isinstance(
        exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientOSError)
    ):
        return "ReadError"  # the connection closed or reset without an answer
    if isinstance(exc, TimeoutError):
        return "Timeout"
    return type(exc).__name__


def _has_translation(content: bytes) -> bool:
    try:
        data = json.loads(content)
    except ValueError:
        return False
    text = data.get("translatedText") if isinstance(data, dict) else None
    return isinstance(text, str) and bool(text.strip())


async def raw_request(
    host: str, port: int, payload: bytes, *, timeout_s: float = 30.0
) -> tuple[int | None, dict[str, str], bytes]:
    """Send ``payload`` (a whole HTTP/1.1 request) on a fresh socket and read the
    answer: status (None when the server closed without one), headers, body."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    try:
        writer.write(payload)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(-1), timeout_s)
    except (TimeoutError, ConnectionError):
        raw = b""
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/"):
        return None, {}, raw
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


async def disconnect_mid_request(host: str, port: int, clients: int, sentence: str) -> Counter[str]:
    """``clients`` clients that go away mid-request: half stop halfway through
    the body, half send the whole request and close before the answer."""
    body = json.dumps({"q": [sentence] * 4, "source": "de", "target": "en"}).encode()
    head = (
        f"POST /translate HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    counts: Counter[str] = Counter()

    async def one(i: int) -> None:
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        except (TimeoutError, OSError):
            counts["connect failed"] += 1
            return
        if i % 2:
            writer.write(head + body[: len(body) // 2])
            counts["left mid-body"] += 1
        else:
            writer.write(head + body)
            counts["left before the answer"] += 1
        try:
            await writer.drain()
            await asyncio.sleep(0.05)
        finally:
            writer.transport.abort()

    await asyncio.gather(*(one(i) for i in range(clients)))
    return counts
