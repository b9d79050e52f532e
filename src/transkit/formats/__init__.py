"""CAT exchange formats: XLIFF 1.2/2.x and TMX 1.4b, plus what they share.

Each format lives in its own module (`transkit.formats.xliff`,
`transkit.formats.tmx`) and converts to and from `transkit.data.Document` /
`Segment`; nothing hands out lxml nodes.  This package module holds only the
small pieces both need and stays cheap to import (lxml is imported inside
`parse_xml` only):

* `parse_formats` checks a ``--formats txt,xliff,tmx`` list;
* `xml_runs` splits text into XML-1.0-safe runs and single characters that
  XML 1.0 cannot carry (C0 controls except tab/LF/CR, U+FFFE, U+FFFF); the
  writers turn the latter into inline codes (XLIFF 2 ``<cp hex>``, XLIFF 1.2
  ``<x ctype="x-transkit-cp-HHHH">``, TMX ``<ph type="x-transkit-cp-HHHH">``)
  and the readers turn them back, so any text round-trips;
* `encode_layout` / `decode_layout` keep inter-segment whitespace in an
  attribute value without it being normalised by XML parsers;
* `parse_xml` reads a file with a safe parser and turns syntax errors into a
  `FormatError` with file and line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from transkit.errors import FormatError

__all__ = [
    "FORMATS",
    "XLIFF_VERSIONS",
    "decode_layout",
    "encode_layout",
    "parse_formats",
    "parse_xml",
    "parse_xml_bytes",
    "read_xml_bytes",
    "refuse_entities",
    "xml_runs",
]

#: Output formats that ``transkit translate --formats`` accepts.
FORMATS = ("txt", "xliff", "tmx")

#: XLIFF versions the writer produces (the reader also accepts 2.0).
XLIFF_VERSIONS = ("1.2", "2.1")

# Characters XML 1.0 forbids (surrogates are handled apart: they cannot be
# encoded as UTF-8 at all).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_formats(value: str) -> tuple[str, ...]:
    """Parse ``"txt,xliff"`` into ``("txt", "xliff")``; unknown names raise ValueError.

    >>> parse_formats("tmx, txt,tmx")
    ('txt', 'tmx')
    """
    names = {part.strip().lower() for part in value.split(",") if part.strip()}
    names = {"xliff" if name in ("xlf", "xlif") else name for name in names}
    unknown = sorted(names - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if not names:
        raise ValueError(f"no format given; choose from {', '.join(FORMATS)}")
    return tuple(name for name in FORMATS if name in names)


def xml_runs(text: str) -> Iterator[str | int]:
    """Yield the runs of ``text`` XML 1.0 can carry (str) and code points it cannot (int).

    Raises ValueError for lone surrogates, which no UTF-8 file can hold.

    >>> list(xml_runs("a\\x01b"))
    ['a', 1, 'b']
    """
    bad = _SURROGATE.search(text)
    if bad:
        raise ValueError(f"lone surrogate U+{ord(bad.group()):04X} cannot be written")
    pos = 0
    for match in _NOT_XML.finditer(text):
        if match.start() > pos:
            yield text[pos : match.start()]
        yield ord(match.group())
        pos = match.end()
    if pos < len(text):
        yield text[pos:]


_LAYOUT_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_LAYOUT_UNESCAPES = {v[1]: k for k, v in _LAYOUT_ESCAPES.items()}
_LAYOUT_TOKEN = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|(.))", re.S)


def encode_layout(text: str) -> str:
    r"""Escape whitespace text so an attribute value keeps it through any XML tool.

    Line breaks and tabs in attribute values are normalised to spaces by
    parsers unless written as character references, which re-saving tools do
    not always keep; backslash escapes survive every tool.

    >>> encode_layout("\n\n  ")
    '\\n\\n  '
    """
    out = []
    for ch in text:
        if ch in _LAYOUT_ESCAPES:
            out.append(_LAYOUT_ESCAPES[ch])
        elif _NOT_XML.match(ch) or _SURROGATE.match(ch):
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def decode_layout(value: str) -> str:
    r"""Undo `encode_layout`; unknown escapes keep the escaped character.

    >>> decode_layout(encode_layout("a\\b\n\x01 ")) == "a\\b\n\x01 "
    True
    """

    def sub(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return _LAYOUT_UNESCAPES.get(match.group(2), match.group(2))

    return _LAYOUT_TOKEN.sub(sub, value)


def parse_xml(path: str | os.PathLike[str], kind: str, *, entities: str = "internal") -> Any:
    """Parse an XML file safely and return its root element.

    No network, no external entities, no DTD loading; CDATA becomes text.
    Entities declared in the document's own DTD (``<!ENTITY co "ACME">``)
    are expanded with ``entities="internal"`` (libxml2's expansion limits
    apply) and refused with ``entities="refuse"``; a reference to an external
    or undeclared entity is always refused, so no text is silently dropped.
    A missing file or malformed XML raises `FormatError` naming the file and
    line, with ``kind`` ("XLIFF", "TMX") in the message.
    """
    name = os.fspath(path)
    return parse_xml_bytes(read_xml_bytes(name, kind), name, kind, entities=entities)


def read_xml_bytes(path: str | os.PathLike[str], kind: str) -> bytes:
    """The bytes of an XML file; a missing, unreadable, empty or huge file is a `FormatError`."""
    from transkit.fileio import max_input_bytes

    name = os.fspath(path)
    limit = max_input_bytes()
    try:
        with open(name, "rb") as handle:
            data = handle.read(limit + 1)  # /dev/zero must not fill the memory
    except FileNotFoundError:
        raise FormatError(f"{kind} file not found", file=name) from None
    except IsADirectoryError:
        raise FormatError(f"expected a {kind} file, found a directory", file=name) from None
    except OSError as err:
        raise FormatError(f"cannot read {kind} file: {err.strerror}", file=name) from None
    if len(data) > limit:
        raise FormatError(
            f"larger than {limit // (1024 * 1024)} MB; not read (TRANSKIT_MAX_INPUT_MB)", file=name
        )
    if not data.strip():
        raise FormatError(f"empty file, not {kind}", file=name)
    return data


def parse_xml_bytes(data: bytes, name: str, kind: str, *, entities: str = "internal") -> Any:
    """`parse_xml` for bytes already read from ``name``."""
    root = _parse_bytes(data, name, kind, resolve=False)
    declared = _declared_entities(root)
    if declared:
        if entities != "internal":
            raise FormatError(
                f"{kind} file declares entities ({', '.join(sorted(declared))}) in a DTD; "
                "transkit does not expand entities: remove the DOCTYPE",
                file=name,
                line=1,
            )
        external = [n for n, internal in declared.items() if not internal]
        if external:
            raise FormatError(
                f"{kind} file declares external entities ({', '.join(sorted(external))}); "
                "refusing to read them",
                file=name,
                line=1,
            )
        root = _parse_bytes(data, name, kind, resolve=True)
    _refuse_references(root, name, kind)
    return root


def refuse_entities(root: Any, name: str, kind: str) -> None:
    """Raise `FormatError` if a document parsed without entity expansion declares or uses any.

    For readers whose files never need entities (TBX): an entity left as a
    reference would otherwise be read as its literal name (``&x;``), and an
    external one could point at a local file.
    """
    declared = _declared_entities(root)
    if declared:
        raise FormatError(
            f"{kind} file declares entities ({', '.join(sorted(declared))}) in a DTD; "
            "transkit does not expand entities: remove the DOCTYPE",
            file=name,
            line=1,
        )
    _refuse_references(root, name, kind)


def _refuse_references(root: Any, name: str, kind: str) -> None:
    from lxml import etree

    for ref in root.iter(etree.Entity):
        raise FormatError(
            f"undefined or external entity {ref.text} in {kind}; its text cannot be read",
            file=name,
            line=ref.sourceline,
        )


def _declared_entities(root: Any) -> dict[str, bool]:
    """Entities declared in the internal DTD subset: name -> internal (has a value)."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return {}
    return {e.name: e.content is not None and not e.system_url for e in dtd.iterentities()}


def _parse_bytes(data: bytes, name: str, kind: str, *, resolve: bool) -> Any:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities="internal" if resolve else False,
        no_network=True,
        load_dtd=False,
        strip_cdata=True,
        remove_comments=False,
        # Entity expansion keeps libxml2's amplification limits (huge_tree lifts them).
        huge_tree=not resolve,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line = err.lineno or (err.position[0] if err.position else None)
        message = err.msg or str(err)
        message = re.sub(r",? line \d+, column \d+$", "", message)
        raise FormatError(
            f"malformed {kind} (not well-formed XML): {message}", file=name, line=line
        ) from None
