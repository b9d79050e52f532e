"""The installed command under hostile conditions: parallel edits, parallel first
use of a model, signals at random moments, hostile stdin, endless files.

Smaller versions of bench/robustness.py (which runs the full-size figures).
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import private_env

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return private_env(tmp_path)


def run(args: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None = None):
    return subprocess.run(
        [TRANSKIT, *args], env=env, cwd=cwd, input=stdin, capture_output=True, timeout=300
    )


def one_error_line(stderr: bytes, name: str) -> str:
    lines = stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"transkit: error: {name}"), lines
    assert "Traceback" not in lines[0]
    return lines[0]


# -- stdin and endless input ---------------------------------------------------
@pytest.mark.parametrize(
    ("data", "why"),
    [
        ("Grüße aus Peking.".encode("latin-1"), "not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"", "empty"),
    ],
    ids=["latin-1", "binary", "empty"],
)
@pytest.mark.parametrize("command", ["translate", "segment"])
def test_bad_stdin_is_one_line(env, tmp_path: Path, command: str, data: bytes, why: str) -> None:  # type: ignore[no-untyped-def]
    args = [command, "-"] if command == "segment" else [command, "-q", "--model", str(MODEL), "-"]
    result = run(args, env, tmp_path, stdin=data)
    assert result.returncode == 1
    assert why in one_error_line(result.stderr, "<stdin>")


def test_stdin_utf16_and_crlf_like_a_file(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "Peking kontrolliert seltene Erden.\r\nJapan und die USA.\r\n"
    result = run(["segment", "-"], env, tmp_path, stdin=text.encode("utf-16"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == [
        "Peking kontrolliert seltene Erden.",
        "Japan und die USA.",
    ]
    done = run(
        ["translate", "-q", "--no-glossary", "--model", str(MODEL), "-"],
        env,
        tmp_path,
        stdin=text.encode("utf-8"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(b"\r\n") == 2 and b"\n" not in done.stdout.replace(b"\r\n", b"")


def test_endless_input_is_refused(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {**env, "TRANSKIT_MAX_INPUT_MB": "2"}
    result = run(["segment", "/dev/zero"], env, tmp_path)
    assert result.returncode == 1
    assert "larger than 2 MB" in one_error_line(result.stderr, "/dev/zero")


# -- glossary edits --------------------------------------------------------------
def test_parallel_glossary_adds_keep_every_entry(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "shared.tsv"
    target.write_text("id\tde\ten\tstatus\n", encoding="utf-8")
    (tmp_path / "link.tsv").symlink_to(target)
    script = (
        "import subprocess, sys\n"
        "for i in range(8):\n"
        f"    r = subprocess.run([{TRANSKIT!r}, 'glossary', 'add', '--glossary', sys.argv[2],\n"
        "        f'Wort{sys.argv[1]}x{i}', f'word {sys.argv[1]} {i}'], capture_output=True)\n"
        "    assert r.returncode == 0, r.stderr\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(n), "link.tsv" if n % 2 else "shared.tsv"],
            env=env,
            cwd=tmp_path,
        )
        for n in range(4)
    ]
    assert [p.wait(300) for p in procs] == [0] * 4
    rows = target.read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == len(set(rows)) == 32
    assert (tmp_path / "link.tsv").is_symlink()


def test_read_only_glossary_is_not_overwritten(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "g.tsv"
    path.write_text("id\tde\ten\tstatus\n", encoding="utf-8")
    path.chmod(0o444)
    result = run(["glossary", "add", "--glossary", "g.tsv", "Zoll", "tariff"], env, tmp_path)
    assert result.returncode == 1
    assert "read-only" in one_error_line(result.stderr, "g.tsv")
    assert path.read_text(encoding="utf-8") == "id\tde\ten\tstatus\n"


# -- models ----------------------------------------------------------------------
def test_parallel_first_uses_of_an_archive(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = tmp_path / "in.txt"
    text.write_text("Peking kontrolliert seltene Erden.\n", encoding="utf-8")
    procs = [
        subprocess.Popen(
            [TRANSKIT, "translate", "-q", "--no-glossary", "--model", str(MODEL)]
            + ["--formats", "txt", "--out", f"out{n}", str(text)],
            env=env,
            cwd=tmp_path,
            stderr=subprocess.PIPE,
        )
        for n in range(6)
    ]
    errors = [(p.wait(300), p.stderr.read().decode()) for p in procs]  # type: ignore[union-attr]
    assert [code for code, _ in errors] == [0] * 6, errors


def test_garbage_model_bin_is_refused_at_install(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.argosmodel"
    with zipfile.ZipFile(MODEL) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("model/model.bin"):
                data = bytes(random.Random(1).randrange(256) for _ in range(len(data)))
            dst.writestr(item, data)
    result = run(["models", "install", "--from", str(broken)], env, tmp_path)
    assert result.returncode == 1
    assert "not a usable CTranslate2 model" in one_error_line(result.stderr, str(broken))
    listed = run(["models", "list", "--json"], env, tmp_path)
    assert json.loads(listed.stdout or b"[]") == []


# -- interruption ----------------------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signals_leave_whole_output_sets(env, tmp_path: Path, signum: int) -> None:  # type: ignore[no-untyped-def]
    docs = []
    for i in range(8):
        doc = tmp_path / f"d{i}.txt"
        doc.write_text("Peking kontrolliert seltene Erden. Japan und die USA.\n" * 3)
        docs.append(doc)
    out = tmp_path / "out"
    cmd = [TRANSKIT, "translate", "-q", "--no-glossary", "--model", str(MODEL)]
    cmd += ["--out", str(out), *map(str, docs)]
    subprocess.run(cmd, env=env, check=True, capture_output=True)  # warm the model cache

    def outputs(doc: Path) -> list[Path]:
        return [out / f"{doc.stem}{s}" for s in (".en.txt", ".de-en.xlf", ".de-en.tmx")]

    rng = random.Random(signum)
    for trial in range(4):
        for doc in docs:
            for path in outputs(doc):
                path.write_bytes(b"OLD\n")
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
        if trial % 2 == 0:  # just as the first set is being written
            while proc.poll() is None and (out / "d0.en.txt").read_bytes() == b"OLD\n":
                if any(out.glob(".*.tmp")):
                    break
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.03))
        else:
            time.sleep(rng.uniform(0.1, 1.5))
        if proc.poll() is None:
            proc.send_signal(signum)
        proc.wait(120)
        for doc in docs:
            states = {p.read_bytes() == b"OLD\n" for p in outputs(doc)}
            assert len(states) == 1, f"trial {trial}: {doc.name} has old and new outputs"
        assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []


# -- qa and eval -----------------------------------------------------------------
def test_qa_on_a_wrong_shape_report(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "qa.json"
    report.write_text(json.dumps({"transkit_report": 1, "files": [{"file": 3}]}))
    result = run(["qa", "qa.json"], env, tmp_path)
    assert result.returncode == 1
    assert "expected shape" in one_error_line(result.stderr, "qa.json")


def test_eval_on_an_empty_test_set(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "t.tsv").write_text("de\ten_approved\n", encoding="utf-8")
    glossary = ROOT / "glossary"
    args = ["eval", "t.tsv", "--model", str(MODEL), "--glossary", str(glossary)]
    result = run(args, env, tmp_path)
    assert result.returncode == 1
    assert b"1.0000" not in result.stdout
    assert "no sentences" in one_error_line(result.stderr, "t.tsv")
