"""A large German text against the same sentences in 3,000-sentence files.

Generates a German text of ``--mb`` megabytes (sentences of
`tools/de_en_grammar.py`, seed 23, in paragraphs of five), and runs the
installed command ``transkit translate`` (start-up, model load, reading,
writing included) twice in one run, on the tiny test model:

* ``one file``: the whole text as one input;
* ``3,000-sentence files``: the same paragraphs cut into files of about
  3,000 sentences, all given to one ``transkit translate``.

Prints for each the wall time, sentences per second, the peak resident
memory of the ``transkit`` process (``ru_maxrss`` of the child), and the
ratio of the throughputs.  The issue's size is 50 MB (about 400,000
sentences; hours on 2 shared cores); run it at a size that fits and read
the memory per sentence with care: the model and the interpreter are a
fixed ~100 MB, the rest grows with what a run holds at once.

    python bench/large_input.py [--mb 1] [--formats txt] [--glossary]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
FILE_SENTENCES = 3000


def paragraphs(megabytes: float) -> list[list[str]]:
    """Paragraphs of five generated sentences, ``megabytes`` of UTF-8 in all."""
    sys.path.insert(0, str(ROOT / "tools"))
    from de_en_grammar import generate

    budget = int(megabytes * 1_000_000)
    paras: list[list[str]] = []
    current: list[str] = []
    size = 0
    for pair in generate(seed=23, n=10**9, placeholder_rate=0.0):
        current.append(pair.de)
        size += len(pair.de.encode("utf-8")) + 1
        if len(current) == 5:
            paras.append(current)
            current = []
            if size >= budget:
                break
    return paras


def write(path: Path, paras: list[list[str]]) -> None:
    path.write_text("\n\n".join(" ".join(p) for p in paras) + "\n", encoding="utf-8")


def run(files: list[Path], out: Path, args: argparse.Namespace) -> tuple[float, float]:
    """Seconds and peak MB of one ``transkit translate`` over ``files``."""
    cmd = [sys.executable, "-m", "transkit", "translate", "--model", str(MODEL), "-q"]
    cmd += ["--no-tm", "--formats", args.formats, "--out", str(out)]
    cmd += ["--glossary", str(ROOT / "glossary")] if args.glossary else ["--no-glossary"]
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, *cmd, *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    seconds = time.perf_counter() - started
    return seconds, int(done.stdout.split()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0, help="size of the text (50: the issue's)")
    parser.add_argument("--formats", default="txt")
    parser.add_argument("--glossary", action="store_true")
    args = parser.parse_args()
    paras = paragraphs(args.mb)
    count = sum(map(len, paras))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.txt"
        write(big, paras)
        small = []
        per_file = FILE_SENTENCES // 5
        for n, start in enumerate(range(0, len(paras), per_file)):
            small.append(Path(tmp) / f"part{n:04d}.txt")
            write(small[-1], paras[start : start + per_file])
        mb = big.stat().st_size / 1e6
        print(
            f"{mb:.1f} MB, {count} sentences; {len(small)} files of <= {FILE_SENTENCES}; "
            f"formats {args.formats}; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        t_big, m_big = run([big], Path(tmp) / "out-big", args)
        t_small, m_small = run(small, Path(tmp) / "out-small", args)
        same = (Path(tmp) / "out-big" / "big.en.txt").exists()
        for label, seconds, peak in (
            ("one file:            ", t_big, m_big),
            ("3,000-sentence files:", t_small, m_small),
        ):
            print(f"{label} {seconds:8.1f} s {count / seconds:7.1f} sent/s {peak:6.0f} MB")
        print(f"throughput ratio (one file / files): {t_small / t_big:.2f}; output written: {same}")
        print(
            f"load at end {os.getloadavg()[0]:.1f}; peak beyond ~100 MB fixed: "
            f"{(m_big - 100) * 1024 / count:.2f} kB per sentence (one file)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
