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
    args = parser.parse_args()

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
