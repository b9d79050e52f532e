"""Finding a term in English, and the checks on a segment (`transkit.enforce.find`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matches import term

from transkit.enforce.find import _accept, check_terms, find_term, find_terms, term_pattern


@pytest.mark.parametrize(
    ("text", "english", "expected"),
    [
        ("the supply of rare earths.", "rare earths", "rare earths"),
        ("Rare earths are scarce.", "rare earths", "Rare earths"),
        ("a rare earth is", "rare earths", "rare earth"),
        ("rare earth elements", "rare earths", None),
        ("rare earth magnets and more", "rare earths", None),
        ("the supply chain is fragile", "supply chains", "supply chain"),
        ("the supply chains.", "supply chains", "supply chains"),
        ("Beijing said", "Beijing", "Beijing"),
        ("Peking said", "Beijing", None),
        ("the U.S. Navy's ships", "U.S. Navy", "U.S. Navy's"),
        ("two aircraft carriers", "aircraft carrier", "aircraft carriers"),
        ("the declaration of independence", "Declaration of Independence", None),
        (
            "the Declaration of Independence",
            "Declaration of Independence",
            "Declaration of Independence",
        ),
        ("foreign policies", "foreign policy", "foreign policies"),
        ("earthquake", "earth", None),
        ("North Korea's program", "North Korea", "North Korea's"),
    ],
)
def test_find_term(text: str, english: str, expected: str | None) -> None:
    match = find_term(text, english)
    assert (match.group(0) if match else None) == expected


def test_check_terms_flags_forbidden_and_missing() -> None:
    peking = term("Peking", "Beijing", forbidden=("Peking",))
    erden = term("seltene Erden", "rare earths", start=20, cid="c2")
    checks = check_terms("Peking controls rare earth elements.", [peking, erden])
    assert [c.satisfied for c in checks] == [False, False]
    assert checks[0].forbidden_found == ("Peking",)
    ok = check_terms("Beijing controls rare earths.", [peking, erden])
    assert all(c.satisfied for c in ok)
    assert ok[1].found == "rare earths"


def test_compounds_are_not_enforced() -> None:
    compound = term("seltene Erden", "rare earths", found="Seltenerdmagnete", kind="compound")
    assert check_terms("rare earth magnets", [compound]) == ()


def test_admitted_variant_satisfies() -> None:
    t = term("Regierungschefin", "prime minister", admitted=("head of government",))
    (check,) = check_terms("the head of government said", [t])
    assert check.satisfied and check.found == "head of government"


# -- linear cost: the key-based finder agrees with a plain regex scan ---------


_TERMS = ["rare earths", "Beijing", "country", "supply chain", "tax", "Sanae Takaichi", "boss"]
_WORDS = [*" ".join(_TERMS).split(), "earth", "countries", "Taxes", "elements", "the", "-", "’s"]


def _scan(text: str, term: str) -> str | None:
    """The reference: run the regex over the whole text (the old, quadratic way)."""
    for match in term_pattern(term).finditer(text):
        if _accept(text, term, match):
            return match.group(0)
    return None


@given(st.lists(st.sampled_from(_WORDS), max_size=30), st.sampled_from(["", " ", "\u00a0"]))
def test_find_terms_agrees_with_a_full_regex_scan(words: list[str], glue: str) -> None:
    text = " ".join(words).replace(" ", glue or " ", 2)
    found = find_terms(text, _TERMS)
    for t in _TERMS:
        got = found[t].group(0) if found[t] else None
        assert got == _scan(text, t)
        assert (find_term(text, t).group(0) if find_term(text, t) else None) == got


def test_check_terms_looks_up_each_distinct_term_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000 occurrences of one concept in a long segment: two scans, not 4,000."""
    import transkit.enforce.find as enforce

    calls: list[str] = []
    real = enforce._find_in

    def counting(text: str, lowered: str | None, t: str):  # type: ignore[no-untyped-def]
        calls.append(t)
        return real(text, lowered, t)

    monkeypatch.setattr(enforce, "_find_in", counting)
    piece = "Beijing sells rare earths to the country "
    terms = [term("Peking", "Beijing", start=i, forbidden=("Peking",)) for i in range(2000)]
    checks = check_terms(piece * 2000 + "Peking", terms)
    assert all(c.forbidden_found == ("Peking",) and c.found == "Beijing" for c in checks)
    assert sorted(calls) == ["Beijing", "Peking"]
