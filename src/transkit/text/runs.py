"""Formatting runs kept whole: each paired code one non-empty span, neighbours as they were.

`transkit.text.align.place` puts every code where the attention alignment
sends its words.  For a document that is not enough: a bold run whose
words went to two places must still be one bold run, a run the alignment
could not place must not vanish (an empty pair is invisible), two runs
that touched in the German (bold, then bold italic: one bold stretch to a
reader) must touch in the English, and two that text kept apart must stay
apart, or the reader sees one run where there were two.

`keep_runs` takes the placements and lays the spans out again, level by
level (children inside their parent's new span):

* sibling spans that touch in the source form a *group*; a group is laid
  out as one contiguous stretch of whole target words, at the smallest
  contiguous cover of where the alignment put its members (or, for a group
  the alignment placed nowhere, after the group before it in the source);
* groups keep at least one character of their parent's own text between
  them, and a group that touched its parent's edge in the source touches
  it in the target;
* a group's stretch is cut between its members at word edges, as close to
  the alignment's boundaries as possible; a member that held only white
  space gets white space;
* a group of such white-space-only members is put on white space that
  touches no other group;
* points (images, breaks) stay where `place` put them, out of any span they
  would split; a point that sat between two members of a group stays there.

When the target has too few words for every group, the groups that do not
fit keep `place`'s answer (and the format's own repair at rebuild).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from transkit.text.align import Alignment, Anchor, Placement

__all__ = ["keep_runs"]

_CHUNK = re.compile(r"\S+")
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]", re.UNICODE)
_OPENING = "\"'“„‚‘»«([¿¡"
_CLOSING = ".,;:!?…\"'“”‚‘’»«)]"
_SPACE = re.compile(r"\s+")
_FAR = 1 << 20


@dataclass
class _Group:
    """Sibling spans that touch one another in the source, in source order."""

    members: list[int]
    start: int  # source offsets of the whole group
    end: int
    blank: bool  # every member holds only white space
    touches_start: bool = False
    touches_end: bool = False
    want: tuple[int, int] | None = None  # target chars the alignment gave its members
    key: float = 0.0  # where it goes in the target order
    span: tuple[int, int] | None = None  # where it went
    cuts: list[int] = field(default_factory=list)


def keep_runs(
    al: Alignment,
    anchors: Sequence[Anchor],
    placements: Sequence[Placement],
    *,
    inside_words: bool = True,
) -> list[Placement]:
    """``placements`` laid out again so that each paired code is one whole span (see above).

    ``inside_words`` lets a group with more members than words cut them between
    letters (a word in five differently formatted runs stays so in DOCX); Markdown
    says False, as its delimiters inside a word need not parse as emphasis.
    """
    result = list(placements)
    if len(result) != len(anchors):
        return result
    children: dict[int, list[int]] = {}
    for i, anchor in enumerate(anchors):
        children.setdefault(anchor.parent, []).append(i)
    # parents before children: a child's range is its parent's new span
    todo = [(-1, (0, len(al.source)), (0, len(al.target)))]
    while todo:
        parent, parent_src, parent_tgt = todo.pop()
        kids = children.get(parent, [])
        if not kids:
            continue
        _settle_level(al, anchors, result, kids, parent_src, parent_tgt, inside_words)
        for i in kids:
            if _is_span(al, anchors[i]):
                todo.append(
                    (i, (anchors[i].start, anchors[i].end), (result[i].start, result[i].end))
                )
            elif anchors[i].start < anchors[i].end or children.get(i):
                # a pair that holds no text (only points): its content stays with it
                todo.append((i, (anchors[i].start, anchors[i].end), (result[i].start,) * 2))
    return result


def _is_span(al: Alignment, anchor: Anchor) -> bool:
    """A span with text of its own in the source (white space counts: it is formatted)."""
    return not anchor.point and anchor.start < anchor.end


def _settle_level(
    al: Alignment,
    anchors: Sequence[Anchor],
    result: list[Placement],
    kids: list[int],
    parent_src: tuple[int, int],
    parent_tgt: tuple[int, int],
    inside_words: bool,
) -> None:
    source, target = al.source, al.target
    lo, hi = parent_tgt
    spans = sorted((i for i in kids if _is_span(al, anchors[i])), key=lambda i: anchors[i].start)
    others = [i for i in kids if not _is_span(al, anchors[i])]
    for a, b in zip(spans, spans[1:], strict=False):
        if anchors[a].end > anchors[b].start or not anchors[a].container:
            return  # overlapping siblings (<bpt>…<ept>): not a tree of runs; leave as placed
    groups = _groups(source, anchors, spans, parent_src)
    for group in groups:
        group.want = _wanted(result, group, lo, hi)
    words = [g for g in groups if not g.blank]
    blanks = [g for g in groups if g.blank]
    tokens = [(m.start() + lo, m.end() + lo) for m in _CHUNK.finditer(target[lo:hi])]
    _order(words, groups, parent_src, lo, hi)
    placed = _lay_out_words(words, tokens, lo, hi)
    for group in placed:
        group.span = _trimmed(group, source, target)
    taken = [g.span for g in placed if g.span is not None]
    for group in sorted(blanks, key=lambda g: g.start):
        _lay_out_blank(group, target, lo, hi, taken)
        if group.span is not None:
            taken.append(group.span)
    pinned: dict[int, int] = {}
    for group in (*placed, *blanks):
        if group.span is None:
            continue
        cuts = _cut(group, anchors, result, target, source, inside_words)
        if cuts is None:
            group.span = None
            continue
        for k, member in enumerate(group.members):
            old = result[member]
            # a run put where the alignment did not send any of its words is a guess
            moved = old.end <= old.start or old.end <= cuts[k] or cuts[k + 1] <= old.start
            result[member] = Placement(cuts[k], cuts[k + 1], old.uncertain or moved)
        # points between two members in the source stay between them
        for k in range(1, len(group.members)):
            pinned[anchors[group.members[k]].start] = cuts[k]
    laid = [
        (result[i].start, result[i].end) for g in groups if g.span is not None for i in g.members
    ]
    for i in others:
        old = result[i]
        pos = pinned.get(anchors[i].start, old.start)
        pos = min(max(pos, lo), hi)
        for s, e in laid:
            if s < pos < e:
                pos = s if pos - s <= e - pos else e
        if pos != old.start or old.end != old.start:
            result[i] = Placement(pos, pos, old.uncertain)


def _groups(
    source: str, anchors: Sequence[Anchor], spans: list[int], parent_src: tuple[int, int]
) -> list[_Group]:
    groups: list[_Group] = []
    for i in spans:
        a = anchors[i]
        blank = not source[a.start : a.end].strip()
        if groups and groups[-1].end == a.start:
            groups[-1].members.append(i)
            groups[-1].end = a.end
            groups[-1].blank = groups[-1].blank and blank
        else:
            groups.append(_Group([i], a.start, a.end, blank))
    for group in groups:
        group.touches_start = group.start <= parent_src[0]
        group.touches_end = group.end >= parent_src[1]
    return groups


def _wanted(result: list[Placement], group: _Group, lo: int, hi: int) -> tuple[int, int] | None:
    """The smallest stretch holding every target character the alignment gave the group."""
    spans = [
        (max(lo, result[i].start), min(hi, result[i].end))
        for i in group.members
        if result[i].end > result[i].start
    ]
    spans = [(s, e) for s, e in spans if s < e]
    if not spans:
        return None
    return min(s for s, _ in spans), max(e for _, e in spans)


def _order(
    words: list[_Group],
    groups: list[_Group],
    parent_src: tuple[int, int],
    lo: int,
    hi: int,
) -> None:
    """Sort ``words`` into target order: by where the alignment put them, the rest after
    their source neighbours, the ones at the parent's edges at its edges."""
    for k, group in enumerate(groups):
        if group.want is not None:
            group.key = group.want[0] + (group.want[1] - group.want[0]) / 1000
            continue
        before = next((g for g in reversed(groups[:k]) if g.want is not None), None)
        after = next((g for g in groups[k + 1 :] if g.want is not None), None)
        if before is not None:
            group.key = before.want[1] + 0.5 + k / 1000  # type: ignore[index]
        elif after is not None:
            group.key = after.want[0] - 0.5 - (len(groups) - k) / 1000  # type: ignore[index]
        else:
            s_lo, s_hi = parent_src
            share = (group.start - s_lo) / max(1, s_hi - s_lo)
            group.key = lo + share * (hi - lo) + k / 1000
    for group in words:
        if group.touches_start:
            group.key = -_FAR
        elif group.touches_end:
            group.key = _FAR
    words.sort(key=lambda g: (g.key, g.start))


def _lay_out_words(
    words: list[_Group], tokens: list[tuple[int, int]], lo: int, hi: int
) -> list[_Group]:
    """Give each group (in order) a run of whole tokens, groups kept apart; the groups
    placed (those that did not fit are dropped from the list, their span None)."""
    n = len(tokens)
    gap = [tokens[k][1] < tokens[k + 1][0] for k in range(n - 1)]
    placed = list(words)
    while placed:
        latest = _latest_starts(len(placed), gap, n)
        if latest is not None and latest[0][0] >= 0:
            break
        # too few words: the group with the least claim does not fit
        drop = next((g for g in reversed(placed) if g.want is None), placed[-1])
        placed.remove(drop)
    if not placed:
        return []
    latest_start, latest_end = latest  # type: ignore[misc]
    cursor = 0
    for g, group in enumerate(placed):
        want_a, want_b = _token_range(group, tokens, placed, g)
        a = min(max(want_a, cursor), latest_start[g])
        if group.touches_start and g == 0:
            a = 0
        b = max(want_b, a)
        if g + 1 < len(placed):
            next_a = _token_range(placed[g + 1], tokens, placed, g + 1)[0]
            if next_a > a:
                limit = next_a - 1 if gap[next_a - 1] else next_a - 2
                b = min(b, max(a, limit))
        b = min(b, latest_end[g])
        # a word for each member where the room allows: after the wanted words, then before
        while b - a + 1 < len(group.members) and b < latest_end[g]:
            b += 1
        while b - a + 1 < len(group.members) and a > cursor:
            a -= 1
        if group.touches_end and g == len(placed) - 1:
            b = n - 1
        start = lo if group.touches_start and a == 0 else tokens[a][0]
        end = hi if group.touches_end and b == n - 1 else tokens[b][1]
        group.span = (start, end)
        cursor = b + 1 if b + 1 >= n or gap[b] else b + 2
    return placed


def _latest_starts(m: int, gap: list[bool], n: int) -> tuple[list[int], list[int]] | None:
    """The latest first and last token of each of ``m`` groups that still leaves room
    for the ones after it (one token each, apart); None when there are no tokens."""
    if n == 0:
        return None
    starts = [0] * m
    ends = [0] * m
    for g in range(m - 1, -1, -1):
        if g == m - 1:
            end = n - 1
        else:
            s = starts[g + 1]
            end = s - 1 if s >= 1 and gap[s - 1] else s - 2
        ends[g] = starts[g] = end
    return starts, ends


def _token_range(
    group: _Group, tokens: list[tuple[int, int]], placed: list[_Group], g: int
) -> tuple[int, int]:
    """The tokens the group's wanted stretch covers, or the one at its ordering key."""
    n = len(tokens)
    if group.want is not None:
        s, e = group.want
        inside = [k for k, (ts, te) in enumerate(tokens) if ts < e and te > s]
        if inside:
            return inside[0], inside[-1]
        at = s
    elif group.key <= -_FAR:
        return 0, 0
    elif group.key >= _FAR:
        return n - 1, n - 1
    else:
        at = int(group.key)
    k = next((k for k, (ts, _) in enumerate(tokens) if ts >= at), n - 1)
    return k, k


def _lay_out_blank(
    group: _Group,
    target: str,
    lo: int,
    hi: int,
    taken: list[tuple[int, int]],
) -> None:
    """Put a white-space-only group on white space that touches no other group."""
    need = len(group.members)
    at = group.want[0] if group.want else (hi if group.touches_end else lo)
    if group.touches_start:
        at = lo
    best: tuple[int, tuple[int, int]] | None = None
    for m in _SPACE.finditer(target, lo, hi):
        s, e = m.start(), m.end()
        if any(ts < e and s < te for ts, te in taken):
            continue
        if any(te == s for _, te in taken):
            s += 1
        if any(ts == e for ts, _ in taken):
            e -= 1
        if e - s < need:
            continue
        cost = min(abs(s - at), abs(e - at))
        if group.touches_end and e == hi:
            cost = -1
        if group.touches_start and s == lo:
            cost = -1
        if best is None or cost < best[0]:
            best = (cost, (s, e))
    if best is not None:
        group.span = best[1]


def _cut(
    group: _Group,
    anchors: Sequence[Anchor],
    result: list[Placement],
    target: str,
    source: str,
    inside_words: bool,
) -> list[int] | None:
    """Cut the group's span between its members: k+1 offsets, each member non-empty.

    Cuts fall on word edges where there are enough of them (else between any
    two characters), as near as possible to the alignment's boundaries; a
    member that held only white space gets white space if it can.
    """
    if group.span is None:
        return None
    s, e = group.span
    members = group.members
    k = len(members)
    if k == 1:
        return [s, e]
    if e - s < k:
        return None
    text = target[s:e]
    edges = sorted(
        {s + j for j in range(1, len(text)) if text[j - 1].isspace() != text[j].isspace()}
    )
    if len(edges) < k - 1 and inside_words:
        edges = sorted(
            set(edges)
            | {s + m.start() for m in _TOKEN.finditer(text) if m.start() > 0}
            | {s + m.end() for m in _TOKEN.finditer(text) if m.end() < len(text)}
        )
        if len(edges) < k - 1:
            edges = list(range(s + 1, e))
    if len(edges) < k - 1:
        return None
    wants = _boundaries(group, anchors, result, source, s, e)
    blank = [not source[anchors[i].start : anchors[i].end].strip() for i in members]
    return _best_cuts(target, s, e, edges, wants, blank)


def _boundaries(
    group: _Group,
    anchors: Sequence[Anchor],
    result: list[Placement],
    source: str,
    s: int,
    e: int,
) -> list[float]:
    """Where the alignment put the boundary after each member but the last."""
    members = group.members
    total = max(1, group.end - group.start)
    wants: list[float] = []
    for k in range(len(members) - 1):
        left, right = result[members[k]], result[members[k + 1]]
        options = []
        if left.end > left.start and s < left.end < e:
            options.append(left.end)
        if right.end > right.start and s < right.start < e:
            options.append(right.start)
        if options:
            wants.append(sum(options) / len(options))
        else:
            share = (anchors[members[k]].end - group.start) / total
            wants.append(s + share * (e - s))
    return wants


def _best_cuts(
    target: str, s: int, e: int, edges: list[int], wants: list[float], blank: list[bool]
) -> list[int] | None:
    """Increasing cuts from ``edges`` nearest ``wants`` (dynamic programming)."""
    k = len(blank)
    options = [s, *edges, e]
    m = len(options)

    def piece_cost(member: int, a: int, b: int) -> float:
        piece = target[options[a] : options[b]]
        if blank[member]:
            return 0.0 if not piece.strip() else 1000.0
        return 100.0 if not piece.strip() else 0.0

    inf = float("inf")
    # cost[j][x]: the first j+1 members end at options[x]
    cost = [[inf] * m for _ in range(k)]
    back = [[-1] * m for _ in range(k)]
    for x in range(1, m):
        cost[0][x] = piece_cost(0, 0, x) + (abs(options[x] - wants[0]) if k > 1 else 0)
    for j in range(1, k):
        for x in range(j + 1, m):
            if j == k - 1 and x != m - 1:
                continue
            here = abs(options[x] - wants[j]) if j < k - 1 else 0.0
            for y in range(j, x):
                if cost[j - 1][y] == inf:
                    continue
                c = cost[j - 1][y] + piece_cost(j, y, x) + here
                if c < cost[j][x]:
                    cost[j][x], back[j][x] = c, y
    if cost[k - 1][m - 1] == inf:
        return None
    cuts = [m - 1]
    for j in range(k - 1, 0, -1):
        cuts.append(back[j][cuts[-1]])
    cuts.append(0)
    return [options[x] for x in reversed(cuts)]


def _trimmed(group: _Group, source: str, target: str) -> tuple[int, int] | None:
    """The group's span without the quotes and closing punctuation around its words,
    where the German run had none there (``*Hello*.``, not ``*Hello.*``)."""
    if group.span is None:
        return None
    s, e = group.span
    need = len(group.members)
    german = source[group.start : group.end].strip()
    if not group.touches_end and german[-1:] not in _CLOSING:
        while e - s > need and target[e - 1] in _CLOSING:
            e -= 1
    if not group.touches_start and german[:1] not in _OPENING:
        while e - s > need and target[s] in _OPENING:
            s += 1
    return s, e
