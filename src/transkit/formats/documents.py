"""Documents people send (DOCX, ODT, HTML, Markdown): which format, and the way through XLIFF.

A document is translated as an XLIFF made from it (`document_xliff`): its
paragraphs are units, its formatting inline codes, the original file its
skeleton.  Pre-translation fills that XLIFF like a CAT tool's, and
`rebuild_from_xliff` turns any filled or post-edited copy of it back into
the document, so ``transkit merge x.de-en.xlf`` needs nothing else.

Each format module (`docx`, `odt`, `html`, `markdown`) is an
``extract``/``rebuild`` pair; this module only picks one and checks that a
file is what its extension says.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import ModuleType
from typing import Any

from transkit.errors import FormatError

__all__ = [
    "DOCUMENT_SUFFIXES",
    "document_format",
    "extract_document",
    "read_document_bytes",
    "rebuild_document",
    "rebuild_from_xliff",
    "translated_name",
    "xliff_for_document",
]

#: File name endings read as documents, and their format.
DOCUMENT_SUFFIXES = {
    ".docx": "docx",
    ".odt": "odt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
}
_NAMES = {"docx": "DOCX", "odt": "ODT", "html": "HTML", "markdown": "Markdown"}


def document_format(name: str) -> str | None:
    """``docx``, ``odt``, ``html`` or ``markdown`` for a document's name; None for others."""
    return DOCUMENT_SUFFIXES.get(PurePosixPath(name.lower()).suffix)


def _module(fmt: str) -> ModuleType:
    if fmt == "docx":
        from transkit.formats import docx as module
    elif fmt == "odt":
        from transkit.formats import odt as module
    elif fmt == "html":
        from transkit.formats import html as module
    elif fmt == "markdown":
        from transkit.formats import markdown as module
    else:  # pragma: no cover - callers pass document_format's answers
        raise ValueError(fmt)
    return module


def _what_it_is(data: bytes) -> str:
    """A short name for what the bytes really hold (for 'not what its extension says')."""
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return "a PDF file"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old binary or encrypted Office file"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument" in head:
            return "an OpenDocument file"
        if b"[Content_Types].xml" in data[:65536] or b"word/" in data[:65536]:
            return "an Office Open XML file"
        return "a zip archive"
    if b"\x00" in head:
        return "a binary file"
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in stripped:
        return "an HTML or XML file"
    return "a text file"


def check_kind(fmt: str, data: bytes, name: str) -> None:
    """Refuse a file that is not what its extension says, naming what it is."""
    actual = _what_it_is(data)
    expected = {
        "docx": ("an Office Open XML file",),
        "odt": ("an OpenDocument file",),
        "html": ("an HTML or XML file", "a text file"),
        "markdown": ("a text file", "an HTML or XML file"),
    }[fmt]
    if fmt in ("docx", "odt") and actual in ("an old binary or encrypted Office file",):
        return  # the package reader says "password-protected" in its own words
    if actual not in expected:
        raise FormatError(
            f"not a {_NAMES[fmt]} file: it is {actual} (check its extension)", file=name
        )


def read_document_bytes(name: str) -> bytes:
    """A document's bytes; a missing, unreadable, empty or huge file is a `FormatError`."""
    from transkit.formats import read_xml_bytes

    fmt = document_format(name) or "document"
    return read_xml_bytes(name, _NAMES.get(fmt, fmt))


def extract_document(fmt: str, data: bytes, name: str) -> Any:
    """The `Extracted` units of a document (after `check_kind`)."""
    check_kind(fmt, data, name)
    return _module(fmt).extract(data, name)


def rebuild_document(fmt: str, data: bytes, name: str, targets: Any) -> bytes:
    """The document with each unit's target in place of its source."""
    return _module(fmt).rebuild(data, name, targets)


def xliff_for_document(name: str, data: bytes) -> tuple[str, Any, bytes]:
    """(format, extracted units, XLIFF 1.2 bytes with the document as skeleton)."""
    from transkit.formats.inline_units import document_xliff

    fmt = document_format(name)
    if fmt is None:
        raise FormatError("not a document transkit reads (.docx .odt .html .md)", file=name)
    extracted = extract_document(fmt, data, name)
    return fmt, extracted, document_xliff(_base_name(name), fmt, data, extracted)


def _base_name(name: str) -> str:
    return PureWindowsPath(PurePosixPath(name).name).name or "document"


def translated_name(original: str, target_lang: str = "en") -> str:
    """``x.docx`` -> ``x.en.docx``; ``notes.md`` -> ``notes.en.md``."""
    base = _base_name(original)
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        return f"{base}.{target_lang}"
    return f"{stem}.{target_lang}.{ext}"


def rebuild_from_xliff(root: Any, name: str) -> tuple[str, str, bytes] | None:
    """(format, original name, translated document) from an XLIFF with a document skeleton.

    None when the XLIFF was not made from a document.  Units without a target
    keep their German.
    """
    from transkit.formats.inline_units import read_skeleton, unit_targets

    skeleton = read_skeleton(root, name)
    if skeleton is None:
        return None
    fmt, original, data = skeleton
    try:
        check_kind(fmt, data, name)
        return fmt, original, rebuild_document(fmt, data, original or name, unit_targets(root))
    except FormatError as err:
        raise FormatError(
            f"the embedded document cannot be rebuilt: {err.message}", file=name
        ) from None


def output_for(xliff_path: str | os.PathLike[str], original: str, target_lang: str) -> Path:
    """Where `transkit merge` writes a rebuilt document: next to the XLIFF."""
    return Path(xliff_path).with_name(translated_name(original, target_lang or "en"))
