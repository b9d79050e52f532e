"""Leverage before MT: exact/in-context replace MT, fuzzy travels, the glossary wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from transkit.data import Document, Segment, TermMatch
from transkit.tm.leverage import leverage_documents, tm_counts
from transkit.tm.memory import TranslationMemory
from transkit.tm.units import TMUnit

PEKING = TermMatch(
    concept_id="peking",
    term="Peking",
    found="Peking",
    start=0,
    end=6,
    required=("Beijing",),
    forbidden=("Peking",),
)


@pytest.fixture
def memory(tmp_path: Path) -> TranslationMemory:
    tm = TranslationMemory(tmp_path / "tm")
    tm.add_units(
        [
            TMUnit(
                "Das ist gut.", "That is good.", date="20240101T000000Z", prev="Eins.", next="Zwei."
            ),
            TMUnit("Das ist gut.", "This is fine.", date="20250101T000000Z"),
            TMUnit("Peking ist groß.", "Peking is big.", date="20250101T000000Z"),
            TMUnit(
                "Im Jahr 2024 stieg der Preis.", "In 2024, the price rose.", date="20250101T000000Z"
            ),
        ]
    )
    yield tm
    tm.close()


def doc(*segments: Segment) -> Document:
    return Document(name="d.txt", segments=segments)


def test_exact_and_in_context_replace_mt(memory: TranslationMemory) -> None:
    d = doc(
        Segment(id="1", source="Eins."),
        Segment(id="2", source="Das ist gut."),
        Segment(id="3", source="Zwei."),
        Segment(id="4", source="Das  ist gut."),
    )
    [out] = leverage_documents([d], memory)
    seg2, seg4 = out.segments[1], out.segments[3]
    assert (seg2.target, seg2.method, seg2.state) == ("That is good.", "tm-context", "translated")
    assert seg2.origin == "tm:approved.tmx" and seg2.matches[0].score == 100
    assert (seg4.target, seg4.method) == ("This is fine.", "tm-exact")  # newest wins
    assert out.segments[0].target is None  # no match: left for MT
    assert tm_counts([out]) == {"context": 1, "exact": 1, "numbers": 0, "fuzzy": 0, "mt": 2}


def test_fuzzy_travels_numbers_fixed(memory: TranslationMemory) -> None:
    [out] = leverage_documents(
        [doc(Segment(id="1", source="Im Jahr 2025 stieg der Preis."))], memory
    )
    seg = out.segments[0]
    assert seg.target is None and seg.method is None
    [match] = seg.matches
    assert match.level == "numbers" and match.target == "In 2025, the price rose."
    assert 75 <= match.score < 100
    assert leverage_documents([doc(seg)], memory, threshold=99)[0].segments[0].matches == ()


def test_a_match_that_breaks_the_glossary_is_not_used(memory: TranslationMemory) -> None:
    seg = Segment(id="1", source="Peking ist groß.", terms=(PEKING,))
    [out] = leverage_documents([doc(seg)], memory)
    done = out.segments[0]
    assert done.target is None  # goes to MT with enforcement
    [match] = done.matches
    assert match.level == "exact" and match.target == "Peking is big."
    assert "not used: breaks glossary: 'Peking' must be 'Beijing'" in match.note
    assert "forbidden 'Peking'" in match.note
