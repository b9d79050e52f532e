"""Counting term occurrences in English (`transkit.enforce.count`)."""

from __future__ import annotations

from transkit.data import TermMatch
from transkit.enforce.count import count_checks, occurrence_counts


def test_one_english_occurrence_does_not_satisfy_two_german_ones() -> None:
    a = TermMatch("peking", "Peking", "Peking", 0, 6, required=("Beijing",))
    b = TermMatch("peking", "Peking", "Peking", 11, 17, required=("Beijing",))
    checks = count_checks("Beijing and it.", [a, b])
    assert [c.satisfied for c in checks] == [True, False]
    assert occurrence_counts("Beijing and Beijing.", [a, b]) == {"peking": (2, 2)}


def test_nested_terms_belong_to_the_longer_one() -> None:
    alliance = TermMatch("al", "Allianz", "Allianz", 0, 7, required=("alliance",))
    pact = TermMatch(
        "sb", "Sicherheitsbündnis", "Sicherheitsbündnis", 12, 30, required=("security alliance",)
    )
    counts = occurrence_counts("The alliance and the security alliance.", [alliance, pact])
    assert counts == {"al": (1, 1), "sb": (1, 1)}


def test_english_shared_by_two_concepts_counts_once_for_each() -> None:
    """Premierministerin and Regierungschefin may both be "prime minister"."""
    pm = TermMatch(
        "pm", "Premierministerin", "Premierministerin", 0, 17, required=("prime minister",)
    )
    hog = TermMatch(
        "hog",
        "Regierungschefin",
        "Regierungschefin",
        30,
        46,
        required=("head of government", "prime minister"),
    )
    one = count_checks("The prime minister met her.", [pm, hog])
    assert [c.satisfied for c in one] == [True, False]
    two = count_checks("The prime minister met the prime minister.", [pm, hog])
    assert all(c.satisfied for c in two)
    assert occurrence_counts("The prime minister met the prime minister.", [pm, hog]) == {
        "pm": (1, 1),
        "hog": (1, 1),
    }
