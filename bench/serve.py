"""`transkit serve` against its targets (issue 18), measured in one run.

Same model (tests/data/translate-de_en-tiny.argosmodel, plus the en->de one
the servers need), glossary on (./glossary/) for transkit.  Sentences: the
seed articles (seeds/*.txt, segmented by transkit) and the held-out news
sentences (tests/data/heldout_news.tsv), cycled.  Prints:

* throughput with 32 concurrent clients, one sentence per request, against
  translating the same sentences offline in one batch (`transkit.batch`), the
  faster of CTranslate2's default threads and one thread: every sentence
  through MT (a server with ``--recent 0`` against the distinct sentences),
  and the sentences cycled (the server as deployed, keeping recent answers,
  against one batch, which also translates a repeat once);
* the same 32 clients against LibreTranslate 1.9.6 (its own venv under
  bench/_work/lt-venv, a private Argos package folder, offline; a
  ``sitecustomize.py`` in that venv only gives argostranslate's sentence
  splitters a regex split, since MiniSBD downloads a model at first use), at
  its default CTranslate2 threads and at one thread (``ARGOS_INTRA_THREADS``,
  much faster on a busy machine), the better of the two compared; p50/p99
  for both, and one client for both;
* the batching window: one client's p50 against a direct library call;
* a soak (20,000 requests from 32 clients: errors, RSS growth 5,000 -> 20,000);
* faults: clients leaving mid-request, oversized and malformed bodies, the
  queue filled past its bound, SIGTERM under load.

    PYTHONPATH=src python bench/serve.py            # everything (~15 min, 2 cores)
    PYTHONPATH=src python bench/serve.py --quick    # a fast sanity run
    ... --no-libretranslate --no-soak --no-faults   # skip parts

Needs the ``bench`` extra (aiohttp, httpx) and the ``serve`` extra.  Everything
listens on 127.0.0.1; every server started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from serve_faults import run_faults  # noqa: E402
from serve_load import LoadResult, percentile, run_load  # noqa: E402
from serve_procs import ROOT, WORK, Server, free_port, lt_environment  # noqa: E402

DATA = ROOT / "tests" / "data"
DE_EN = DATA / "translate-de_en-tiny.argosmodel"
EN_DE = DATA / "translate-en_de-tiny.argosmodel"
NEWS = DATA / "heldout_news.tsv"
SEEDS = ROOT / "seeds"
GLOSSARY = ROOT / "glossary"
LT_VENV = WORK / "lt-venv"


def bench_sentences() -> list[str]:
    """Seed sentences (segmented by transkit), then the held-out news sentences."""
    from transkit.text.segment import segment_document

    out: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        doc = segment_document(path.name, path.read_text(encoding="utf-8"))
        out.extend(s.source for s in doc.segments if s.source.strip())
    with NEWS.open(encoding="utf-8", newline="") as handle:
        out.extend(r["de"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return out


class Offline:
    """transkit in-process: the same engine settings and glossary as the server."""

    def __init__(self, threads: int) -> None:
        from transkit.engine.argos import ArgosEngine, EngineOptions
        from transkit.models import resolve_model
        from transkit.terms.glossary import load_glossaries
        from transkit.terms.match import TermMatcher

        self.glossary = load_glossaries([GLOSSARY])
        self.matcher = TermMatcher.from_glossary(self.glossary)
        self.engine = ArgosEngine(resolve_model(str(DE_EN)), EngineOptions(threads=threads))

    def segments(self, sentences: Sequence[str]) -> list:
        from transkit.data import Segment

        return [
            Segment(id=f"s{i}", source=s, terms=tuple(self.matcher.find(s)))
            for i, s in enumerate(sentences)
        ]

    def translate(self, sentences: Sequence[str], *, glossary: bool = True) -> float:
        """Seconds to translate (and enforce) ``sentences`` in one batch."""
        from dataclasses import replace

        from transkit.batch import translate_segments

        segments = self.segments(sentences)
        if not glossary:
            segments = [replace(s, terms=()) for s in segments]
        started = time.perf_counter()
        translate_segments(segments, self.engine, glossary=self.glossary if glossary else None)
        return time.perf_counter() - started

    def one_by_one(self, sentences: Sequence[str]) -> list[float]:
        """Seconds per sentence, each its own library call (term matching included)."""
        from transkit.batch import translate_segments

        times = []
        for sentence in sentences:
            started = time.perf_counter()
            segment = self.segments([sentence])[0]
            translate_segments([segment], self.engine, glossary=self.glossary)
            times.append(time.perf_counter() - started)
        return times


_STARTED: list[int] = []


def transkit_server(args: argparse.Namespace, extra: Sequence[str] = ()) -> Server:
    port = free_port()
    _STARTED.append(port)
    name = "transkit-serve" if len(_STARTED) == 1 else f"transkit-serve-{len(_STARTED)}"
    argv = [
        sys.executable,
        "-m",
        "transkit",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--model",
        str(DE_EN),
        "--model",
        str(args.en_de),
        "--glossary",
        str(GLOSSARY),
        "--no-tm",
        "--threads",
        str(args.threads),
        "--data",
        str(WORK / "serve-data"),
        *shlex.split(args.transkit_args),
        *extra,
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return Server(name, argv, port=port, env=env, cwd=WORK)


def libretranslate_server(args: argparse.Namespace, intra_threads: int = 0) -> Server:
    env = lt_environment(LT_VENV, [DE_EN, args.en_de], pip_log=WORK / "lt-pip.log")
    # argostranslate's own setting (its default 0: CTranslate2 picks, all cores)
    env["ARGOS_INTRA_THREADS"] = str(intra_threads)
    port = free_port()
    argv = [
        str(LT_VENV / "bin" / "libretranslate"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--load-only",
        "de,en",
        "--disable-web-ui",
        "--disable-files-translation",
        "--threads",
        str(args.lt_threads),
    ]
    return Server("libretranslate", argv, port=port, env=env, cwd=WORK / "lt-home")


def row(name: str, r: LoadResult) -> str:
    return (
        f"  {name:<34} {r.per_second:8.1f} sent/s   p50 {r.p(0.5) * 1000:7.1f} ms   "
        f"p99 {r.p(0.99) * 1000:7.1f} ms   ({r.ok}/{r.requests} ok, "
        f"{r.unexpected()} unexpected)"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def load(server: Server, sentences: Sequence[str], clients: int, requests: int) -> LoadResult:
    return asyncio.run(run_load(server.url, sentences, clients=clients, requests=requests))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a sanity run")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--cycles", type=int, default=2, help="passes over the sentences")
    parser.add_argument("--soak-requests", type=int, default=20_000)
    parser.add_argument("--no-libretranslate", action="store_true")
    parser.add_argument("--no-soak", action="store_true")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument(
        "--threads", type=int, default=0, help="`transkit serve --threads` (0: its default)"
    )
    parser.add_argument(
        "--offline-threads",
        type=int,
        default=0,
        help="CTranslate2 threads of the offline batch (0: CTranslate2's default, "
        "as `transkit translate` runs)",
    )
    parser.add_argument("--lt-threads", type=int, default=4, help="LibreTranslate --threads")
    parser.add_argument(
        "--lt-intra-threads",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[0, 1],
        help="ARGOS_INTRA_THREADS values LibreTranslate runs with; its best is compared",
    )
    parser.add_argument("--en-de", type=Path, default=EN_DE, help="the en->de package served too")
    parser.add_argument(
        "--transkit-args", default="", help="extra `transkit serve` options (one string)"
    )
    parser.add_argument(
        "--queue-option",
        default="--queue-size",
        help="the `transkit serve` option that bounds the queue (the fault test sets it low)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.cycles = 1
        args.soak_requests = min(args.soak_requests, 2_000)

    sentences = bench_sentences()
    batch = sentences * args.cycles
    print(
        f"bench/serve.py: {len(sentences)} distinct sentences (seed + held-out news), "
        f"{len(batch)} per throughput run, {args.clients} clients; model {DE_EN.name}; "
        f"glossary {GLOSSARY.relative_to(ROOT)}/ on for transkit; shared 2-core machine; "
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}",
        flush=True,
    )
    servers: list[Server] = []
    results: dict[str, object] = {}
    try:
        # The baseline is the faster of CTranslate2's default threads (as
        # `transkit translate` runs) and one thread (faster on a busy machine).
        # One batch translates a repeated sentence once, so the cycled batch
        # is compared with a server that keeps recent answers, and the
        # distinct sentences with one that does not (--recent 0).
        rates: dict[int, tuple[float, float]] = {}
        for threads in dict.fromkeys([args.offline_threads, 1]):
            offline = Offline(threads)
            offline.translate(sentences[:16])  # load the model
            cycled = len(batch) / offline.translate(batch)
            distinct = len(sentences) / offline.translate(sentences)
            rates[threads] = (cycled, distinct)
            print(
                f"offline, one batch (transkit.batch), --threads {threads}: "
                f"{cycled:8.1f} sent/s cycled, {distinct:8.1f} sent/s distinct",
                flush=True,
            )
        offline_rate = max(r[0] for r in rates.values())
        distinct_rate = max(r[1] for r in rates.values())
        plain_rate = len(sentences) / offline.translate(sentences, glossary=False)
        # The direct call runs as one server replica does.
        direct_engine = Offline(args.threads or 1)
        direct_engine.translate(sentences[:16])
        direct = direct_engine.one_by_one(sentences[: 30 if args.quick else 80])
        direct_p50 = percentile(direct, 0.5)
        print(f"  without a glossary, distinct (context): {plain_rate:8.1f} sent/s", flush=True)
        print(
            f"direct library call, one sentence, --threads {args.threads or 1}: "
            f"p50 {direct_p50 * 1000:7.1f} ms",
            flush=True,
        )

        # Server A: every request through MT (no recent answers kept).
        tk = transkit_server(args, ["--recent", "0"])
        servers.append(tk)
        print(f"transkit serve ready in {tk.start():.1f} s: {' '.join(tk.argv[1:])}", flush=True)
        load(tk, sentences, 4, 32)  # warm-up
        tk_one = load(tk, sentences, 1, 40 if args.quick else 120)
        tk_many = load(tk, sentences, args.clients, len(batch))
        print(row("transkit serve --recent 0, 1 client", tk_one))
        print(row(f"transkit serve --recent 0, {args.clients} cl.", tk_many), flush=True)
        # Server B, as deployed: repeats answered from recent translations.
        tk_cached = transkit_server(args)
        servers.append(tk_cached)
        tk_cached.start()
        tk_repeat = load(tk_cached, sentences, args.clients, len(batch))
        print(row(f"transkit serve, {args.clients} clients, cycled", tk_repeat), flush=True)
        tk_cached.stop()
        servers.remove(tk_cached)
        results["transkit"] = (tk_one, tk_many, tk_repeat)

        lt_runs: dict[int, tuple[LoadResult, LoadResult]] = {}
        if not args.no_libretranslate:
            for intra in args.lt_intra_threads:
                lt = libretranslate_server(args, intra)
                servers.append(lt)
                print(
                    f"LibreTranslate 1.9.6, ARGOS_INTRA_THREADS={intra}, ready in "
                    f"{lt.start():.1f} s (offline; regex sentence split via sitecustomize.py "
                    f"in {LT_VENV.relative_to(ROOT)} only)",
                    flush=True,
                )
                load(lt, sentences, 4, 8)
                one = load(lt, sentences, 1, 20 if args.quick else 60)
                lt_n = min(len(batch), 96 if args.quick else 320)
                many = load(lt, sentences, args.clients, lt_n)
                print(row("LibreTranslate, 1 client", one))
                print(row(f"LibreTranslate, {args.clients} clients", many), flush=True)
                lt.stop()
                servers.remove(lt)
                lt_runs[intra] = (one, many)

        faults = None
        if not args.no_faults:
            faults = run_faults(tk, sentences, args, transkit_server)
        print_targets(
            offline_rate,
            distinct_rate,
            direct_p50,
            tk_one,
            tk_many,
            tk_repeat,
            lt_runs,
            faults,
        )
        if not args.no_soak:  # last: the longest part
            print_soak(run_soak(tk, sentences, args.clients, args.soak_requests))
    finally:
        for server in servers:
            server.stop()
    return 0


def run_soak(server: Server, sentences: Sequence[str], clients: int, requests: int) -> dict:
    """``requests`` from ``clients``; RSS after the first quarter and at the end."""
    marks = {requests // 4: 0, requests: 0}

    started = time.perf_counter()

    def on_done(n: int) -> None:
        if n in marks:
            marks[n] = server.rss_bytes()
        if n % 2500 == 0:
            print(
                f"  soak: {n} requests, {time.perf_counter() - started:.0f} s, RSS "
                f"{server.rss_bytes() / 2**20:.1f} MiB",
                flush=True,
            )

    result = asyncio.run(
        run_load(server.url, sentences, clients=clients, requests=requests, on_done=on_done)
    )
    first, last = marks[requests // 4], marks[requests]
    growth = (last - first) / first if first else float("nan")
    print(
        f"soak: {result.requests} requests from {clients} clients in "
        f"{time.perf_counter() - started:.0f} s, {result.unexpected()} unexpected "
        f"(statuses {dict(result.statuses)}, errors {dict(result.errors)}); RSS "
        f"{first / 2**20:.1f} MiB at request {requests // 4} -> {last / 2**20:.1f} MiB at "
        f"{requests} ({growth * 100:+.1f}%)",
        flush=True,
    )
    return {"result": result, "growth": growth, "first": requests // 4, "last": requests}


def print_targets(
    offline_rate: float,
    distinct_rate: float,
    direct_p50: float,
    tk_one: LoadResult,
    tk_many: LoadResult,
    tk_repeat: LoadResult,
    lt_runs: dict[int, tuple[LoadResult, LoadResult]],
    faults: dict | None,
) -> None:
    print("\nTargets")
    ratio = tk_many.per_second / distinct_rate
    print(
        f"  32 clients vs offline one batch, every sentence through MT (--recent 0 vs the "
        f"distinct sentences): {tk_many.per_second:.1f} / {distinct_rate:.1f} sent/s = "
        f"{ratio:.2f}x (target >= 0.8x: {verdict(ratio >= 0.8)})"
    )
    ratio = tk_repeat.per_second / offline_rate
    print(
        f"  32 clients vs offline one batch, cycled (repeats translated once by both): "
        f"{tk_repeat.per_second:.1f} / {offline_rate:.1f} sent/s = {ratio:.2f}x "
        f"(target >= 0.8x: {verdict(ratio >= 0.8)})"
    )
    for intra, (lt_one, lt_many) in lt_runs.items():
        setting = "as shipped" if intra == 0 else f"ARGOS_INTRA_THREADS={intra}"
        for name, mine in (("--recent 0", tk_many), ("as deployed", tk_repeat)):
            x = mine.per_second / lt_many.per_second if lt_many.per_second else float("inf")
            print(
                f"  32 clients vs LibreTranslate 1.9.6 {setting}, transkit {name}: "
                f"{mine.per_second:.1f} / {lt_many.per_second:.1f} sent/s = {x:.1f}x "
                f"(target >= 5x: {verdict(x >= 5)}); p50 {mine.p(0.5) * 1000:.0f} vs "
                f"{lt_many.p(0.5) * 1000:.0f} ms, p99 {mine.p(0.99) * 1000:.0f} vs "
                f"{lt_many.p(0.99) * 1000:.0f} ms"
            )
        ok = tk_one.p(0.5) <= lt_one.p(0.5)
        print(
            f"  1 client p50: transkit {tk_one.p(0.5) * 1000:.1f} ms vs LibreTranslate {setting} "
            f"{lt_one.p(0.5) * 1000:.1f} ms (target no worse: {verdict(ok)})"
        )
    window = tk_one.p(0.5) / direct_p50
    print(
        f"  batching window: 1 client p50 {tk_one.p(0.5) * 1000:.1f} ms vs direct call "
        f"{direct_p50 * 1000:.1f} ms = {window:.2f}x (target <= 1.2x: {verdict(window <= 1.2)})"
    )
    if faults is not None:
        for name, line in faults.items():
            print(f"  faults, {name}: {line}")


def print_soak(soak: dict) -> None:
    r: LoadResult = soak["result"]
    ok = r.unexpected() == 0 and soak["growth"] < 0.10
    print(
        f"  soak: {r.requests} requests, {r.unexpected()} unexpected errors, RSS growth "
        f"{soak['growth'] * 100:+.1f}% from request {soak['first']} to {soak['last']} "
        f"(target 0 errors, < 10%: {verdict(ok)})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
