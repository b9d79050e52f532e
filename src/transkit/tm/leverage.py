"""Leverage: take what the memory knows before machine translation runs.

For every segment, in document order (so the neighbours are known):

1. in-context exact (same source, same previous and next source) and exact
   matches replace MT: the segment gets the memory's target, state
   ``translated``, method ``tm-context``/``tm-exact``;
2. fuzzy matches at or above the threshold travel with the segment
   (`transkit.data.MemoryMatch`, written as XLIFF ``alt-trans`` /
   ``mtc:match``), with the numbers put right when only numbers differ;
   the segment itself still goes to MT.

The glossary still wins: an exact match whose target breaks a glossary term
(`transkit.enforce.find.check_terms`) is not used; it travels as a
suggestion with a note saying which term it breaks, and the segment goes to
MT with term enforcement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from transkit.data import Document, MemoryMatch, Segment
from transkit.tm.units import TMMatch

__all__ = ["LEVEL_LABELS", "Lookup", "leverage_documents", "tm_counts"]

#: Summary labels per match level, plus "mt" for machine-translated segments.
LEVEL_LABELS = {
    "context": "in-context exact",
    "exact": "exact",
    "numbers": "fuzzy, numbers fixed",
    "fuzzy": "fuzzy",
}
#: Fuzzy matches kept per segment.
FUZZY_LIMIT = 3


class Lookup(Protocol):
    """What leverage needs from a memory (`TranslationMemory` has it)."""

    def lookup_exact(self, source: str, prev: str = "", next_: str = "") -> list[TMMatch]: ...

    def lookup_fuzzy(
        self, source: str, threshold: float = 75.0, limit: int = 5
    ) -> list[TMMatch]: ...


def _as_match(match: TMMatch, note: str = "") -> MemoryMatch:
    return MemoryMatch(
        source=match.unit.source,
        target=match.target,
        score=match.score,
        level=match.level,
        origin=match.origin,
        note=note,
    )


def _broken_terms(target: str, segment: Segment) -> tuple[tuple, str]:
    from transkit.enforce.find import check_terms

    checks = check_terms(target, segment.terms)
    failed = [c for c in checks if not c.satisfied]
    if not failed:
        return checks, ""
    parts = []
    for check in failed:
        wanted = " / ".join(check.required) or "?"
        why = f"'{check.term}' must be '{wanted}'"
        if check.forbidden_found:
            why += f", has forbidden '{', '.join(check.forbidden_found)}'"
        parts.append(why)
    return checks, "breaks glossary: " + "; ".join(parts)


def _leverage_segment(
    segment: Segment, prev: str, next_: str, memory: Lookup, threshold: float
) -> Segment:
    kept: list[MemoryMatch] = []
    for match in memory.lookup_exact(segment.source, prev, next_):
        checks, problem = _broken_terms(match.target, segment)
        if problem:
            kept.append(
                _as_match(match, f"{LEVEL_LABELS[match.level]} TM match not used: {problem}")
            )
            continue
        return replace(
            segment,
            target=match.target,
            method=f"tm-{match.level}",
            origin=match.origin,
            state="translated",
            checks=checks,
            matches=(_as_match(match), *kept),
        )
    for match in memory.lookup_fuzzy(segment.source, threshold, FUZZY_LIMIT):
        _, problem = _broken_terms(match.target, segment)
        kept.append(_as_match(match, f"fuzzy TM match {problem}" if problem else ""))
    return replace(segment, matches=tuple(kept))


def leverage_documents(
    documents: Sequence[Document], memory: Lookup, *, threshold: float = 75.0
) -> list[Document]:
    """Documents with memory targets for exact matches and fuzzy matches attached."""
    out = []
    for doc in documents:
        segments = doc.segments
        done = tuple(
            _leverage_segment(
                seg,
                segments[i - 1].source if i else "",
                segments[i + 1].source if i + 1 < len(segments) else "",
                memory,
                threshold,
            )
            for i, seg in enumerate(segments)
        )
        out.append(replace(doc, segments=done))
    return out


def tm_counts(documents: Sequence[Document]) -> dict[str, int]:
    """Segments per source: "context", "exact" (targets from the memory), "numbers" and
    "fuzzy" (MT, with the best memory suggestion at that level), and "mt" (MT, no match)."""
    counts: Counter[str] = Counter()
    for doc in documents:
        for seg in doc.segments:
            if seg.method in ("tm-context", "tm-exact"):
                counts[seg.method[3:]] += 1
            elif seg.matches and seg.matches[0].level in ("numbers", "fuzzy"):
                counts[seg.matches[0].level] += 1
            else:
                counts["mt"] += 1
    return {key: counts.get(key, 0) for key in ("context", "exact", "numbers", "fuzzy", "mt")}
