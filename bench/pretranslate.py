"""Cost of pre-translating an XLIFF against translating the same text as .txt.

Builds a German text (the seed article plus held-out sentences) and the
same text as an XLIFF 1.2 file in a CAT tool's shape: one trans-unit per
paragraph, and inline codes in every unit (a ``<g>`` around a word, an
``<x/>`` between words, a ``<bpt>``/``<ept>`` pair), so every unit needs the
attention alignment and code placement.  Both go through transkit with the
same engine and glossary, in one run, alternating, best of ``--rounds``:

* txt: `run_translate` (segment, match, translate, enforce, QA, write .en.txt);
* xliff: `run_pretranslate` (read, translate the same sentences, align,
  place codes, splice the targets in, write the file).

Target: xliff <= 1.2 x txt.  By default on the transformer-base-sized bench
model (`tools/build_bench_model.py`, built into bench/_work/ on first use;
decoding length fixed) so the decoding cost is realistic; ``--model`` picks
another (e.g. the test model).

    python bench/pretranslate.py [--model PATH] [--rounds 3] [--decode 48]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

TARGET_RATIO = 1.2
X12 = "urn:oasis:names:tc:xliff:document:1.2"


def german_paragraphs(extra: int) -> list[str]:
    """The seed's paragraphs, then held-out sentences three to a paragraph."""
    paragraphs = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        paragraphs += [p for p in path.read_text(encoding="utf-8").splitlines() if p.strip()]
    with (ROOT / "tests" / "data" / "heldout.tsv").open(encoding="utf-8") as handle:
        rows = [r["de"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    rows = rows[:extra]
    paragraphs += [" ".join(rows[i : i + 3]) for i in range(0, len(rows), 3)]
    return paragraphs


def xliff_for(paragraphs: list[str]) -> bytes:
    """An XLIFF 1.2 with one trans-unit per paragraph, three inline codes in each."""
    from lxml import etree

    root = etree.Element(f"{{{X12}}}xliff", nsmap={None: X12}, version="1.2")
    file_el = etree.SubElement(
        root,
        f"{{{X12}}}file",
        original="bench.txt",
        datatype="plaintext",
        **{"source-language": "de-DE", "target-language": "en-US"},
    )
    body = etree.SubElement(file_el, f"{{{X12}}}body")
    for n, text in enumerate(paragraphs, 1):
        tu = etree.SubElement(body, f"{{{X12}}}trans-unit", id=str(n))
        source = etree.SubElement(tu, f"{{{X12}}}source")
        words = text.split(" ")
        third = max(1, len(words) // 3)
        source.text = " ".join(words[:third]) + " "
        bpt = etree.SubElement(source, f"{{{X12}}}bpt", id="1")
        bpt.text = "<b>"
        bpt.tail = words[third] if third < len(words) else ""
        ept = etree.SubElement(source, f"{{{X12}}}ept", id="1")
        ept.text = "</b>"
        middle = words[third + 1 : 2 * third]
        ept.tail = " " + " ".join(middle) + (" " if middle else "")
        x = etree.SubElement(source, f"{{{X12}}}x", id="2")
        rest = words[2 * third :]
        x.tail = " ".join(rest[:-1]) + (" " if len(rest) > 1 else "")
        g = etree.SubElement(source, f"{{{X12}}}g", id="3")
        g.text = rest[-1] if rest else "Ende"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def codes_lost_and_doubled(path: Path) -> tuple[int, int, int]:
    """(codes in the sources, codes lost, codes doubled) over every target of
    a pre-translated XLIFF 1.2, compared code by code with its source."""
    from collections import Counter

    from lxml import etree

    from transkit.formats.xliff_inline import code_signature

    total = lost = doubled = 0
    for tu in etree.parse(str(path)).getroot().iter(f"{{{X12}}}trans-unit"):
        source = Counter(code_signature(tu.find(f"{{{X12}}}source")))
        target_el = tu.find(f"{{{X12}}}target")
        target = Counter(code_signature(target_el)) if target_el is not None else Counter()
        total += sum(source.values())
        lost += sum((source - target).values())
        doubled += sum((target - source).values())
    return total, lost, doubled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model",
        help="model path: an .argosmodel, a package or a Marian model directory "
        "(default: the bench model)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--decode", type=int, default=48, help="max decoding length")
    parser.add_argument("--sentences", type=int, default=60, help="held-out sentences added")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    from transkit.engine.ct2 import EngineOptions
    from transkit.engine.families import engine_for
    from transkit.pipeline import TranslateOptions, run_translate
    from transkit.pretranslate import run_pretranslate

    model = args.model
    if model is None:
        from throughput import bench_package

        model = str(bench_package())
    options_engine = EngineOptions(threads=args.threads, max_decoding_length=args.decode)
    engine = engine_for(model, options_engine)
    paragraphs = german_paragraphs(args.sentences)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        txt = work / "bench.txt"
        txt.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
        xlf = work / "bench.xlf"
        xlf.write_bytes(xliff_for(paragraphs))
        options = TranslateOptions(
            model=model,
            engine=options_engine,
            glossary_paths=(ROOT / "glossary",),
            out_dir=work / "out",
            formats=("txt",),
        )
        run_translate([str(txt)], options, engine=engine)  # warm-up: model load, caches
        times: dict[str, list[float]] = {"txt": [], "xliff": []}
        segments = {}
        for _ in range(args.rounds):
            started = time.perf_counter()
            run = run_translate([str(txt)], options, engine=engine)
            times["txt"].append(time.perf_counter() - started)
            segments["txt"] = sum(len(d.segments) for d in run.documents)
            started = time.perf_counter()
            run = run_pretranslate([str(xlf)], options, engine=engine)
            times["xliff"].append(time.perf_counter() - started)
            assert not run.failed, run.failed
            segments["xliff"] = sum(len(d.segments) for d in run.documents)
        codes, lost, doubled = codes_lost_and_doubled(work / "out" / "bench.xlf")
    best = {k: min(v) for k, v in times.items()}
    ratio = best["xliff"] / best["txt"]
    print(f"model: {engine.name}  decode: {args.decode}  threads: {args.threads}")
    counts = f"txt {segments['txt']}, xliff {segments['xliff']}"
    print(f"paragraphs: {len(paragraphs)}  sentences: {counts}")
    print(f"txt   (best of {args.rounds}): {best['txt']:.2f} s  runs {times['txt']}")
    print(f"xliff (best of {args.rounds}): {best['xliff']:.2f} s  runs {times['xliff']}")
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"xliff / txt = {ratio:.3f}  (target <= {TARGET_RATIO})  {verdict}")
    codes_ok = codes > 0 and lost == doubled == 0
    print(
        f"inline codes: {codes} in the sources, {lost} lost, {doubled} doubled in the targets  "
        f"{'PASS' if codes_ok else 'FAIL'}"
    )
    verdict = verdict if codes_ok else "FAIL"
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
