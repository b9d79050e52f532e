"""Benchmark: documents (DOCX, ODT, HTML, Markdown), side by side with argos-translate-files.

Run ``PYTHONPATH=src .venv/bin/python bench/documents.py`` (``--quick``: two
files per format and one repetition; ``--skip-atf``: transkit alone).

1. Over ``../shared/interop/documents/`` it translates every DOCX, ODT and HTML
   file with transkit (the library, one warm engine, default outputs) and with
   argos-translate-files (its own virtual environment under ``bench/_work/``,
   the same tiny model installed into a private ``ARGOS_PACKAGES_DIR``, one warm
   translation object).  argos-translate-files reads no Markdown (its formats
   are txt, odt, odp, docx, pptx, epub, html, srt and pdf), so Markdown is not
   a shared format.  Offline, argostranslate's sentence splitter would download
   a model at first use; that venv gets a ``sitecustomize.py`` replacing the
   splitter with a regex split (a stand-in, said in the output).  Both sides'
   formatting elements are counted by the same reader,
   ``transkit.formats.documents.extract_document(...).elements``; every output
   is opened by LibreOffice headless (one ``soffice --convert-to pdf`` call per
   tool).  Targets: transkit loses strictly fewer elements than
   argos-translate-files on every shared format; 0 outputs fail to open.
2. The seed article saved as DOCX, ODT, HTML and Markdown with its glossary
   terms in bold or links: ``transkit translate`` (the installed command, with
   the glossary) of each vs the same text as ``.txt``, best of 3, alternating.
   Target: ratio <= 1.2; term success >= 0.99 and 0 forbidden terms per format.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INTEROP = ROOT.parent / "shared" / "interop" / "documents"
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
SEED = ROOT / "seeds" / "000_12e4bb930a6ea1bf.txt"
GLOSSARY = ROOT / "glossary"
WORK = ROOT / "bench" / "_work"
ATF_VENV = WORK / "atf-venv"
ATF_PACKAGES = WORK / "atf-packages"
SHARED_FORMATS = ("docx", "odt", "html")  # argos-translate-files has no Markdown
SUFFIX = {"docx": ".docx", "odt": ".odt", "html": ".html", "markdown": ".md"}
COST_TARGET = 1.2
SUCCESS_TARGET = 0.99

#: The stand-in for argostranslate's sentence splitter, in the bench venv only.
SITECUSTOMIZE = '''"""bench/documents.py: argostranslate's sentence split as a regex, offline.

This venv only (argos-translate-files for the benchmark).  argostranslate's
own splitter (MiniSBD/stanza) would download a model at first use.
"""
import re as _re
import sys as _sys

_SPLIT = _re.compile(r"(?<=[.!?])\\s+(?=[A-ZÄÖÜ0-9\\"„])")


def _split(self, text, *args, **kwargs):
    return [s for s in _SPLIT.split(text) if s.strip()]


def _patch():
    import argostranslate.sbd as sbd

    for name in dir(sbd):
        cls = getattr(sbd, name)
        if isinstance(cls, type) and hasattr(cls, "split_sentences"):
            cls.split_sentences = _split
            for lazy in ("lazy_pipeline", "lazy_detector"):
                if hasattr(cls, lazy):
                    setattr(cls, lazy, lambda self: None)


class _Finder:
    """Patch argostranslate.sbd right after it is first imported."""

    def find_spec(self, name, path=None, target=None):
        if name != "argostranslate.sbd":
            return None
        import importlib.util

        _sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        original = spec.loader.exec_module

        def exec_module(module):
            original(module)
            _patch()

        spec.loader.exec_module = exec_module
        return spec


_sys.meta_path.insert(0, _Finder())
'''

#: Runs in the bench venv: one warm translation, then each file timed alone.
ATF_RUNNER = """import json, sys, time, traceback
from pathlib import Path
import argostranslate.translate as tr
from argostranslatefiles import argostranslatefiles as atf

import signal

out, limit = Path(sys.argv[1]), int(sys.argv[2])


def _alarm(signum, frame):
    raise TimeoutError(f"not finished within {limit} s")


signal.signal(signal.SIGALRM, _alarm)
translation = tr.get_translation_from_codes("de", "en")
translation.translate("Hallo Welt.")  # load the model outside the timings
for name in sys.argv[3:]:
    src = Path(name)
    target = out / src.name
    t0 = time.perf_counter()
    signal.alarm(limit)
    try:
        atf.translate_file(translation, str(src), lambda _t, _p: str(target))
        error = None
    except TimeoutError as err:
        error = f"timeout: {err}"
    except Exception as err:
        error = f"{type(err).__name__}: {err}"
    signal.alarm(0)
    print(json.dumps({"file": name, "seconds": time.perf_counter() - t0, "error": error}))
"""


# -- the argos-translate-files environment -------------------------------------------------
def _venv_python() -> Path:
    return ATF_VENV / "bin" / "python"


def ensure_atf() -> str:
    """Build the bench venv once (torch CPU wheel + argos-translate-files), install the
    model privately, write the splitter stand-in; the argos-translate-files version."""
    py = _venv_python()
    probe = [
        str(py),
        "-c",
        "import importlib.metadata as m; print(m.version('argos-translate-files'))",
    ]
    if not py.exists() or subprocess.run(probe, capture_output=True).returncode != 0:
        print(
            f"  installing argos-translate-files into {ATF_VENV.relative_to(ROOT)} ...", flush=True
        )
        subprocess.run(["python3", "-m", "venv", str(ATF_VENV)], check=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "torch==2.13.0", "argos-translate-files"],
            check=True,
        )
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = _atf_env()
    installed = subprocess.run(
        [
            str(py),
            "-c",
            "import argostranslate.package as p; print(len(p.get_installed_packages()))",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if installed == "0":
        subprocess.run(
            [
                str(py),
                "-c",
                f"import argostranslate.package as p; p.install_from_path({str(MODEL)!r})",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    return subprocess.run(probe, check=True, capture_output=True, text=True).stdout.strip()


def _atf_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        ARGOS_PACKAGES_DIR=str(ATF_PACKAGES),
        ARGOS_DEVICE_TYPE="cpu",
        HOME=str(WORK / "atf-home"),  # argostranslate keeps its settings and cache there
        PYTHONUTF8="1",  # argos-translate-files opens HTML in the locale's encoding
    )
    return env


def run_atf(files: list[Path], out: Path, limit_s: int) -> dict[str, dict[str, Any]]:
    """argos-translate-files over ``files`` into ``out``, each stopped after ``limit_s``:
    file -> {seconds, error, output}."""
    out.mkdir(parents=True, exist_ok=True)
    runner = WORK / "atf_run.py"
    runner.write_text(ATF_RUNNER, encoding="utf-8")
    proc = subprocess.run(
        [str(_venv_python()), str(runner), str(out), str(limit_s), *map(str, files)],
        env=_atf_env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"argos-translate-files runner failed:\n{proc.stderr[-3000:]}")
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {r["file"]: {**r, "output": out / Path(r["file"]).name} for r in rows}


# -- transkit -------------------------------------------------------------------------------
def run_transkit(files: list[Path], out: Path) -> dict[str, dict[str, Any]]:
    """transkit (library, warm engine, no glossary, default outputs), each file timed alone."""
    from transkit.engine.argos import engine_for
    from transkit.formats.documents import translated_name
    from transkit.pipeline import TranslateOptions
    from transkit.pretranslate import translate_any

    engine = engine_for(str(MODEL))
    engine.translate_batch(["Hallo Welt."])  # load the model outside the timings
    options = TranslateOptions(model=str(MODEL), out_dir=out)
    found: dict[str, dict[str, Any]] = {}
    for path in files:
        t0 = time.perf_counter()
        run = translate_any([str(path)], options, engine=engine)
        seconds = time.perf_counter() - t0
        error = next((f.error for f in run.files if f.error), None)
        found[str(path)] = {
            "seconds": seconds,
            "error": error,
            "output": out / translated_name(path.name),
        }
    return found


# -- counting and opening -------------------------------------------------------------------
def elements_of(fmt: str, path: Path) -> tuple[dict[str, int], str | None]:
    """transkit's count of a document's formatting elements; ({}, why) when unreadable."""
    from transkit.errors import TranskitError
    from transkit.formats.documents import extract_document

    try:
        return dict(extract_document(fmt, path.read_bytes(), str(path)).elements), None
    except FileNotFoundError:
        return {}, "no output"
    except TranskitError as err:
        return {}, err.one_line()
    except Exception as err:  # a reader crash on a foreign output is a finding, not a bench bug
        return {}, f"{type(err).__name__}: {err}"


_INLINE = {"b", "strong", "i", "em", "a"}
_BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "caption"}


def html_details(source: Path, output: Path | None) -> dict[str, int]:
    """What a demanding reader checks beyond element counts, the same for both tools.

    ``empty``: bold/italic/link elements that held words and hold none now;
    ``mid-sentence``: such elements with words on both sides in their block,
    fewer in the output; ``href``: link targets of the input missing in the
    output; ``untranslated attr``: ``title``/``alt`` values with letters that
    the output still has as they were.
    """
    if output is None or not output.exists():
        return {"empty": 0, "mid-sentence": 0, "href": 0, "untranslated attr": 0, "no output": 1}
    a, b = _html_facts(source.read_bytes()), _html_facts(output.read_bytes())
    hrefs_out = list(b["hrefs"])
    missing = 0
    for href in a["hrefs"]:
        if href in hrefs_out:
            hrefs_out.remove(href)
        else:
            missing += 1
    german = list(a["attrs"])
    still = 0
    for value in b["attrs"]:
        if value in german:
            german.remove(value)
            still += 1
    return {
        "empty": max(0, a["filled"] - b["filled"]),
        "mid-sentence": max(0, a["middle"] - b["middle"]),
        "href": missing,
        "untranslated attr": still,
    }


def _html_facts(data: bytes) -> dict[str, Any]:
    import lxml.html

    root = lxml.html.document_fromstring(data)
    filled = middle = 0
    for el in root.iter(*_INLINE):
        if el.tag == "a" and el.get("href") is None:
            continue
        if not any(ch.isalpha() for ch in el.text_content()):
            continue
        filled += 1
        block = next((p for p in el.iterancestors() if p.tag in _BLOCKS), None)
        if block is None:
            continue
        whole = block.text_content()
        inner = el.text_content()
        at = _offset_in(block, el)
        before, after = whole[:at], whole[at + len(inner) :]
        if any(c.isalpha() for c in before) and any(c.isalpha() for c in after):
            middle += 1
    hrefs = [el.get("href") for el in root.iter("a") if el.get("href") is not None]
    attrs = [
        (name, el.get(name))
        for el in root.iter()
        if isinstance(el.tag, str)
        for name in ("title", "alt")
        if any(c.isalpha() for c in el.get(name) or "")
    ]
    return {"filled": filled, "middle": middle, "hrefs": hrefs, "attrs": attrs}


class _Found(Exception):
    pass


def _offset_in(block: Any, el: Any) -> int:
    """Where ``el``'s text starts in ``block.text_content()``."""
    count = 0

    def walk(node: Any) -> None:
        nonlocal count
        if node is el:
            raise _Found
        if isinstance(node.tag, str):
            count += len(node.text or "")
            for child in node:
                walk(child)
                count += len(child.tail or "")

    with contextlib.suppress(_Found):
        walk(block)
    return count


def lost(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: n - after.get(k, 0) for k, n in before.items() if n > after.get(k, 0)}


def failed_to_open(outputs: list[Path], pdf_dir: Path) -> list[Path]:
    """The outputs LibreOffice headless cannot convert to PDF (one soffice call for all)."""
    present = [p for p in outputs if p.exists()]
    pdf_dir.mkdir(parents=True, exist_ok=True)
    if present:
        profile = (WORK / "lo-profile").resolve().as_uri()
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(pdf_dir),
                *map(str, present),
            ],
            capture_output=True,
            timeout=900,
        )
    bad = []
    for p in outputs:
        pdf = pdf_dir / (p.stem + ".pdf")
        if not p.exists() or not pdf.exists() or pdf.stat().st_size == 0:
            bad.append(p)
    return bad


# -- section 1 ------------------------------------------------------------------------------
def interop_files(quick: bool) -> dict[str, list[Path]]:
    files = {}
    for fmt in SHARED_FORMATS:
        found = sorted((INTEROP / fmt).glob(f"*{SUFFIX[fmt]}"))
        files[fmt] = found[:2] if quick else found
    return files


def _fmt_counts(counts: dict[str, int]) -> str:
    return " ".join(f"{k}={n}" for k, n in sorted(counts.items())) or "-"


def _timed_out(tools: dict[str, dict[str, dict[str, Any]]], path: Path) -> bool:
    return any((rows[str(path)]["error"] or "").startswith("timeout") for rows in tools.values())


def compare(quick: bool, skip_atf: bool, atf_limit_s: int) -> bool:
    """Section 1; True when its targets are met."""
    files = interop_files(quick)
    every = [p for fmt in SHARED_FORMATS for p in files[fmt]]
    run_dir = WORK / "documents-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    tools: dict[str, dict[str, dict[str, Any]]] = {}
    print(f"1. interop documents ({INTEROP}), {len(every)} files, tiny model {MODEL.name}")
    tools["transkit"] = run_transkit(every, run_dir / "transkit")
    if not skip_atf:
        version = ensure_atf()
        print(
            f"  argos-translate-files {version} in {ATF_VENV.relative_to(ROOT)}; STAND-IN: "
            "its sentence splitter is a regex split (sitecustomize.py in that venv), because "
            "argostranslate's own splitter downloads a model at first use"
        )
        print(
            f"  each argos-translate-files document is stopped after {atf_limit_s} s; such a "
            "document is left out of both tools' sums (its transkit output is still opened)"
        )
        tools["atf"] = run_atf(every, run_dir / "atf", atf_limit_s)
    opened: dict[str, set[str]] = {}
    for tool, rows in tools.items():
        outs = [rows[str(p)]["output"] for p in every]
        bad = failed_to_open(outs, run_dir / f"pdf-{tool}")
        opened[tool] = {str(p) for p in bad}
    ok = True
    totals: dict[str, dict[str, dict[str, int]]] = {}
    for fmt in SHARED_FORMATS:
        print(f"\n  {fmt.upper()} ({len(files[fmt])} files)")
        print(
            f"  {'file':44} {'in':>5} "
            + " ".join(f"{t + ' kept':>13} {'lost':>5} {'s':>6}" for t in tools)
        )
        sums = {
            t: {"in": 0, "kept": 0, "lost": 0, "seconds": 0.0, "failed": 0, "files": 0}
            for t in tools
        }
        for path in files[fmt]:
            before, why = elements_of(fmt, path)
            cells = []
            notes = []
            if _timed_out(tools, path):
                failed = str(tools["transkit"][str(path)]["output"]) in opened["transkit"]
                sums["transkit"]["failed"] += failed
                print(
                    f"  {path.name[:44]:44} {sum(before.values()):>5}  LEFT OUT: "
                    + "; ".join(
                        f"{t} {rows[str(path)]['error'] or 'done'}" for t, rows in tools.items()
                    )
                    + (" (transkit output NOT OPENED)" if failed else "")
                )
                continue
            for tool, rows in tools.items():
                row = rows[str(path)]
                sums[tool]["files"] += 1
                after, why_out = elements_of(fmt, row["output"])
                gone = lost(before, after)
                n_in, n_lost = sum(before.values()), sum(gone.values())
                sums[tool]["in"] += n_in
                sums[tool]["kept"] += n_in - n_lost
                sums[tool]["lost"] += n_lost
                sums[tool]["seconds"] += row["seconds"]
                failed = str(row["output"]) in opened[tool]
                sums[tool]["failed"] += failed
                mark = " NOT OPENED" if failed else ""
                cells.append(f"{n_in - n_lost:>13} {n_lost:>5} {row['seconds']:6.2f}")
                if gone:
                    notes.append(f"{tool} lost {_fmt_counts(gone)}{mark}")
                elif mark:
                    notes.append(f"{tool}{mark}")
                if row["error"]:
                    notes.append(f"{tool} error: {row['error'][:150]}")
                elif why_out:
                    notes.append(f"{tool} output unreadable: {why_out[:150]}")
            print(f"  {path.name[:44]:44} {sum(before.values()):>5} " + " ".join(cells))
            for note in notes:
                print(f"      {note}")
        totals[fmt] = sums
        print(
            f"  {'total':44} {sums['transkit']['in']:>5} "
            + " ".join(f"{s['kept']:>13} {s['lost']:>5} {s['seconds']:6.2f}" for s in sums.values())
        )
    _print_html_details(files["html"], tools)
    print("\n  summary per format: elements lost, outputs not opened by LibreOffice, s/document")
    for fmt, sums in totals.items():
        parts = [
            f"{tool}: lost {s['lost']}/{s['in']}, not opened {s['failed']}, "
            f"{s['seconds'] / max(s['files'], 1):.2f} s/doc over {s['files']}"
            for tool, s in sums.items()
        ]
        verdict = ""
        if "atf" in sums:
            fewer = sums["transkit"]["lost"] < sums["atf"]["lost"]
            verdict = "  transkit loses fewer: " + ("yes" if fewer else "NO")
            ok &= fewer
        ok &= sums["transkit"]["failed"] == 0
        print(f"  {fmt:5} " + "; ".join(parts) + verdict)
    failed_tk = sum(s["transkit"]["failed"] for s in totals.values())
    print(f"  transkit outputs that fail to open: {failed_tk} (target 0)")
    return ok


def _print_html_details(files: list[Path], tools: dict[str, dict[str, dict[str, Any]]]) -> None:
    """`html_details` summed per tool over the HTML files neither tool was stopped on."""
    print("\n  HTML, what the element count does not see (`html_details`, same for both):")
    for tool, rows in tools.items():
        sums: dict[str, int] = {}
        for path in files:
            if _timed_out(tools, path):
                continue
            for key, n in html_details(path, rows[str(path)]["output"]).items():
                sums[key] = sums.get(key, 0) + n
        print(f"  {tool:9} " + " ".join(f"{k}={n}" for k, n in sums.items()))


# -- section 2 ------------------------------------------------------------------------------
def seed_paragraphs() -> list[list[tuple[str, frozenset[str]]]]:
    """The seed's lines as paragraphs, its glossary terms alternately bold and linked."""
    from transkit.terms.glossary import load_glossaries
    from transkit.terms.match import TermMatcher

    matcher = TermMatcher.from_glossary(load_glossaries([GLOSSARY]))
    paragraphs = []
    k = 0
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        runs: list[tuple[str, frozenset[str]]] = []
        at = 0
        for m in matcher.find(line):
            if m.kind in ("compound", "ellipsis") or m.start < at:
                continue
            if m.start > at:
                runs.append((line[at : m.start], frozenset()))
            style = (
                frozenset({"b"}) if k % 2 == 0 else frozenset({f"link:https://example.org/t{k}"})
            )
            runs.append((line[m.start : m.end], style))
            k += 1
            at = m.end
        if at < len(line):
            runs.append((line[at:], frozenset()))
        paragraphs.append(runs)
    return paragraphs


def seed_documents(folder: Path) -> dict[str, Path]:
    """The seed as .txt and as each document format (built by tests/document_builders.py)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from document_builders import BUILDERS

    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = seed_paragraphs()
    paths = {"txt": folder / "seed.txt"}
    paths["txt"].write_text(
        "\n".join("".join(t for t, _ in p) for p in paragraphs) + "\n", encoding="utf-8"
    )
    for fmt, build in BUILDERS.items():
        paths[fmt] = folder / f"seed{SUFFIX[fmt]}"
        paths[fmt].write_bytes(build(paragraphs))
    return paths


def cost(reps: int) -> bool:
    """Section 2; True when its targets are met."""
    exe = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        paths = seed_documents(Path(tmp) / "in")
        marked = sum(1 for p in seed_paragraphs() for _, s in p if s)
        print(
            f"\n2. cost of a document vs its text: the seed ({SEED.name}, {marked} glossary terms "
            f"bold or linked), `transkit translate --json` with {GLOSSARY.name}/, best of {reps}, "
            "alternating"
        )
        best = {fmt: float("inf") for fmt in paths}
        summary: dict[str, dict[str, Any]] = {}
        for _ in range(reps):
            for fmt, path in paths.items():
                args = [
                    exe,
                    "translate",
                    "-q",
                    "--json",
                    "--model",
                    str(MODEL),
                    "--glossary",
                    str(GLOSSARY),
                    "--out",
                    str(Path(tmp) / f"out-{fmt}"),
                    str(path),
                ]
                t0 = time.perf_counter()
                proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
                best[fmt] = min(best[fmt], time.perf_counter() - t0)
                if proc.returncode != 0:
                    raise SystemExit(f"transkit failed on {path.name}: {proc.stderr[-2000:]}")
                summary[fmt] = json.loads(proc.stdout)["files"][0]
        print(
            f"  {'format':9} {'best s':>7} {'x txt':>6} {'terms':>9} {'success':>8} "
            f"{'forbidden':>9}  elements lost"
        )
        for fmt, path in paths.items():
            s = summary[fmt]
            req, sat = s["terms_required"], s["terms_satisfied"]
            rate = sat / req if req else 1.0
            ratio = best[fmt] / best["txt"]
            gone = "-"
            if fmt != "txt":
                before, _ = elements_of(fmt, path)
                from transkit.formats.documents import translated_name

                after, _ = elements_of(fmt, Path(tmp) / f"out-{fmt}" / translated_name(path.name))
                missing = lost(before, after)
                gone = f"{sum(missing.values())}/{sum(before.values())} {_fmt_counts(missing)}"
                ok &= ratio <= COST_TARGET
            ok &= rate >= SUCCESS_TARGET and s["forbidden_found"] == 0
            print(
                f"  {fmt:9} {best[fmt]:7.2f} {ratio:6.2f} {sat:>4}/{req:<4} {rate:8.3f} "
                f"{s['forbidden_found']:>9}  {gone}"
            )
        print(f"  targets: ratio <= {COST_TARGET}, success >= {SUCCESS_TARGET}, 0 forbidden")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two files per format, one repetition")
    parser.add_argument("--skip-atf", action="store_true", help="transkit alone")
    parser.add_argument(
        "--atf-limit",
        type=int,
        default=60,
        help="seconds before an argos-translate-files document is stopped (default 60)",
    )
    args = parser.parse_args()
    if not INTEROP.is_dir():
        print(f"no interop folder at {INTEROP}", file=sys.stderr)
        return 2
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, shared with other sessions; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    ok = compare(args.quick, args.skip_atf, args.atf_limit)
    ok &= cost(1 if args.quick else 3)
    load = os.getloadavg()
    print(f"\nload average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("targets met" if ok else "targets NOT all met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
