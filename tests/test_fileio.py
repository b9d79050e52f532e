"""Atomic writes and sets of writes, edit locks, size-limited reads."""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import stat as _stat
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from transkit import fileio
from transkit.errors import InputError, OutputError
from transkit.fileio import (
    OutputClaims,
    atomic_write_bytes,
    atomic_write_set,
    edit_lock,
    is_stream,
    open_output,
    preflight,
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
    # Python's own handling, whatever the parent installed (Ray's driver, run
    # in-process by the cluster tests, makes SIGTERM exit with status 15).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
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


# -- the output-path policy ----------------------------------------------------
KINDS = ("missing", "regular", "symlink", "null-device", "fifo", "fd-link")


def _place(folder: Path, kind: str) -> tuple[Path, object]:
    """An output of ``kind`` in ``folder``, and what to check afterwards."""
    path = folder / f"out-{kind}"
    if kind == "regular":
        path.write_bytes(b"old")
    elif kind == "symlink":
        (folder / "shared").write_bytes(b"old")
        path.symlink_to(folder / "shared")
    elif kind == "null-device":
        make_device(path, NULL_DEVICE)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "fd-link":
        sink = open(folder / "sink", "wb")  # noqa: SIM115 - closed by the caller
        path.symlink_to(f"/proc/self/fd/{sink.fileno()}")
        return path, sink
    return path, None


def _drain(fifo: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(fifo, "rb") as handle:
            into.append(handle.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@settings(max_examples=60)
@given(kind=st.sampled_from(KINDS), data=st.binary(max_size=3000), as_stream=st.booleans())
def test_every_kind_of_output_gets_the_policy(
    tmp_path_factory: pytest.TempPathFactory, kind: str, data: bytes, as_stream: bool
) -> None:
    """Regular files replaced atomically (links followed); streams written in place."""
    folder = tmp_path_factory.mktemp("policy")
    path, sink = _place(folder, kind)
    got: list[bytes] = []
    reader = _drain(path, got) if kind == "fifo" else None
    try:
        if as_stream:
            with open_output(path) as handle:
                handle.write(data)
        else:
            atomic_write_bytes(path, data)
    finally:
        if sink is not None:
            sink.close()  # type: ignore[attr-defined]
    if reader is not None:
        reader.join(10)
        assert got == [data]
        assert _stat.S_ISFIFO(os.lstat(path).st_mode)
    elif kind == "null-device":
        assert is_char_device(path)
    elif kind == "fd-link":
        assert path.is_symlink() and (folder / "sink").read_bytes() == data
    elif kind == "symlink":
        assert path.is_symlink() and (folder / "shared").read_bytes() == data
    else:
        assert path.read_bytes() == data and _stat.S_ISREG(os.lstat(path).st_mode)
    assert leftovers(folder) == []
    assert real_devices_intact()


@pytest.mark.parametrize("streamed", [False, True], ids=["bytes", "streamed"])
def test_a_full_device_is_one_error_and_stays_a_device(tmp_path: Path, streamed: bool) -> None:
    full = make_device(tmp_path / "full", FULL_DEVICE)
    with pytest.raises(OutputError, match=r"full: cannot write: disk full"):
        if streamed:
            with open_output(full) as handle:
                handle.write(b"x" * 100_000)
        else:
            atomic_write_bytes(full, b"x")
    assert is_char_device(full) and real_devices_intact()


def test_a_set_with_a_device_writes_the_files_and_the_device(tmp_path: Path) -> None:
    null = make_device(tmp_path / "null", NULL_DEVICE)
    atomic_write_set({tmp_path / "a.txt": b"a", null: b"b"})
    assert (tmp_path / "a.txt").read_bytes() == b"a" and is_char_device(null)


def test_a_set_with_a_full_device_writes_nothing(tmp_path: Path) -> None:
    full = make_device(tmp_path / "full", FULL_DEVICE)
    (tmp_path / "a.txt").write_bytes(b"old")
    with pytest.raises(OutputError, match="disk full"):
        atomic_write_set({tmp_path / "a.txt": b"new", full: b"b"})
    assert (tmp_path / "a.txt").read_bytes() == b"old" and _leftovers(tmp_path) == []


@settings(max_examples=40)
@given(spelling=st.sampled_from(["same", "dot", "dotdot", "symlink", "hardlink"]))
def test_an_input_is_never_an_output_however_it_is_spelled(
    tmp_path_factory: pytest.TempPathFactory, spelling: str
) -> None:
    folder = tmp_path_factory.mktemp("claims")
    (folder / "sub").mkdir()
    source = folder / "in.txt"
    source.write_bytes(b"x")
    other = {
        "same": source,
        "dot": folder / "." / "in.txt",
        "dotdot": folder / "sub" / ".." / "in.txt",
        "symlink": folder / "link.txt",
        "hardlink": folder / "hard.txt",
    }[spelling]
    if spelling == "symlink":
        other.symlink_to(source)
    if spelling == "hardlink":
        os.link(source, other)
    claims = OutputClaims([source])
    with pytest.raises(OutputError, match=r"is an input of this run"):
        claims.claim(other)
    fresh = OutputClaims()
    fresh.claim(source, owner="a")
    with pytest.raises(OutputError, match=r"would be written twice \(also the output for a\)"):
        fresh.claim(other, owner="b")


def test_streams_can_be_claimed_twice_and_are_streams(tmp_path: Path) -> None:
    null = make_device(tmp_path / "null", NULL_DEVICE)
    claims = OutputClaims([null])
    claims.claim(null, owner="a")
    claims.claim(null, owner="b")
    assert is_stream(null) and not is_stream(tmp_path / "nothing")
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    assert is_stream(link)


def test_read_only_folder_is_refused_before_writing(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "old.txt").write_bytes(b"old")
    with read_only(folder):
        with pytest.raises(OutputError, match=r"new\.txt: cannot write: read-only file system"):
            preflight(folder / "new.txt")
        with pytest.raises(OutputError, match=r"old\.txt"):
            atomic_write_bytes(folder / "old.txt", b"new")
        with (
            pytest.raises(OutputError, match=r"x\.tmx"),
            open_output(folder / "x.tmx") as handle,
        ):
            handle.write(b"data")
        assert (folder / "old.txt").read_bytes() == b"old" and _leftovers(folder) == []


def test_full_disk_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "64k") as disk:
        (disk / "x.txt").write_bytes(b"old")
        with pytest.raises(OutputError, match=r"x\.txt: cannot write: disk full"):
            atomic_write_bytes(disk / "x.txt", b"y" * 1_000_000)
        with (
            pytest.raises(OutputError, match=r"y\.tmx: cannot write: disk full"),
            open_output(disk / "y.tmx") as handle,
        ):
            for _ in range(100):
                handle.write(b"z" * 10_000)
        assert (disk / "x.txt").read_bytes() == b"old"
        assert sorted(p.name for p in disk.iterdir()) == ["x.txt"]
