"""Stage 3, substituted: another English rendering of a missing term replaced by the approved one.

A segment that misses a term often holds another rendering of the same
concept: one of its deprecated or forbidden glossary rows, what the engine
itself says for the German term on its own (its n-best, one batch for all
terms), or an equivalent from a trans-de-en dictionary.  That rendering is
replaced by the approved term, keeping number, capitals and possessive and
fixing a/an.  The engine's own and the dictionary's renderings are replaced
only where its attention links them to the German term.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from transkit.data import Segment, TermMatch
from transkit.enforce.count import approved_spans, count_checks, missing_terms
from transkit.enforce.draft import Draft
from transkit.enforce.english import english_for, replace_at
from transkit.enforce.find import find_all, find_term
from transkit.enforce.policy import TermPolicy

__all__ = [
    "substitute",
    "substitute_missing",
    "engine_renderings",
    "dictionary_renderings",
]

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "as",
        "not",
        "no",
    ]
)
_LETTERS = re.compile(r"[^\W\d_]")


def substitute(
    target: str,
    term: TermMatch,
    candidates: Sequence[str],
    terms: Sequence[TermMatch],
    *,
    only_at: int | None = None,
) -> tuple[str, str] | None:
    """Replace the first rendering in ``candidates`` found in ``target`` by the
    approved term; return the new target and the rendering replaced, or None.

    Longer candidates are tried first; an occurrence inside an approved term
    of any concept of the segment is left alone; ``only_at`` accepts only an
    occurrence starting there.
    """
    english = english_for(term)
    approved = {v.lower() for t in terms for v in t.required}
    keep = approved_spans(target, terms)
    for candidate in sorted(dict.fromkeys(candidates), key=len, reverse=True):
        if not candidate or candidate.lower() in approved:
            continue
        for start, end in find_all(target, candidate):
            if any(start < b and end > a for a, b in keep):
                continue
            if only_at is not None and start != only_at:
                continue
            return replace_at(target, start, end, english, term), target[start:end]
    return None


def substitute_missing(
    segments: Sequence[Segment],
    drafts: Mapping[int, Draft],
    engine: Any,
    policy: TermPolicy,
    dictionary: Path | None = None,
    *,
    aligned: bool = True,
) -> None:
    """Replace other renderings of the missing terms in ``drafts`` (in place).

    The glossary's own renderings first (no engine work), then the engine's
    renderings of the terms its attention says it rendered, then the
    dictionary's.  ``aligned`` says the engine can align (it can be
    steered); without it the engine is asked about every missing term and
    the dictionary is not used.
    """
    _substitute_renderings(segments, drafts, policy, {})
    wanted = _rendered_somewhere(segments, drafts, engine if aligned else None)
    renderings = engine_renderings(engine, wanted) if wanted else {}
    if renderings:
        _substitute_renderings(segments, drafts, policy, renderings)
    if aligned and dictionary is not None:
        _substitute_from_dictionary(segments, drafts, engine, policy, dictionary)


def _clean_rendering(text: str) -> str:
    text = text.strip().strip(".!?;:,\"'“”„").strip()
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I)
    return text


def _length_cap(engine: Any, pieces: int) -> dict[str, int]:
    """Pass ``max_length`` only to engines that take it."""
    import inspect

    try:
        params = inspect.signature(engine.translate_batch).parameters
    except (TypeError, ValueError):
        return {}
    return {"max_length": pieces} if "max_length" in params else {}


def engine_renderings(engine: Any, germans: Sequence[str], n: int = 4) -> dict[str, list[str]]:
    """What the engine says for each German term on its own, n-best (one batch)."""
    unique = list(dict.fromkeys(g for g in germans if g))
    if not unique:
        return {}
    out = engine.translate_batch(unique, num_hypotheses=n, **_length_cap(engine, 12))
    result: dict[str, list[str]] = {}
    for german, hyps in zip(unique, out, strict=True):
        found = []
        for hyp in hyps:
            text = _clean_rendering(hyp.text)
            words = [w.lower() for w in text.split()]
            if len(_LETTERS.findall(text)) < 3 or all(w in _STOP for w in words):
                continue
            if "zqx" in text.lower() or "⁇" in text or len(words) > 5:
                continue
            found.append(text)
        result[german] = list(dict.fromkeys(found))
    return result


def _substitute_renderings(
    out: Sequence[Segment],
    drafts: Mapping[int, Draft],
    policy: TermPolicy,
    renderings: dict[str, list[str]],
) -> None:
    """Replace renderings of missing terms by the approved English: the
    concept's forbidden and deprecated rows, then ``renderings`` (the
    engine's own, keyed by the German)."""
    for i, state in drafts.items():
        seg = out[i]
        for _ in range(len(seg.terms)):
            missing = missing_terms(seg.terms, count_checks(state.text, seg.terms))
            progress = False
            for k, term in missing:
                candidates = [
                    *term.forbidden,
                    *policy.deprecated.get(term.concept_id, ()),
                    *renderings.get(term.found, ()),
                    *renderings.get(term.term, ()),
                ]
                done = substitute(state.text, term, candidates, seg.terms)
                if done:
                    state.text = done[0]
                    state.replaced[k] = _label(done[1], term, policy)
                    state.stages[k] = "substituted"
                    progress = True
                    break
            if not progress:
                break


def _substitutable(
    out: Sequence[Segment], drafts: Mapping[int, Draft]
) -> dict[int, list[tuple[int, TermMatch]]]:
    """The still-missing terms (check index, term) per segment that could have
    another rendering to replace: not a name the glossary keeps as it is."""
    wanted = {
        i: [
            (k, t)
            for k, t in missing_terms(out[i].terms, count_checks(draft.text, out[i].terms))
            if not t.dnt and t.term not in t.required
        ]
        for i, draft in drafts.items()
    }
    return {i: w for i, w in wanted.items() if w}


def _rendered_somewhere(
    out: Sequence[Segment],
    drafts: Mapping[int, Draft],
    engine: Any,
) -> list[str]:
    """German forms of the missing terms worth asking the engine about.

    Only a term whose German the attention links to some English word
    outside the approved terms can have a rendering to substitute; one the
    engine dropped altogether is left to re-decoding.  Asking about every
    missing term costs a decode of each and mostly finds nothing (a small
    model on long sentences drops most of them).  Without alignment
    (``engine`` None) every missing term is asked about.
    """
    wanted = {i: [t for _, t in pairs] for i, pairs in _substitutable(out, drafts).items()}
    if engine is not None and wanted:
        order = list(wanted)
        alignments = engine.align_batch(
            [out[i].source for i in order], [drafts[i].text for i in order]
        )
        for i, alignment in zip(order, alignments, strict=True):
            if alignment is None:
                continue
            keep = approved_spans(drafts[i].text, out[i].terms)
            wanted[i] = [
                t
                for t in wanted[i]
                if any(
                    not any(a < y and b > x for x, y in keep)
                    for a, b in (
                        alignment.target_words[w] for w in alignment.targets_of(t.start, t.end)
                    )
                )
            ]
    return list(
        dict.fromkeys(g for terms in wanted.values() for t in terms for g in (t.found, t.term))
    )


def _label(rendering: str, term: TermMatch, policy: TermPolicy) -> str:
    """How the report names a replaced rendering: never by a forbidden text."""
    bad = (*term.forbidden, *policy.forbidden)
    return "forbidden rendering" if any(find_term(rendering, b) for b in bad) else rendering


def _substitute_from_dictionary(
    out: Sequence[Segment],
    drafts: Mapping[int, Draft],
    engine: Any,
    policy: TermPolicy,
    dictionary: Path,
) -> None:
    """Dictionary equivalents of a still-missing term, replaced only where the
    engine's attention links them to that German term (a dictionary lists
    "top" for "Gipfel": an unrelated "top" elsewhere stays)."""
    wanted = _substitutable(out, drafts)
    if not wanted:
        return
    found = dictionary_renderings([t.term for w in wanted.values() for _, t in w], dictionary)
    if not any(found.values()):
        return
    order = list(wanted)
    alignments = engine.align_batch([out[i].source for i in order], [drafts[i].text for i in order])
    for i, alignment in zip(order, alignments, strict=True):
        if alignment is None:
            continue
        state, seg = drafts[i], out[i]
        for k, term in wanted[i]:
            linked = alignment.targets_of(term.start, term.end)
            spans = [alignment.target_words[w] for w in linked]
            for candidate in sorted(found.get(term.term, ()), key=len, reverse=True):
                hit = _aligned_hit(state.text, candidate, spans)
                if hit is None:
                    continue
                done = substitute(state.text, term, [candidate], seg.terms, only_at=hit)
                if done:
                    state.text = done[0]
                    state.replaced[k] = _label(done[1], term, policy)
                    state.stages[k] = "substituted"
                    break
            else:
                continue
            break  # the text changed: the alignment no longer holds for this segment


def _aligned_hit(text: str, candidate: str, spans: Sequence[tuple[int, int]]) -> int | None:
    """Start of an occurrence of ``candidate`` that overlaps a linked word."""
    for start, end in find_all(text, candidate):
        if any(a < end and b > start for a, b in spans):
            return start
    return None


def dictionary_renderings(germans: Sequence[str], path: Path) -> dict[str, list[str]]:
    """English equivalents from Debian's trans-de-en dictionary, cached per user.

    Scanning the 25 MB dictionary takes seconds, so every German term looked
    up is remembered in the transkit cache folder (keyed by the dictionary's
    size and date) and never scanned for again.
    """
    import json

    from transkit.fileio import atomic_write_text
    from transkit.models import cache_root
    from transkit.terms.suggest import lookup_dictionary

    try:
        stat = path.stat()
    except OSError:
        return {}
    cache = cache_root() / "dictionary" / f"de-en-{stat.st_size}-{int(stat.st_mtime)}.json"
    try:
        known: dict[str, list[str]] = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    unknown = sorted({g for g in germans if g not in known})
    if unknown:
        looked_up = lookup_dictionary(unknown, path)
        for german in unknown:
            known[german] = [
                english
                for english, _labels in looked_up.get(german, [])
                if 0 < len(english.split()) <= 4 and "(" not in english
            ]
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(cache, json.dumps(known, ensure_ascii=False, sort_keys=True))
        except OSError:
            pass  # a read-only cache only costs time
    return {g: known.get(g, []) for g in germans}
