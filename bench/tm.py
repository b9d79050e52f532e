"""Translation memory at a million units: import, lookup speed, fuzzy recall, concurrency.

Builds (once, cached in bench/_work/tm/) a TMX of ``--units`` distinct German
->English units from `tools/de_en_grammar.py`: every distinct sentence the
grammar gives from ``1.5 * units`` draws, then two-sentence units (two
distinct sentences joined, as paragraph-segmented memories hold) until there
are ``--units``.  Then, in one run, it measures against the issue's targets:

* import of the TMX into an empty memory (``TranslationMemory.import_tmx``);
* exact lookup time over 1,000 sources from the memory (median);
* fuzzy lookup time over ``--queries`` queries (median, p95): half are new
  grammar sentences, half are memory units with one word dropped, changed
  or a number changed - never an exact copy;
* fuzzy recall: for each query the brute-force best (rapidfuzz ``fuzz.ratio``
  over every unit, score >= 75, exact copies excluded) is compared with the
  index's best; a query counts as found when the scores are equal;
* 4 processes importing and merging into one memory at once: every unit is
  in the TMX files and in the index, and an index rebuilt from the TMX files
  holds the same units;
* translating a document twice with the transformer-base-sized bench model
  (``--translate``): the second run takes every segment from the memory.

With ``--store postgresql://...`` the same figures are measured on a
PostgreSQL memory (`transkit.tm.pgmemory`), plus parity: the folder memory
of the same units (imported too, if absent) and the server memory must give
the same top match at the same score for >= 99% of the fuzzy queries; and 8
processes import and merge into the server at once.  The URL must name a
scratch database: its transkit tables are dropped first.  (``transkit
serve`` with 32 clients on either memory is measured by the server's own
bench: it opens its memory with ``transkit.tm.open_memory(spec, pool_size=N)``.)

    python bench/tm.py [--units 1000000] [--queries 1000] [--translate]
    python bench/tm.py --store postgresql://user:pw@127.0.0.1:5432/scratch
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work" / "tm"
sys.path.insert(0, str(ROOT / "tools"))

TARGETS = {
    "import_s": 120.0,
    "exact_median_ms": 5.0,
    "fuzzy_median_ms": 50.0,
    "fuzzy_p95_ms": 200.0,
    "recall": 0.99,
    "second_run_ratio": 0.3,
    "parity": 0.99,
}
THRESHOLD = 75.0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def corpus(units: int, seed: int = 11) -> list[tuple[str, str]]:
    """``units`` distinct (German, English) pairs from the grammar."""
    import de_en_grammar as grammar

    pairs: dict[str, str] = {}
    for pair in grammar.generate(seed, int(units * 1.5), placeholder_rate=0.0):
        if pair.de not in pairs:
            pairs[pair.de] = grammar.render_en(pair.en, "approved")
            if len(pairs) >= units:
                break
    singles = list(pairs.items())
    rng = random.Random(seed)
    while len(pairs) < units:
        (de1, en1), (de2, en2) = rng.choice(singles), rng.choice(singles)
        pairs.setdefault(f"{de1} {de2}", f"{en1} {en2}")
    return list(pairs.items())


def write_corpus_tmx(path: Path, pairs: list[tuple[str, str]]) -> None:
    """A plain TMX 1.4 file of the pairs (lxml incremental writer)."""
    from lxml import etree

    from transkit.tm.tmxio import XML_LANG, TMXWriter

    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as handle, TMXWriter(handle) as writer:
        for i, (de, en) in enumerate(pairs):
            tu = etree.Element("tu")
            tu.set("creationdate", f"2024{1 + i % 12:02d}01T000000Z")
            for lang, text in (("de-DE", de), ("en-US", en)):
                tuv = etree.SubElement(tu, "tuv")
                tuv.set(XML_LANG, lang)
                etree.SubElement(tuv, "seg").text = text
            writer.write(tu)
    tmp.replace(path)


def mutate(rng: random.Random, text: str) -> str:
    """A near copy: a number changed, a word dropped, or a word replaced."""
    import re

    words = text.split(" ")
    numbers = [i for i, w in enumerate(words) if re.search(r"\d", w)]
    choice = rng.random()
    if numbers and choice < 0.3:
        i = rng.choice(numbers)
        words[i] = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), words[i])
    elif len(words) > 4 and choice < 0.65:
        del words[rng.randrange(1, len(words) - 1)]
    else:
        i = rng.randrange(len(words))
        words[i] = rng.choice(["neue", "alte", "große", "Regierung", "wichtige", "nicht"])
    return " ".join(words)


def queries(pairs: list[tuple[str, str]], n: int, seed: int = 99) -> list[str]:
    import de_en_grammar as grammar

    rng = random.Random(seed)
    sources = {de for de, _ in pairs}
    out: list[str] = []
    fresh = grammar.generate(seed, 20 * n, placeholder_rate=0.0)
    while len(out) < n // 2:
        de = next(fresh).de
        if de not in sources:
            out.append(de)
    while len(out) < n:
        q = mutate(rng, rng.choice(pairs)[0])
        if q not in sources:
            out.append(q)
    rng.shuffle(out)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def brute_force(qs: list[str], choices: list[str], cache: Path) -> list[float]:
    """Best fuzz.ratio >= THRESHOLD per query over all choices, exact copies excluded.

    Cached in ``cache`` (keyed by the queries and units): the answer depends
    on nothing else, and the scan takes minutes at a million units.
    """
    import hashlib
    import json

    import numpy as np
    from rapidfuzz import fuzz, process

    digest = hashlib.sha256("\x00".join(qs + ["|"] + choices).encode()).hexdigest()[:16]
    path = cache / f"bruteforce-{digest}.json"
    if path.exists():
        print(f"(brute-force results read from {path.name}, computed by an earlier run)")
        return json.loads(path.read_text())

    best = []
    for start in range(0, len(qs), 16):
        chunk = qs[start : start + 16]
        scores = process.cdist(
            chunk, choices, scorer=fuzz.ratio, score_cutoff=THRESHOLD, dtype=np.float32, workers=1
        )
        for row, q in zip(scores, chunk, strict=True):
            order = np.argsort(-row)[:3]
            value = 0.0
            for j in order:
                if row[j] >= THRESHOLD and choices[j] != q:
                    value = float(fuzz.ratio(q, choices[j]))
                    break
            best.append(value)
    path.write_text(json.dumps(best))
    return best


# ----------------------------------------------------------------- concurrency
def _writer(args: tuple[str, int, int, int, str]) -> int:
    from transkit.data import Document, Segment
    from transkit.tm.memory import units_from_segments
    from transkit.tm.spec import open_memory

    spec, worker, imports, merges, scratch_dir = args
    tm = open_memory(spec)
    scratch = Path(scratch_dir) / f"worker{worker}"
    scratch.mkdir(parents=True, exist_ok=True)
    stored = 0
    for i in range(max(imports, merges)):
        if i < imports:
            pairs = [
                (f"Import {worker}-{i}-{k} Satz.", f"Import {worker}-{i}-{k} sentence.")
                for k in range(500)
            ]
            path = scratch / f"import{i}.tmx"
            write_corpus_tmx(path, pairs)
            stored += tm.import_tmx(path).added
        if i < merges:
            segs = tuple(
                Segment(
                    id=str(k),
                    source=f"Merge {worker}-{i}-{k} Satz.",
                    target=f"Merge {worker}-{i}-{k} sentence.",
                    state="final",
                )
                for k in range(50)
            )
            doc = Document(name=f"w{worker}-{i}.txt", segments=segs)
            stored += tm.add_units(units_from_segments([doc], states=("final",)))
    tm.close()
    return stored


def concurrency(workdir: Path) -> tuple[bool, str]:
    from transkit.tm.memory import TranslationMemory
    from transkit.tm.tmxio import iter_tmx

    folder = workdir / "concurrent" / "tm"
    shutil.rmtree(folder.parent, ignore_errors=True)
    folder.mkdir(parents=True)
    jobs = [(str(folder), w, 4, 8, str(folder.parent)) for w in range(4)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        stored = sum(pool.map(_writer, jobs))
    expected = 4 * (4 * 500 + 8 * 50)
    in_files = {(u.source, u.target) for p in sorted(folder.glob("*.tmx")) for u, _ in iter_tmx(p)}
    tm = TranslationMemory(folder)
    indexed = {(u.source, u.target) for u in tm.store.units()}
    stale = tm._stale()
    tm.close()
    for p in folder.glob(".transkit-index.sqlite*"):
        p.unlink()
    rebuilt_tm = TranslationMemory(folder)
    rebuilt_tm.refresh()
    rebuilt = {(u.source, u.target) for u in rebuilt_tm.store.units()}
    rebuilt_tm.close()
    ok = stored == expected == len(in_files) and indexed == in_files == rebuilt and not stale
    return ok, (
        f"4 processes x (4 imports of 500 + 8 merges of 50): stored {stored}/{expected}, "
        f"in TMX files {len(in_files)}, in index {len(indexed)}, rebuilt index {len(rebuilt)}"
    )


def concurrency_server(url: str, workdir: Path) -> tuple[bool, str]:
    """8 processes importing and merging into the server memory at once: every unit kept."""
    from transkit.tm.spec import open_memory

    scratch = workdir / "concurrent-pg"
    shutil.rmtree(scratch, ignore_errors=True)
    jobs = [(url, w, 4, 8, str(scratch)) for w in range(8)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        stored = sum(pool.map(_writer, jobs))
    seconds = time.perf_counter() - started
    expected = [
        (f"{kind} {w}-{i}-{k} Satz.", f"{kind} {w}-{i}-{k} sentence.")
        for w in range(8)
        for kind, rounds, size in (("Import", 4, 500), ("Merge", 8, 50))
        for i in range(rounds)
        for k in range(size)
    ]
    with open_memory(url) as tm:
        kept = len(tm.store.pair_dates(expected))
    ok = stored == kept == len(expected)
    return ok, (
        f"8 processes x (4 imports of 500 + 8 merges of 50) in {seconds:.1f} s: "
        f"stored {stored}/{len(expected)}, in the database {kept}"
    )


def reset_server(url: str) -> None:
    """Drop transkit's tables in the scratch database ``url`` (the bench starts empty)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "DROP TABLE IF EXISTS tm_units, tm_files, tm_postings, tm_meta, schema_version CASCADE"
        )


def server_units(url: str) -> int:
    """How many units the server memory holds (0 when it has no transkit tables)."""
    import psycopg

    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('tm_units')").fetchone()[0] is None:
            return 0
        return int(conn.execute("SELECT count(*) FROM tm_units").fetchone()[0])


def parity(folder_tm: object, server_tops: list[list], qs: list[str]) -> tuple[bool, str]:
    """Same top fuzzy match (source, target) at the same score from both memories.

    ``server_tops`` are the server's answers from the timed fuzzy run, query by query.
    """
    same = with_match = 0
    for q, top_b in zip(qs, server_tops, strict=True):
        a = folder_tm.lookup_fuzzy(q, THRESHOLD, limit=1)  # type: ignore[attr-defined]
        top_a = [(m.unit.source, m.target, m.score) for m in a]
        with_match += bool(top_a or top_b)
        same += top_a == top_b
    share = same / len(qs)
    return share >= TARGETS["parity"], (
        f"{same}/{len(qs)} queries = {share:.2%} same top match at the same score "
        f"({with_match} with a match in either; target >= {TARGETS['parity']:.0%})"
    )


# ----------------------------------------------------------------- translate twice
def translate_twice(workdir: Path) -> tuple[bool, str]:
    from throughput import bench_package  # noqa: F401 - same cached package

    from transkit.engine.argos import EngineOptions
    from transkit.pipeline import TranslateOptions, run_translate

    package = bench_package()
    project = workdir / "twice"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    doc = project / "article.txt"
    import de_en_grammar as grammar

    sentences = list(dict.fromkeys(p.de for p in grammar.generate(5, 160, 0.0)))[:120]
    doc.write_text(
        "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)) + "\n",
        encoding="utf-8",
    )
    options = TranslateOptions(
        model=str(package),
        engine=EngineOptions(threads=2, max_decoding_length=48),
        out_dir=project / "out",
        formats=("txt", "xliff"),
        tm_path=project / "tm",
    )
    first = run_translate([str(doc)], options)
    # An editor approves every MT segment: merge the XLIFF back into the memory.
    from dataclasses import replace

    from transkit.formats.xliff import read_xliff, write_xliff
    from transkit.merge import merge_xliff

    xlf = project / "out" / "article.de-en.xlf"
    docs = [
        replace(d, segments=tuple(replace(s, state="final") for s in d.segments))
        for d in read_xliff(xlf)
    ]
    write_xliff(docs, xlf)
    merge_xliff(xlf, out=project / "article.en.txt", memory=project / "tm")
    second = run_translate([str(doc)], options)
    levels = second.summary().get("tm", {})
    segments = second.summary()["segments"]
    from_tm = sum(v for k, v in levels.items() if k in ("exact", "context"))
    ratio = second.seconds / first.seconds
    ok = from_tm == segments and ratio < TARGETS["second_run_ratio"]
    return ok, (
        f"{segments} segments: first run {first.seconds:.2f} s (MT), second run "
        f"{second.seconds:.2f} s, {from_tm}/{segments} from the memory, ratio {ratio:.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=WORK)
    parser.add_argument(
        "--translate", action="store_true", help="also run the translate-twice check"
    )
    parser.add_argument("--only-translate", action="store_true")
    parser.add_argument(
        "--store",
        default="folder",
        help="folder (TMX folder + SQLite index) or a postgresql:// URL of a scratch database",
    )
    parser.add_argument(
        "--reuse-memory", action="store_true", help="skip the import if the memory exists"
    )
    parser.add_argument(
        "--no-folder",
        action="store_true",
        help="with --store: measure the server memory only (no folder import, no parity)",
    )
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        help="fuzzy passes over the queries (the first reads posting lists cold)",
    )
    parser.add_argument(
        "--skip-concurrency", action="store_true", help="skip the concurrent-writer checks"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: list[tuple[str, bool]] = []

    if args.only_translate:
        ok, line = translate_twice(args.workdir)
        print(f"translate twice: {line}  {verdict(ok)}")
        return 0 if ok else 1

    from transkit.tm.memory import TranslationMemory
    from transkit.tm.spec import memory_url, open_memory
    from transkit.tm.units import normalize
    from transkit.tm.urls import redact_url

    url = memory_url(args.store) if args.store != "folder" else None

    source = args.workdir / f"corpus-{args.units}.tmx"
    cache = source.with_suffix(".tsv")
    started = time.perf_counter()
    if cache.exists():
        with cache.open(encoding="utf-8") as handle:
            pairs = [tuple(line.rstrip("\n").split("\t")) for line in handle]  # type: ignore[misc]
        print(f"corpus: {len(pairs)} distinct units read from {cache}")
    else:
        pairs = corpus(args.units)
        cache.write_text("".join(f"{de}\t{en}\n" for de, en in pairs), encoding="utf-8")
        print(
            f"corpus: {len(pairs)} distinct units generated in "
            f"{time.perf_counter() - started:.1f} s"
        )
    if not source.exists():
        started = time.perf_counter()
        write_corpus_tmx(source, pairs)
        print(
            f"wrote {source} ({source.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )

    folder = args.workdir / "memory" / "tm"

    def import_into(spec: str, label: str) -> None:
        tm = open_memory(spec)
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        result = tm.import_tmx(source)
        import_s, import_cpu = time.perf_counter() - started, time.process_time() - cpu
        size_mb = tm.stats().bytes / 1e6 if url and spec == url else 0.0
        tm.close()
        if not size_mb:
            size_mb = sum(p.stat().st_size for p in folder.glob(".transkit-index*")) / 1e6
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ok = import_s <= TARGETS["import_s"] and result.added == len(pairs)
        results.append((f"import ({label})", ok))
        print(
            f"import ({label}): {result.added} units in {import_s:.1f} s wall, "
            f"{import_cpu:.1f} s CPU in this process (target <= {TARGETS['import_s']:.0f} s; "
            f"load average {load:.1f} on {os.cpu_count()} cores), peak RSS {rss_mb:.0f} MB, "
            f"index {size_mb:.0f} MB  {verdict(ok)}"
        )

    if url is not None and args.reuse_memory and server_units(url) == len(pairs):
        print(f"import (postgresql): skipped, reusing {redact_url(url)} (--reuse-memory)")
    elif url is not None:
        reset_server(url)
        import_into(url, f"postgresql {redact_url(url)}")
    use_folder = url is None or not args.no_folder
    if not use_folder:
        print("import (folder): not run (--no-folder)")
    elif not (args.reuse_memory and folder.is_dir()):
        shutil.rmtree(folder.parent, ignore_errors=True)
        import_into(str(folder), "folder")
    else:
        print(f"import (folder): skipped, reusing {folder} (--reuse-memory)")

    tm = open_memory(url or str(folder))
    tm.refresh()
    rng = random.Random(7)
    sample = [rng.choice(pairs) for _ in range(1000)]
    times = []
    correct = 0
    for de, en in sample:
        started = time.perf_counter()
        matches = tm.lookup_exact(de)
        times.append((time.perf_counter() - started) * 1000)
        correct += bool(matches) and matches[0].target == en
    exact_ms = statistics.median(times)
    ok = exact_ms <= TARGETS["exact_median_ms"] and correct == len(sample)
    results.append(("exact", ok))
    print(
        f"exact lookup: median {exact_ms:.2f} ms, p95 {percentile(times, 0.95):.2f} ms, "
        f"{correct}/{len(sample)} found (target median <= {TARGETS['exact_median_ms']:.0f} ms)  "
        f"{verdict(ok)}"
    )

    qs = [normalize(q) for q in queries(pairs, args.queries)]
    for number in range(1, args.passes + 1):
        times, found, tops = [], [], []
        cpu = time.process_time()
        for q in qs:
            started = time.perf_counter()
            matches = tm.lookup_fuzzy(q, THRESHOLD, limit=1)
            times.append((time.perf_counter() - started) * 1000)
            found.append(matches[0].score if matches else 0.0)
            tops.append([(m.unit.source, m.target, m.score) for m in matches])
        cpu_ms = (time.process_time() - cpu) / len(qs) * 1000
        fuzzy_median, fuzzy_p95 = statistics.median(times), percentile(times, 0.95)
        ok = fuzzy_median <= TARGETS["fuzzy_median_ms"] and fuzzy_p95 <= TARGETS["fuzzy_p95_ms"]
        results.append((f"fuzzy (pass {number})", ok))
        print(
            f"fuzzy lookup (pass {number} of {args.passes}): median {fuzzy_median:.1f} ms, "
            f"p95 {fuzzy_p95:.1f} ms wall over {len(qs)} queries, mean {cpu_ms:.1f} ms CPU, "
            f"load average {os.getloadavg()[0]:.1f} (targets {TARGETS['fuzzy_median_ms']:.0f} / "
            f"{TARGETS['fuzzy_p95_ms']:.0f} ms)  {verdict(ok)}"
        )
    if url is not None and use_folder:
        with TranslationMemory(folder) as folder_tm:
            folder_tm.refresh()
            ok, line = parity(folder_tm, tops, qs)
        results.append(("parity", ok))
        print(f"parity folder vs postgresql: {line}  {verdict(ok)}")
    tm.close()

    started = time.perf_counter()
    choices = [normalize(de) for de, _ in pairs]
    best = brute_force(qs, choices, args.workdir)
    brute_s = time.perf_counter() - started
    with_match = [i for i, b in enumerate(best) if b >= THRESHOLD]
    same = sum(1 for i in with_match if abs(found[i] - round(best[i], 1)) < 0.051)
    recall = same / len(with_match) if with_match else 1.0
    extra = sum(1 for i, b in enumerate(best) if b < THRESHOLD and found[i] >= THRESHOLD)
    ok = recall >= TARGETS["recall"] and extra == 0
    results.append(("recall", ok))
    print(
        f"fuzzy recall: {same}/{len(with_match)} queries with a match >= {THRESHOLD:.0f} get the "
        f"brute-force best score = {recall:.2%} (target >= {TARGETS['recall']:.0%}; brute force "
        f"took {brute_s:.0f} s)  {verdict(ok)}"
    )

    if args.skip_concurrency:
        print("concurrent writers: not run (--skip-concurrency)")
    elif use_folder:
        ok, line = concurrency(args.workdir)
        results.append(("concurrency", ok))
        print(f"concurrent writers (folder): {line}  {verdict(ok)}")
    if url is not None and not args.skip_concurrency:
        ok, line = concurrency_server(url, args.workdir)
        results.append(("concurrency (postgresql)", ok))
        print(f"concurrent writers (postgresql): {line}  {verdict(ok)}")

    if args.translate:
        ok, line = translate_twice(args.workdir)
        results.append(("translate twice", ok))
        print(f"translate twice: {line}  {verdict(ok)}")
    else:
        print("translate twice: not run (pass --translate)")

    failed = [name for name, ok in results if not ok]
    print("ALL PASS" if not failed else f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
