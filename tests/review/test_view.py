"""The review page's view model: verdicts, spans, flags and origin rows."""

from __future__ import annotations

from dataclasses import dataclass

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.review.view import (
    concept_from_match,
    document_view,
    segment_view,
)


def _peking(target: str, satisfied: bool, forbidden: tuple[str, ...] = ()) -> Segment:
    source = "Peking kontrolliert seltene Erden."
    terms = (
        TermMatch(
            "geo-peking", "Peking", "Peking", 0, 6, required=("Beijing",), forbidden=("Peking",)
        ),
        TermMatch("eco-rare", "seltene Erden", "seltene Erden", 20, 33, required=("rare earths",)),
    )
    checks = (
        TermCheck(
            "geo-peking",
            "Peking",
            ("Beijing",),
            satisfied,
            "Beijing" if satisfied else "",
            forbidden,
        ),
        TermCheck("eco-rare", "seltene Erden", ("rare earths",), True, "rare earths"),
    )
    return Segment("1", source, target, terms=terms, checks=checks, method="nbest", state="mt")


def test_satisfied_terms_are_highlighted_on_both_sides_with_the_same_key() -> None:
    view = segment_view(1, _peking("Beijing controls rare earths.", True))
    assert [(s.key, s.text, s.status) for s in view.source_spans] == [
        ("t1", "Peking", "ok"),
        ("t2", "seltene Erden", "ok"),
    ]
    assert [(s.key, s.text, s.status) for s in view.target_spans] == [
        ("t1", "Beijing", "ok"),
        ("t2", "rare earths", "ok"),
    ]
    assert not view.flagged


def test_forbidden_form_is_its_own_verdict_and_is_found_in_the_english() -> None:
    view = segment_view(1, _peking("Peking controls rare earths.", False, ("Peking",)))
    assert view.source_spans[0].status == "forbidden"
    assert (view.target_spans[0].text, view.target_spans[0].status) == ("Peking", "forbidden")
    assert view.flags == ("forbidden",)


def test_missing_term_is_failed_and_has_no_english_span() -> None:
    view = segment_view(1, _peking("The capital controls rare earths.", False))
    assert view.source_spans[0].status == "failed"
    assert [s.key for s in view.target_spans] == ["t2"]
    assert view.flags == ("failed",)


def test_compound_and_untranslated_segments_are_flagged() -> None:
    compound = Segment(
        "2",
        "Die Pekinger Regierung.",
        "The Beijing government.",
        terms=(
            TermMatch(
                "geo-peking", "Peking", "Pekinger", 4, 12, kind="compound", required=("Beijing",)
            ),
        ),
    )
    assert segment_view(2, compound).flags == ("compound",)
    untranslated = _peking("x", True).__class__(
        "3", "Peking.", None, terms=_peking("", True).terms[:1]
    )
    view = segment_view(3, untranslated)
    assert view.flags == ("untranslated",)
    assert view.source_spans[0].status == "pending"


def test_offsets_that_do_not_fit_fall_back_to_the_surface_form() -> None:
    seg = _peking("Beijing controls rare earths.", True)
    moved = Segment(
        seg.id,
        "Heute: " + seg.source,
        seg.target,
        terms=seg.terms,
        checks=seg.checks,
    )
    spans = segment_view(1, moved).source_spans
    assert [moved.source[s.start : s.end] for s in spans] == ["Peking", "seltene Erden"]


@dataclass(frozen=True)
class _TmSegment(Segment):
    tm_match: float = 0.0
    substituted: tuple[str, ...] = ()


def test_origin_rows_show_method_engine_and_any_new_segment_field() -> None:
    seg = _TmSegment(
        "1",
        "Hallo.",
        "Hello.",
        method="protected",
        origin="argos:de-en 1.9",
        state="translated",
        tm_match=0.87,
        substituted=("Peking",),
    )
    rows = dict(segment_view(1, seg).origin)
    assert rows["method"] == "MT, protected terms"
    assert rows["engine"] == "argos:de-en 1.9"
    assert rows["state"] == "translated"
    assert rows["tm match"] == "87%"
    assert rows["substituted"] == "Peking"


@dataclass(frozen=True)
class _Match:
    source: str
    target: str
    score: float
    level: str
    origin: str = ""


@dataclass(frozen=True)
class _MemorySegment(Segment):
    matches: tuple[_Match, ...] = ()


def test_translation_memory_matches_show_level_score_and_memory() -> None:
    match = _Match("Hallo Welt.", "Hello world.", 87.0, "fuzzy", "tm:approved.tmx")
    seg = _MemorySegment("1", "Hallo Welt!", "Hello world!", method="tm-fuzzy", matches=(match,))
    rows = dict(segment_view(1, seg).origin)
    assert rows["method"] == "TM match, fuzzy"
    assert rows["TM matches"] == (
        "87% fuzzy \u00b7 source: Hallo Welt.; target: Hello world.; origin: tm:approved.tmx"
    )


def test_unknown_method_is_shown_as_it_is() -> None:
    seg = Segment("1", "Hallo.", "Hello.", method="constrained-v2")
    assert dict(segment_view(1, seg).origin)["method"] == "constrained-v2"


def test_document_totals_agree_with_the_qa_summary(sample_document: Document) -> None:
    from transkit.enforce.report import document_summary

    view = document_view(sample_document)
    qa = document_summary(sample_document)
    for key in ("segments", "terms_required", "terms_satisfied", "terms_failed", "forbidden_found"):
        assert view.totals[key] == qa[key], key
    assert 0 < view.totals["flagged"] < view.totals["segments"]
    assert set(view.concepts) == {t.concept_id for s in sample_document.segments for t in s.terms}


def test_concept_from_match_splits_approved_admitted_and_forbidden() -> None:
    term = TermMatch(
        "c", "USA", "USA", 0, 3, required=("United States", "U.S."), forbidden=("US", "U.S.")
    )
    concept = concept_from_match(term)
    assert (concept.approved, concept.admitted, concept.forbidden) == (
        "United States",
        ("U.S.",),
        ("US",),
    )


@dataclass(frozen=True)
class _StagedCheck(TermCheck):
    stage: str = ""
    reason: str = ""


def test_extra_check_fields_are_listed_generically() -> None:
    from transkit.review.view import check_details

    staged = _StagedCheck("c", "Peking", ("Beijing",), True, "Beijing", stage="substituted")
    assert check_details(staged) == (("stage", "MT, substituted"),)
    flagged = _StagedCheck("c", "Peking", ("Beijing",), False, reason="no alignment")
    assert check_details(flagged) == (("reason", "no alignment"),)
    assert check_details(TermCheck("c", "Peking", ("Beijing",), True)) == ()


def test_a_unit_not_to_translate_is_neither_untranslated_nor_checked() -> None:
    from transkit.enforce.recheck import recheck_segment

    term = TermMatch("c", "Peking", "Peking", 0, 6, required=("Beijing",))
    seg = Segment("1", "Peking", None, terms=(term,), translate=False)
    assert recheck_segment(seg).checks == ()
    view = segment_view(1, seg)
    assert view.flags == () and dict(view.origin)["translate"] == "no (the source is kept)"
    plain = segment_view(2, Segment("2", "Hallo.", "Hello."))
    assert "translate" not in dict(plain.origin)
