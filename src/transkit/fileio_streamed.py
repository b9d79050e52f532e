"""Outputs written a piece at a time, replaced together: a large input's.

`transkit.stream` writes the outputs of a 50 MB input as its windows are
translated, never holding a whole file.  `StreamedSet` keeps the
output-path policy of `transkit.fileio` (temporary files beside the
targets, one set of renames at the end, signals held while they happen,
streams written in place), with the same helpers.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from transkit.errors import OutputError
from transkit.fileio import (
    TEMP_SUFFIX,
    _check_writable,
    _open_in_place,
    _rename_all,
    _signals_held,
    _why,
    is_stream,
    real_target,
)

__all__ = ["StreamedSet"]


class StreamedSet:
    """`atomic_write_set` for outputs written a piece at a time (a large input's).

    Each regular file is written to a temporary file beside it as the pieces
    come (`write`); `commit` syncs them all and renames them together, as
    `atomic_write_set` does; `discard` (or leaving a ``with`` block by an
    error) removes them and leaves the old files.  Streams are written in
    place as the pieces come.
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        self._open: dict[str, tuple[str, Path, str | None, IO[bytes], int | None]] = {}
        try:
            for path in paths:
                shown = str(path)
                if is_stream(path):
                    handle = os.fdopen(_open_in_place(shown, path), "wb")
                    self._open[shown] = (shown, Path(path), None, handle, None)
                    continue
                target = real_target(path)
                mode = _check_writable(shown, target)
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    fd, tmp = tempfile.mkstemp(
                        dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX
                    )
                except OSError as err:
                    raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
                self._open[shown] = (shown, target, tmp, os.fdopen(fd, "wb"), mode)
        except BaseException:
            self.discard()
            raise

    def __enter__(self) -> StreamedSet:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is not None:
            self.discard()

    def write(self, path: str | os.PathLike[str], data: bytes) -> None:
        """Append ``data`` to the output ``path`` (one of those given)."""
        shown, _, _, handle, _ = self._open[str(path)]
        try:
            handle.write(data)
        except OSError as err:
            raise OutputError(f"cannot write: {_why(err)}", file=shown) from None

    def commit(self) -> None:
        """Sync every temporary file, then rename them all over their targets."""
        with _signals_held():
            plan: list[tuple[str, Path, str]] = []
            try:
                for shown, target, tmp, handle, mode in self._open.values():
                    try:
                        handle.flush()
                        if tmp is not None:
                            os.fsync(handle.fileno())
                        handle.close()
                        if tmp is not None:
                            os.chmod(tmp, 0o644 if mode is None else mode)
                            plan.append((shown, target, tmp))
                    except OSError as err:
                        raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
            except BaseException:
                self.discard()
                raise
            self._open.clear()
            _rename_all(plan)

    def discard(self) -> None:
        """Remove every temporary file; the old outputs stay."""
        for _, _, tmp, handle, _ in self._open.values():
            with contextlib.suppress(OSError):
                handle.close()
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self._open.clear()
