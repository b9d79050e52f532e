"""Stage 4, redecoded: force a missing term in where it belongs, let the engine finish.

The engine's attention (`transkit.engine.align`) says where the German term's
English belongs.  The output is forced up to and including the approved term
with a target prefix (`ConstrainedEngine.complete_batch`) and the engine
writes the rest of the sentence.  Several terms go left to right, a round at
a time, and each round is one batch over all segments.  A completion that
doubles a term, loops, or stops dead after a forced term whose German does
not end the sentence is passed over for the next best.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from transkit.data import Segment, TermMatch
from transkit.enforce.count import (
    approved_spans,
    concept_spans,
    count_checks,
    drop_doubles,
    missing_terms,
    occurrence_counts,
)
from transkit.enforce.draft import Draft
from transkit.enforce.english import SENTENCE_START, english_for, fix_articles

__all__ = ["plan_redecode", "redecode"]

_TAIL = re.compile(r"[\s.!?;:\"'”“)\]]*$")


def _insertion_point(
    target: str, alignment: Any, term: TermMatch, frozen: int, keep: Sequence[tuple[int, int]]
) -> tuple[int, bool]:
    """Character offset where the term's English belongs, and whether that is
    the end of the sentence.  Attention decides; never inside the frozen
    prefix, inside another term's English, or after the closing punctuation."""
    tail = _TAIL.search(target)
    end = tail.start() if tail else len(target)
    words = alignment.target_words if alignment is not None else ()
    pos = end
    if words:
        w = alignment.insertion_word(term.start, term.end)
        pos = words[w][0] if w < len(words) else end
    pos = min(max(pos, frozen), end) if frozen <= end else frozen
    for a, b in keep:
        if a < pos < b:
            pos = b
    return pos, pos >= end


def _rendering_end(
    target: str, alignment: Any, term: TermMatch, pos: int, keep: Sequence[tuple[int, int]]
) -> int:
    """End of the engine's own rendering of ``term`` starting at ``pos``: the
    run of target words attention links to the term's German (at most four,
    never into another term's English).  ``pos`` when nothing there is linked."""
    if alignment is None:
        return pos
    linked = set(alignment.targets_of(term.start, term.end))
    end = pos
    taken = 0
    for w, (a, b) in enumerate(alignment.target_words):
        if a < pos or b <= a:
            continue
        if w not in linked or taken >= 4 or any(x < b and y > a for x, y in keep):
            break
        if a > end and target[end:a].strip():
            break  # a word in between that is not linked
        end, taken = b, taken + 1
    return end


def plan_redecode(
    target: str,
    alignment: Any,
    missing: Sequence[TermMatch],
    frozen: int = 0,
    terms: Sequence[TermMatch] = (),
) -> tuple[str, list[int], bool | None]:
    """The forced prefix for one re-decode, which of ``missing`` it holds, and
    whether the sentence may end right after it.

    Each missing term whose German aligns inside the sentence gets its
    approved English there, in place of the words attention links to its
    German (the engine's own rendering); terms with nowhere to go but the
    end follow, in their German order.  Every missing term goes in at once:
    a round decodes the whole sentence again, so one round is what
    enforcement should cost.  The prefix runs to the last placed term
    or, where the engine's text after it holds terms already obeyed, on to
    the last of those, so the continuation cannot lose them.  A word the
    attention split off a rendering ("... rare" before "rare earths") is not
    repeated; a/an and capitals are fixed.

    The third value is None when the prefix ends with a placed term (the
    caller decides from its German), else True when the engine's text ended
    the sentence right after the kept words.
    """
    keep = approved_spans(target, terms)
    points = [
        (*_insertion_point(target, alignment, t, frozen, keep), t.start, i)
        for i, t in enumerate(missing)
    ]
    inside = sorted((pos, start, i) for pos, at_end, start, i in points if not at_end)
    inside += sorted((pos, start, i) for pos, at_end, start, i in points if at_end)
    parts = ""
    cursor = 0
    for pos, _start, i in inside:
        head = target[cursor:pos].strip() if pos > cursor else ""
        so_far = (parts + " " + head).strip()
        english = english_for(missing[i])
        first_word = english.split()[0].lower() if english.split() else ""
        words = so_far.split()
        if words and first_word and words[-1].lower().strip(",;:") == first_word:
            so_far = so_far[: so_far.rfind(words[-1])].rstrip()
        if (not so_far or SENTENCE_START.match(so_far)) and english[:1].islower():
            english = english[0].upper() + english[1:]
        parts = (so_far + " " + english).strip()
        cursor = max(cursor, _rendering_end(target, alignment, missing[i], pos, keep))
    closes: bool | None = None
    # Terms the engine already got right after the last placed one stay.
    later = [b for a, b in keep if a >= cursor]
    if later:
        stop = max(later)
        parts = parts + " " + target[cursor:stop].strip()
        closes = not re.search(r"\w", target[stop:])
    prefix = re.sub(r"\s+", " ", parts).strip()
    return fix_articles(prefix), [i for _, _, i in inside], closes


def redecode(
    segments: Sequence[Segment],
    drafts: list[Draft],
    engine: Any,
    *,
    max_rounds: int = 3,
    hypotheses: int = 2,
) -> None:
    """Force the missing terms, left to right; each round is one batch.

    A round inserts the missing terms of a segment at their aligned places
    (`plan_redecode`), forces the output up to the last of them and lets the
    engine finish.  Terms the new continuation lost, or that had no place
    yet, are handled by the next round, after the frozen prefix.  Every
    round places every term still missing (`plan_redecode`): each round
    decodes whole sentences again, so rounds are what enforcement costs,
    and most segments need one.  ``hypotheses`` completions per segment
    leave a choice when the best one doubles a term or stops dead.
    """
    active = list(drafts)
    for _ in range(max_rounds):
        work = []
        for state in active:
            seg = segments[state.index]
            missing = missing_terms(seg.terms, count_checks(state.text, seg.terms))
            if missing or _first_double(state.text, seg.terms, state.frozen) is not None:
                work.append((state, missing))
        if not work:
            return
        sources = [segments[s.index].source for s, _ in work]
        alignments = engine.align_batch(sources, [s.text for s, _ in work])
        plans = []
        closes: list[bool | None] = []
        for (state, missing), alignment in zip(work, alignments, strict=True):
            terms = segments[state.index].terms
            if missing:
                prefix, placed, ends = plan_redecode(
                    state.text,
                    alignment,
                    [t for _, t in missing],
                    state.frozen,
                    terms,
                )
                plans.append((prefix, placed))
                closes.append(ends)
            else:
                # A doubled term: keep the text up to its first occurrence and
                # let the engine finish without repeating it.
                cut = _first_double(state.text, terms, state.frozen)
                plans.append((state.text[:cut].rstrip() if cut else "", []))
                closes.append(None)
        outputs = engine.complete_batch(sources, [p for p, _ in plans], num_hypotheses=hypotheses)
        _retry_dead_ends(segments, work, plans, outputs, engine, hypotheses, closes)
        active = []
        for (state, missing), (prefix, placed), hyps, ends in zip(
            work, plans, outputs, closes, strict=True
        ):
            if not prefix or not hyps or len(prefix) <= state.frozen:
                continue  # the engine cannot, or no progress is possible
            seg = segments[state.index]
            last = missing[placed[-1]][1] if placed else None
            if ends is not None:
                final = ends
            else:
                final = last is not None and _german_final(seg.source, last)
            text = _drop_echo(_best_completion(hyps, seg.terms, prefix, final), prefix)
            state.text = drop_doubles(text, len(prefix), seg.terms)
            state.frozen = len(prefix)
            for j in placed:
                state.stages[missing[j][0]] = "redecoded"
            active.append(state)


def _retry_dead_ends(
    segments: Sequence[Segment],
    work: list[tuple[Draft, list[tuple[int, TermMatch]]]],
    plans: list[tuple[str, list[int]]],
    outputs: list[list[Any]],
    engine: Any,
    hypotheses: int = 4,
    closes: Sequence[bool | None] = (),
) -> None:
    """Where every completion stops dead after a forced term whose German goes
    on, ask once more (one batch): with a comma after the term, which invites
    the engine to go on, and with the term one word earlier (attention is a
    noisy guide).  The first variant the engine continues replaces the plan."""
    retry: list[tuple[int, list[str]]] = []
    for k, ((state, missing), (prefix, placed), hyps) in enumerate(
        zip(work, plans, outputs, strict=True)
    ):
        if not prefix or not hyps or not placed or (closes and closes[k] is not None):
            continue  # nothing forced, or the prefix ends with the engine's own words
        seg = segments[state.index]
        last = missing[placed[-1]][1]
        if _german_final(seg.source, last) or any(
            _continues(h.text, prefix) and _usable(h.text, seg.terms) for h in hyps
        ):
            continue
        variants = [prefix + ","]
        english = english_for(last)
        if prefix.lower().endswith(english.lower()):
            words = prefix[: len(prefix) - len(english)].split()
            shifted = " ".join([*words[:-1], prefix[len(prefix) - len(english) :]])
            if len(words) >= 2 and len(shifted) > state.frozen:
                variants.append(fix_articles(shifted))
        retry.append((k, variants))
    if not retry:
        return
    items = [(k, v) for k, variants in retry for v in variants]
    again = engine.complete_batch(
        [segments[work[k][0].index].source for k, _ in items],
        [v for _, v in items],
        num_hypotheses=hypotheses,
    )
    done: set[int] = set()
    for (k, variant), hyps in zip(items, again, strict=True):
        going_on = [h for h in hyps if _continues(h.text, variant)]
        if going_on and k not in done:
            plans[k] = (variant, plans[k][1])
            outputs[k] = going_on
            done.add(k)


def _first_double(text: str, terms: Sequence[TermMatch], frozen: int) -> int | None:
    """End of the first occurrence of a doubled term after ``frozen``, if any."""
    counts = occurrence_counts(text, terms)
    spans = concept_spans(text, terms)
    ends = [
        b
        for concept, (german, english) in counts.items()
        if english > german
        for _a, b in sorted(spans.get(concept, []))[:1]
        if b > frozen
    ]
    return min(ends) if ends else None


def _german_final(source: str, term: TermMatch) -> bool:
    """True when at most two words follow the German term in its sentence
    (German puts verbs last: "... seltene Erden eingeführt.")."""
    return len(re.findall(r"\w+", source[term.end :])) <= 2


def _best_completion(
    hyps: Sequence[Any], terms: Sequence[TermMatch], prefix: str, final: bool
) -> str:
    """The best-scoring completion that doubles no term, does not loop, and
    (unless the German term ends its sentence) goes on after the forced term."""
    ranked = list(hyps)  # the engine's order: best first
    for strict in (True, False):
        for hyp in ranked:
            if not _usable(hyp.text, terms):
                continue
            if strict and not final and not _continues(hyp.text, prefix):
                continue
            return hyp.text
    return ranked[0].text


def _usable(text: str, terms: Sequence[TermMatch]) -> bool:
    """A completion that neither loops nor says a term more often than the German."""
    if _looping(text):
        return False
    counts = occurrence_counts(text, terms)
    return not any(english > german for german, english in counts.values())


def _drop_echo(text: str, prefix: str) -> str:
    """Drop the continuation's first word when it repeats the forced prefix's
    last one ("United States" + "States are ...")."""
    if not text.startswith(prefix):
        return text
    last = prefix.split()[-1].lower() if prefix.split() else ""
    rest = text[len(prefix) :]
    match = re.match(r"\s+(\w+(?:[.-]\w+)*)", rest)
    if last and match and match.group(1).lower() == last.rstrip(".-,;:"):
        return prefix + rest[match.end() :]
    return text


def _continues(text: str, prefix: str) -> bool:
    """True when the engine wrote at least one word after the forced prefix
    (an echo of the prefix's last word does not count)."""
    return bool(re.search(r"\w", _drop_echo(text, prefix)[len(prefix) :]))


def _looping(text: str) -> bool:
    """True when a word pair occurs three times or more: a decoding loop."""
    words = text.lower().split()
    pairs = list(zip(words, words[1:], strict=False))
    return any(pairs.count(p) >= 3 for p in set(pairs))
