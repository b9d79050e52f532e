"""Throughput: transkit against raw CTranslate2, with the peak memory of each.

On the tiny test model and on a transformer-base-sized Argos package with
random weights (built once into bench/_work/ by `tools/build_bench_model.py`:
6+6 layers, d_model 512, FFN 2048), the same distinct German sentences
(`tools/de_en_grammar.py`, seed 23) are translated, inside Python with the
model loaded and warm, five ways:

* ``raw``: one ``Translator.translate_batch`` call on the pre-tokenised
  sentences with transkit's decoding settings (beam 4, length penalty 0.2,
  ``max_batch_size`` 4,096 tokens) and CTranslate2's default decoding
  length (256);
* ``raw-cap``: the same call with transkit's cap (3 x longest source + 16);
* ``transkit``: `transkit.batch.translate_segments`, no glossary
  (tokenising, batching, detokenising, typography included);
* ``glossary``: the same with the repository's glossary matched and
  enforced (term matching included);
* on the random model (whose decoder never stops by itself) every way
  decodes exactly ``--decode`` pieces, so raw and raw-cap are the same work.

Each measurement runs in a fresh process (so its peak resident memory,
``VmHWM``, is its own), the ways alternate, and each figure is the best
of ``--reps``: the machine is shared, and the ratios are what to read.
The time transkit spends outside CTranslate2 is its wall time minus the time
inside ``translate_batch`` (timed around each call), per sentence.

    python bench/throughput.py [--models tiny,base] [--sizes 300,3000]
        [--base-sizes 300] [--decode 24] [--threads 2] [--reps 3] [--profile]

30,000 sentences: ``--sizes 300,3000,30000`` (minutes per way on 2 cores).
``--cli 3000`` instead times the whole ``transkit translate`` on a
3,000-sentence document with the glossary against ``--no-glossary``.

    python bench/throughput.py --marian [--sentences 240] [--rounds 3] [--decode 24] [--threads 2]

``--marian`` runs the same on a transformer-base-sized random Marian model
(converted by CTranslate2's own converter, `build_bench_model.build_marian_bench`)
and also times raw ``Translator.translate_batch`` on the same sentences with
the same options, alternating the two, so transkit's own cost shows as a ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work"
TINY = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
HELDOUT = ROOT / "tests" / "data" / "heldout.tsv"
SEEDS = ROOT / "seeds"
GLOSSARY = ROOT / "glossary"
WAYS = ("raw", "raw-cap", "transkit", "glossary")


def bench_package() -> Path:
    """The unpacked random transformer-base package, built on first use."""
    target = WORK / "translate-de_en-bench"
    if not (target / "model" / "model.bin").exists():
        sys.path.insert(0, str(ROOT / "tools"))
        from build_bench_model import build_bench_package

        started = time.perf_counter()
        build_bench_package(WORK)
        print(f"built {target} in {time.perf_counter() - started:.1f} s", flush=True)
    return target


def bench_marian() -> Path:
    """The random transformer-base Marian model, built on first use."""
    target = WORK / "marian-de_en-bench"
    if not (target / "model.bin").exists():
        sys.path.insert(0, str(ROOT / "tools"))
        from build_bench_model import build_marian_bench

        started = time.perf_counter()
        build_marian_bench(WORK)
        print(f"built {target} in {time.perf_counter() - started:.1f} s")
    return target


def raw_against_transkit(engine, flat: list[str], rounds: int) -> tuple[float, float, float]:
    """Best-of-``rounds`` seconds for transkit's ``translate_batch``, raw
    CTranslate2 on pre-cut pieces, and raw including SentencePiece both ways;
    alternated, so load on a shared machine hits all three alike."""
    opts = engine.options
    translator = engine._translator
    pieces = [[*engine.tokenize(s), *engine.source_suffix] for s in flat]

    def raw(tokens: list[list[str]]):
        return translator.translate_batch(
            tokens,
            max_batch_size=opts.max_batch_tokens,
            batch_type="tokens",
            beam_size=opts.beam_size,
            num_hypotheses=1,
            length_penalty=opts.length_penalty,
            max_decoding_length=opts.max_decoding_length,
            replace_unknowns=True,
            return_scores=True,
        )

    def raw_with_text() -> None:
        tokens = [[*engine.tokenize(s), *engine.source_suffix] for s in flat]
        [engine.detokenize(r.hypotheses[0]) for r in raw(tokens)]

    best = [float("inf")] * 3
    for _ in range(rounds):
        best[0] = min(best[0], timed(lambda: engine.translate_batch(flat)))
        best[1] = min(best[1], timed(lambda: raw(pieces)))
        best[2] = min(best[2], timed(raw_with_text))
    return best[0], best[1], best[2]


def main_marian(args: argparse.Namespace) -> int:
    from transkit.engine.ct2 import EngineOptions
    from transkit.engine.marian import MarianEngine

    options = EngineOptions(
        threads=args.threads, max_decoding_length=args.decode, compute_type=args.compute_type
    )
    engine = MarianEngine(bench_marian(), options)
    flat = [s for p in paragraphs(args.sentences) for s in p]
    engine.translate_batch(flat[:8])  # load the model, warm up
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    t_kit, t_raw, t_raw_text = raw_against_transkit(engine, flat, args.rounds)
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    n = len(flat)
    print(
        f"model: {engine.model_dir.name} (Marian, transformer-base shape, random weights), "
        f"compute type {args.compute_type or 'int8'}, {args.threads} threads, {n} sentences, "
        f"max_decoding_length {args.decode}, best of {args.rounds} alternated rounds"
    )
    print(f"transkit translate_batch:          {t_kit:7.2f} s  {n / t_kit:7.1f} sentences/s")
    print(f"raw translate_batch (pieces):      {t_raw:7.2f} s  {n / t_raw:7.1f} sentences/s")
    print(f"raw + SentencePiece both ways:     {t_raw_text:7.2f} s")
    print(
        f"transkit / raw: {t_kit / t_raw:.3f}x (pieces), "
        f"{t_kit / t_raw_text:.3f}x (with SentencePiece)"
    )
    return 0


def paragraphs(limit: int) -> list[list[str]]:
    """German paragraphs: the seed article, then held-out sentences in fives."""
    from transkit.text.segment import segment_document

    paras: list[list[str]] = []
    for path in sorted(SEEDS.glob("*.txt")):
        doc = segment_document(path.name, path.read_text(encoding="utf-8"))
        current: list[str] = []
        for seg in doc.segments:
            if seg.paragraph_break and current:
                paras.append(current)
                current = []
            current.append(seg.source)
        if current:
            paras.append(current)
    with HELDOUT.open(encoding="utf-8") as handle:
        rows = [r["de"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    for i in range(0, len(rows), 5):
        paras.append(rows[i : i + 5])
    out, count = [], 0
    for para in paras:
        if count >= limit:
            break
        out.append(para[: limit - count])
        count += len(out[-1])
    return out


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def sentences(count: int) -> list[str]:
    """``count`` distinct German sentences (the grammar repeats itself; repeats are skipped)."""
    sys.path.insert(0, str(ROOT / "tools"))
    from de_en_grammar import generate

    seen: dict[str, None] = {}
    for pair in generate(seed=23, n=count * 3, placeholder_rate=0.0):
        seen.setdefault(pair.de)
        if len(seen) == count:
            break
    return list(seen)


def peak_mb() -> float:
    """This process's peak resident memory since it started.

    ``VmHWM`` belongs to the process's own memory map, so it does not count
    what the parent held when it forked (``ru_maxrss`` does, on Linux).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Timed:
    """A Translator whose ``translate_batch`` time is added up."""

    def __init__(self, translator: Any) -> None:
        self.translator = translator
        self.seconds = 0.0
        self.calls = 0

    def translate_batch(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.translator.translate_batch(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def worker(model: str, count: int, way: str, decode: int | None, threads: int, profile: bool):
    """One measurement in this process; prints its figures as JSON."""
    from transkit.batch import translate_segments
    from transkit.data import Segment
    from transkit.engine.argos import ArgosEngine, EngineOptions
    from transkit.engine.ct2 import _decoding_cap
    from transkit.models import resolve_model

    options = EngineOptions(threads=threads, max_decoding_length=decode or 512)
    engine = ArgosEngine(resolve_model(model), options)
    texts = sentences(count)
    engine.translate_batch(texts[:8])  # load and warm up
    translator = engine._translator
    timed = _Timed(translator)
    engine._translator = timed
    prefix = list(engine.target_lang) or None
    started = time.perf_counter()
    if way.startswith("raw"):
        pieces = [engine._source(engine.tokenize(t)) for t in texts]
        cap = _decoding_cap(max(map(len, pieces)), options.max_decoding_length)
        started = time.perf_counter()
        timed.translate_batch(
            pieces,
            target_prefix=[prefix] * len(pieces) if prefix else None,
            max_batch_size=options.max_batch_tokens,
            batch_type="tokens",
            beam_size=options.beam_size,
            length_penalty=options.length_penalty,
            max_decoding_length=decode or (cap if way == "raw-cap" else 256),
            replace_unknowns=True,
            return_scores=True,
        )
    else:
        glossary = None
        segments = [Segment(id=str(i), source=t) for i, t in enumerate(texts)]
        if way == "glossary":
            from transkit.terms.glossary import load_glossaries
            from transkit.terms.match import TermMatcher

            glossary = load_glossaries([GLOSSARY])
            matcher = TermMatcher.from_glossary(glossary)
            segments = [
                Segment(id=s.id, source=s.source, terms=tuple(matcher.find(s.source)))
                for s in segments
            ]
        translate_segments(segments[:8], engine, glossary=glossary)  # imports, warm-up
        engine.forget()
        timed.seconds, timed.calls = 0.0, 0
        started = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        translate_segments(segments, engine, glossary=glossary)
        if profile:
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(40)
    seconds = time.perf_counter() - started
    peak = peak_mb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "ct2": timed.seconds,
                "calls": timed.calls,
                "peak_mb": peak,
                "n": len(texts),
            }
        )
    )


def cli_cost(count: int, reps: int) -> None:
    """Whole ``transkit translate`` (start-up, model load, writing the default
    formats) on one ``count``-sentence document, with the repository's
    glossary and with ``--no-glossary``, alternating, best of ``reps``."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / f"doc{count}.txt"
        texts = sentences(count)
        doc.write_text(
            "\n\n".join(" ".join(texts[i : i + 5]) for i in range(0, len(texts), 5)) + "\n",
            encoding="utf-8",
        )
        best = {"glossary": float("inf"), "no glossary": float("inf")}
        for rep in range(reps):
            order = ("glossary", "no glossary") if rep % 2 == 0 else ("no glossary", "glossary")
            for label in order:
                cmd = [sys.executable, "-m", "transkit", "translate", "--model", str(TINY), "-q"]
                cmd += ["--no-tm", "--out", str(Path(tmp) / "out"), str(doc)]
                cmd += ["--glossary", str(GLOSSARY)] if label == "glossary" else ["--no-glossary"]
                started = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True)
                best[label] = min(best[label], time.perf_counter() - started)
        print(
            f"transkit translate, {count} sentences, tiny model, default formats: glossary "
            f"{best['glossary']:.1f} s, --no-glossary {best['no glossary']:.1f} s, ratio "
            f"{best['glossary'] / best['no glossary']:.2f} (best of {reps})",
            flush=True,
        )


def measure(
    model: Path, count: int, way: str, args: argparse.Namespace, decode: int | None
) -> dict:
    cmd = [sys.executable, __file__, "--worker", str(model), str(count), way]
    cmd += ["--threads", str(args.threads), "--decode", str(decode or 0)]
    if args.profile and way in ("transkit", "glossary"):
        cmd.append("--profile")
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    if args.profile and way in ("transkit", "glossary"):
        print(done.stderr, file=sys.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tiny,base")
    parser.add_argument("--sizes", default="300,3000", help="sentences on the tiny model")
    parser.add_argument("--base-sizes", default="300", help="sentences on the random base model")
    parser.add_argument("--decode", type=int, default=24, help="pieces decoded on the random model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--ways", default=",".join(WAYS))
    parser.add_argument("--profile", action="store_true", help="cProfile the transkit way")
    parser.add_argument(
        "--base-glossary", action="store_true", help="the glossary way on the random model too"
    )
    parser.add_argument(
        "--cli", type=int, default=0, help="instead: whole command, glossary vs none, N sentences"
    )
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--compute-type", default=None)
    parser.add_argument("--marian", action="store_true", help="a random Marian model, vs raw")
    parser.add_argument("--rounds", type=int, default=3, help="with --marian: alternated rounds")
    parser.add_argument("--sentences", type=int, default=240, help="with --marian: sentences")
    args = parser.parse_args()
    if args.marian:
        return main_marian(args)
    if args.worker:
        model, count, way = args.worker
        worker(model, int(count), way, args.decode or None, args.threads, args.profile)
        return 0

    if args.cli:
        cli_cost(args.cli, args.reps)
        return 0
    ways = args.ways.split(",")
    plans = []
    if "tiny" in args.models:
        plans += [(TINY, int(n), None) for n in args.sizes.split(",")]
    if "base" in args.models:
        plans += [(bench_package(), int(n), args.decode) for n in args.base_sizes.split(",")]
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}")
    print(
        f"{'model':28} {'n':>6} {'way':9} {'seconds':>8} {'x best raw':>10} {'calls':>5} "
        f"{'outside ms/sent':>15} {'peak MB':>8}"
    )
    for model, count, decode in plans:
        # The random model never stops decoding by itself: enforcing a
        # glossary on it re-decodes to the cap again and again (hours).
        ways_here = [w for w in ways if decode is None or w != "glossary" or args.base_glossary]
        best: dict[str, dict] = {}
        for rep in range(args.reps):
            order = ways_here if rep % 2 == 0 else ways_here[::-1]
            for way in order:
                got = measure(model, count, way, args, decode)
                if way not in best or got["seconds"] < best[way]["seconds"]:
                    best[way] = got
        raw = (
            min(best[w]["seconds"] for w in ("raw", "raw-cap") if w in best)
            if any(w.startswith("raw") for w in best)
            else None
        )
        for way in ways_here:
            got = best[way]
            ratio = f"{got['seconds'] / raw:10.2f}" if raw else f"{'':10}"
            outside = (
                f"{(got['seconds'] - got['ct2']) / got['n'] * 1000:15.3f}"
                if not way.startswith("raw")
                else f"{'':15}"
            )
            print(
                f"{model.name[:28]:28} {got['n']:6d} {way:9} {got['seconds']:8.2f} {ratio} "
                f"{got['calls']:5d} {outside} {got['peak_mb']:8.0f}",
                flush=True,
            )
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
