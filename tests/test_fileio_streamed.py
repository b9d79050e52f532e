"""`StreamedSet`: outputs written in pieces, replaced together or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from transkit.errors import OutputError
from transkit.fileio_streamed import StreamedSet


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_pieces_become_the_files_at_commit_all_together(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "sub" / "b.xlf"
    a.write_bytes(b"old a")
    os.chmod(a, 0o640)
    with StreamedSet([a, b]) as files:
        files.write(a, b"new ")
        files.write(b, b"<x/>")
        files.write(a, b"a")
        assert a.read_bytes() == b"old a"  # nothing replaced before the commit
        files.commit()
    assert a.read_bytes() == b"new a" and b.read_bytes() == b"<x/>"
    assert a.stat().st_mode & 0o777 == 0o640  # the old file's mode kept
    assert [p.name for p in tmp_path.rglob(".*.tmp")] == []


def test_an_error_in_the_block_leaves_the_old_files_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    a = tmp_path / "a.txt"
    a.write_bytes(b"old")
    with pytest.raises(RuntimeError), StreamedSet([a, tmp_path / "b.txt"]) as files:
        files.write(a, b"half")
        raise RuntimeError("stopped")
    assert _listing(tmp_path) == {"a.txt": b"old"}


def test_a_read_only_output_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_bytes(b"keep")
    os.chmod(locked, 0o444)  # refused by its mode, even for root
    with pytest.raises(OutputError, match="locked.txt: read-only file"):
        StreamedSet([tmp_path / "first.txt", locked])
    assert _listing(tmp_path) == {"locked.txt": b"keep"}


def test_a_folder_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "out.txt").mkdir()
    with pytest.raises(OutputError, match="out.txt: cannot write: is a directory"):
        StreamedSet([tmp_path / "out.txt"])
