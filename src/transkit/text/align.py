"""Where a piece of German went in the English: word alignment and span projection.

An `Alignment` links character spans of a source sentence to character spans
of its translation.  It comes from the engine's attention
(`ArgosEngine.align_batch` gives a `transkit.engine.align.WordAlignment`,
turned into links by `alignment_from_words`) or, for engines that give none,
from a lexical/positional guess (`guess_alignment`).  The rest is pure
geometry:

* `project_span` maps a source span (the text inside ``<g>…</g>``) to the
  target span its words went to, and says whether that is certain;
* `place` places a whole tree of spans and points (inline codes) at once,
  keeping children inside their parents and siblings apart, snapping to word
  boundaries; what cannot be placed with confidence goes to the nearest
  boundary of its parent and is reported as uncertain.

Nothing here knows XML: formats turn their inline codes into `Anchor`s.
Term enforcement can use the same projection to find where a German term's
English belongs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Alignment",
    "Anchor",
    "Placement",
    "alignment_from_words",
    "guess_alignment",
    "place",
    "project_span",
    "shift",
]

#: (source start, source end, target start, target end) of one linked token pair.
Link = tuple[int, int, int, int]

_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_TRAILING = re.compile(r"[\s.,;:!?…\"'“”‚‘’»«)\]]*$")
_LEADING = re.compile(r"^[\s\"'„“‚‘»«(\[¿¡]*")


@dataclass(frozen=True)
class Alignment:
    """Token links between ``source`` and ``target`` (character offsets)."""

    source: str
    target: str
    links: tuple[Link, ...] = ()
    method: str = "attention"  # "attention" | "guess"


def shift(al: Alignment, source_offset: int, target_offset: int) -> tuple[Link, ...]:
    """``al``'s links moved by the given offsets (to join per-sentence alignments)."""
    return tuple(
        (a + source_offset, b + source_offset, c + target_offset, d + target_offset)
        for a, b, c, d in al.links
    )


def alignment_from_words(
    source: str,
    target: str,
    source_words: Sequence[tuple[int, int]],
    target_words: Sequence[tuple[int, int]],
    links: Sequence[int | None],
) -> Alignment:
    """An `Alignment` from word spans and one source-word index per target word.

    That is the shape of `transkit.engine.align.WordAlignment` (the model's
    attention pooled per word); unlinked or empty words are left out.
    """
    out = []
    for (c, d), link in zip(target_words, links, strict=False):
        if link is None or c >= d or not 0 <= link < len(source_words):
            continue
        a, b = source_words[link]
        if a < b:
            out.append((a, b, c, d))
    return Alignment(source, target, tuple(out))


def guess_alignment(source: str, target: str) -> Alignment:
    """Links without an engine: identical words (names, numbers) first, then position.

    Used for engines that return no attention; coarse, so placements based on
    it are more often reported uncertain.
    """
    src = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(source)]
    tgt = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(target)]
    links: list[Link] = []
    if not src or not tgt:
        return Alignment(source, target, (), "guess")
    by_word: dict[str, list[int]] = {}
    for i, (_, _, w) in enumerate(src):
        by_word.setdefault(w, []).append(i)
    for j, (c, d, w) in enumerate(tgt):
        same = by_word.get(w, [])
        if len(same) == 1 and (w.isalnum() and not w.isalpha() or w[:1].isupper() or len(w) > 3):
            i = same[0]
        else:
            i = min(len(src) - 1, round(j * (len(src) - 1) / max(1, len(tgt) - 1)))
        links.append((src[i][0], src[i][1], c, d))
    return Alignment(source, target, tuple(links), "guess")


def project_span(al: Alignment, start: int, end: int) -> tuple[int, int] | None:
    """The target span the source words in ``[start, end)`` went to, or None.

    The span runs from the first to the last target token linked to a source
    token overlapping the range; None when no token is linked or when most
    of that target stretch (half or more) belongs to source words outside the range (the
    words were scattered: no single span holds them).
    """
    inside = [(c, d) for a, b, c, d in al.links if a < end and b > start and c < d]
    if not inside:
        return None
    lo = min(c for c, _ in inside)
    hi = max(d for _, d in inside)
    within = {(c, d) for c, d in inside}
    stray = {
        (c, d)
        for a, b, c, d in al.links
        if c >= lo and d <= hi and (c, d) not in within and not (a < end and b > start)
    }
    if len(stray) >= len(within):
        return None
    return lo, hi


# --------------------------------------------------------------------------
# Placing a tree of anchors


@dataclass(frozen=True)
class Anchor:
    """Something to place: a span (``start < end`` or an empty pair) or a point.

    ``parent`` is the index of the enclosing span anchor (-1: the segment);
    ``container`` is True for anchors that may hold others (``<g>``,
    ``<pc>``, ``<mrk>``); a non-container span (``<bpt>…<ept>``) may not.
    """

    start: int
    end: int
    parent: int = -1
    point: bool = False
    container: bool = True


@dataclass(frozen=True)
class Placement:
    """Where an anchor went in the target, and whether that was a guess."""

    start: int
    end: int
    uncertain: bool = False


def _word_start(text: str, pos: int, lo: int) -> int:
    while pos > lo and text[pos - 1].isalnum() and pos < len(text) and text[pos].isalnum():
        pos -= 1
    return pos


def _word_end(text: str, pos: int, hi: int) -> int:
    while pos < hi and pos > 0 and text[pos - 1].isalnum() and text[pos].isalnum():
        pos += 1
    return pos


def _inner(text: str, lo: int, hi: int) -> tuple[int, int]:
    """``[lo, hi)`` without surrounding whitespace."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _body(text: str, lo: int, hi: int) -> tuple[int, int]:
    """``[lo, hi)`` without leading opening marks and trailing closing punctuation."""
    lead = _LEADING.match(text[lo:hi])
    tail = _TRAILING.search(text[lo:hi])
    b_lo = lo + (lead.end() if lead else 0)
    b_hi = lo + (tail.start() if tail else hi - lo)
    return (b_lo, b_hi) if b_lo < b_hi else _inner(text, lo, hi)


def place(al: Alignment, anchors: Sequence[Anchor]) -> list[Placement]:
    """Place every anchor in ``al.target``; children stay inside their parent.

    Rules, in order: an anchor at the very start (end) of its parent's
    source goes to the start (end) of the parent's target, before trailing
    punctuation if the source had it outside the anchor; otherwise the
    alignment decides (`project_span`; points go after the translation of
    the word before them, or before that of the word after them).  Spans
    snap to whole words and never overlap a sibling.  What the alignment
    cannot decide goes to the nearest boundary of the parent, flagged.
    """
    source, target = al.source, al.target
    result: list[Placement | None] = [None] * len(anchors)
    order = sorted(range(len(anchors)), key=lambda i: (_depth(anchors, i), anchors[i].point, i))
    for i in order:
        anchor = anchors[i]
        if anchor.parent >= 0:
            parent_src = (anchors[anchor.parent].start, anchors[anchor.parent].end)
            parent_tgt = result[anchor.parent]
            p_lo, p_hi = (parent_tgt.start, parent_tgt.end) if parent_tgt else (0, len(target))
        else:
            parent_src = (0, len(source))
            p_lo, p_hi = 0, len(target)
        siblings = [
            (result[j], anchors[j])
            for j in range(len(anchors))
            if j != i and anchors[j].parent == anchor.parent and result[j] is not None
        ]
        if (
            anchor.point
            or anchor.start >= anchor.end
            or not source[anchor.start : anchor.end].strip()
        ):
            pos, sure = _place_point(al, anchor.start, parent_src, (p_lo, p_hi))
            pos = _outside(pos, siblings, anchor)
            result[i] = Placement(pos, pos, not sure)
            continue
        span = _place_span(al, anchor, parent_src, (p_lo, p_hi))
        if span is not None:
            span = _clear_of(span, siblings, anchor)
        if span is None:
            before = anchor.start - parent_src[0]
            after = parent_src[1] - anchor.end
            pos = p_lo if before <= after else p_hi
            pos = _outside(pos, siblings, anchor)
            result[i] = Placement(pos, pos, True)
        else:
            result[i] = Placement(span[0], span[1], False)
    return [r if r is not None else Placement(0, 0, True) for r in result]


def _depth(anchors: Sequence[Anchor], i: int) -> int:
    depth = 0
    while anchors[i].parent >= 0 and depth < len(anchors):
        i = anchors[i].parent
        depth += 1
    return depth


def _place_point(
    al: Alignment, pos: int, parent_src: tuple[int, int], parent_tgt: tuple[int, int]
) -> tuple[int, bool]:
    source, target = al.source, al.target
    s_lo, s_hi = parent_src
    t_lo, t_hi = _inner(target, *parent_tgt)
    if t_lo >= t_hi:
        return parent_tgt[0], True
    before, after = source[s_lo:pos], source[pos:s_hi]
    if not before.strip():
        return t_lo, True
    if not after.strip():
        return t_hi, True
    if not _TRAILING.sub("", after):
        # Only closing punctuation follows: before the target's own.
        return _body(target, t_lo, t_hi)[1], True
    if not _LEADING.sub("", before):
        return _body(target, t_lo, t_hi)[0], True
    # The nearest linked word on each side (an alignment need not link every word).
    left_end = right_start = None
    for m in reversed(list(_WORD.finditer(source, s_lo, pos))):
        left_end = _linked_edge(al, m.start(), m.end(), t_lo, t_hi, last=True)
        if left_end is not None:
            break
    for m in _WORD.finditer(source, pos, s_hi):
        right_start = _linked_edge(al, m.start(), m.end(), t_lo, t_hi, last=False)
        if right_start is not None:
            break
    space_before = source[pos - 1 : pos].isspace()
    space_after = source[pos : pos + 1].isspace()
    if left_end is not None and (right_start is None or left_end <= right_start):
        at = _word_end(target, left_end, t_hi)
        if space_before and not space_after and target[at : at + 1].isspace():
            at += 1  # "auf <x/>Speichern": the code sticks to the next word
        return at, True
    if right_start is not None and left_end is None:
        at = _word_start(target, right_start, t_lo)
        if space_after and not space_before and target[at - 1 : at].isspace():
            at -= 1  # "Speichern<x/> und": the code sticks to the word before
        return at, True
    # The neighbours went to different places: nearest boundary.
    return (t_lo if pos - s_lo <= s_hi - pos else t_hi), False


def _linked_edge(
    al: Alignment, start: int, end: int, lo: int, hi: int, *, last: bool
) -> int | None:
    hits = [(c, d) for a, b, c, d in al.links if a < end and b > start and c >= lo and d <= hi]
    if not hits:
        return None
    return max(d for _, d in hits) if last else min(c for c, _ in hits)


def _place_span(
    al: Alignment, anchor: Anchor, parent_src: tuple[int, int], parent_tgt: tuple[int, int]
) -> tuple[int, int] | None:
    source, target = al.source, al.target
    s_lo, s_hi = parent_src
    t_lo, t_hi = _inner(target, *parent_tgt)
    if t_lo >= t_hi:
        return None
    before, after = source[s_lo : anchor.start], source[anchor.end : s_hi]
    b_lo, b_hi = _body(target, t_lo, t_hi)
    start = end = None
    if not before.strip():
        start = t_lo
    elif not _LEADING.sub("", before):
        start = b_lo
    if not after.strip():
        end = t_hi
    elif not _TRAILING.sub("", after):
        end = b_hi
    if start is None or end is None:
        projected = project_span(al, anchor.start, anchor.end)
        if projected is not None:
            lo = max(t_lo, projected[0])
            hi = min(t_hi, projected[1])
            if lo < hi:
                start = _word_start(target, lo, t_lo) if start is None else start
                end = _word_end(target, hi, t_hi) if end is None else end
    if start is None or end is None or start >= end:
        return None
    return start, end


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _clear_of(
    span: tuple[int, int],
    siblings: list[tuple[Placement | None, Anchor]],
    anchor: Anchor,
) -> tuple[int, int] | None:
    """Trim ``span`` so it crosses no placed sibling; None if nothing is left."""
    lo, hi = span
    for placed, other in siblings:
        if placed is None or placed.start == placed.end:
            continue
        o = (placed.start, placed.end)
        if not _overlaps((lo, hi), o):
            continue
        inside_other = o[0] <= lo and hi <= o[1]
        holds_other = lo <= o[0] and o[1] <= hi
        if holds_other and not anchor.container:
            continue  # <bpt>…<ept> may surround a sibling element
        if inside_other and not other.container:
            continue
        # Keep the larger piece outside the sibling.
        left = (lo, o[0])
        right = (o[1], hi)
        lo, hi = left if left[1] - left[0] >= right[1] - right[0] else right
        if lo >= hi:
            return None
    return lo, hi


def _outside(pos: int, siblings: list[tuple[Placement | None, Anchor]], anchor: Anchor) -> int:
    """Move a point out of a sibling container it fell into (to the nearer edge)."""
    for placed, other in siblings:
        if placed is None or not other.container or other.point:
            continue
        if placed.start < pos < placed.end:
            pos = placed.start if pos - placed.start <= placed.end - pos else placed.end
    return pos
