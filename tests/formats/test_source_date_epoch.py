"""``SOURCE_DATE_EPOCH`` fixes the dates TMX and XLIFF carry, so two runs compare byte for byte."""

from __future__ import annotations

import time

import pytest

from transkit.data import Document, Segment
from transkit.fileio import creation_time
from transkit.formats.tmx import tmx_bytes
from transkit.formats.xliff import xliff_bytes

DOC = Document(name="a.txt", segments=(Segment(id="1", source="Hallo.", target="Hello."),))


def test_tmx_and_xliff_take_the_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert b'creationdate="20260101T000000Z"' in tmx_bytes([DOC])
    first = xliff_bytes([DOC])
    assert b"2026-01-01T00:00:00Z" in first
    time.sleep(1.1)
    assert tmx_bytes([DOC]) == tmx_bytes([DOC]) and xliff_bytes([DOC]) == first


def test_without_or_with_a_bad_epoch_it_is_now(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in (None, "yesterday"):
        if value is None:
            monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
        assert abs(creation_time().timestamp() - time.time()) < 5
