"""Reading input documents: one clear error per bad file, nothing guessed.

Accepted: UTF-8 with or without BOM, UTF-16 with BOM.  Anything else (other
encodings, binary data, empty files, directories) is an `InputError` naming
the file, and for undecodable bytes the line where they are.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from transkit.errors import InputError

__all__ = ["decode_document", "read_document"]

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
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except PermissionError:
        raise InputError("permission denied", file=name) from None
    except OSError as err:
        raise InputError(f"cannot read ({err.strerror})", file=name) from None
    return decode_document(data, name)
