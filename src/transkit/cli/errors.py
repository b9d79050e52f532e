"""How every transkit command reports a user error.

One line on stderr, ``transkit: error: FILE:LINE: message``, and the error's
exit code; real bugs keep their traceback.  Shared by `transkit.cli`,
`transkit.cli.glossary` and `transkit.cli.merge`.

`GuardedGroup` is the command line's edge for standard output: a full
device (``> /dev/full``), a closed pipe or an I/O error while printing is
one line and exit 1, not a traceback (click handles only ``EPIPE``, and
Python's own flush at exit would print "Exception ignored").
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import click

from transkit.errors import TranskitError

__all__ = ["GuardedGroup", "user_errors"]

#: Errors of a write to standard output that are the output's fault.
_STDOUT_ERRNOS = frozenset((errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EPIPE))


@contextmanager
def user_errors() -> Iterator[None]:
    """Report a `TranskitError` raised inside the block as one line and exit."""
    try:
        yield
    except TranskitError as err:
        click.echo(f"transkit: error: {err.one_line()}", err=True)
        sys.exit(err.exit_code)


def _silence_stdout() -> None:
    """Point standard output at the null device, so nothing is flushed there again."""
    with suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def _stdout_failed(err: OSError) -> None:
    why = "disk full" if err.errno in (errno.ENOSPC, errno.EDQUOT) else err.strerror or str(err)
    _silence_stdout()
    if err.errno != errno.EPIPE:  # a reader that left wants no message
        with suppress(OSError):
            click.echo(f"transkit: error: <stdout>: cannot write: {why}", err=True)
    sys.exit(1)


class GuardedGroup(click.Group):
    """A click group whose commands' standard output is flushed and checked before exit."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line; a failed write to standard output becomes one line, exit 1."""
        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                sys.stdout.flush()
        except OSError as err:
            if err.errno not in _STDOUT_ERRNOS:
                raise
            _stdout_failed(err)
