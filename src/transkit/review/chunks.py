"""Groups of segment rows that the browser may skip while they are off screen.

Each group is one ``<tbody>`` with ``content-visibility: auto``: Chromium then
neither styles nor lays out the rows of a group until it nears the screen, so
a 2,000-segment page costs little more to open than its first screen.  (The
property cannot apply to table rows or cells, only to a block, which is why
the page's table is shown with block and grid boxes on screen; print keeps
the real table layout.)

A skipped group takes the height given by ``contain-intrinsic-size``.  A rough
estimate of it, made here from the text lengths, keeps the scroll bar close to
the truth before the groups have been seen (after that the browser remembers
their real heights).  The estimate is rounded to buckets, one CSS class each,
so the Content-Security-Policy needs no inline style attributes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from transkit.review.view import SegmentView

__all__ = ["ROWS_PER_GROUP", "groups", "estimated_height", "height_class", "height_css"]

#: Rows per ``<tbody>``: small enough that the first screen lays out little,
#: large enough that a long page has only a few dozen groups to watch.
ROWS_PER_GROUP = 25
#: Height buckets (CSS pixels) for ``contain-intrinsic-size``.
_BUCKET_PX = 100

# Characters per line and line heights at the page's default column widths
# (a 1,400 px window); only an estimate for the scroll bar.
_TEXT_CHARS, _TEXT_LINE = 48, 21.75
_CHECK_CHARS, _CHECK_LINE = 34, 17.8
_ORIGIN_CHARS, _ORIGIN_LINE = 16, 18.4
_ROW_EXTRA = 16.0  # cell padding and the rule under the row


def groups(segments: Sequence[SegmentView]) -> Iterable[Sequence[SegmentView]]:
    """The segments in runs of `ROWS_PER_GROUP`, in order."""
    for start in range(0, len(segments), ROWS_PER_GROUP):
        yield segments[start : start + ROWS_PER_GROUP]


def _lines(text: str, width: int) -> int:
    return sum(max(1, -(-len(part) // width)) for part in text.split("\n"))


def estimated_height(seg: SegmentView) -> float:
    """Roughly how tall a segment's row is on screen (CSS pixels)."""
    text = max(_lines(seg.source, _TEXT_CHARS), _lines(seg.target or "", _TEXT_CHARS))
    checks = sum(_lines(check.term, _CHECK_CHARS) + 1 for _, check in seg.checks)
    checks += len(seg.notes) + (1 if seg.target is None else 0)
    origin = sum(_lines(value, _ORIGIN_CHARS) for _, value in seg.origin)
    return _ROW_EXTRA + max(
        text * _TEXT_LINE, checks * _CHECK_LINE, origin * _ORIGIN_LINE, 2 * _TEXT_LINE
    )


def height_class(rows: Sequence[SegmentView]) -> str:
    """The class naming a group's estimated height bucket (``h12`` = 1,200 px)."""
    total = sum(estimated_height(seg) for seg in rows)
    return f"h{max(1, round(total / _BUCKET_PX))}"


def height_css(classes: Iterable[str]) -> str:
    """One ``contain-intrinsic-size`` rule per height class used on the page."""
    heights = sorted({int(cls[1:]) for cls in classes})
    rules = [
        f"table.segments > tbody.h{n} {{ contain-intrinsic-size: auto {n * _BUCKET_PX}px; }}"
        for n in heights
    ]
    return "\n".join(rules) + "\n" if rules else ""
