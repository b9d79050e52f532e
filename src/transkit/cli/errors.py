"""How every transkit command reports a user error.

One line on stderr, ``transkit: error: FILE:LINE: message``, and the error's
exit code; real bugs keep their traceback.  Shared by `transkit.cli`,
`transkit.cli.glossary` and `transkit.cli.merge`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from transkit.errors import TranskitError

__all__ = ["user_errors"]


@contextmanager
def user_errors() -> Iterator[None]:
    """Report a `TranskitError` raised inside the block as one line and exit."""
    try:
        yield
    except TranskitError as err:
        click.echo(f"transkit: error: {err.one_line()}", err=True)
        sys.exit(err.exit_code)
