"""Where re-decoding places a missing term (`transkit.enforce.redecode.plan_redecode`)."""

from __future__ import annotations

from transkit.data import TermMatch
from transkit.enforce.redecode import plan_redecode
from transkit.engine.align import WordAlignment


def test_plan_inserts_at_aligned_place_and_never_only_at_the_end() -> None:
    # German: "Peking kontrolliert seltene Erden und Tokio."
    target = "Beijing controls and Tokyo."
    rare = TermMatch("se", "seltene Erden", "seltene Erden", 20, 33, required=("rare earths",))
    alignment = WordAlignment(
        source_words=((0, 6), (7, 19), (20, 27), (28, 33), (34, 37), (38, 43), (43, 44)),
        target_words=((0, 7), (8, 16), (17, 20), (21, 26), (26, 27)),
        links=(0, 1, 4, 5, None),
    )
    prefix, placed, _ = plan_redecode(target, alignment, [rare])
    assert (prefix, placed) == ("Beijing controls rare earths", [0])
    # At the very start, the term is capitalised.
    start = WordAlignment(alignment.source_words, alignment.target_words, (None,) * 5)
    assert plan_redecode(target, start, [rare])[0] == "Rare earths"


def test_plan_replaces_the_engines_rendering_instead_of_repeating_it() -> None:
    # German: "Die USA kaufen seltene Erden." -> engine: "The USA buy rare earth elements."
    target = "The USA buy rare earth elements."
    usa = TermMatch("usa", "USA", "USA", 4, 7, required=("United States",))
    rare = TermMatch("se", "seltene Erden", "seltene Erden", 15, 28, required=("rare earths",))
    alignment = WordAlignment(
        source_words=((0, 3), (4, 7), (8, 14), (15, 22), (23, 28), (28, 29)),
        target_words=((0, 3), (4, 7), (8, 11), (12, 16), (17, 22), (23, 31), (31, 32)),
        links=(0, 1, 2, 3, 4, 4, None),
    )
    prefix, placed, _ = plan_redecode(target, alignment, [usa, rare])
    # Both renderings ("USA", "rare earth elements") give way; nothing is said twice.
    assert (prefix, placed) == ("The United States buy rare earths", [0, 1])


def test_plan_keeps_terms_the_engine_already_got_right_after_the_last_placed_one() -> None:
    # German: "Die USA verringern die Abhängigkeit von Windkraftanlagen."
    target = "The USA reduce the dependence on wind turbines."
    usa = TermMatch("usa", "USA", "USA", 4, 7, required=("United States",))
    wind = TermMatch(
        "wk", "Windkraftanlagen", "Windkraftanlagen", 40, 56, required=("wind turbines",)
    )
    alignment = WordAlignment(
        source_words=((0, 3), (4, 7), (8, 18), (19, 22), (23, 35), (36, 39), (40, 56), (56, 57)),
        target_words=(
            (0, 3),
            (4, 7),
            (8, 14),
            (15, 18),
            (19, 29),
            (30, 32),
            (33, 37),
            (38, 46),
            (46, 47),
        ),
        links=(0, 1, 2, 3, 4, 5, 6, 6, None),
    )
    prefix, placed, closes = plan_redecode(target, alignment, [usa], terms=[usa, wind])
    # Forcing only "The United States" would let the engine say "wind power
    # plants"; the kept text runs through the term it already had right.
    assert prefix == "The United States reduce the dependence on wind turbines"
    assert placed == [0]
    assert closes is True  # the engine's sentence ended there
