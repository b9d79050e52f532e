"""A large German text against the same sentences in 3,000-sentence files.

Generates a German text of ``--mb`` megabytes (sentences of
`tools/de_en_grammar.py`, seed 23, in paragraphs of five), and runs the
installed command ``transkit translate`` (start-up, model load, reading,
writing included) twice in one run, on the tiny test model:

* ``one file``: the whole text as one input, translated a window at a
  time (``TRANSKIT_STREAM_MB=0``: streamed whatever its size);
* ``3,000-sentence files``: the same paragraphs cut into files of about
  3,000 sentences, all given to one ``transkit translate`` that holds them
  whole (``TRANSKIT_STREAM_MB`` above their size), as before windows.

Both runs plan the same batches (the plan's windows run over the run's
segments, files one after another), so the one file's English must be the
files' English joined; the script checks it.  Prints for each the wall
time, sentences per second, the peak resident memory of the ``transkit``
process (``ru_maxrss`` of the child), and the ratio of the throughputs.
Several ``--mb`` sizes in one run show whether the peak grows with the
input.  ``--window`` sets ``TRANSKIT_WINDOW_SEGMENTS`` for both runs
(default: transkit's 20,000).  The issue's size is 50 MB (about 400,000
sentences; hours on 2 shared cores); run it at sizes that fit.

    python bench/large_input.py [--mb 1 4] [--window 2000] [--reps 2] [--formats txt] [--glossary]
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


def run(
    files: list[Path], out: Path, args: argparse.Namespace, stream: bool
) -> tuple[float, float]:
    """Seconds and peak MB of one ``transkit translate`` over ``files``."""
    cmd = [sys.executable, "-m", "transkit", "translate", "--model", str(MODEL), "-q"]
    cmd += ["--no-tm", "--formats", args.formats, "--out", str(out)]
    cmd += ["--glossary", str(ROOT / "glossary")] if args.glossary else ["--no-glossary"]
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    env = dict(os.environ, TRANSKIT_STREAM_MB="0" if stream else "100000")
    if args.window:
        env["TRANSKIT_WINDOW_SEGMENTS"] = str(args.window)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, *cmd, *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - started
    return seconds, int(done.stdout.split()[-1]) / 1024


def compare(mb: float, args: argparse.Namespace) -> None:
    """Both runs at one size, with the figures and the output check."""
    paras = paragraphs(mb)
    count = sum(map(len, paras))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.txt"
        write(big, paras)
        small = []
        per_file = FILE_SENTENCES // 5
        for n, start in enumerate(range(0, len(paras), per_file)):
            small.append(Path(tmp) / f"part{n:04d}.txt")
            write(small[-1], paras[start : start + per_file])
        size = big.stat().st_size / 1e6
        print(
            f"{size:.1f} MB, {count} sentences; {len(small)} files of <= {FILE_SENTENCES}; "
            f"formats {args.formats}; window {args.window or 'default'}; "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        times: dict[bool, list[float]] = {True: [], False: []}
        peaks: dict[bool, list[float]] = {True: [], False: []}
        # ABBA order over --reps pairs, so a load that rises or falls favours neither.
        order = [r % 2 == 0 for r in range(args.reps)]
        for first in order:
            for stream in (first, not first):
                files, out = ([big], "out-big") if stream else (small, "out-small")
                seconds, peak = run(files, Path(tmp) / out, args, stream=stream)
                times[stream].append(seconds)
                peaks[stream].append(peak)
        t_big, m_big = min(times[True]), max(peaks[True])
        t_small, m_small = min(times[False]), max(peaks[False])
        if "txt" in args.formats.split(","):
            english = (Path(tmp) / "out-big" / "big.en.txt").read_text(encoding="utf-8")
            parts = [
                (Path(tmp) / "out-small" / f"{p.stem}.en.txt").read_text(encoding="utf-8")
                for p in small
            ]
            same = english == "\n\n".join(p.rstrip("\n") for p in parts) + "\n"
        else:
            same = None
        for label, seconds, peak in (
            ("one file, streamed:         ", t_big, m_big),
            ("3,000-sentence files, whole:", t_small, m_small),
        ):
            print(f"{label} {seconds:8.1f} s {count / seconds:7.1f} sent/s {peak:6.0f} MB")
        if args.reps > 1:
            print(f"  all times, streamed: {times[True]}; files: {times[False]}")
        print(
            f"throughput ratio (one file / files): {t_small / t_big:.2f}; "
            f"same English: {same}; load at end {os.getloadavg()[0]:.1f}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mb", type=float, nargs="+", default=[1.0], help="sizes of the text (50: the issue's)"
    )
    parser.add_argument("--window", type=int, default=0, help="TRANSKIT_WINDOW_SEGMENTS")
    parser.add_argument("--formats", default="txt")
    parser.add_argument("--reps", type=int, default=1, help="pairs of runs (best time shown)")
    parser.add_argument("--glossary", action="store_true")
    args = parser.parse_args()
    for mb in args.mb:
        compare(mb, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
