"""`transkit serve` with 32 clients on a PostgreSQL memory against the same run on a folder memory.

Issue 20's target: throughput on the PostgreSQL memory >= 0.9x of the folder
(TMX + SQLite index) memory.  Both memories hold the same units: every other
bench sentence (seed articles + held-out news, as `bench/serve.py` sends
them) with an approved translation, so about half of the requests are exact
memory hits and the other half a fuzzy lookup that misses, then MT; plus
``--filler`` units of the grammar corpus (`bench/tm.py`'s) so the lookups
search a memory of realistic size.  Each server is started, warmed up and
loaded with ``--clients`` clients sending ``--cycles`` passes over the
sentences, one sentence per request; then stopped.  The two runs alternate
(folder, PostgreSQL, folder, PostgreSQL) and the ratio of the summed rates
is printed, with the load average.

    PYTHONPATH=src python bench/tm_serve.py --store postgresql://user:pw@127.0.0.1:5432/scratch

The URL must name a scratch database: its transkit tables are dropped first.
Everything listens on 127.0.0.1; every server started here is stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tools"))

from serve_load import LoadResult, run_load  # noqa: E402
from serve_procs import WORK, Server, free_port  # noqa: E402

from serve import DE_EN, EN_DE, GLOSSARY, bench_sentences, row  # noqa: E402

TARGET_RATIO = 0.9


def write_memory(path: Path, sentences: list[str], filler: int) -> int:
    """A TMX with every other sentence translated, plus ``filler`` grammar units."""
    from tm import corpus, write_corpus_tmx

    pairs = [(s, f"[memory] {s}") for s in sentences[::2]]
    held = {de for de, _ in pairs}
    pairs += [(de, en) for de, en in corpus(filler) if de not in held][:filler]
    write_corpus_tmx(path, pairs)
    return len(pairs)


def start_server(spec: str, name: str, threads: int) -> Server:
    port = free_port()
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
        str(EN_DE),
        "--glossary",
        str(GLOSSARY),
        "--tm",
        spec,
        "--threads",
        str(threads),
        "--data",
        str(WORK / f"{name}-data"),
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return Server(name, argv, port=port, env=env, cwd=WORK)


def measure(spec: str, name: str, sentences: list[str], args: argparse.Namespace) -> LoadResult:
    server = start_server(spec, name, args.threads)
    try:
        ready = server.start()
        asyncio.run(run_load(server.url, sentences, clients=4, requests=32))  # warm-up
        result = asyncio.run(
            run_load(
                server.url,
                sentences,
                clients=args.clients,
                requests=len(sentences) * args.cycles,
            )
        )
        print(
            row(f"{name}, {args.clients} clients", result)
            + f"  (ready in {ready:.1f} s, load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        return result
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="postgresql:// URL of a scratch database")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--cycles", type=int, default=1, help="passes over the sentences")
    parser.add_argument("--rounds", type=int, default=2, help="folder/PostgreSQL run pairs")
    parser.add_argument("--filler", type=int, default=20_000, help="grammar units added")
    parser.add_argument("--threads", type=int, default=2, help="CTranslate2 threads")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    from tm import reset_server
    from transkit.tm.spec import open_memory
    from transkit.tm.urls import redact_url

    sentences = bench_sentences()
    work = WORK / "tm-serve"
    shutil.rmtree(work, ignore_errors=True)
    folder = work / "tm"
    folder.mkdir(parents=True)
    source = work / "memory.tmx"
    units = write_memory(source, sentences, args.filler)
    reset_server(args.store)
    for spec in (str(folder), args.store):
        with open_memory(spec) as memory:
            result = memory.import_tmx(source)
            memory.lookup_exact(sentences[0])  # the folder memory builds its index now
            assert result.added == units, (spec, result)
    print(
        f"bench/tm_serve.py: {len(sentences)} distinct sentences x {args.cycles}, "
        f"{args.clients} clients; memory of {units} units (every other sentence + "
        f"{args.filler} grammar units) in {folder} and {redact_url(args.store)}; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}",
        flush=True,
    )
    rates: dict[str, list[float]] = {"folder": [], "postgresql": []}
    hits = 0
    for _ in range(args.rounds):
        for kind, spec in (("folder", str(folder)), ("postgresql", args.store)):
            result = measure(spec, f"serve-tm-{kind}", sentences, args)
            if result.unexpected():
                print(f"{kind}: {result.unexpected()} unexpected answers", flush=True)
                return 1
            rates[kind].append(result.per_second)
    with open_memory(args.store) as memory:
        hits = sum(1 for s in sentences if memory.lookup_exact(s))
    ratio = sum(rates["postgresql"]) / sum(rates["folder"])
    print(f"memory hits: {hits}/{len(sentences)} sentences have an exact match in either memory")
    print(
        f"throughput postgresql / folder: {ratio:.2f} (mean "
        f"{sum(rates['postgresql']) / args.rounds:.1f} vs "
        f"{sum(rates['folder']) / args.rounds:.1f} sent/s over {args.rounds} alternating "
        f"rounds; target >= {TARGET_RATIO})  {'PASS' if ratio >= TARGET_RATIO else 'FAIL'}"
    )
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
