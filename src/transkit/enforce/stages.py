"""Terminology that holds whatever the engine says: substitution, re-decoding, scrubbing.

`transkit.enforce.find` tries the cheap stages first: pick an n-best
hypothesis that already obeys the glossary, or translate with placeholders.
Both need a cooperating engine: a real model may never offer the approved
term, and one never trained on ``ZQX`` placeholders garbles them.  This module
repairs what is left, without that cooperation:

3. **substituted**: the target holds another English rendering of the same
   concept: one of its deprecated or forbidden glossary rows, or what the
   engine itself says for the German term on its own (its n-best, one batch
   for all terms).  It is replaced by the approved term, keeping number,
   capitals and possessive, and fixing a/an.
4. **redecoded**: the term is missing altogether.  The engine's attention
   (`transkit.engine.align`) says where the German term's English belongs;
   the output is forced up to and including the approved term with a target
   prefix, and the engine finishes the sentence.  Several terms go left to
   right, a round at a time; each round is one batch over all segments.
5. **flagged**: what is still missing is flagged with the reason.

Last, whatever happened before, every forbidden English term of the whole
glossary is replaced in every target (`scrub_forbidden`): a forbidden term
never reaches a file.  Reports name a replaced forbidden rendering by its
status only, never by its text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from transkit.data import Segment, TermCheck, TermMatch
from transkit.enforce.count import (
    concept_spans,
    count_checks,
    doubled_terms,
    find_all,
    no_doubles,
    tacked_on_terms,
)
from transkit.enforce.find import english_for
from transkit.enforce.redecode import (
    RepairState,
    drop_doubles,
    fix_articles,
    missing_terms,
    redecode,
)

__all__ = [
    "STAGES",
    "TermPolicy",
    "substitute",
    "scrub_forbidden",
    "engine_renderings",
    "repair_segments",
    "enforce_terms",
    # re-exported for callers that count (evaluate, bench)
    "doubled_terms",
    "tacked_on_terms",
]

#: Per-term stages, in the order they are tried.
STAGES = ("nbest", "protected", "substituted", "redecoded", "flagged")

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
_SENTENCE_START = re.compile(r"^[\s\"'“‘„(\[]*$")
_ARTICLE_BEFORE = re.compile(r"\b([Aa]n?)(\s+)$")


@dataclass(frozen=True)
class TermPolicy:
    """What the glossary says beyond each `TermMatch`: deprecated renderings
    per concept, and every forbidden English term with its replacement."""

    deprecated: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: forbidden English -> (concept id, preferred English)
    forbidden: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_glossary(cls, glossary: Any | None) -> TermPolicy:
        if glossary is None:
            return cls()
        deprecated: dict[str, tuple[str, ...]] = {}
        forbidden: dict[str, tuple[str, str]] = {}
        approved: set[str] = set()
        for concept in glossary.concepts():
            approved.update(t.lower() for t in concept.required)
            if concept.deprecated:
                deprecated[concept.id] = tuple(concept.deprecated)
            for bad in concept.forbidden:
                if concept.preferred:
                    forbidden.setdefault(bad, (concept.id, concept.preferred))
        # A term approved for one concept is not scrubbed for being forbidden in another.
        forbidden = {k: v for k, v in forbidden.items() if k.lower() not in approved}
        return cls(deprecated, forbidden)


def _is_plural(surface: str) -> bool:
    from transkit.enforce.find import _singular

    last = re.sub(r"['’]s?$", "", surface.split()[-1]) if surface.split() else ""
    return bool(last) and _singular(last) != last


def _shape(english: str, surface: str, term: TermMatch, at_start: bool) -> str:
    """The approved English shaped like the rendering it replaces."""
    from transkit.enforce.find import _pluralise

    words = english.split()
    if not term.dnt and words and _is_plural(surface) and not _is_plural(english):
        words[-1] = _pluralise(words[-1])
    out = " ".join(words)
    if re.search(r"s['’]$", surface) or re.search(r"['’]s$", surface):
        out += "'" if out.endswith("s") else "'s"
    if at_start and out[:1].islower():
        out = out[0].upper() + out[1:]
    return out


def _replace_at(text: str, start: int, end: int, english: str, term: TermMatch) -> str:
    at_start = bool(_SENTENCE_START.match(text[:start]))
    new = _shape(english, text[start:end], term, at_start)
    before = text[:start]
    article = _ARTICLE_BEFORE.search(before)
    if article:
        fixed = fix_articles(article.group(0) + new)
        before = before[: article.start()] + fixed[: len(fixed) - len(new)]
    return before + new + text[end:]


def _protected_spans(text: str, terms: Sequence[TermMatch]) -> list[tuple[int, int]]:
    return [s for spans in concept_spans(text, terms).values() for s in spans]


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
    keep = _protected_spans(target, terms)
    for candidate in sorted(dict.fromkeys(candidates), key=len, reverse=True):
        if not candidate or candidate.lower() in approved:
            continue
        for start, end in find_all(target, candidate):
            if any(start < b and end > a for a, b in keep):
                continue
            if only_at is not None and start != only_at:
                continue
            return _replace_at(target, start, end, english, term), target[start:end]
    return None


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
            target = _replace_at(target, start, end, preferred, fake)
            repairs.append(f"forbidden rendering of {concept} replaced by '{preferred}'")
        lower = target.lower()
    return target, tuple(repairs)


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


# -------------------------------------------------------------- re-decoding


# ----------------------------------------------------------------- driver
def repair_segments(
    segments: Sequence[Segment],
    engine: Any,
    policy: TermPolicy | None = None,
    dictionary: Path | None = None,
) -> list[Segment]:
    """Substitute, re-decode, scrub and flag; segments come from `enforce`.

    Segments whose method is "failed" are repaired; every segment is scrubbed
    of forbidden terms.  Each check gets its stage; a flagged one its reason.
    """
    from transkit.engine.base import can_constrain

    policy = policy or TermPolicy()
    out = list(segments)
    todo = [
        i
        for i, s in enumerate(out)
        if s.method == "failed" or (s.checks and not no_doubles(s.target or "", s.terms))
    ]
    states: dict[int, RepairState] = {i: RepairState(i, out[i].target or "") for i in todo}
    substituted: dict[int, dict[int, str]] = {i: {} for i in todo}

    # 3. substitution: the glossary's own renderings first (no engine work),
    # then the engine's renderings of the terms attention says it rendered.
    constrained = can_constrain(engine)
    _substitute_renderings(out, todo, states, substituted, policy, {})
    wanted = _rendered_somewhere(out, todo, states, engine if constrained else None)
    renderings = engine_renderings(engine, wanted) if wanted else {}
    if renderings:
        _substitute_renderings(out, todo, states, substituted, policy, renderings)
    _substitute_from_dictionary(out, todo, states, substituted, engine, policy, dictionary)

    # 4. constrained re-decoding of what is still missing.
    if constrained and todo:
        redecode(out, [states[i] for i in todo], engine)

    # Scrub every target, then record verdicts, stages and reasons.
    for i, seg in enumerate(out):
        text = states[i].text if i in states else (seg.target or "")
        text, repairs = scrub_forbidden(text, policy, seg.terms)
        if (i in states or repairs) and not no_doubles(text, seg.terms):
            # Last resort: the engine repeated a term whatever was forced.
            text = drop_doubles(text, 0, seg.terms)
        if i not in states:
            if repairs:
                checks = count_checks(text, seg.terms) if seg.checks else seg.checks
                checks = _keep_stages(checks, seg.checks)
                out[i] = replace(seg, target=text, checks=checks, repairs=repairs)
            continue
        checks = count_checks(text, seg.terms)
        base = {k: c.stage for k, c in enumerate(seg.checks)}
        final = []
        for k, check in enumerate(checks):
            stage = states[i].stages.get(k) or base.get(k) or ""
            if check.satisfied:
                stage = stage or "nbest"
                final.append(replace(check, stage=stage, replaced=substituted[i].get(k, "")))
            else:
                reason = _reason(constrained, seg, check)
                final.append(replace(check, stage="flagged", reason=reason))
        lines = tuple(
            f"{c.term}: {c.replaced if c.replaced else 'rendering'} replaced by '{c.found}'"
            for c in final
            if c.stage == "substituted"
        ) + tuple(
            f"{c.term}: '{c.found}' forced by re-decoding" for c in final if c.stage == "redecoded"
        )
        method = _method(final)
        out[i] = replace(
            seg, target=text, checks=tuple(final), method=method, repairs=lines + repairs
        )
    return out


def _substitute_renderings(
    out: Sequence[Segment],
    todo: Sequence[int],
    states: dict[int, RepairState],
    substituted: dict[int, dict[int, str]],
    policy: TermPolicy,
    renderings: dict[str, list[str]],
) -> None:
    """Replace renderings of missing terms by the approved English: the
    concept's forbidden and deprecated rows, then ``renderings`` (the
    engine's own, keyed by the German)."""
    for i in todo:
        seg, state = out[i], states[i]
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
                    substituted[i][k] = _label(done[1], term, policy)
                    state.stages[k] = "substituted"
                    progress = True
                    break
            if not progress:
                break


def _substitutable(
    out: Sequence[Segment], todo: Sequence[int], states: dict[int, RepairState]
) -> dict[int, list[tuple[int, TermMatch]]]:
    """The still-missing terms (check index, term) per segment that could have
    another rendering to replace: not a name the glossary keeps as it is."""
    wanted = {
        i: [
            (k, t)
            for k, t in missing_terms(out[i].terms, count_checks(states[i].text, out[i].terms))
            if not t.dnt and t.term not in t.required
        ]
        for i in todo
    }
    return {i: w for i, w in wanted.items() if w}


def _rendered_somewhere(
    out: Sequence[Segment],
    todo: Sequence[int],
    states: dict[int, RepairState],
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
    wanted = {i: [t for _, t in pairs] for i, pairs in _substitutable(out, todo, states).items()}
    if engine is not None and wanted:
        order = list(wanted)
        alignments = engine.align_batch(
            [out[i].source for i in order], [states[i].text for i in order]
        )
        for i, alignment in zip(order, alignments, strict=True):
            if alignment is None:
                continue
            keep = _protected_spans(states[i].text, out[i].terms)
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
    from transkit.enforce.find import find_term

    bad = (*term.forbidden, *policy.forbidden)
    return "forbidden rendering" if any(find_term(rendering, b) for b in bad) else rendering


def _substitute_from_dictionary(
    out: list[Segment],
    todo: list[int],
    states: dict[int, RepairState],
    substituted: dict[int, dict[int, str]],
    engine: Any,
    policy: TermPolicy,
    dictionary: Path | None,
) -> None:
    """Dictionary equivalents of a still-missing term, replaced only where the
    engine's attention links them to that German term (a dictionary lists
    "top" for "Gipfel": an unrelated "top" elsewhere stays)."""
    from transkit.engine.base import can_constrain

    if dictionary is None or not can_constrain(engine):
        return
    wanted = _substitutable(out, todo, states)
    if not wanted:
        return
    found = dictionary_renderings([t.term for w in wanted.values() for _, t in w], dictionary)
    if not any(found.values()):
        return
    order = list(wanted)
    alignments = engine.align_batch([out[i].source for i in order], [states[i].text for i in order])
    for i, alignment in zip(order, alignments, strict=True):
        if alignment is None:
            continue
        state, seg = states[i], out[i]
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
                    substituted[i][k] = _label(done[1], term, policy)
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


def _keep_stages(new: Sequence[TermCheck], old: Sequence[TermCheck]) -> tuple[TermCheck, ...]:
    if len(new) != len(old):
        return tuple(new)
    return tuple(
        replace(n, stage=o.stage if n.satisfied else "flagged", reason=o.reason)
        for n, o in zip(new, old, strict=True)
    )


def _method(checks: Sequence[TermCheck]) -> str:
    stages = {c.stage for c in checks}
    for stage, method in (("flagged", "failed"), ("redecoded", "redecoded")):
        if stage in stages:
            return method
    return "substituted" if "substituted" in stages else "nbest"


def _reason(constrained: bool, seg: Segment, check: TermCheck) -> str:
    if check.forbidden_found:
        return "a forbidden rendering remained"
    if not constrained:
        return "missing; the engine cannot re-decode with a forced prefix"
    return "missing after n-best, protection, substitution and re-decoding"


def enforce_terms(
    segments: Sequence[Segment],
    engine: Any,
    *,
    num_hypotheses: int = 4,
    progress: Any = None,
    policy: TermPolicy | None = None,
    dictionary: Path | None = None,
) -> list[Segment]:
    """Translate ``segments`` so that every glossary term they carry is obeyed.

    All stages: n-best and placeholders (`transkit.enforce.find`), then
    substitution, constrained re-decoding, scrubbing of forbidden terms and
    flagging (`repair_segments`).  ``policy`` carries what the glossary says
    beyond each match (deprecated renderings, every forbidden term); without
    it only the forbidden terms of the matched concepts are known.
    ``dictionary`` is a trans-de-en dictionary file whose equivalents of a
    missing term are also substituted (where the attention links them to it).
    """
    from transkit.enforce.find import rerank_and_protect
    from transkit.engine.base import can_constrain

    # Placeholders only for an engine that cannot be steered: re-decoding
    # needs no cooperation and costs less than a second full decode.
    first = rerank_and_protect(
        segments,
        engine,
        num_hypotheses=num_hypotheses,
        progress=progress,
        protect=not can_constrain(engine),
        accept=no_doubles,
    )
    return repair_segments(first, engine, policy, dictionary)
