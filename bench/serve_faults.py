"""The fault phase of `bench/serve.py`: the server keeps serving or drains cleanly.

* 100 clients that leave mid-request (half mid-body, half before the answer);
* oversized and malformed bodies (each must get a 4xx in the API's error
  shape, never a 5xx or a traceback);
* the queue filled past its bound (a second server with a small bound:
  expect 503 with ``Retry-After``, nothing else);
* SIGTERM under load (it drains: in-flight requests answered, exit 0 in 10 s).

Each returns one printed line of counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence

from serve_load import disconnect_mid_request, run_load
from serve_procs import Server

__all__ = ["run_faults"]


def _still_serves(server: Server, sentence: str) -> bool:
    import httpx

    try:
        answer = httpx.post(
            server.url + "/translate",
            json={"q": sentence, "source": "de", "target": "en"},
            timeout=60,
            trust_env=False,
        )
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and bool(answer.json().get("translatedText"))


def bad_bodies(sentence: str) -> list[tuple[str, str, str, bytes, str]]:
    """(name, method, path, body, content type) for requests that must get a 4xx."""
    big = json.dumps({"q": "Wort " * 1_200_000, "source": "de", "target": "en"}).encode()
    many = json.dumps({"q": [sentence] * 5_000, "source": "de", "target": "en"}).encode()
    long_text = json.dumps({"q": "Wort " * 20_000, "source": "de", "target": "en"}).encode()
    j = "application/json"
    form = "application/x-www-form-urlencoded"

    def lt(body: str) -> bytes:
        return body.encode()

    glossary = {"name": "x", "source_lang": "de", "target_lang": "en", "entries": "a"}
    return [
        ("6 MB body", "POST", "/translate", big, j),
        ("5,000 texts", "POST", "/translate", many, j),
        ("100,000-character text", "POST", "/translate", long_text, j),
        ("truncated JSON", "POST", "/translate", lt('{"q": "Hallo'), j),
        ("JSON array body", "POST", "/translate", lt('["q"]'), j),
        ("q a number", "POST", "/translate", lt('{"q": 5, "source": "de", "target": "en"}'), j),
        (
            "q list of objects",
            "POST",
            "/translate",
            lt('{"q":[{}],"source":"de","target":"en"}'),
            j,
        ),
        ("no target", "POST", "/translate", lt('{"q": "Hallo", "source": "de"}'), j),
        ("unknown pair", "POST", "/translate", lt('{"q":"Hallo","source":"xx","target":"en"}'), j),
        (
            "format pdf",
            "POST",
            "/translate",
            lt('{"q":"Ja","source":"de","target":"en","format":"pdf"}'),
            j,
        ),
        ("not UTF-8", "POST", "/translate", b'{"q": "\xff\xfe", "target": "en"}', j),
        ("bad form escapes", "POST", "/translate", b"q=%ZZ%&source=de&target", form),
        ("DeepL, no text", "POST", "/v2/translate", lt('{"target_lang": "EN"}'), j),
        ("DeepL, bad JSON", "POST", "/v2/translate", lt("{text:"), j),
        ("DeepL glossary, bad TSV", "POST", "/v2/glossaries", json.dumps(glossary).encode(), j),
        ("detect, empty", "POST", "/detect", lt("{}"), j),
    ]


async def _send_bad(server: Server, sentence: str) -> tuple[Counter[str], list[str]]:
    import httpx

    counts: Counter[str] = Counter()
    unexpected: list[str] = []
    async with httpx.AsyncClient(base_url=server.url, timeout=60, trust_env=False) as http:
        for name, method, path, body, ctype in bad_bodies(sentence):
            try:
                answer = await http.request(
                    method, path, content=body, headers={"Content-Type": ctype}
                )
            except httpx.HTTPError as exc:
                counts["no answer"] += 1
                unexpected.append(f"{name}: {type(exc).__name__}")
                continue
            text = answer.text
            if 400 <= answer.status_code < 500 and "Traceback" not in text:
                counts[str(answer.status_code)] += 1
            else:
                counts["unexpected"] += 1
                unexpected.append(f"{name}: {answer.status_code} {text[:80]!r}")
    return counts, unexpected


async def _flood(server: Server, sentences: Sequence[str], clients: int) -> Counter[str]:
    """``clients`` requests at once, each with 8 texts, on a small queue bound."""
    import httpx

    counts: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=clients)

    async def one(http: httpx.AsyncClient, i: int) -> None:
        body = {
            "q": [sentences[(i + k) % len(sentences)] for k in range(8)],
            "source": "de",
            "target": "en",
        }
        try:
            answer = await http.post("/translate", json=body)
        except httpx.HTTPError as exc:
            counts[f"error {type(exc).__name__}"] += 1
            return
        if answer.status_code == 503:
            counts["503 + Retry-After" if answer.headers.get("retry-after") else "503 bare"] += 1
        else:
            counts[str(answer.status_code)] += 1

    async with httpx.AsyncClient(
        base_url=server.url, timeout=120, limits=limits, trust_env=False
    ) as http:
        await asyncio.gather(*(one(http, i) for i in range(clients)))
    return counts


def _sigterm_under_load(server: Server, sentences: Sequence[str], clients: int) -> str:
    """SIGTERM after 3 s of load from ``clients``; how the requests and the exit went."""
    assert server.process is not None

    async def scenario() -> tuple[object, float, int | None]:
        load = asyncio.create_task(
            run_load(
                server.url,
                sentences,
                clients=clients,
                requests=10**6,
                deadline_s=25,
                timeout_s=30,
                stop_when_refused=True,
            )
        )
        await asyncio.sleep(3)
        server.terminate()
        signalled = time.perf_counter()
        code = None
        while time.perf_counter() - signalled < 15:
            code = server.process.poll()
            if code is not None:
                break
            await asyncio.sleep(0.05)
        exited = time.perf_counter() - signalled
        result = await load
        return result, exited, code

    result, exited, code = asyncio.run(scenario())
    refused = sum(n for e, n in result.errors.items() if e == "ConnectError")
    reset = sum(result.errors.values()) - refused
    statuses = dict(result.statuses)
    fives = sum(n for s, n in result.statuses.items() if s >= 500 and s != 503)
    ok = code == 0 and exited <= 10 and fives == 0
    return (
        f"exit code {code} {exited:.1f} s after SIGTERM; answered {statuses}; refused once "
        f"closed {refused}; connections reset without an answer {reset} "
        f"({dict(result.errors)}: a request racing the close of an idle keep-alive "
        f"connection reads as one too) -> {'drained, exit 0 in 10 s' if ok else 'NOT clean'}"
    )


def run_faults(
    server: Server,
    sentences: Sequence[str],
    args: argparse.Namespace,
    make_server: Callable[[argparse.Namespace, Sequence[str]], Server],
) -> dict[str, str]:
    """All four fault cases; the bound and SIGTERM on fresh servers of their own."""
    lines: dict[str, str] = {}
    clients = 100
    left = asyncio.run(disconnect_mid_request("127.0.0.1", server.port, clients, sentences[0]))
    time.sleep(1.0)
    alive = _still_serves(server, sentences[1])
    lines["clients leaving mid-request"] = (
        f"{dict(left)}; afterwards it {'still serves' if alive else 'does NOT serve'}"
    )
    counts, unexpected = asyncio.run(_send_bad(server, sentences[2]))
    alive = _still_serves(server, sentences[3])
    lines["oversized/malformed bodies"] = (
        f"{sum(counts.values())} sent, answers {dict(counts)}"
        + (f"; unexpected: {unexpected}" if unexpected else "")
        + f"; afterwards it {'still serves' if alive else 'does NOT serve'}"
    )
    bounded = make_server(args, [args.queue_option, "4"])
    try:
        bounded.start()
        flood = asyncio.run(_flood(bounded, sentences, 128))
        alive = _still_serves(bounded, sentences[4])
        full = flood.get("503 + Retry-After", 0)
        other = sum(n for k, n in flood.items() if k not in ("200", "503 + Retry-After"))
        lines[f"queue past its bound ({args.queue_option} 4, 128 requests of 8 texts)"] = (
            f"{dict(flood)}; {'503 + Retry-After seen' if full else 'NO 503 seen'}, "
            f"{other} other; afterwards it {'still serves' if alive else 'does NOT serve'}"
        )
    except RuntimeError as exc:
        lines["queue past its bound"] = f"could not start a bounded server: {exc}"
    finally:
        bounded.stop()
    fresh = make_server(args, [])
    try:
        fresh.start()
        lines["SIGTERM under load (32 clients, a fresh server)"] = _sigterm_under_load(
            fresh, sentences, 32
        )
    except RuntimeError as exc:
        lines["SIGTERM under load"] = f"could not start a server: {exc}"
    finally:
        fresh.stop()
    return lines
