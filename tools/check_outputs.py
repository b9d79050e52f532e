"""Check that a speed change changed no output: the English of the seed, the
held-out sets and a 3,000-sentence document, byte for byte, against a
baseline commit (default ``main``), on both test models.

The baseline's ``src/`` is unpacked with ``git archive`` into
``bench/_work/baseline-<ref>/`` (nothing stored in git); both sides run
``python -m transkit translate --formats txt`` on the same inputs, with the
repository's glossary and with ``--no-glossary``, and every ``.en.txt`` is
compared.  Exits 1 on any difference and names the first differing line.

    python tools/check_outputs.py [--ref main] [--sentences 3000]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work"
MODELS = (
    ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel",
    ROOT / "tests" / "data" / "translate-de_en-tiny-noph.argosmodel",
)


def baseline_src(ref: str, repo: Path = ROOT) -> Path:
    """``src/`` of ``ref``, unpacked once (re-unpacked when the commit moved)."""
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", ref], check=True, capture_output=True, text=True
    ).stdout.strip()
    target = WORK / f"baseline-{commit[:12]}"
    if not (target / "src" / "transkit").is_dir():
        blob = subprocess.run(
            ["git", "-C", str(repo), "archive", commit, "src"], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=BytesIO(blob)) as tar:
            tar.extractall(target, filter="data")
    return target / "src"


def document(sentences: int) -> str:
    """A deterministic German document of ``sentences`` sentences in paragraphs of five."""
    sys.path.insert(0, str(ROOT / "tools"))
    from de_en_grammar import generate

    rows = [pair.de for pair in generate(seed=23, n=sentences, placeholder_rate=0.0)]
    return "\n\n".join(" ".join(rows[i : i + 5]) for i in range(0, len(rows), 5)) + "\n"


def inputs(folder: Path, sentences: int) -> list[Path]:
    """The seed, both held-out sets (one sentence a paragraph) and the document."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        target = folder / seed.name
        target.write_bytes(seed.read_bytes())
        paths.append(target)
    for name in ("heldout", "heldout_news"):
        with (ROOT / "tests" / "data" / f"{name}.tsv").open(encoding="utf-8") as handle:
            rows = [r["de"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
        target = folder / f"{name}.txt"
        target.write_text("\n\n".join(rows) + "\n", encoding="utf-8")
        paths.append(target)
    if sentences:
        target = folder / f"doc{sentences}.txt"
        target.write_text(document(sentences), encoding="utf-8")
        paths.append(target)
    return paths


def translate(src: Path, model: Path, files: list[Path], out: Path, glossary: bool) -> float:
    """Run ``transkit translate`` from ``src``; seconds taken."""
    env = dict(os.environ, PYTHONPATH=str(src))
    cmd = [sys.executable, "-m", "transkit", "translate", "--model", str(model)]
    cmd += ["--formats", "txt", "--no-tm", "-q", "--out", str(out)]
    cmd += ["--glossary", str(ROOT / "glossary")] if glossary else ["--no-glossary"]
    started = time.perf_counter()
    subprocess.run([*cmd, *map(str, files)], check=True, env=env, cwd=ROOT)
    return time.perf_counter() - started


def first_difference(a: bytes, b: bytes) -> str:
    for n, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False), 1):
        if x != y:
            return f"line {n}: {x.decode()[:80]!r} != {y.decode()[:80]!r}"
    return f"lengths {len(a)} != {len(b)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="main")
    parser.add_argument("--repo", type=Path, default=ROOT, help="the git repository of --ref")
    parser.add_argument("--sentences", type=int, default=3000, help="0: no generated document")
    parser.add_argument("--model", default="", help="only models whose name contains this")
    parser.add_argument("--glossary", choices=("both", "on", "off"), default="both")
    args = parser.parse_args()
    base = baseline_src(args.ref, args.repo)
    here = ROOT / "src"
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        files = inputs(Path(tmp) / "in", args.sentences)
        for model in (m for m in MODELS if args.model in m.name):
            for glossary in {"both": (True, False), "on": (True,), "off": (False,)}[args.glossary]:
                label = f"{model.name}, {'glossary' if glossary else 'no glossary'}"
                outs = {}
                for side, src in (("baseline", base), ("branch", here)):
                    out = Path(tmp) / side / label.replace(" ", "_")
                    seconds = translate(src, model, files, out, glossary)
                    outs[side] = out
                    print(f"{label}: {side} {seconds:.1f} s", flush=True)
                for path in files:
                    name = path.stem + ".en.txt"
                    a = (outs["baseline"] / name).read_bytes()
                    b = (outs["branch"] / name).read_bytes()
                    verdict = "identical" if a == b else "DIFFERENT " + first_difference(a, b)
                    failures += a != b
                    print(f"  {name}: {verdict}")
    print("all identical" if not failures else f"{failures} outputs differ")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
