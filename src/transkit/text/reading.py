"""Reading input documents: one clear error per bad file, nothing guessed.

Accepted: UTF-8 with or without BOM, UTF-16 with BOM.  Anything else (other
encodings, binary data, empty files, directories) is an `InputError` naming
the file, and for undecodable bytes the line where they are.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO

from transkit.errors import InputError
from transkit.fileio import read_limited

__all__ = ["decode_document", "read_document", "read_stdin_bytes", "STDIN_NAME"]

#: How standard input is named in messages.
STDIN_NAME = "<stdin>"

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_document(data: bytes, name: str) -> str:
    """Decode the bytes of one input document, or raise `InputError`."""
    if not data:
        raise InputError("empty file, nothing to translate", file=name)
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8) :], "utf-8", name)
    if data.startswith(_UTF16_BOMS):
        text = _decode(data, "utf-16", name)
        return _check_text(text, name)
    if b"\x00" in data[:8192]:
        raise InputError(
            "binary file (NUL bytes); expected UTF-8 text, or UTF-16 with a BOM", file=name
        )
    return _check_text(_decode(data, "utf-8", name), name)


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1 if encoding == "utf-8" else None
        raise InputError(
            f"not valid {encoding.upper()} (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "save the file as UTF-8",
            file=name,
            line=line,
        ) from None


def _check_text(text: str, name: str) -> str:
    if "\x00" in text:
        raise InputError("binary file (NUL characters)", file=name)
    if not text.strip():
        raise InputError("file holds only whitespace, nothing to translate", file=name)
    return text


def read_document(path: str | Path) -> str:
    """Read and decode one input file given on the command line."""
    p = Path(path)
    name = str(path)
    if p.is_dir():
        raise InputError("is a directory, not a text file", file=name)
    return decode_document(read_limited(p), name)


def read_stdin_bytes(stream: BinaryIO | None = None) -> bytes:
    """All of standard input as bytes (size-limited), for `decode_document`.

    Reading bytes, not text, gives stdin exactly the rules of a file: UTF-8
    or UTF-16 with a BOM, one clear error for anything else, CRLF kept.
    """
    import sys

    if stream is None:
        stream = sys.stdin.buffer
    from transkit.fileio import max_input_bytes

    limit = max_input_bytes()
    try:
        data = stream.read(limit + 1)
    except OSError as err:
        raise InputError(f"cannot read ({err.strerror or err})", file=STDIN_NAME) from None
    if len(data) > limit:
        raise InputError(
            f"larger than {limit // (1024 * 1024)} MB; not read "
            "(TRANSKIT_MAX_INPUT_MB raises the limit)",
            file=STDIN_NAME,
        )
    return data
