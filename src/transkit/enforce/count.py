"""How often each glossary term occurs in an English target, counted right.

`check_terms` says whether a term is there; these count it.  The k-th German
occurrence of a concept needs a k-th English one, and an English term that
occurs more often than its German (the engine rendered it and it was also
forced in) is *doubled*.  A term nested in a longer one of another concept
("alliance" in "security alliance") belongs to the longer one.  The terms
still missing, and the surplus of a doubled one, are found here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from transkit.data import Segment, TermCheck, TermMatch
from transkit.enforce.english import fix_articles
from transkit.enforce.find import check_terms, enforceable, find_all

__all__ = [
    "concept_spans",
    "approved_spans",
    "occurrence_counts",
    "count_checks",
    "no_doubles",
    "doubled_terms",
    "tacked_on_terms",
    "missing_terms",
    "drop_doubles",
]


def concept_spans(text: str, terms: Sequence[TermMatch]) -> dict[str, list[tuple[int, int]]]:
    """Occurrences of each concept's approved English (see `_spans`; cached)."""
    return {k: list(v) for k, v in _spans(text, tuple(terms)).items()}


def approved_spans(text: str, terms: Sequence[TermMatch]) -> list[tuple[int, int]]:
    """Every span of ``text`` that holds some concept's approved English."""
    return [s for spans in concept_spans(text, terms).values() for s in spans]


@lru_cache(maxsize=4096)
def _spans(text: str, terms: tuple[TermMatch, ...]) -> dict[str, tuple[tuple[int, int], ...]]:
    """Occurrences of each concept's approved English, longest terms first, no overlaps.

    "alliance" inside "security alliance", or "U.S." inside "U.S. Navy",
    belongs to the longer term when both concepts are in the segment.  An
    English term two concepts share ("prime minister" for Premierministerin
    and Regierungschefin) goes to each as often as its German occurs, in
    order; only a surplus counts twice for the first.
    """
    owners: dict[str, list[str]] = {}
    german: dict[str, int] = {}
    for t in terms:
        if not enforceable(t):
            continue
        german[t.concept_id] = german.get(t.concept_id, 0) + 1
        for v in t.required:
            if t.concept_id not in owners.setdefault(v, []):
                owners[v].append(t.concept_id)
    taken: list[tuple[int, int, str]] = []
    for variant in sorted(owners, key=lambda v: (-len(v), v)):
        for start, end in find_all(text, variant):
            if not any(start < b and end > a for a, b, _ in taken):
                taken.append((start, end, variant))
    spans: dict[str, list[tuple[int, int]]] = {}
    for start, end, variant in sorted(taken):
        candidates = owners[variant]
        free = [c for c in candidates if len(spans.get(c, [])) < german[c]]
        spans.setdefault((free or candidates)[0], []).append((start, end))
    return {k: tuple(v) for k, v in spans.items()}


def occurrence_counts(target: str, terms: Sequence[TermMatch]) -> dict[str, tuple[int, int]]:
    """Per enforced concept: (German occurrences, English occurrences)."""
    german: dict[str, int] = {}
    for t in terms:
        if enforceable(t):
            german[t.concept_id] = german.get(t.concept_id, 0) + 1
    english = concept_spans(target, terms)
    return {c: (n, len(english.get(c, []))) for c, n in german.items()}


def count_checks(target: str, terms: Sequence[TermMatch]) -> tuple[TermCheck, ...]:
    """`check_terms`, counting: the k-th German occurrence of a concept needs a
    k-th English one, so one "Beijing" does not satisfy two "Peking" (cached)."""
    return _count_checks(target, tuple(terms))


@lru_cache(maxsize=4096)
def _count_checks(target: str, terms: tuple[TermMatch, ...]) -> tuple[TermCheck, ...]:
    checks = list(check_terms(target, terms))
    counts = occurrence_counts(target, terms)
    seen: dict[str, int] = {}
    for i, check in enumerate(checks):
        seen[check.concept_id] = seen.get(check.concept_id, 0) + 1
        english = counts.get(check.concept_id, (0, 0))[1]
        if check.satisfied and seen[check.concept_id] > english:
            checks[i] = replace(check, satisfied=False, found="")
    return tuple(checks)


def no_doubles(target: str, terms: Sequence[TermMatch]) -> bool:
    """True when no term occurs more often in ``target`` than in the German."""
    return all(e <= g for g, e in occurrence_counts(target, terms).values())


def doubled_terms(segment: Segment) -> list[str]:
    """Concepts whose English occurs more often in the target than their German
    in the source (a term forced in and also rendered by the engine)."""
    counts = occurrence_counts(segment.target or "", segment.terms)
    return [c for c, (german, english) in counts.items() if english > german]


def tacked_on_terms(segment: Segment) -> list[str]:
    """Re-decoded terms that merely close the sentence although their German
    does not: the English ends with the term while at least three words
    follow every German occurrence of it (German verbs come last, so two may)."""
    target = segment.target or ""
    redecoded = {c.concept_id for c in segment.checks if c.stage == "redecoded"}
    spans = concept_spans(target, segment.terms)
    words_after: dict[str, int] = {}
    for term in segment.terms:
        if term.concept_id in redecoded:
            after = len(re.findall(r"\w+", segment.source[term.end :]))
            words_after[term.concept_id] = min(after, words_after.get(term.concept_id, after))
    out = []
    for concept, after in words_after.items():
        ends = [b for _a, b in spans.get(concept, [])]
        if after >= 3 and any(not re.search(r"\w", target[b:]) for b in ends):
            out.append(concept)
    return out


def missing_terms(
    terms: Sequence[TermMatch], checks: Sequence[TermCheck]
) -> list[tuple[int, TermMatch]]:
    """The terms ``checks`` (one per enforceable term) finds missing, as
    (check index, term), in source order."""
    enforced = [t for t in terms if enforceable(t)]
    missing = [
        (k, t) for k, (t, c) in enumerate(zip(enforced, checks, strict=True)) if not c.satisfied
    ]
    return sorted(missing, key=lambda item: item[1].start)


def drop_doubles(text: str, keep: int, terms: Sequence[TermMatch]) -> str:
    """Remove surplus occurrences of a term that the engine's continuation
    (after ``keep`` characters) repeated, last first."""
    for concept, (german, english) in occurrence_counts(text, terms).items():
        surplus = english - german
        if surplus <= 0:
            continue
        spans = [sp for sp in concept_spans(text, terms).get(concept, []) if sp[0] >= keep]
        for start, end in reversed(spans[-surplus:]):
            text = text[:start].rstrip() + " " + text[end:].lstrip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
    return fix_articles(text)
