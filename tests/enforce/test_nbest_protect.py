"""The first two stages: n-best choice, placeholders, and what fails both."""

from __future__ import annotations

from collections.abc import Sequence

from matches import term

from transkit.data import Hypothesis, Segment, TermMatch
from transkit.enforce.english import english_for
from transkit.enforce.nbest import choose_hypothesis
from transkit.enforce.protect import protect_source, restore_placeholders
from transkit.enforce.stages import rerank_and_protect


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
