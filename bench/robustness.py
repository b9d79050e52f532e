"""Robustness under load: concurrency, interruption, pathological sizes, memory.

Every figure is measured in this one run, against the targets of issue 13:

* glossary:  8 processes x 50 ``transkit glossary add`` on one file -> 400 entries kept
* models:    16 parallel first uses of one .argosmodel (empty cache) -> 0 failures
* interrupt: SIGINT and SIGTERM at random moments, 50 trials each -> every input's
             outputs all old or all new, no temporary file left
* linear:    a 2 MB paragraph without punctuation <= 2x the time of the same text
             with full stops; progress lines appear on a non-terminal stderr
* lint:      ``glossary lint`` on 100,000 rows <= 10 s
* memory:    peak RSS of a 50 MB XLIFF merge and of the 2 MB text; with
             ``--baseline-src DIR`` (a checkout of the code before the change) the
             same commands run on that code too and the ratio must be <= 2

    python bench/robustness.py                       # everything (about 20 min on 2 cores)
    python bench/robustness.py --only glossary,lint  # some sections
    python bench/robustness.py --size-mb 0.5 --trials 10   # a quicker look
    python bench/robustness.py --only memory --baseline-src /tmp/transkit-before

Prints one line per figure and PASS/FAIL per target; exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
SEED = next((ROOT / "seeds").glob("*.txt"))
GLOSSARY = ROOT / "glossary"
SECTIONS = ("glossary", "models", "interrupt", "linear", "lint", "memory")

results: list[tuple[str, bool]] = []


def report(name: str, ok: bool, detail: str) -> None:
    results.append((name, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)


def transkit_cmd() -> list[str]:
    """``transkit`` as a module: `env_for` picks the checkout through PYTHONPATH."""
    return [sys.executable, "-m", "transkit"]


def env_for(base: Path, src: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGOS_", "TRANSKIT_"))}
    env.update(
        HOME=str(base / "home"),
        ARGOS_PACKAGES_DIR=str(base / "packages"),
        TRANSKIT_CACHE_DIR=str(base / "cache"),
        XDG_CACHE_HOME=str(base / "xdgcache"),
        PYTHONPATH=str((src or ROOT) / "src"),
    )
    return env


# ------------------------------------------------------------------ glossary
def bench_glossary(work: Path, procs: int = 8, adds: int = 50) -> None:
    folder = work / "glossary-concurrency"
    folder.mkdir()
    target = folder / "shared.tsv"
    target.write_text("id\tde\ten\tstatus\n", encoding="utf-8")
    link = folder / "link.tsv"
    link.symlink_to(target)
    script = (
        "import subprocess, sys\n"
        "bad = 0\n"
        f"for i in range({adds}):\n"
        "    r = subprocess.run([sys.executable, '-m', 'transkit', 'glossary', 'add',\n"
        "        '--glossary', sys.argv[2], f'Wort{sys.argv[1]}x{i}', f'word {sys.argv[1]} {i}'],\n"
        "        capture_output=True, text=True)\n"
        "    bad += r.returncode != 0\n"
        "sys.exit(bad)\n"
    )
    env = env_for(work)
    started = time.perf_counter()
    # Half of the writers go through the symlink: the shared file must get their rows.
    running = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(n), str(link if n % 2 else target)], env=env
        )
        for n in range(procs)
    ]
    failures = sum(p.wait() for p in running)
    seconds = time.perf_counter() - started
    rows = [ln for ln in target.read_text(encoding="utf-8").splitlines()[1:] if ln.strip()]
    kept = len(set(rows))
    report(
        "glossary add in parallel",
        kept == procs * adds and failures == 0 and link.is_symlink(),
        f"{procs} processes x {adds} adds -> {kept} of {procs * adds} entries kept, "
        f"{failures} failed calls, symlink kept: {link.is_symlink()} ({seconds:.1f} s)",
    )


# -------------------------------------------------------------------- models
def bench_models(work: Path, procs: int = 16) -> None:
    base = work / "models-first-use"
    base.mkdir()
    text = base / "in.txt"
    text.write_text("Peking kontrolliert seltene Erden.\n", encoding="utf-8")
    env = env_for(base)
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            [
                *transkit_cmd(),
                "translate",
                "-q",
                "--no-glossary",
                "--model",
                str(MODEL),
                "--formats",
                "txt",
                "--out",
                str(base / f"out{n}"),
                str(text),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(procs)
    ]
    failed = []
    for p in running:
        _, err = p.communicate()
        if p.returncode != 0:
            failed.append(err.strip().splitlines()[-1:] or [f"exit {p.returncode}"])
    seconds = time.perf_counter() - started
    leftovers = [c.name for c in (base / "cache" / "models").iterdir() if c.name.startswith(".")]
    report(
        "parallel first use of an .argosmodel",
        not failed and not leftovers,
        f"{procs} parallel runs, empty cache -> {len(failed)} failures "
        f"{failed[:2] if failed else ''}, {len(leftovers)} staging dirs left ({seconds:.1f} s)",
    )


# ----------------------------------------------------------------- interrupt
def _inputs(folder: Path, count: int) -> list[Path]:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", SEED.read_text(encoding="utf-8")) if s]
    paths = []
    for i in range(count):
        path = folder / f"doc{i:02d}.txt"
        body = " ".join(sentences[(i + k) % len(sentences)] for k in range(4))
        path.write_text(body + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _outputs(out: Path, doc: Path) -> list[Path]:
    stem = doc.name[: -len(".txt")]
    return [out / f"{stem}.en.txt", out / f"{stem}.de-en.xlf", out / f"{stem}.de-en.tmx"]


def bench_interrupt(work: Path, trials: int, inputs: int = 20) -> None:
    base = work / "interrupt"
    base.mkdir()
    docs = _inputs(base, inputs)
    out = base / "out"
    env = env_for(base)
    cmd = [*transkit_cmd(), "translate", "-q", "--model", str(MODEL)]
    cmd += ["--glossary", str(GLOSSARY), "--out", str(out), *map(str, docs)]
    subprocess.run(cmd, env=env, check=True, capture_output=True)  # warm the model cache
    rng = random.Random(13)
    for signum in (signal.SIGINT, signal.SIGTERM):
        mixed, leftovers, states = 0, 0, {"old": 0, "new": 0}
        for trial in range(trials):
            for doc in docs:
                for path in _outputs(out, doc):
                    path.write_bytes(b"OLD " + path.name.encode() + b"\n")
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if trial % 2 == 0:
                # Half the trials: the moment the first new output appears, then 0-80 ms.
                while (
                    proc.poll() is None
                    and all(p.read_bytes().startswith(b"OLD ") for p in _outputs(out, docs[0]))
                    and not any(out.glob(".*.tmp"))
                ):
                    time.sleep(0.001)
                time.sleep(rng.uniform(0, 0.08))
            else:
                time.sleep(rng.uniform(0.05, 3.0))  # anywhere in the run
            if proc.poll() is None:
                proc.send_signal(signum)
            proc.communicate()
            for doc in docs:
                olds = [p.read_bytes().startswith(b"OLD ") for p in _outputs(out, doc)]
                if all(olds):
                    states["old"] += 1
                elif not any(olds):
                    states["new"] += 1
                else:
                    mixed += 1
            left = [p for p in out.iterdir() if p.name.endswith(".tmp")]
            if left and os.environ.get("BENCH_DEBUG"):
                print("      left:", [p.name for p in left], proc.returncode)
            leftovers += len(left)
            for p in left:
                p.unlink()
        name = signal.Signals(signum).name
        report(
            f"interruption by {name}",
            mixed == 0 and leftovers == 0,
            f"{trials} trials x {inputs} inputs: {states['old']} sets all old, "
            f"{states['new']} all new, {mixed} mixed, {leftovers} temporary files left",
        )


# -------------------------------------------------------------------- linear
def _big_texts(folder: Path, size: int) -> tuple[Path, Path]:
    para = " ".join(SEED.read_text(encoding="utf-8").split())
    bare = re.sub(r"[.!?;:]", "", para)

    def repeat(piece: str) -> str:
        return ((piece + " ") * (size // len(piece) + 1))[:size].rstrip() + "\n"

    dotted, unpunctuated = folder / "dotted.txt", folder / "unpunctuated.txt"
    dotted.write_text(repeat(para), encoding="utf-8")
    unpunctuated.write_text(repeat(bare), encoding="utf-8")
    return dotted, unpunctuated


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) of the command's process, its stderr."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,"
        " text=True)\n"
        "sys.stderr.write(p.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(p.returncode)\n"
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *cmd], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"bench/robustness.py: failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return seconds, int(proc.stdout.strip().splitlines()[-1]), proc.stderr


def bench_linear(work: Path, size_mb: float, baseline: Path | None) -> None:
    base = work / "linear"
    base.mkdir()
    dotted, bare = _big_texts(base, int(size_mb * 1024 * 1024))
    env = env_for(base)
    env["TRANSKIT_PROGRESS_SECONDS"] = "20"
    cmd = [*transkit_cmd(), "translate", "--model", str(MODEL), "--glossary", str(GLOSSARY)]
    cmd += ["--out", str(base / "out")]
    subprocess.run([*cmd, str(SEED)], env=env, check=True, capture_output=True)  # warm cache
    t_dot, rss_dot, _ = measured([*cmd, str(dotted)], env)
    t_bare, rss_bare, err = measured([*cmd, str(bare)], env)
    ratio = t_bare / t_dot
    label = f"{size_mb:g} MB"
    report(
        "linear cost",
        ratio <= 2.0,
        f"{label} without punctuation {t_bare:.1f} s, with full stops {t_dot:.1f} s, "
        f"ratio {ratio:.2f} (target <= 2)",
    )
    lines = [ln for ln in err.splitlines() if ln.startswith("transkit: translating:")]
    report(
        "progress on a non-terminal stderr",
        bool(lines) or t_bare < 20,
        f"{len(lines)} progress lines in {t_bare:.0f} s (one per 20 s here)"
        + (f", e.g. {lines[-1]!r}" if lines else ""),
    )
    mib = f"{rss_dot / 1024:.0f} MiB (full stops), {rss_bare / 1024:.0f} MiB (none)"
    print(f"      peak RSS: {mib}")
    if baseline is not None:
        benv = env_for(base / "baseline", baseline)
        subprocess.run([*cmd, str(SEED)], env=benv, check=True, capture_output=True)
        t_old, rss_old, _ = measured([*cmd, str(dotted)], benv)
        report(
            f"peak memory, {label} text",
            rss_dot <= 2 * rss_old,
            f"{rss_dot / 1024:.0f} MiB now vs {rss_old / 1024:.0f} MiB before "
            f"(ratio {rss_dot / rss_old:.2f}, target <= 2; times {t_dot:.0f} s vs {t_old:.0f} s)",
        )


# ---------------------------------------------------------------------- lint
def big_glossary(path: Path, rows: int) -> None:
    rng = random.Random(7)
    syllables = (  # noqa: SIM905 - one readable line per group
        "ba be bi bo bu da de di do du ga ge gi ka ke ki ko la le li lo ma me mi mo na ne "
        "ni no ra re ri ro sa se si so ta te ti to wa we wi zu sch tr st an en er in un "
        "ung heit keit"
    ).split()

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 5)))

    seen: set[str] = set()
    lines = ["id\tde\ten\tstatus\tpos\tdnt\tcase\tdomain\tnote"]
    while len(lines) <= rows:
        de = word().capitalize() + (" " + word() if rng.random() < 0.2 else "")
        if de.lower() in seen:
            continue
        seen.add(de.lower())
        lines.append(f"c{len(lines)}\t{de}\t{word()}\tpreferred\tnoun\t\t\t\t")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bench_lint(work: Path, rows: int = 100_000) -> None:
    path = work / "big.tsv"
    big_glossary(path, rows)
    env = env_for(work)
    cmd = [*transkit_cmd(), "glossary", "lint", "--glossary", str(path)]
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    summary = proc.stderr.strip().splitlines()[-1:] or ["(no summary)"]
    report(
        "glossary lint, 100,000 rows",
        seconds <= 10 and proc.returncode in (0, 1) and "Traceback" not in proc.stderr,
        f"{rows:,} rows in {seconds:.1f} s wall, {cpu:.1f} s CPU (target <= 10 s); {summary[0]}",
    )


# -------------------------------------------------------------------- memory
def big_xliff(path: Path, megabytes: int) -> None:
    """An XLIFF 1.2 file of about ``megabytes`` MB written by transkit itself."""
    sys.path.insert(0, str(ROOT / "src"))
    from transkit.data import Document, Segment
    from transkit.formats.xliff import write_xliff

    sentences = [s for s in re.split(r"(?<=[.!?])\s+", SEED.read_text(encoding="utf-8")) if s]
    per_segment = 470  # bytes of XLIFF per segment, roughly
    count = megabytes * 1024 * 1024 // per_segment
    segments = tuple(
        Segment(
            str(i + 1),
            sentences[i % len(sentences)],
            f"English sentence number {i} for the merge benchmark.",
            leading=" " if i else "",
            state="translated",
        )
        for i in range(count)
    )
    write_xliff([Document(name="big.txt", segments=segments)], path)


def bench_memory(work: Path, baseline: Path | None, megabytes: int = 50) -> None:
    base = work / "memory"
    base.mkdir()
    xlf = base / "big.de-en.xlf"
    big_xliff(xlf, megabytes)
    size = xlf.stat().st_size / (1024 * 1024)
    env = env_for(base)
    cmd = [*transkit_cmd(), "merge", str(xlf), "--out", str(base / "merged.txt")]
    seconds, rss, _ = measured(cmd, env)
    detail = f"{size:.0f} MB XLIFF merged in {seconds:.1f} s, peak RSS {rss / 1024:.0f} MiB"
    if baseline is None:
        print(f"      {detail} (no --baseline-src: no ratio)")
        return
    old_seconds, old_rss, _ = measured(cmd, env_for(base, baseline))
    report(
        "peak memory, XLIFF merge",
        rss <= 2 * old_rss,
        f"{detail}; before: {old_rss / 1024:.0f} MiB in {old_seconds:.1f} s "
        f"(ratio {rss / old_rss:.2f}, target <= 2)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--trials", type=int, default=50, help="interruption trials per signal")
    parser.add_argument("--size-mb", type=float, default=2.0, help="size of the long paragraph")
    parser.add_argument("--baseline-src", type=Path, help="checkout to compare memory with")
    args = parser.parse_args()
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}; choose from {SECTIONS}")
    work = Path(tempfile.mkdtemp(prefix="transkit-robustness-"))
    try:
        if "glossary" in wanted:
            bench_glossary(work)
        if "models" in wanted:
            bench_models(work)
        if "interrupt" in wanted:
            bench_interrupt(work, args.trials)
        if "lint" in wanted:
            bench_lint(work)
        if "memory" in wanted:
            bench_memory(work, args.baseline_src)
        if "linear" in wanted:
            bench_linear(work, args.size_mb, args.baseline_src)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = [name for name, ok in results if not ok]
    print(f"{len(results) - len(failed)} of {len(results)} targets met")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
