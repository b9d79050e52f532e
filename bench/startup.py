"""Start-up cost: `transkit translate` on one sentence vs importing argostranslate.translate.

Both are measured in this one run, each as the median wall time of 5 runs
(after one warm-up run each), and the ratio is printed.  Target: <= 0.3.

    python bench/startup.py [--model PATH] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
SENTENCE = "Japan und die USA unterzeichnen ein Abkommen über seltene Erden.\n"
TARGET = 0.3


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(
            f"bench/startup.py: command failed ({proc.returncode}): {' '.join(cmd)}\n"
            f"{proc.stderr.strip()}"
        )
    return elapsed


def median_of(cmd: list[str], env: dict[str, str], cwd: Path, runs: int) -> float:
    timed(cmd, env, cwd)  # warm-up: file cache, unpacked model cache
    return statistics.median(timed(cmd, env, cwd) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    transkit = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "one.txt").write_text(SENTENCE, encoding="utf-8")
        env = dict(
            os.environ,
            TRANSKIT_CACHE_DIR=str(work / "cache"),
            ARGOS_PACKAGES_DIR=str(work / "packages"),
            HOME=str(work),
            XDG_DATA_HOME=str(work / "data"),
            XDG_CONFIG_HOME=str(work / "config"),
            XDG_CACHE_HOME=str(work / "xdgcache"),
        )
        translate_cmd = [
            transkit,
            "translate",
            "--model",
            str(args.model),
            "--glossary",
            str(ROOT / "glossary"),
            "--out",
            str(work / "out"),
            "--quiet",
            str(work / "one.txt"),
        ]
        import_cmd = [sys.executable, "-c", "import argostranslate.translate"]
        t_translate = median_of(translate_cmd, env, work, args.runs)
        t_import = median_of(import_cmd, env, work, args.runs)
    ratio = t_translate / t_import
    print(
        f"transkit translate (1 sentence, test model, glossary): median {t_translate:.3f} s "
        f"of {args.runs}"
    )
    print(
        f"python -c 'import argostranslate.translate':            median {t_import:.3f} s "
        f"of {args.runs}"
    )
    print(f"ratio {ratio:.3f} (target <= {TARGET}): {'PASS' if ratio <= TARGET else 'FAIL'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
