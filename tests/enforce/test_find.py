"""Term enforcement: the pure checks, and the n-best / protected / failed paths."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transkit.data import Hypothesis, Segment, TermMatch
from transkit.enforce.english import english_for
from transkit.enforce.find import _accept, check_terms, find_term, find_terms, term_pattern
from transkit.enforce.nbest import choose_hypothesis
from transkit.enforce.protect import protect_source, restore_placeholders
from transkit.enforce.stages import rerank_and_protect


def term(
    de: str,
    en: str,
    *,
    found: str | None = None,
    start: int = 0,
    kind: str = "exact",
    forbidden: tuple[str, ...] = (),
    admitted: tuple[str, ...] = (),
    dnt: bool = False,
    cid: str = "c1",
) -> TermMatch:
    found = found or de
    return TermMatch(
        concept_id=cid,
        term=de,
        found=found,
        start=start,
        end=start + len(found),
        kind=kind,
        required=(en, *admitted),
        forbidden=forbidden,
        dnt=dnt,
    )


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


def test_choose_hypothesis_prefers_highest_scoring_compliant() -> None:
    t = term("Peking", "Beijing", forbidden=("Peking",))
    hyps = [
        Hypothesis("Peking acts.", -0.1),
        Hypothesis("Beijing acts.", -0.5),
        Hypothesis("Beijing is acting.", -0.3),
    ]
    chosen = choose_hypothesis(hyps, [t])
    assert chosen is not None and chosen[0].text == "Beijing is acting."
    assert choose_hypothesis([Hypothesis("Peking acts.", -0.1)], [t]) is None


def test_protect_and_restore_round_trip() -> None:
    source = "Peking kontrolliert seltene Erden."
    terms = [
        term("Peking", "Beijing", forbidden=("Peking",)),
        term("seltene Erden", "rare earths", start=20, cid="c2"),
    ]
    protected, mapping = protect_source(source, terms)
    assert protected == "ZQX1 kontrolliert ZQX2."
    assert restore_placeholders("ZQX1 controls ZQX2.", mapping) == "Beijing controls rare earths."
    assert restore_placeholders("ZQX2 are controlled by ZQX1 .", mapping) == (
        "Rare earths are controlled by Beijing."
    )
    assert restore_placeholders("ZQX1 controls them.", mapping) is None
    assert restore_placeholders("ZQX1 controls ZQX2 and ZQX2.", mapping) is None
    lenient = restore_placeholders("ZQX1 controls rare earths.", mapping, allow_missing=True)
    assert lenient == "Beijing controls rare earths."
    assert restore_placeholders("ZQX1 and ZQX1.", mapping, allow_missing=True) is None
    assert restore_placeholders("ZQX9 acts.", mapping, allow_missing=True) is None


def test_restore_fixes_article_and_number() -> None:
    carrier = term("Flugzeugträger", "aircraft carrier", start=0)
    _, mapping = protect_source("Flugzeugträger", [carrier])
    assert restore_placeholders("They visited a ZQX1.", mapping) == (
        "They visited an aircraft carrier."
    )
    singular = term("Lieferketten", "supply chains", found="Lieferkette")
    assert english_for(singular) == "supply chain"
    genitive = term("Verteidigungsbudget", "defense budget", found="Verteidigungsbudgets")
    assert english_for(genitive) == "defense budget"
    plural = term("Lieferkette", "supply chain", found="Lieferketten")
    assert english_for(plural) == "supply chains"


def test_dnt_terms_restore_the_german_form() -> None:
    dnt = term("Bundestag", "Bundestag", dnt=True)
    _, mapping = protect_source("Bundestag", [dnt])
    assert restore_placeholders("The ZQX1 voted.", mapping) == "The Bundestag voted."
    genitive = term("Japan", "Japan", found="Japans", dnt=True)
    _, mapping = protect_source("Japans", [genitive])
    assert restore_placeholders("the role of ZQX1", mapping) == "the role of Japan"


class TableEngine:
    """A fake engine: fixed n-best lists per source, for testing the control flow."""

    name = "table:test"

    def __init__(self, table: dict[str, list[tuple[str, float]]]):
        self.table = table
        self.calls: list[tuple[list[str], int]] = []

    def translate_batch(
        self, sources: Sequence[str], *, num_hypotheses: int = 1
    ) -> list[list[Hypothesis]]:
        self.calls.append((list(sources), num_hypotheses))
        return [[Hypothesis(t, s) for t, s in self.table[src][:num_hypotheses]] for src in sources]


def seg(source: str, terms: Sequence[TermMatch] = ()) -> Segment:
    return Segment(id="1", source=source, terms=tuple(terms))


def test_enforce_terms_uses_nbest_then_protected_then_fails() -> None:
    peking = term("Peking", "Beijing", forbidden=("Peking",))
    table = {
        "Hallo.": [("Hello.", -0.1)],
        "Peking handelt.": [("Peking acts.", -0.1), ("Beijing acts.", -0.4)],
        "Peking wartet.": [("Peking waits.", -0.1)],
        "ZQX1 wartet.": [("ZQX1 waits.", -0.2)],
        "Peking schweigt.": [("Peking is silent.", -0.1)],
        "ZQX1 schweigt.": [("It is silent.", -0.2)],
    }
    engine = TableEngine(table)
    out = rerank_and_protect(
        [
            seg("Hallo."),
            seg("Peking handelt.", [peking]),
            seg("Peking wartet.", [peking]),
            seg("Peking schweigt.", [peking]),
        ],
        engine,
        num_hypotheses=4,
    )
    assert [s.target for s in out] == [
        "Hello.",
        "Beijing acts.",
        "Beijing waits.",
        "Peking is silent.",
    ]
    assert [s.method for s in out] == ["none", "nbest", "protected", "failed"]
    assert out[3].checks[0].forbidden_found == ("Peking",)
    assert all(s.origin == "table:test" and s.state == "mt" for s in out)
    # Plain segments are decoded with one hypothesis, term segments with n-best.
    assert engine.calls[0] == (["Hallo."], 1)
    assert engine.calls[1][1] == 4


def test_protected_accepts_a_dropped_placeholder_if_the_term_is_right() -> None:
    """The engine lost ZQX2 but translated that term correctly itself: accepted."""
    peking = term("Peking", "Beijing", forbidden=("Peking",))
    carrier = term("Flugzeugträger", "aircraft carrier", start=26, cid="c2")
    source = "Peking besuchte unsere US-Flugzeugträger."
    table = {
        source: [("Peking visited our U.S. carrier ships.", -0.1)],
        "ZQX1 besuchte unsere US-ZQX2.": [
            ("ZQX1 visited our U.S. carrier ships.", -0.1),
            ("ZQX1 visited our U.S. aircraft carriers.", -0.3),
        ],
    }
    (out,) = rerank_and_protect(
        [seg(source, [peking, carrier])], TableEngine(table), num_hypotheses=2
    )
    assert out.method == "protected"
    assert out.target == "Beijing visited our U.S. aircraft carriers."
    assert all(c.satisfied for c in out.checks)


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
