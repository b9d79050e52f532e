"""Pure text functions of the memory: normalisation, keys, features, number fixing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transkit.tm.units import (
    context_key,
    features,
    fix_numbers,
    normalize,
    pair_key,
    primary_lang,
    similarity,
    source_key,
)


def test_normalize_collapses_whitespace_only() -> None:
    assert normalize("  Der  Preis\tstieg.\n") == "Der Preis stieg."
    assert normalize("Der Preis stieg.") == "Der Preis stieg."
    assert normalize("der preis stieg.") != normalize("Der Preis stieg.")
    assert normalize("Stra\u0301ße") == normalize("Straße".replace("a", "a\u0301", 1))


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


def test_keys_are_stable_and_distinguish() -> None:
    assert source_key("Der Preis.") == source_key(" Der  Preis. ")
    assert source_key("Der Preis.") != source_key("Die Preise.")
    assert pair_key("A", "B") != pair_key("A", "C")
    assert context_key("", "") == 0
    assert context_key("a", "b") != context_key("b", "a")
    assert -(2**63) <= source_key("x") < 2**63


def test_primary_lang() -> None:
    assert primary_lang("DE-DE") == "de"
    assert primary_lang("de_AT") == "de"
    assert primary_lang("en") == "en"


def test_features_fold_case_digits_and_inflection() -> None:
    a = set(features("Die wichtigen Batterien kosten 15 Euro."))
    b = set(features("die wichtige Batterie kostet 20 Euro."))
    assert len(a & b) >= len(a) // 2
    assert features("") == []


def test_similarity_scale() -> None:
    assert similarity("Der Preis stieg.", "Der Preis stieg.") == 100.0
    assert 75 < similarity("Der Preis stieg stark.", "Der Preis stieg.") < 100
    assert similarity("abc", "xyz") == 0.0


@pytest.mark.parametrize(
    ("query", "source", "target", "expected"),
    [
        (
            "Der Preis stieg um 7 Prozent.",
            "Der Preis stieg um 5 Prozent.",
            "The price rose by 5 percent.",
            "The price rose by 7 percent.",
        ),
        (
            "Im Jahr 2025 stieg der Preis um 3,5 Prozent.",
            "Im Jahr 2024 stieg der Preis um 2,5 Prozent.",
            "In 2024, the price rose by 2.5 percent.",
            "In 2025, the price rose by 3.5 percent.",
        ),
        # two numbers swapped into each other's value: placed by position, not re-replaced
        ("Von 7 auf 5.", "Von 5 auf 7.", "From 5 to 7.", "From 7 to 5."),
    ],
)
def test_fix_numbers(query: str, source: str, target: str, expected: str) -> None:
    assert fix_numbers(query, source, target) == expected


def test_fix_numbers_refuses_what_it_cannot_place() -> None:
    # a word differs too
    assert (
        fix_numbers("Der Preis fiel um 7 Prozent.", "Der Preis stieg um 5 Prozent.", "x 5") is None
    )
    # the number is written as a word in the target
    assert fix_numbers("Es gab 3 Fragen.", "Es gab 2 Fragen.", "There were two questions.") is None
    # the same number twice in the target: ambiguous
    assert fix_numbers("Um 3 Uhr.", "Um 2 Uhr.", "At 2, 2 o'clock.") is None
    # nothing differs
    assert fix_numbers("Um 2 Uhr.", "Um 2 Uhr.", "At 2.") is None
