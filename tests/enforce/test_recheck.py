"""Term checks run again on targets a person changed."""

from __future__ import annotations

from pathlib import Path

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.enforce.recheck import recheck_document, recheck_segment, term_failures
from transkit.terms.glossary import load_glossaries
from transkit.terms.match import TermMatcher

ROOT = Path(__file__).resolve().parents[2]


def _matcher() -> TermMatcher:
    return TermMatcher.from_glossary(load_glossaries([ROOT / "glossary"]))


def test_stale_verdict_is_replaced_by_one_on_the_current_target() -> None:
    stale = TermCheck("geo-peking", "Peking", ("Beijing",), False, "", ("Peking",))
    seg = Segment("1", "Peking kontrolliert seltene Erden.", "Beijing controls rare earths.",
                  checks=(stale,))  # fmt: skip
    fresh = recheck_segment(seg, _matcher())
    assert {t.concept_id for t in fresh.terms} >= {"geo-peking"}
    assert fresh.checks and all(c.satisfied for c in fresh.checks)


def test_forbidden_form_in_an_edited_target_fails() -> None:
    seg = Segment("1", "Peking kontrolliert.", "Peking controls.")
    (check,) = [c for c in recheck_segment(seg, _matcher()).checks if c.concept_id == "geo-peking"]
    assert not check.satisfied and check.forbidden_found == ("Peking",)


def test_without_a_matcher_the_stored_terms_are_checked() -> None:
    term = TermMatch("c", "Peking", "Peking", 0, 6, required=("Beijing",))
    seg = Segment("1", "Peking.", "Beijing.", terms=(term,))
    assert [c.satisfied for c in recheck_segment(seg).checks] == [True]
    assert [
        c.satisfied
        for c in recheck_segment(seg.__class__("1", "Peking.", "Peking.", terms=(term,))).checks
    ] == [False]


def test_untranslated_segments_get_no_checks_and_failures_are_listed() -> None:
    doc = Document(
        name="a.txt",
        segments=(
            Segment("1", "Peking.", None),
            Segment("2", "Peking kontrolliert.", "The capital controls."),
        ),
    )
    checked = recheck_document(doc, _matcher())
    assert checked.segments[0].checks == ()
    failures = term_failures([checked])
    assert [(f.segment, f.term) for f in failures] == [("2", "Peking")]
    assert str(failures[0]) == "a.txt: segment 2: 'Peking' needs 'Beijing'"
