"""Errors that reach the user as one line, never as a traceback.

Every error names the file (and line, where there is one).  The CLI turns a
`TranskitError` into ``transkit: <message>`` on stderr and ``exit_code``.
"""

from __future__ import annotations

__all__ = [
    "TranskitError",
    "InputError",
    "OutputError",
    "GlossaryError",
    "FormatError",
    "ModelError",
    "ModelMissingError",
]


class TranskitError(Exception):
    """Base class: a user-facing problem with a one-line message."""

    exit_code = 1

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        self.message = message
        self.file = file
        self.line = line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``FILE:LINE: message`` (parts that are unknown are left out)."""
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        # No line breaks of any kind: a CR from a damaged file would overwrite the line.
        return " ".join((where + self.message).splitlines())


class InputError(TranskitError):
    """An input document that cannot be read (missing, binary, bad encoding...)."""


class OutputError(TranskitError):
    """An output file that cannot be written (disk full, read-only, no permission)."""


class GlossaryError(TranskitError):
    """A glossary file with problems; ``problems`` lists each one."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        problems: list[str] | None = None,
    ):
        super().__init__(message, file=file, line=line)
        self.problems = [" ".join(p.splitlines()) for p in problems or [self.one_line()]]


class FormatError(TranskitError):
    """A malformed XLIFF, TMX, TBX or CSV file."""


class ModelError(TranskitError):
    """A translation model that cannot be installed or loaded."""


class ModelMissingError(ModelError):
    """No usable model: exit code 2 and the exact commands that fix it."""

    exit_code = 2
