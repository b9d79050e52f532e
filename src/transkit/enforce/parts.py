"""Over-long segments enforced in parts: a paragraph without full stops costs what sentences do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from transkit.data import Segment

__all__ = ["PART_CHARS", "join_parts", "split_long_segments"]


#: Segments longer than this (characters) are enforced in parts; see `split_long_segments`.
PART_CHARS = 400


def split_long_segments(
    segments: Sequence[Segment], limit: int = PART_CHARS
) -> tuple[list[Segment], list[int]]:
    """Cut over-long segments into parts at clause boundaries, for term enforcement.

    A paragraph without punctuation is one segment; enforced whole, one
    missing term anywhere sends all of it to a second, protected translation,
    and every check scans all of it.  In parts of at most ``limit``
    characters (cut where `transkit.text.segment.split_long` cuts, never
    inside a glossary term) it costs what the same text in sentences costs.
    Returns the parts and, for each, the index of its segment.
    """
    import bisect

    from transkit.text.segment import split_long

    parts: list[Segment] = []
    owners: list[int] = []
    for index, seg in enumerate(segments):
        spans = split_long(seg.source, limit) if len(seg.source) > limit else []
        if spans:
            spans = _keep_terms_whole(spans, seg.terms)
        if len(spans) <= 1:
            parts.append(seg)
            owners.append(index)
            continue
        ordered = sorted(seg.terms, key=lambda t: t.start)
        starts = [t.start for t in ordered]
        for start, end in spans:
            first, last = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
            terms = tuple(
                replace(t, start=t.start - start, end=t.end - start)
                for t in ordered[first:last]
                if t.end <= end
            )
            parts.append(replace(seg, source=seg.source[start:end], terms=terms))
            owners.append(index)
    return parts, owners


def _keep_terms_whole(spans: list[tuple[int, int]], terms: Sequence[Any]) -> list[tuple[int, int]]:
    """Join neighbouring spans wherever a term crosses the cut between them."""
    import bisect

    ends = [end for _, end in spans]
    joined = [False] * len(spans)  # joined[k]: span k continues into span k + 1
    for term in terms:
        k = bisect.bisect_right(ends, term.start)
        while k < len(spans) - 1 and term.end > ends[k]:
            joined[k] = True
            k += 1
    merged = [spans[0]]
    for k in range(1, len(spans)):
        if joined[k - 1]:
            merged[-1] = (merged[-1][0], spans[k][1])
        else:
            merged.append(spans[k])
    return merged


def join_parts(
    segments: Sequence[Segment], parts: Sequence[Segment], owners: Sequence[int]
) -> list[Segment]:
    """Put the translated parts of each segment back together (see `split_long_segments`)."""
    grouped: dict[int, list[Segment]] = {}
    for owner, part in zip(owners, parts, strict=True):
        grouped.setdefault(owner, []).append(part)
    out = []
    for index, seg in enumerate(segments):
        mine = grouped.get(index, [])
        if len(mine) == 1 and mine[0].source == seg.source:
            out.append(mine[0])
            continue
        methods = {p.method for p in mine}
        worst_first = ("failed", "protected", "redecoded", "substituted", "nbest")
        method = next((m for m in worst_first if m in methods), mine[0].method)
        out.append(
            replace(
                mine[0],
                source=seg.source,
                terms=seg.terms,
                target=" ".join(p.target for p in mine if p.target),
                checks=tuple(c for p in mine for c in p.checks),
                method=method,
                notes=tuple(dict.fromkeys(n for p in mine for n in p.notes)),
                repairs=tuple(r for p in mine for r in p.repairs),
            )
        )
    return out
