"""`transkit.formats.streaming`: outputs written a window at a time are the whole-file bytes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.errors import FormatError
from transkit.formats.streaming import STREAMED_FORMATS, open_stream
from transkit.formats.tmx import tmx_bytes
from transkit.formats.xliff import xliff_bytes

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _odd_document() -> Document:
    """Segments the writers treat specially: no target, control characters, odd ids."""
    term = TermMatch("c1", "Peking", "Peking", 0, 6, required=("Beijing",), forbidden=("Peking",))
    check = TermCheck("c1", "Peking", ("Beijing",), False, reason="no rendering fits")
    segments = (
        Segment(
            "1",
            "Peking liegt\x01 im Osten.",
            "Peking lies\x02 in the east.",
            "",
            terms=(term,),
            checks=(check,),
            method="failed",
            state="mt",
        ),
        Segment("2", "Noch ein Satz.", None, " "),
        Segment("3", "Absatz zwei.", "Paragraph two.", "\r\n\r\n", state="final"),
        Segment("4", "Leer.", "  ", "\n", state="mt"),
        Segment("x y", "Kein NMTOKEN.", "No NMTOKEN.", " ", state="reviewed"),
    )
    return Document(name="dir/odd.txt", segments=segments, trailing="\n\n ")


def _whole(fmt: str, version: str, document: Document) -> bytes:
    if fmt == "txt":
        return document.target_text.encode("utf-8")
    if fmt == "tmx":
        return tmx_bytes([document], now=NOW)
    return xliff_bytes([document], version=version, now=NOW)


def _streamed(fmt: str, version: str, document: Document, window: int) -> bytes:
    shell = replace(document, segments=())
    writer = open_stream(fmt, shell, len(document.segments), xliff_version=version, now=NOW)
    segments = document.segments
    pieces = [writer.add(segments[i : i + window]) for i in range(0, len(segments), window)]
    return b"".join(pieces) + writer.end(document.trailing)


CASES = [("txt", "1.2"), ("xliff", "1.2"), ("xliff", "2.1"), ("tmx", "1.2")]


@pytest.mark.parametrize("window", [1, 2, 3, 1000])
@pytest.mark.parametrize(("fmt", "version"), CASES, ids=[f"{f}-{v}" for f, v in CASES])
def test_windows_write_the_whole_files_bytes(
    sample_document: Document, fmt: str, version: str, window: int
) -> None:
    for document in (sample_document, _odd_document()):
        assert _streamed(fmt, version, document, window) == _whole(fmt, version, document)


def test_a_tmx_without_targets_is_the_empty_memory() -> None:
    document = Document("none.txt", (Segment("1", "Nur Quelle.", None),))
    assert _streamed("tmx", "1.2", document, 1) == tmx_bytes([document], now=NOW)


def test_formats_not_written_in_windows_are_refused() -> None:
    assert "html" not in STREAMED_FORMATS
    with pytest.raises(FormatError, match="html"):
        open_stream("html", Document("x.txt"), 1)
    with pytest.raises(FormatError, match="XLIFF version"):
        open_stream("xliff", Document("x.txt"), 1, xliff_version="3")
