"""Atomic writes and sets of writes, edit locks, size-limited reads."""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from transkit import fileio
from transkit.errors import InputError, OutputError
from transkit.fileio import (
    atomic_write_bytes,
    atomic_write_set,
    edit_lock,
    read_limited,
)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(fileio.TEMP_SUFFIX))


def test_write_through_a_symlink_changes_the_shared_file(tmp_path: Path) -> None:
    shared = tmp_path / "shared.tsv"
    shared.write_bytes(b"old\n")
    link = tmp_path / "link.tsv"
    link.symlink_to(shared)
    atomic_write_bytes(link, b"new\n")
    assert link.is_symlink()
    assert shared.read_bytes() == b"new\n"


def test_read_only_file_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_bytes(b"old\n")
    path.chmod(0o444)
    with pytest.raises(OutputError, match=r"g\.tsv: read-only file"):
        atomic_write_bytes(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert _leftovers(tmp_path) == []


def test_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"a")
    path.chmod(0o600)
    atomic_write_bytes(path, b"b")
    assert path.stat().st_mode & 0o777 == 0o600


def test_disk_full_names_the_real_file_and_keeps_the_old_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "x.en.txt", tmp_path / "x.de-en.xlf"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    real_fsync = os.fsync
    calls = []

    def full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the second file of the set hits a full disk
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(OutputError) as caught:
        atomic_write_set({a: b"new a", b: b"new b"})
    assert caught.value.one_line() == f"{b}: cannot write: disk full"
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")
    assert _leftovers(tmp_path) == []


def test_failed_rename_puts_the_old_files_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [tmp_path / n for n in ("x.en.txt", "x.de-en.xlf", "x.de-en.tmx")]
    for p in paths:
        p.write_bytes(b"old " + p.name.encode())
    real_replace = os.replace
    seen = []

    def flaky(src: str, dst: str) -> None:
        seen.append(dst)
        if str(dst) == str(paths[2]):
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", flaky)
    with pytest.raises(OutputError, match=r"x\.de-en\.tmx: cannot write"):
        atomic_write_set({p: b"new" for p in paths})
    assert [p.read_bytes() for p in paths] == [b"old " + p.name.encode() for p in paths]
    assert _leftovers(tmp_path) == []


def test_a_new_set_is_removed_when_it_cannot_be_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "new.en.txt", tmp_path / "ro"
    b.mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        atomic_write_set({a: b"x", b: b"y"})
    assert not a.exists()
    assert _leftovers(tmp_path) == []


def _signal_during_write(folder: str, signum: int) -> None:
    """Child: write a set while this process signals itself in the middle."""
    paths = [Path(folder) / f"f{i}" for i in range(3)]
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        os.kill(os.getpid(), signum)  # arrives while temporary files exist

    os.fsync = fsync  # type: ignore[assignment]
    atomic_write_set({p: b"new" for p in paths})
    os._exit(0)  # the signal must have been held back until here... and then act


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_writing_takes_effect_after_the_whole_set(
    tmp_path: Path, signum: int
) -> None:
    for i in range(3):
        (tmp_path / f"f{i}").write_bytes(b"old")
    proc = multiprocessing.get_context("fork").Process(
        target=_signal_during_write, args=(str(tmp_path), signum)
    )
    proc.start()
    proc.join(30)
    # The held-back signal acts once the set is written: SIGTERM kills,
    # SIGINT raises KeyboardInterrupt (exit 1) - either way before os._exit(0)
    # could only run if the signal had been lost.
    assert proc.exitcode in (-signum, 1)
    assert [(tmp_path / f"f{i}").read_bytes() for i in range(3)] == [b"new"] * 3
    assert _leftovers(tmp_path) == []


def _add_under_lock(path: str, n: int) -> None:
    for i in range(n):
        with edit_lock(path) as real:
            text = real.read_text() if real.exists() else ""
            atomic_write_bytes(path, (text + f"row {os.getpid()} {i}\n").encode())


def test_edit_lock_serialises_read_modify_write_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_add_under_lock, args=(str(path), 25)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 4
    assert len(path.read_text().splitlines()) == 100
    assert _leftovers(tmp_path) == []
    assert sorted(os.listdir(tmp_path)) == ["g.tsv"]  # no lock file left behind


def test_edit_lock_is_reentrant(tmp_path: Path) -> None:
    with edit_lock(tmp_path / "a"), edit_lock(tmp_path / "b") as real:
        assert real == (tmp_path / "b").resolve()


def test_read_limited_refuses_endless_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSKIT_MAX_INPUT_MB", "1")
    with pytest.raises(InputError, match=r"^/dev/zero: larger than 1 MB"):
        read_limited("/dev/zero")


def test_read_limited_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_limited(tmp_path / "missing")
    with pytest.raises(InputError, match="is a directory"):
        read_limited(tmp_path)
