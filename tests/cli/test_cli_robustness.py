"""The installed command under hostile conditions: parallel edits, parallel first
use of a model, signals at random moments, hostile stdin, endless files.

Smaller versions of bench/robustness.py (which runs the full-size figures).
"""

from __future__ import annotations

import contextlib
import json
import os
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
from hostile_fs import (
    FULL_DEVICE,
    NULL_DEVICE,
    is_char_device,
    leftovers,
    make_device,
    read_only,
    real_devices_intact,
    small_disk,
)

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


# -- every write lands where it should and nowhere else --------------------------
# Device nodes are made inside tmp_path (hostile_fs), never the real /dev/*.
GLOSSARY_TSV = (
    "# comment that must survive\n"
    "id\tde\ten\tstatus\tpos\tdnt\tcase\tdomain\tnote\n"
    "hund\tHund\tdog\tpreferred\tnoun\tno\tsensitive\tanimals\t\n"
    "katze\tKatze\tcat\tpreferred\tnoun\tno\tsensitive\tanimals\t\n"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A translated text, its XLIFF, a memory and a glossary, made once."""
    base = tmp_path_factory.mktemp("writes")
    env = private_env(base)
    (base / "in.txt").write_text("Der Hund schläft. Die Katze frisst.\n", encoding="utf-8")
    (base / "g.tsv").write_text(GLOSSARY_TSV, encoding="utf-8")
    done = run(
        [
            "translate",
            "-q",
            "--model",
            str(MODEL),
            "--glossary",
            "g.tsv",
            "--no-tm",
            "--out",
            "out",
            "--formats",
            "txt,xliff,tmx",
            "in.txt",
        ],
        env,
        base,
    )
    assert done.returncode == 0, done.stderr
    done = run(["tm", "import", "out/in.de-en.tmx", "--tm", "tm"], env, base)
    assert done.returncode == 0, done.stderr
    return {"base": base, "xlf": base / "out" / "in.de-en.xlf", "home": base}


def _writers(target: str) -> dict[str, list[str]]:
    return {
        "translate --report": [
            "translate",
            "-q",
            "--model",
            str(MODEL),
            "--no-glossary",
            "--no-tm",
            "--out",
            "out2",
            "--report",
            target,
            "in.txt",
        ],
        "tm export": ["tm", "export", target, "--tm", "tm"],
        "merge --out": ["merge", "out/in.de-en.xlf", "--out", target, "--no-tm", "--no-glossary"],
        "review --out": ["review", "out/in.de-en.xlf", "--out", target, "--no-glossary"],
        "glossary export": ["glossary", "export", target, "--format", "tsv", "--glossary", "g.tsv"],
    }


WRITERS = list(_writers("X"))


@pytest.mark.parametrize("command", WRITERS)
def test_writers_leave_a_device_a_device(project, command: str) -> None:  # type: ignore[no-untyped-def]
    base = project["base"]
    null = make_device(base / f"null-{WRITERS.index(command)}", NULL_DEVICE)
    full = make_device(base / f"full-{WRITERS.index(command)}", FULL_DEVICE)
    env = private_env(project["home"])
    done = run(_writers(str(null))[command], env, base)
    assert done.returncode == 0, done.stderr
    assert is_char_device(null)
    done = run(_writers(str(full))[command], env, base)
    assert done.returncode == 1
    assert "disk full" in one_error_line(done.stderr, str(full))
    assert is_char_device(full) and real_devices_intact()
    assert leftovers(base) == []


@pytest.mark.parametrize("command", ["tm export", "glossary export", "merge --out"])
def test_writers_write_through_a_dev_stdout_style_link(project, command: str) -> None:  # type: ignore[no-untyped-def]
    base = project["base"]
    link = base / f"stdout-{WRITERS.index(command)}"
    link.symlink_to("/proc/self/fd/1")  # what /dev/stdout is; never the real one
    done = run(_writers(str(link))[command], private_env(project["home"]), base)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert len(done.stdout) > 20  # what was written came out on standard output


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (
            ["translate", "-q", "--model", str(MODEL), "--no-glossary", "--no-tm", "-"],
            "Der Hund schläft.\n".encode(),
        ),
        (
            [
                "translate",
                "-q",
                "--json",
                "--model",
                str(MODEL),
                "--no-glossary",
                "--no-tm",
                "--out",
                "out3",
                "in.txt",
            ],
            None,
        ),
        (["tm", "stats", "--tm", "tm"], None),
        (["tm", "lookup", "Der Hund schläft.", "--tm", "tm", "--json"], None),
    ],
    ids=["translate -", "translate --json", "tm stats", "tm lookup --json"],
)
def test_standard_output_on_a_full_device_is_one_line(project, args, stdin) -> None:  # type: ignore[no-untyped-def]
    base = project["base"]
    full = make_device(base / f"stdout-full-{abs(hash(tuple(args))) % 10000}", FULL_DEVICE)
    with open(full, "wb") as sink:
        done = subprocess.run(
            [TRANSKIT, *args],
            env=private_env(project["home"]),
            cwd=base,
            input=stdin,
            stdout=sink,
            stderr=subprocess.PIPE,
            timeout=300,
        )
    assert done.returncode == 1
    assert "disk full" in one_error_line(done.stderr, "<stdout>")
    assert is_char_device(full) and real_devices_intact()


def test_report_onto_an_input_or_an_output_is_refused_before_writing(project) -> None:  # type: ignore[no-untyped-def]
    base = project["base"]
    env = private_env(project["home"])
    before = (base / "in.txt").read_bytes()
    cmd = ["translate", "-q", "--model", str(MODEL), "--no-glossary", "--no-tm"]
    done = run([*cmd, "--out", "o4", "--report", "in.txt", "in.txt"], env, base)
    assert done.returncode == 1
    assert "is an input of this run" in one_error_line(done.stderr, "in.txt")
    assert (base / "in.txt").read_bytes() == before and not (base / "o4").exists()
    done = run([*cmd, "--out", "o5", "--report", "o5/in.en.txt", "in.txt"], env, base)
    assert done.returncode == 1
    assert "written twice" in one_error_line(done.stderr, "o5/in.en.txt")
    assert not (base / "o5").exists()


def test_a_text_and_an_xliff_input_with_one_output_name(project) -> None:  # type: ignore[no-untyped-def]
    base = project["base"]
    (base / "c").mkdir(exist_ok=True)
    shutil.copy(base / "in.txt", base / "c" / "in.txt")
    shutil.copy(project["xlf"], base / "c" / "in.de-en.xlf")
    done = run(
        [
            "translate",
            "-q",
            "--model",
            str(MODEL),
            "--no-glossary",
            "--no-tm",
            "--out",
            "D",
            "c/in.txt",
            "c/in.de-en.xlf",
        ],
        private_env(project["home"]),
        base,
    )
    assert done.returncode == 1
    line = one_error_line(done.stderr, "D/in.de-en.xlf")
    assert "written twice (also the output for c/in.txt)" in line
    # the one that was written is the text input's XLIFF, not replaced by the other
    assert b'original="c/in.txt"' in (base / "D" / "in.de-en.xlf").read_bytes()


def test_glossary_export_onto_the_glossary_read_is_refused(project) -> None:  # type: ignore[no-untyped-def]
    base = project["base"]
    before = (base / "g.tsv").read_bytes()
    done = run(
        ["glossary", "export", "g.tsv", "--format", "tsv", "--glossary", "g.tsv"],
        private_env(project["home"]),
        base,
    )
    assert done.returncode == 1
    assert "is an input of this run" in one_error_line(done.stderr, "g.tsv")
    assert (base / "g.tsv").read_bytes() == before


def test_merge_into_a_read_only_memory_writes_nothing(project) -> None:  # type: ignore[no-untyped-def]
    base = project["base"]
    memory = base / "ro-tm"
    shutil.copytree(base / "tm", memory, dirs_exist_ok=True)
    with read_only(memory):
        done = run(
            ["merge", "out/in.de-en.xlf", "--out", "merged.txt", "--tm", "ro-tm"],
            private_env(project["home"]),
            base,
        )
    assert done.returncode == 1
    assert "memory folder cannot be written" in one_error_line(done.stderr, "ro-tm")
    assert not (base / "merged.txt").exists()


def test_writes_to_a_full_disk_are_one_line_and_leave_nothing(project) -> None:  # type: ignore[no-untyped-def]
    base = project["base"]
    with small_disk(base / "disk", "16k") as disk:
        with contextlib.suppress(OSError), open(disk / "keep.txt", "wb", buffering=0) as keep:
            while True:  # fill the disk to the last byte
                keep.write(b"k" * 512)
        for command, args in _writers(str(disk / "out.file")).items():
            done = run(args, private_env(project["home"]), base)
            assert done.returncode == 1, (command, done.stderr)
            one_error_line(done.stderr, str(disk / "out.file"))
            assert sorted(p.name for p in disk.iterdir()) == ["keep.txt"], command


def test_models_remove_of_a_linked_package_keeps_the_shared_folder(tmp_path: Path) -> None:
    env = private_env(tmp_path)
    done = run(["models", "install", "--from", str(MODEL)], env, tmp_path)
    assert done.returncode == 0, done.stderr
    packages = tmp_path / "packages"
    [installed] = [p for p in packages.iterdir() if p.is_dir()]
    shared = tmp_path / "shared-model"
    installed.rename(shared)
    (packages / installed.name).symlink_to(shared, target_is_directory=True)
    done = run(["models", "remove", "de-en"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (packages / installed.name).exists() and shared.is_dir()
    (packages / installed.name).symlink_to(shared, target_is_directory=True)
    shutil.move(str(packages / installed.name), str(tmp_path / "link"))
    shutil.copytree(shared, packages / installed.name)
    with read_only(packages):
        done = run(["models", "remove", "de-en"], env, tmp_path)
    assert done.returncode == 1
    assert "cannot remove" in one_error_line(done.stderr, str(packages / installed.name))
    assert (packages / installed.name).is_dir()
