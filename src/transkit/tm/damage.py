"""What the memory does when its index or its folder fails: the index is a cache.

The TMX files are the memory; the SQLite index is rebuilt from them.  So a
garbage, truncated or zeroed index file, or a folder in its place, is
dropped and rebuilt (saying so in one line on stderr, through the
``transkit.tm`` logger), while a full or read-only disk is an `OutputError`
naming the file, never a traceback.  `healing` wraps every public operation
of `transkit.tm.memory.TranslationMemory` with that rule.
"""

from __future__ import annotations

import errno
import functools
import logging
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from transkit.errors import OutputError

__all__ = [
    "IndexDamaged",
    "discard_index_files",
    "healing",
    "index_failure",
    "is_temp",
    "write_failure",
]

_log = logging.getLogger("transkit.tm")
#: Index files besides the database itself (SQLite's write-ahead log and its index).
_INDEX_SIDECARS = ("", "-wal", "-shm", "-journal")


class IndexDamaged(Exception):
    """The index cannot be read; it is a cache, so it is rebuilt from the TMX files."""


def index_failure(err: BaseException, index: Path) -> Exception:
    """What an error from the index means: damage (rebuild), or a full/read-only disk."""
    text = str(err).lower()
    if isinstance(err, sqlite3.OperationalError) and "full" in text:
        return OutputError("cannot write the memory's index: disk full", file=str(index))
    if isinstance(err, sqlite3.OperationalError) and "readonly" in text:
        return OutputError("cannot write the memory's index: read-only", file=str(index))
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError("cannot write the memory's index: disk full", file=str(index))
    if isinstance(err, sqlite3.OperationalError) and "locked" in text:
        return OutputError("the memory's index is locked by another program", file=str(index))
    return IndexDamaged(str(err) or type(err).__name__)


def healing(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run a memory operation; on a damaged index, rebuild it from the TMX files and retry once."""

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        # ``self`` is a TranslationMemory: index_path, _discard_index, refresh.
        if self._healing_depth:
            return method(self, *args, **kwargs)
        self._healing_depth += 1
        try:
            for attempt in (1, 2):
                try:
                    return method(self, *args, **kwargs)
                except (sqlite3.DatabaseError, IsADirectoryError, NotADirectoryError) as err:
                    failure = index_failure(err, self.index_path)
                    if not isinstance(failure, IndexDamaged):
                        raise failure from None
                    if attempt == 2:
                        raise OutputError(
                            f"index damaged and could not be rebuilt ({failure})",
                            file=str(self.index_path),
                        ) from None
                    self._discard_index(str(failure))
                    self.refresh()
            raise AssertionError("unreachable")
        finally:
            self._healing_depth -= 1

    return run


def discard_index_files(index_path: Path, why: str) -> None:
    """Remove a damaged index's files (a folder in their place is moved aside); say so."""
    for suffix in _INDEX_SIDECARS:
        path = Path(f"{index_path}{suffix}")
        try:
            if path.is_dir() and not path.is_symlink():
                aside = Path(f"{path}.damaged")
                shutil.rmtree(aside, ignore_errors=True)
                path.rename(aside)  # a folder is never deleted, only moved aside
            elif path.exists() or path.is_symlink():
                path.unlink()
        except OSError as err:
            raise OutputError(
                f"damaged index cannot be removed ({err.strerror})", file=str(path)
            ) from None
    _log.warning(
        "transkit: note: %s: damaged index (%s); rebuilt from the TMX files",
        index_path,
        " ".join(why.split()),
    )


def write_failure(err: OSError, path: Path) -> Exception:
    """A failed write in the memory folder as one line (disk full, read-only...)."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError("cannot write: disk full (the memory is unchanged)", file=str(path))
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EFBIG):
        return OutputError(f"cannot write: {err.strerror}", file=str(path))
    return err


def is_temp(name: str) -> bool:
    """A hidden temporary file of a memory writer (``.x.tmx.abc123.tmp``)."""
    return name.startswith(".") and name.endswith(".tmp") and (".tmx." in name or ".old" in name)
