"""The text, XLIFF and TMX outputs of one document, written a window at a time.

For a large input (`transkit.stream`) nothing holds the whole document:
each writer takes the document's segments in order, a window at a time,
and returns the bytes to append; `end` returns the rest.  The bytes are
exactly those of `Document.target_text`, `xliff_bytes` and `tmx_bytes` on
the whole document (the tests compare them): the XML writers build each
paragraph (XLIFF) or unit (TMX) with the same functions, in a skeleton of
the file that holds only that element, and cut it out of the skeleton's
serialisation, so namespaces and indentation are the whole file's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from lxml import etree

import transkit
from transkit.data import Document, Segment
from transkit.errors import FormatError

__all__ = ["STREAMED_FORMATS", "OutputStream", "open_stream"]

#: The output formats a large input is written in a window at a time.
STREAMED_FORMATS = ("txt", "xliff", "tmx")


class OutputStream(Protocol):
    """One output file of one document, as bytes to append."""

    def add(self, segments: Sequence[Segment]) -> bytes: ...

    def end(self, trailing: str) -> bytes: ...


class TextStream:
    """``Document.target_text``, a window at a time."""

    def add(self, segments: Sequence[Segment]) -> bytes:
        return "".join(
            s.leading + (s.target if s.target is not None else s.source) for s in segments
        ).encode("utf-8")

    def end(self, trailing: str) -> bytes:
        return trailing.encode("utf-8")


class _Skeleton:
    """A file's XML with one element slot: the bytes before and after it.

    ``container`` is where paragraphs go; ``indent_root`` indents the
    skeleton as the whole-file writer does.  `element_bytes` serialises the
    skeleton holding one element and cuts that element out.
    """

    def __init__(self, root: Any, container: Any, indent_root: Callable[[Any], None]) -> None:
        self.root, self.container, self.indent_root = root, container, indent_root
        name = etree.QName(container)
        marker = etree.SubElement(container, f"{{{name.namespace}}}stream-slot")
        indent_root(root)
        # The container's namespace is the default one: the slot has no prefix.
        self.head, self.tail = self._bytes().split(b"<stream-slot/>")
        self.pad = (container.text or "").encode("utf-8")
        container.remove(marker)

    def _bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8") + b"\n"

    def element_bytes(self, element: Any) -> bytes:
        self.container.append(element)
        try:
            self.indent_root(self.root)
            whole = self._bytes()
        finally:
            self.container.remove(element)
        return whole[len(self.head) : len(whole) - len(self.tail)]


class _ParagraphStream:
    """XLIFF paragraphs (a group or unit each) as they complete.

    A paragraph is written when the next one starts, and the last at `end`,
    where the trailing text joins it, as in the whole-file writers.
    """

    def __init__(self, skeleton: _Skeleton) -> None:
        self.skeleton = skeleton
        self.paragraph: list[Segment] = []
        self.number = 0  # paragraphs written
        self.position = 0  # segments seen

    def build(self, number: int, paragraph: list[Segment], trailing: str | None) -> Any:
        raise NotImplementedError

    def _write(self, trailing: str | None) -> bytes:
        self.number += 1
        try:
            element = self.build(self.number, self.paragraph, trailing)
            data = self.skeleton.element_bytes(element)
        except ValueError as err:
            raise FormatError(f"cannot write XLIFF: {err}") from None
        self.paragraph = []
        return (self.skeleton.head if self.number == 1 else self.skeleton.pad) + data

    def add(self, segments: Sequence[Segment]) -> bytes:
        out: list[bytes] = []
        for seg in segments:
            if self.paragraph and seg.paragraph_break:
                out.append(self._write(None))
            self.position += 1
            self.paragraph.append(replace_id(seg, self.position, self.nmtoken))
        return b"".join(out)

    nmtoken = False

    def end(self, trailing: str) -> bytes:
        if not self.paragraph and self.number == 0:
            raise FormatError("cannot write XLIFF: a streamed document needs a segment")
        return self._write(trailing) + self.skeleton.tail


def replace_id(seg: Segment, position: int, nmtoken: bool) -> Segment:
    """The id `unique_ids` gives the ``position``-th segment of a stream.

    A streamed document's ids are the segmenter's numbers, so they are
    unique; only one an NMTOKEN cannot carry is renamed, as there.
    """
    from dataclasses import replace

    from transkit.formats.xliff_common import NMTOKEN

    if seg.id and (not nmtoken or NMTOKEN.match(seg.id)):
        return seg
    return replace(seg, id=f"s{position}")


class Xliff12Stream(_ParagraphStream):
    """`xliff_bytes(version="1.2")` of one document, a window at a time."""

    def __init__(self, document: Document, count: int, tool_version: str, now: datetime) -> None:
        from transkit.formats.xliff12 import _file_12, _q12
        from transkit.formats.xliff_common import XLIFF12_NS, indent

        root = etree.Element(_q12("xliff"), nsmap={None: XLIFF12_NS})
        root.set("version", "1.2")
        _file_12(root, document, tool_version, now)
        body = root.find(f"{_q12('file')}/{_q12('body')}")
        for group in list(body):
            body.remove(group)
        root.find(f".//{_q12('count')}").text = str(count)
        leaves = frozenset({"source", "target", "note"})
        super().__init__(_Skeleton(root, body, lambda el: indent(el, leaves)))

    def build(self, number: int, paragraph: list[Segment], trailing: str | None) -> Any:
        from transkit.formats import encode_layout
        from transkit.formats.xliff12 import _q12, _trans_unit_12
        from transkit.formats.xliff_common import TRAILING_EXTYPE

        group = etree.Element(_q12("group"))
        group.set("id", f"p{number}")
        group.set("restype", "x-paragraph")
        for seg in paragraph:
            _trans_unit_12(group, seg, seg.id)
        if trailing is not None:
            group.set("extype", TRAILING_EXTYPE)
            group.set("extradata", encode_layout(trailing))
        return group


class Xliff2Stream(_ParagraphStream):
    """`xliff_bytes(version="2.1")` of one document, a window at a time."""

    nmtoken = True

    def __init__(self, document: Document, count: int, tool_version: str, now: datetime) -> None:
        from transkit.formats.xliff2 import MDA_NS, _q2, build_2
        from transkit.formats.xliff_common import indent

        root = build_2([document], tool_version, now)
        file_el = root.find(_q2("file"))
        for unit in file_el.findall(_q2("unit")):
            file_el.remove(unit)
        for meta in file_el.iter(_q2("meta", MDA_NS)):
            if meta.get("type") == "segment-count":
                meta.text = str(count)
        leaves = frozenset(
            {"source", "target", "note", "meta", "term", "translation", "definition"}
        )

        super().__init__(_Skeleton(root, file_el, lambda el: indent(el, leaves)))

    def build(self, number: int, paragraph: list[Segment], trailing: str | None) -> Any:
        from transkit.formats.xliff2 import _cp2, _q2, _unit_2
        from transkit.formats.xliff_common import append_text

        scratch = etree.Element(_q2("file"))
        unit = _unit_2(scratch, f"p{number}", paragraph, iter([s.id for s in paragraph]))
        if trailing is not None and (trailing or not len(unit)):
            sub = etree.SubElement
            append_text(sub(sub(unit, _q2("ignorable")), _q2("source")), trailing, _cp2)
        return unit


class TmxStream:
    """`tmx_bytes` of one document, a window at a time."""

    def __init__(self, document: Document, tool_version: str, now: datetime) -> None:
        from transkit.formats.tmx import _basic_date, _languages, tmx_bytes

        self.src, self.tgt = _languages([document], None, None)
        self.date = _basic_date(now)
        self.name = document.metadata.get("original", document.name)
        self.empty = tmx_bytes([document], tool_version=tool_version, now=now)
        self.head = self.empty[: self.empty.rindex(b"<body/>")] + b"<body>\n    "
        self.tail = b"\n  </body>\n</tmx>\n"
        self.units = 0

    def add(self, segments: Sequence[Segment]) -> bytes:
        from transkit.formats.tmx import _indent_tu, _tu, _wanted

        out: list[bytes] = []
        for seg in segments:
            if not _wanted(seg, False):
                continue
            try:
                tu = _tu(seg, self.name, self.src, self.tgt, self.date)
            except ValueError as err:
                raise FormatError(f"cannot write TMX: {err}") from None
            _indent_tu(tu, 2)
            out.append(self.head if not self.units else b"\n    ")
            out.append(etree.tostring(tu, encoding="UTF-8", xml_declaration=False, with_tail=False))
            self.units += 1
        return b"".join(out)

    def end(self, trailing: str) -> bytes:
        """The rest of the file; the whole of it when no unit had a target."""
        return self.tail if self.units else self.empty


def open_stream(
    fmt: str,
    document: Document,
    count: int,
    *,
    xliff_version: str = "1.2",
    tool_version: str = transkit.__version__,
    now: datetime | None = None,
) -> OutputStream:
    """The writer of ``fmt`` (one of `STREAMED_FORMATS`) for ``document``.

    ``document`` carries the name, languages and metadata, no segments;
    ``count`` is how many segments will come (the XLIFF header says it).
    """
    from transkit.fileio import creation_time

    now = now or creation_time()
    if fmt == "txt":
        return TextStream()
    if fmt == "tmx":
        return TmxStream(document, tool_version, now)
    if fmt == "xliff" and xliff_version == "1.2":
        return Xliff12Stream(document, count, tool_version, now)
    if fmt == "xliff" and xliff_version in ("2.1", "2"):
        return Xliff2Stream(document, count, tool_version, now)
    if fmt == "xliff":
        raise FormatError(f"unsupported XLIFF version {xliff_version!r}; choose 1.2 or 2.1")
    raise FormatError(f"{fmt} is not written a window at a time")
