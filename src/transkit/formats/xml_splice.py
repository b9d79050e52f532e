"""Edit an XML file in place, byte for byte outside the edited elements.

CAT tools' XLIFF carries other tools' namespaces, attribute quoting,
character references and layout that a parse-and-reserialise would
normalise.  `Locator` finds each element's byte range in the original file
(expat reports byte offsets; lxml and expat see elements in the same
document order), and `splice` replaces or inserts fragments only where an
element is really changed.  Fragments are serialised by lxml in the
namespace scope of their parent (`fragment`), so no prefix is redeclared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from transkit.errors import FormatError

__all__ = ["Locator", "Range", "fragment", "splice", "start_tag"]


@dataclass(frozen=True)
class Range:
    """Byte offsets of one element: its start tag and its end tag (equal for ``<a/>``)."""

    start: int
    start_end: int
    end: int
    end_end: int

    @property
    def empty(self) -> bool:
        return self.start_end == self.end_end and self.end == self.end_end


def _tag_end(data: bytes, pos: int) -> int:
    """Offset just after the ``>`` closing the tag that starts at ``pos``."""
    quote = 0
    i = pos + 1
    n = len(data)
    while i < n:
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x3E:
            return i + 1
        i += 1
    return n


class Locator:
    """Byte ranges of the elements of ``root`` (parsed by lxml from ``data``)."""

    def __init__(self, data: bytes, root: Any, name: str) -> None:
        import xml.parsers.expat as expat

        ranges: list[list[int]] = []
        stack: list[int] = []
        parser = expat.ParserCreate()

        def start(_name: str, _attrs: Any) -> None:
            pos = parser.CurrentByteIndex
            stack.append(len(ranges))
            ranges.append([pos, _tag_end(data, pos), 0, 0])

        def end(_name: str) -> None:
            pos = parser.CurrentByteIndex
            item = ranges[stack.pop()]
            if data[item[1] - 2 : item[1]] != b"/>":
                item[2], item[3] = pos, _tag_end(data, pos)
            else:  # <a/>: expat reports the end after the empty tag
                item[2] = item[3] = item[1]

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        try:
            parser.Parse(data, True)
        except expat.ExpatError as err:
            raise FormatError(f"malformed XML: {err}", file=name) from None
        elements = [el for el in root.iter() if isinstance(el.tag, str)]
        if len(elements) != len(ranges):
            raise FormatError(
                "cannot map the XML elements to their bytes (entities or XInclude?)", file=name
            )
        self._ranges = {el: Range(*r) for el, r in zip(elements, ranges, strict=True)}
        self._keep = elements  # lxml proxies must stay alive for the dict keys

    def __getitem__(self, el: Any) -> Range:
        return self._ranges[el]


def fragment(parent: Any, build: Callable[[Any], None], encoding: str) -> bytes:
    """Bytes of the children ``build(wrapper)`` adds, in ``parent``'s namespace scope.

    The wrapper is a copy of ``parent``'s tag declaring exactly the
    namespaces in scope there; its own tags are cut off again.
    """
    wrapper = etree.Element(parent.tag, nsmap=parent.nsmap)
    build(wrapper)
    if len(wrapper) == 0 and not wrapper.text:
        return b""
    wrapper.tail = None
    data = etree.tostring(wrapper, encoding=encoding, xml_declaration=False)
    open_end = data.index(b">") + 1
    close = data.rindex(b"</")
    return data[open_end:close]


def start_tag(el: Any, attrib: dict[str, str], encoding: str, *, empty: bool) -> bytes:
    """A start tag (or ``<a/>`` when ``empty``) for ``el``'s name with ``attrib``."""
    parent = el.getparent()
    scope = parent if parent is not None else el

    def build(wrapper: Any) -> None:
        shell = etree.SubElement(wrapper, el.tag, attrib=attrib)
        if not empty:
            shell.text = "x"

    data = fragment(scope, build, encoding)
    if empty:
        return data
    return data[: _tag_end(data, 0)]


def splice(data: bytes, edits: Sequence[tuple[int, int, bytes]]) -> bytes:
    """Replace ``data[start:end]`` by each edit's bytes; edits must not overlap."""
    out = []
    cursor = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < cursor:
            raise ValueError("overlapping XML edits")
        out.append(data[cursor:start])
        out.append(new)
        cursor = end
    out.append(data[cursor:])
    return b"".join(out)
