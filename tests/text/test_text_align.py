"""Word links as character links, span projection and the placement of code anchors."""

from __future__ import annotations

from transkit.text.align import (
    Alignment,
    Anchor,
    alignment_from_words,
    guess_alignment,
    place,
    project_span,
)


def test_word_links_become_character_links() -> None:
    source, target = "Peking wächst.", "Beijing grows."
    al = alignment_from_words(
        source, target, [(0, 6), (7, 13), (13, 14)], [(0, 7), (8, 13), (13, 14)], [0, 1, None]
    )
    pairs = {(source[a:b], target[c:d]) for a, b, c, d in al.links}
    assert pairs == {("Peking", "Beijing"), ("wächst", "grows")}
    assert al.method == "attention"


def test_project_span_refuses_scattered_words() -> None:
    source = "a b c d"
    target = "w x y z"
    links = ((0, 1, 0, 1), (2, 3, 2, 3), (4, 5, 4, 5), (6, 7, 6, 7))
    al = Alignment(source, target, links)
    assert project_span(al, 0, 3) == (0, 3)  # "a b" -> "w x"
    crossing = ((0, 1, 0, 1), (2, 3, 6, 7), (4, 5, 2, 3), (6, 7, 4, 5))
    assert project_span(Alignment(source, target, crossing), 0, 3) is None


def test_children_stay_inside_their_parent_and_siblings_apart() -> None:
    source = "aa bb cc dd"
    target = "AA BB CC DD"
    links = ((0, 2, 9, 11), (3, 5, 6, 8), (6, 8, 3, 5), (9, 11, 0, 2))  # reversed order
    anchors = [Anchor(0, 5), Anchor(3, 5, parent=0), Anchor(6, 11)]
    placements = place(Alignment(source, target, links), anchors)
    parent, child, sibling = placements
    assert parent.start <= child.start <= child.end <= parent.end
    assert parent.end <= sibling.start or sibling.end <= parent.start


def test_guess_alignment_links_names_and_numbers() -> None:
    al = guess_alignment("Im Jahr 2025 wuchs Tokio.", "Tokyo grew in 2025.")
    pairs = {(al.source[a:b], al.target[c:d]) for a, b, c, d in al.links}
    assert ("2025", "2025") in pairs
    assert al.method == "guess"


def test_a_point_keeps_to_the_word_it_was_attached_to() -> None:
    source, target = "auf <x/>Speichern".replace("<x/>", ""), "on Save"
    links = ((0, 3, 0, 2), (4, 13, 3, 7))
    (placed,) = place(Alignment(source, target, links), [Anchor(4, 4, point=True)])
    assert placed.start == 3 and not placed.uncertain  # "on <x/>Save"
    source2 = "Speichern und"
    links2 = ((0, 9, 0, 4), (10, 13, 5, 8))
    (placed2,) = place(Alignment(source2, "Save and", links2), [Anchor(9, 9, point=True)])
    assert placed2.start == 4  # "Save<x/> and"


def test_a_point_between_unlinked_words_uses_the_nearest_linked_ones() -> None:
    source = "Peking hat die Ausfuhr von seltenen Erden beschränkt."
    target = "Beijing restricted the export of rare earths."
    links = ((0, 6, 0, 7), (15, 22, 23, 29), (36, 41, 33, 38), (36, 41, 39, 45))
    pos = source.index("seltenen")  # "von <ph/>seltenen": neither "von" nor "seltenen" linked
    (placed,) = place(Alignment(source, target, links), [Anchor(pos, pos, point=True)])
    assert not placed.uncertain
    assert target[: placed.start].rstrip().endswith("export") or target[placed.start :].startswith(
        "rare"
    )
