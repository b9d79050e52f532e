"""Row groups of the review page and their estimated heights."""

from __future__ import annotations

from dataclasses import replace

import pytest

from transkit.review.chunks import (
    ROWS_PER_GROUP,
    estimated_height,
    groups,
    height_class,
    height_css,
)
from transkit.review.view import SegmentView


def _seg(
    number: int, source: str = "Kurzer Satz.", target: str | None = "Short sentence."
) -> SegmentView:
    return SegmentView(
        number=number,
        id=str(number),
        source=source,
        target=target,
        source_spans=(),
        target_spans=(),
        checks=(),
        flags=(),
        origin=(("method", "MT"),),
        notes=(),
    )


def test_groups_keep_order_and_size() -> None:
    segments = [_seg(n) for n in range(1, 2 * ROWS_PER_GROUP + 8)]
    runs = list(groups(segments))
    assert [len(r) for r in runs] == [ROWS_PER_GROUP, ROWS_PER_GROUP, 7]
    assert [s.number for run in runs for s in run] == [s.number for s in segments]
    assert list(groups([])) == []


def test_longer_text_is_estimated_taller() -> None:
    short = _seg(1)
    long = replace(short, source="Wort " * 200)
    lines = replace(short, target="a\nb\nc\nd\ne\nf")
    assert estimated_height(long) > 5 * estimated_height(short)
    assert estimated_height(lines) > estimated_height(short)
    # An untranslated segment is no shorter than one line of text.
    assert estimated_height(replace(short, target=None)) >= estimated_height(short)


def test_height_class_sums_the_rows_in_100px_buckets() -> None:
    rows = [_seg(n) for n in range(1, ROWS_PER_GROUP + 1)]
    total = sum(estimated_height(s) for s in rows)
    cls = height_class(rows)
    assert cls.startswith("h") and abs(int(cls[1:]) * 100 - total) <= 50
    assert height_class([]) == "h1"


@pytest.mark.parametrize("classes", [["h12", "h3", "h12"], []])
def test_height_css_has_one_rule_per_class(classes: list[str]) -> None:
    css = height_css(classes)
    if not classes:
        assert css == ""
        return
    assert css.splitlines() == [
        "table.segments > tbody.h3 { contain-intrinsic-size: auto 300px; }",
        "table.segments > tbody.h12 { contain-intrinsic-size: auto 1200px; }",
    ]
