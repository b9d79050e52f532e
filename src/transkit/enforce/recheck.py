"""Run the term checks again on targets a person may have changed.

After post-editing, the verdicts stored with a translation are stale: an
editor may have fixed a failed term or replaced an approved one.  These pure
functions find the glossary terms in each source again (when a matcher is
given) and check the current target, so `merge` and `review` report what is
really in the file now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from transkit.data import Document, Segment

__all__ = ["TermFailure", "has_target", "recheck_segment", "recheck_document", "term_failures"]


@dataclass(frozen=True)
class TermFailure:
    """One failed check in a re-checked document, for one-line reports."""

    document: str
    segment: str
    term: str
    required: tuple[str, ...]
    forbidden_found: tuple[str, ...]

    def __str__(self) -> str:
        want = " | ".join(self.required) or "?"
        text = f"{self.document}: segment {self.segment}: '{self.term}' needs '{want}'"
        if self.forbidden_found:
            text += f"; forbidden '{', '.join(self.forbidden_found)}' used"
        return text


def has_target(segment: Segment) -> bool:
    """True when the segment's target is used: there is one, it is not blank
    (unless the source is), and the unit is not marked not to translate."""
    if segment.target is None or not getattr(segment, "translate", True):
        return False
    return bool(segment.target.strip()) or not segment.source.strip()


def recheck_segment(segment: Segment, matcher: Any | None = None) -> Segment:
    """The segment with terms found again (if ``matcher``) and checks on its target.

    Untranslated segments (no or a blank target, or not to translate) get no
    checks; they are counted as untranslated, not as failed terms.
    """
    from transkit.enforce.find import check_terms
    from transkit.enforce.report import segment_notes

    terms = tuple(matcher.find(segment.source)) if matcher is not None else segment.terms
    checks = check_terms(segment.target, terms) if has_target(segment) else ()
    updated = replace(segment, terms=terms, checks=checks)
    extra = [n for n in segment_notes(updated) if n not in segment.notes]
    return replace(updated, notes=(*segment.notes, *extra))


def recheck_document(document: Document, matcher: Any | None = None) -> Document:
    """`recheck_segment` over a whole document."""
    segments = tuple(recheck_segment(s, matcher) for s in document.segments)
    return replace(document, segments=segments)


def term_failures(documents: Sequence[Document]) -> list[TermFailure]:
    """Every failed check, in document and segment order."""
    return [
        TermFailure(doc.name, seg.id, c.term, c.required, c.forbidden_found)
        for doc in documents
        for seg in doc.segments
        for c in seg.checks
        if not c.satisfied
    ]
