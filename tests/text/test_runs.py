"""Formatting runs kept whole after code placement (`transkit.text.runs.keep_runs`).

What a reader of a DOCX or ODT counts is stretches of bold (italic) text:
runs that touch read as one, runs with text between them as two.  The
property test builds German runs with random formatting, a random English
sentence and random word links, and checks that the English has exactly
the German's stretches of each formatting.
"""

from __future__ import annotations

import re

from hypothesis import given, note, settings
from hypothesis import strategies as st

from transkit.text.align import Alignment, Anchor, Placement, place
from transkit.text.runs import keep_runs

WORDS = ["die", "Allianz", "wächst", "in", "Tokio", "seltene", "Erden", "2025", "schnell"]
ENGLISH = ["the", "alliance", "grows", "in", "Tokyo", "rare", "earths", "fast", "2025."]


def _runs(source: str, marked: list[tuple[str, frozenset[str]]]) -> tuple[str, list[Anchor]]:
    anchors = []
    text = ""
    for piece, flags in marked:
        if flags:
            anchors.append(Anchor(len(text), len(text) + len(piece)))
        text += piece
    return text, anchors


def _stretches(text: str, flags_at: list[frozenset[str]], flag: str) -> int:
    """Stretches of ``flag`` over the characters (white space counts, as in DOCX)."""
    count, previous = 0, False
    for k in range(len(text)):
        on = flag in flags_at[k]
        count += on and not previous
        previous = on
    return count


def _flags(length: int, spans: list[tuple[int, int]], flags: list[frozenset[str]]) -> list:
    at: list[frozenset[str]] = [frozenset()] * length
    for (s, e), f in zip(spans, flags, strict=True):
        for k in range(s, e):
            at[k] = at[k] | f
    return at


def _links(source: str, target: str, choices: list[int]) -> tuple[tuple[int, int, int, int], ...]:
    src = [m.span() for m in re.finditer(r"\S+", source)]
    tgt = [m.span() for m in re.finditer(r"\S+", target)]
    if not src:
        return ()
    return tuple(
        (*src[choices[j % len(choices)] % len(src)], *tgt[j])
        for j in range(len(tgt))
        if choices[j % len(choices)] >= 0
    )


def test_discontiguous_words_give_one_span_their_smallest_cover() -> None:
    source, target = "ein großes Haus hier", "a big nice house here"
    # "großes Haus" went to "big" and to "house", with "nice" (of nothing) between
    links = ((0, 3, 0, 1), (4, 10, 2, 5), (11, 15, 11, 16), (16, 20, 17, 21))
    al = Alignment(source, target, links)
    anchors = [Anchor(4, 15)]
    (run,) = keep_runs(al, anchors, place(al, anchors))
    assert target[run.start : run.end] == "big nice house"


def test_a_run_the_alignment_placed_nowhere_still_holds_a_word() -> None:
    source, target = "Er sagt Hallo.", "He says hello."
    al = Alignment(source, target, ())
    anchors = [Anchor(8, 13)]
    before = place(al, anchors)
    assert before[0].start == before[0].end  # place leaves it empty
    (run,) = keep_runs(al, anchors, before)
    assert run.end > run.start and target[run.start : run.end].strip()
    assert run.uncertain


def test_touching_runs_stay_touching_and_in_order() -> None:
    # bold, then bold italic: one bold stretch; word order pulls them apart
    source, target = "Das ist fett kursiv und so.", "And so that is fat italic."
    links = ((0, 3, 12, 14), (4, 7, 15, 17), (8, 12, 18, 21), (13, 19, 0, 3), (24, 27, 22, 26))
    al = Alignment(source, target, links)
    anchors = [Anchor(8, 13), Anchor(13, 19)]
    first, second = keep_runs(al, anchors, place(al, anchors))
    assert first.end == second.start and first.start < first.end < second.end


def test_runs_apart_in_the_german_stay_apart() -> None:
    source, target = "eins und zwei", "one two and"
    links = ((0, 4, 0, 3), (5, 8, 8, 11), (9, 13, 4, 7))
    al = Alignment(source, target, links)
    anchors = [Anchor(0, 4), Anchor(9, 13)]
    one, two = keep_runs(al, anchors, place(al, anchors))
    assert one.end < two.start or two.end < one.start


def test_a_white_space_run_gets_white_space() -> None:
    source = "Nr.: "
    target = "No.: "
    al = Alignment(source, target, ((0, 3, 0, 3),))
    anchors = [Anchor(4, 5)]
    (run,) = keep_runs(al, anchors, place(al, anchors))
    assert target[run.start : run.end] == " "


def test_a_point_between_two_members_stays_between_them() -> None:
    source, target = "aa bb cc", "AA BB CC"
    anchors = [Anchor(0, 5), Anchor(5, 5, point=True), Anchor(5, 8)]
    al = Alignment(source, target, ((0, 2, 6, 8), (3, 5, 3, 5), (6, 8, 0, 2)))
    first, point, second = keep_runs(al, anchors, place(al, anchors))
    assert first.end == point.start == second.start


def test_children_stay_inside_their_new_parent() -> None:
    source, target = "aa bb cc dd", "AA BB CC DD"
    links = ((0, 2, 9, 11), (3, 5, 0, 2), (6, 8, 3, 5), (9, 11, 6, 8))
    al = Alignment(source, target, links)
    anchors = [Anchor(0, 5), Anchor(3, 5, parent=0), Anchor(6, 11)]
    parent, child, sibling = keep_runs(al, anchors, place(al, anchors))
    assert parent.start <= child.start < child.end <= parent.end
    assert parent.end < sibling.start or sibling.end < parent.start


def test_markdown_never_cuts_inside_a_word() -> None:
    source, target = "abc", "Tokyo"
    anchors = [Anchor(0, 1), Anchor(1, 2), Anchor(2, 3)]
    al = Alignment(source, target, ((0, 3, 0, 5),))
    placed = place(al, anchors)
    kept = keep_runs(al, anchors, placed, inside_words=False)
    assert kept == placed  # no room: left as place put them, for the format's own repair
    split = keep_runs(al, anchors, placed)
    assert [target[p.start : p.end] for p in split] != ["", "", ""]
    assert all(p.end > p.start for p in split)


def _alone(marked: list[tuple[str, frozenset[str]]], k: int) -> bool:
    """Whether piece ``k`` has no formatted word piece right beside it."""
    beside = [marked[j] for j in (k - 1, k + 1) if 0 <= j < len(marked)]
    return not any(f and piece.strip() for piece, f in beside)


@st.composite
def _cases(draw):
    pieces = []
    for _ in range(draw(st.integers(1, 7))):
        blank = draw(st.integers(0, 9)) == 0
        text = (
            " "
            if blank
            else " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
        )
        flags = frozenset(draw(st.sets(st.sampled_from(["b", "i"]))))
        glue = draw(st.sampled_from(["", " ", " und "]))
        pieces.append((text, flags))
        pieces.append((glue, frozenset()))
    coded = sum(1 for _, f in pieces if f)
    words = draw(st.lists(st.sampled_from(ENGLISH), min_size=3 * coded + 2, max_size=3 * coded + 8))
    choices = draw(st.lists(st.integers(-1, 30), min_size=1, max_size=12))
    return [p for p in pieces if p[0]], " ".join(words) + "  ", choices


@settings(max_examples=1500)
@given(_cases())
def test_every_formatting_stretch_of_the_german_is_one_in_the_english(case) -> None:
    marked, target, choices = case
    source, anchors = _runs("", marked)
    if not anchors or not source.strip():
        return  # a unit holds words (a paragraph of white space is not translated)
    if any(_alone(marked, k) for k, (piece, f) in enumerate(marked) if f and not piece.strip()):
        # a known limit (docs/documents.md): a formatted white-space run with no formatted
        # word beside it needs free white space, which the English may not have
        return
    flags = [f for piece, f in marked if f]
    al = Alignment(source, target, _links(source, target, choices))
    placed = place(al, anchors)
    kept = keep_runs(al, anchors, placed)
    note(f"{source!r} -> {target!r}\nanchors {anchors}\nplaced {placed}\nkept {kept}")
    assert all(isinstance(p, Placement) and p.end > p.start for p in kept)
    src_at = _flags(len(source), [(a.start, a.end) for a in anchors], flags)
    tgt_at = _flags(len(target), [(p.start, p.end) for p in kept], flags)
    for flag in ("b", "i"):
        assert _stretches(target, tgt_at, flag) == _stretches(source, src_at, flag), flag
    spans = sorted((p.start, p.end) for p in kept)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
