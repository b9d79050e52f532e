"""A flagged term says why, in XLIFF (1.2 and 2.1) and TMX; forbidden terms are not named."""

from __future__ import annotations

from pathlib import Path

import pytest

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.formats.tmx import read_tmx, write_tmx
from transkit.formats.xliff import xliff_bytes

REASON = "missing after n-best, protection, substitution and re-decoding"


def _document() -> Document:
    peking = TermMatch(
        "geo-peking", "Peking", "Peking", 0, 6, required=("Beijing",), forbidden=("Peking",)
    )
    rare = TermMatch("se", "seltene Erden", "seltene Erden", 19, 32, required=("rare earths",))
    checks = (
        TermCheck("geo-peking", "Peking", ("Beijing",), True, "Beijing", stage="substituted"),
        TermCheck("se", "seltene Erden", ("rare earths",), False, stage="flagged", reason=REASON),
    )
    seg = Segment(
        id="1",
        source="Peking kontrolliert seltene Erden.",
        target="Beijing controls.",
        terms=(peking, rare),
        checks=checks,
        method="failed",
        state="mt",
    )
    return Document(name="x.txt", segments=(seg,))


@pytest.mark.parametrize("version", ["1.2", "2.1"])
def test_xliff_note_gives_the_reason_and_names_no_forbidden_term(version: str) -> None:
    text = xliff_bytes([_document()], version=version).decode("utf-8")
    assert REASON in text
    # The glossary note counts the forbidden variants instead of listing them.
    assert "forbidden variant" in text.lower()
    assert "(not:" not in text and "Do not use" not in text


def test_tmx_term_check_gives_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "x.tmx"
    write_tmx([_document()], path)
    (unit,) = read_tmx(path)
    assert unit.prop("x-term-check") == f"failed: seltene Erden ({REASON})"
