"""Stage 5a, scrubbed: no forbidden English term of the glossary ever reaches a file.

Whatever the earlier stages did, every forbidden English term of the whole
glossary (`TermPolicy.forbidden`) is replaced by its concept's preferred
term in every target, shaped like what it replaces.  Reports name such a
replacement by the concept only, never by the forbidden text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from transkit.data import Segment, TermMatch
from transkit.enforce.count import drop_doubles, no_doubles
from transkit.enforce.draft import Draft
from transkit.enforce.english import replace_at
from transkit.enforce.find import find_all
from transkit.enforce.policy import TermPolicy

__all__ = ["scrub_forbidden", "scrub_targets"]


def scrub_forbidden(
    target: str, policy: TermPolicy, terms: Sequence[TermMatch] = ()
) -> tuple[str, tuple[str, ...]]:
    """Replace every forbidden English term of the glossary; return the new
    target and one line per replacement (naming the concept, not the term)."""
    repairs = []
    lower = target.lower()
    approved = {v.lower() for t in terms for v in t.required}
    for bad, (concept, preferred) in policy.forbidden.items():
        first = bad.split()[0].lower() if bad.split() else ""
        if not first or first[: max(3, len(first) - 2)] not in lower or bad.lower() in approved:
            continue
        fake = TermMatch(concept, preferred, preferred, 0, 0, required=(preferred,))
        while True:
            spans = find_all(target, bad)
            if not spans:
                break
            start, end = spans[0]
            target = replace_at(target, start, end, preferred, fake)
            repairs.append(f"forbidden rendering of {concept} replaced by '{preferred}'")
        lower = target.lower()
    return target, tuple(repairs)


def scrub_targets(
    segments: Sequence[Segment], drafts: Mapping[int, Draft], policy: TermPolicy
) -> list[tuple[str, tuple[str, ...]]]:
    """Every segment's final text (its draft's, where it was repaired) with
    the forbidden terms replaced, and the lines saying so.

    A term still doubled where anything changed is cut back to the German's
    count: the last resort when the engine repeated it whatever was forced.
    """
    out = []
    for i, seg in enumerate(segments):
        text = drafts[i].text if i in drafts else (seg.target or "")
        text, repairs = scrub_forbidden(text, policy, seg.terms)
        if (i in drafts or repairs) and not no_doubles(text, seg.terms):
            text = drop_doubles(text, 0, seg.terms)
        out.append((text, repairs))
    return out
