"""Hostile places to write to, made inside a test's own temporary folder.

Never the real ``/dev/null``, ``/dev/full`` or ``/dev/stdout``: as root, a
writer that replaced its output would replace those.  Device nodes are made
with `os.mknod` (the same major/minor numbers), a full disk is a tiny tmpfs,
and a read-only folder is a read-only bind mount (root ignores mode bits).
Each helper skips the test, saying why, where the system does not allow it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

#: (major, minor) of /dev/null and /dev/full on Linux.
NULL_DEVICE = (1, 3)
FULL_DEVICE = (1, 7)


def make_device(path: Path, numbers: tuple[int, int]) -> Path:
    """A character device node at ``path`` (skips where mknod is not allowed)."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(*numbers))
    except (PermissionError, AttributeError, OSError) as err:
        pytest.skip(f"cannot make a device node here ({err}); needs root on Linux")
    return path


def is_char_device(path: str | Path) -> bool:
    """True when ``path`` (not followed) is still a character device."""
    return stat.S_ISCHR(os.lstat(path).st_mode)


def real_devices_intact() -> bool:
    """The system's /dev/null and /dev/full are still character devices."""
    return all(is_char_device(p) for p in ("/dev/null", "/dev/full"))


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mount not allowed here ({done.stderr.strip() or done.returncode})")


@contextlib.contextmanager
def small_disk(path: Path, size: str = "64k") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path``: writes beyond it get ENOSPC."""
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """``path`` (a folder) made read-only by a read-only bind mount over itself."""
    _mount("--bind", str(path), str(path))
    try:
        done = subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(path)], capture_output=True, text=True
        )
        if done.returncode:
            pytest.skip(f"read-only remount not allowed here ({done.stderr.strip()})")
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def leftovers(folder: Path) -> list[str]:
    """Hidden temporary files under ``folder`` (what no writer may leave behind)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*.tmp"))
