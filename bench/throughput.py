"""Throughput of transkit's batching on a model of realistic size.

Builds (once, into bench/_work/) a transformer-base-sized Argos package with
random weights (`tools/build_bench_model.py`: 6+6 layers, d_model 512, FFN
2048), then translates the same German sentences three ways in one run:

* transkit: every segment of every file in one call, length-sorted,
  ``batch_type="tokens"`` (what ``transkit translate`` does);
* per paragraph: one call per paragraph, as argostranslate does;
* per sentence: one call per sentence.

Decoding length is fixed with ``max_decoding_length`` (random weights never
stop early), so each way does the same decoding work per sentence.  Prints
sentences per second and the speed-up ratios.

    python bench/throughput.py [--sentences 240] [--decode 24] [--threads 2]

``--marian`` runs the same on a transformer-base-sized random Marian model
(converted by CTranslate2's own converter, `build_bench_model.build_marian_bench`)
and also times raw ``Translator.translate_batch`` on the same sentences with
the same options, alternating the two, so transkit's own cost shows as a ratio.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work"
HELDOUT = ROOT / "tests" / "data" / "heldout.tsv"
SEEDS = ROOT / "seeds"


def bench_package() -> Path:
    """The unpacked random transformer-base package, built on first use."""
    target = WORK / "translate-de_en-bench"
    if not (target / "model" / "model.bin").exists():
        sys.path.insert(0, str(ROOT / "tools"))
        from build_bench_model import build_bench_package

        started = time.perf_counter()
        build_bench_package(WORK)
        print(f"built {target} in {time.perf_counter() - started:.1f} s")
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
    t_kit, t_raw, t_raw_text = raw_against_transkit(engine, flat, args.rounds)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=240)
    parser.add_argument("--decode", type=int, default=24, help="max_decoding_length")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compute-type", default=None)
    parser.add_argument("--marian", action="store_true", help="a random Marian model, vs raw")
    parser.add_argument("--rounds", type=int, default=3, help="with --marian: alternated rounds")
    args = parser.parse_args()
    if args.marian:
        return main_marian(args)

    from transkit.engine.argos import ArgosEngine, EngineOptions
    from transkit.models import read_package

    package = read_package(bench_package())
    options = EngineOptions(
        threads=args.threads,
        max_decoding_length=args.decode,
        compute_type=args.compute_type,
    )
    engine = ArgosEngine(package, options)
    paras = paragraphs(args.sentences)
    flat = [s for p in paras for s in p]
    engine.translate_batch(flat[:8])  # load the model, warm up

    t_all = timed(lambda: engine.translate_batch(flat))
    t_para = timed(lambda: [engine.translate_batch(p) for p in paras])
    t_one = timed(lambda: [engine.translate_batch([s]) for s in flat])
    n = len(flat)
    print(
        f"model: {package.path.name} (transformer-base shape, random weights), "
        f"compute type {args.compute_type or 'int8'}, {args.threads} threads, "
        f"{n} sentences in {len(paras)} paragraphs, max_decoding_length {args.decode}"
    )
    print(f"transkit (one sorted token batch): {t_all:7.2f} s  {n / t_all:7.1f} sentences/s")
    print(f"per paragraph (argostranslate):    {t_para:7.2f} s  {n / t_para:7.1f} sentences/s")
    print(f"per sentence:                      {t_one:7.2f} s  {n / t_one:7.1f} sentences/s")
    print(
        f"speed-up: {t_para / t_all:.2f}x over per-paragraph, "
        f"{t_one / t_all:.2f}x over per-sentence"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
