"""End-to-end tests of the installed ``transkit`` command, with the project's test model.

These run the console script in a subprocess (proving the packaging) with a
private package directory and cache, so nothing touches the user's home.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import TEST_MODELS, private_env
from transkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
MODEL_NOPH = ROOT / "tests" / "data" / "translate-de_en-tiny-noph.argosmodel"
HELDOUT = ROOT / "tests" / "data" / "heldout.tsv"
SEED = next((ROOT / "seeds").glob("*.txt"))
GLOSSARY = ROOT / "glossary"
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A private home: empty package directory, private caches."""
    return private_env(tmp_path)


def run(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRANSKIT, *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def heldout(n: int) -> list[dict[str, str]]:
    with HELDOUT.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows[:n]


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", list(all_commands(main)), ids=" ".join)
def test_help_works_on_every_command(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_version(env: dict[str, str], tmp_path: Path) -> None:
    from transkit import __version__

    result = run(["--version"], env, tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"transkit, version {__version__}"


def test_heldout_sentences_exact_english(env: dict[str, str], tmp_path: Path) -> None:
    """Sentences held out from training come out exactly as the grammar says."""
    rows = heldout(40)
    src = tmp_path / "heldout.txt"
    src.write_text("\n".join(r["de"] for r in rows) + "\n", encoding="utf-8")
    result = run(
        [
            "translate",
            "--model",
            str(MODEL),
            "--no-glossary",
            "--formats",
            "txt",
            "--out",
            str(tmp_path / "out"),
            str(src),
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "out" / "heldout.en.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [r["en"] for r in rows]


def test_seed_translation_writes_all_formats(env: dict[str, str], tmp_path: Path, xmlcheck) -> None:
    out = tmp_path / "out"
    result = run(
        [
            "translate",
            "--model",
            str(MODEL),
            "--glossary",
            str(GLOSSARY),
            "--out",
            str(out),
            "--report",
            str(tmp_path / "qa.json"),
            str(SEED),
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    stem = SEED.stem
    english = (out / f"{stem}.en.txt").read_text(encoding="utf-8")
    german = SEED.read_text(encoding="utf-8")
    # Paragraph structure kept: same line breaks, same number of lines.
    assert english.count("\n") == german.count("\n")
    assert "„" not in english
    assert "geopolitics.tsv" in result.stdout and "entries" in result.stdout
    assert re.search(r"\d+ segments, \d+ terms required, \d+ satisfied, \d+ failed", result.stdout)
    for name in (f"{stem}.de-en.xlf", f"{stem}.de-en.tmx"):
        xmlcheck(out / name)
    report = json.loads((tmp_path / "qa.json").read_text(encoding="utf-8"))
    assert report["totals"]["terms_required"] > 10
    # A forbidden term may only survive where the report flags it.
    assert "Peking" not in english or report["totals"]["terms_failed"] > 0
    table = run(["qa", str(tmp_path / "qa.json")], env, tmp_path)
    assert table.returncode == 0 and "terms required" in table.stdout


@pytest.mark.parametrize("model", list(TEST_MODELS.values()), ids=list(TEST_MODELS))
def test_glossary_terms_are_enforced(env: dict[str, str], tmp_path: Path, model: Path) -> None:
    """Every test model says "Peking" and "rare earth elements"; neither survives."""
    if not model.exists():
        pytest.skip(f"{model.name} not built")
    src = tmp_path / "terms.txt"
    src.write_text("Peking hat Exportkontrollen auf seltene Erden eingeführt.\n", encoding="utf-8")
    plain = run(
        [
            "translate",
            "--model",
            str(model),
            "--no-glossary",
            "--formats",
            "txt",
            "--out",
            str(tmp_path / "plain"),
            str(src),
        ],
        env,
        tmp_path,
    )
    assert plain.returncode == 0, plain.stderr
    raw = (tmp_path / "plain" / "terms.en.txt").read_text(encoding="utf-8")
    assert "Peking" in raw  # the test model is trained to get this wrong
    done = run(
        [
            "translate",
            "--model",
            str(model),
            "--glossary",
            str(GLOSSARY),
            "--strict",
            "--formats",
            "txt",
            "--out",
            str(tmp_path / "gl"),
            str(src),
        ],
        env,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    fixed = (tmp_path / "gl" / "terms.en.txt").read_text(encoding="utf-8")
    assert "Beijing" in fixed and "Peking" not in fixed
    assert "rare earths" in fixed and "export controls" in fixed


def test_stdin_to_stdout_and_json(env: dict[str, str], tmp_path: Path) -> None:
    row = heldout(1)[0]
    result = run(
        ["translate", "--model", str(MODEL), "--no-glossary", "-"],
        env,
        tmp_path,
        stdin=row["de"] + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == row["en"] + "\n"
    result = run(
        [
            "translate",
            "--model",
            str(MODEL),
            "--no-glossary",
            "--json",
            "--formats",
            "txt",
            "--out",
            str(tmp_path / "o"),
            str(SEED),
        ],
        env,
        tmp_path,
    )
    summary = json.loads(result.stdout)
    assert summary["segments"] == 11 and summary["errors"] == 0
    assert {"files", "segments", "seconds"} <= summary.keys()


def test_bad_inputs_reported_others_translated(env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(heldout(1)[0]["de"] + "\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "latin1.txt").write_bytes("Grüße aus Köln\n".encode("latin-1"))
    (tmp_path / "adir").mkdir()
    names = ["good.txt", "missing.txt", "empty.txt", "binary.txt", "latin1.txt", "adir"]
    result = run(
        ["translate", "--model", str(MODEL), "--no-glossary", "--out", "out", *names], env, tmp_path
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("transkit: error")]
    assert len(errors) == 5
    for name in names[1:]:
        assert any(name in line for line in errors), name
    assert "Traceback" not in result.stderr
    assert (tmp_path / "out" / "good.en.txt").read_text(encoding="utf-8").strip()
    assert not (tmp_path / "out" / "empty.en.txt").exists()


def test_no_model_exits_2_with_install_commands(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["translate", str(SEED)], env, tmp_path)
    assert result.returncode == 2
    assert "transkit models install de en" in result.stderr
    assert "transkit models install --from FILE.argosmodel" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_models_install_list_translate_remove(env: dict[str, str], tmp_path: Path) -> None:
    installed = run(["models", "install", "--from", str(MODEL)], env, tmp_path)
    assert installed.returncode == 0, installed.stderr
    listing = run(["models", "list"], env, tmp_path)
    assert "de->en" in listing.stdout
    row = heldout(1)[0]
    done = run(["translate", "--no-glossary", "-"], env, tmp_path, stdin=row["de"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == row["en"]
    removed = run(["models", "remove", "de-en"], env, tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert "no models installed" in run(["models", "list"], env, tmp_path).stdout


def test_models_install_offline_names_the_alternative(env: dict[str, str], tmp_path: Path) -> None:
    env = dict(env, ARGOS_PACKAGE_INDEX="http://127.0.0.1:9/")
    result = run(["models", "install", "de", "en"], env, tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--from FILE.argosmodel" in result.stderr


def test_segment_command(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["segment", str(SEED)], env, tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 11
    assert lines[0].startswith("Neues goldenes Zeitalter der Allianz")
    assert any("zum 250. Jahrestag" in line for line in lines)


def test_merge_round_trip(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(
        ["translate", "--model", str(MODEL), "--no-glossary", "--out", str(out), str(SEED)],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    stem = SEED.stem
    english = (out / f"{stem}.en.txt").read_text(encoding="utf-8")
    merged = tmp_path / "merged.txt"
    result = run(["merge", str(out / f"{stem}.de-en.xlf"), "--out", str(merged)], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert merged.read_text(encoding="utf-8") == english


def _stderr_on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run transkit with stderr on a pseudo-terminal; return what it wrote there."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [TRANSKIT, *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        stdin=subprocess.DEVNULL,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal(env: dict[str, str], tmp_path: Path) -> None:
    args = [
        "translate",
        "--model",
        str(MODEL),
        "--no-glossary",
        "--formats",
        "txt",
        "--out",
        str(tmp_path / "o"),
        str(SEED),
    ]
    assert "translating" in _stderr_on_a_terminal(args, env, tmp_path)
    assert "translating" not in _stderr_on_a_terminal([*args, "--quiet"], env, tmp_path)
    piped = run(args, env, tmp_path)
    assert "translating" not in piped.stderr


def test_xliff21_from_the_real_pipeline_validates_and_merges(
    env: dict[str, str], tmp_path: Path, xmlcheck
) -> None:
    out = tmp_path / "out"
    result = run(
        [
            "translate",
            "--model",
            str(MODEL),
            "--glossary",
            str(GLOSSARY),
            "--xliff-version",
            "2.1",
            "--formats",
            "txt,xliff",
            "--out",
            str(out),
            str(SEED),
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    xlf = out / f"{SEED.stem}.de-en.xlf"
    assert not (out / f"{SEED.stem}.de-en.tmx").exists()
    xmlcheck(xlf)
    text = xlf.read_text(encoding="utf-8")
    assert 'version="2.1"' in text and "gls:glossary" in text and "mtc:match" in text
    merged = tmp_path / "merged.txt"
    assert run(["merge", str(xlf), "--out", str(merged)], env, tmp_path).returncode == 0
    assert merged.read_text(encoding="utf-8") == (out / f"{SEED.stem}.en.txt").read_text(
        encoding="utf-8"
    )
