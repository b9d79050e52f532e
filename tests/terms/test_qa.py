"""QA notes, summaries, the JSON report and its table."""

from __future__ import annotations

import json

import pytest

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.errors import FormatError
from transkit.terms.qa import annotate, build_report, document_summary, load_report, render_table

PEKING = TermMatch("geo-peking", "Peking", "Peking", 0, 6, "exact", ("Beijing",), ("Peking",))
MAGNET = TermMatch(
    "geo-erden", "seltene Erden", "Seltenerdmagnete", 10, 26, "compound", ("rare earths",)
)


def doc() -> Document:
    ok = Segment(
        "1",
        "Peking handelt.",
        "Beijing acts.",
        terms=(PEKING,),
        method="nbest",
        checks=(TermCheck("geo-peking", "Peking", ("Beijing",), True, "Beijing"),),
    )
    bad = Segment(
        "2",
        "Peking und Seltenerdmagnete.",
        "Peking and magnets.",
        leading=" ",
        terms=(PEKING, MAGNET),
        method="failed",
        checks=(TermCheck("geo-peking", "Peking", ("Beijing",), False, "", ("Peking",)),),
    )
    return annotate(Document("a.txt", (ok, bad)))


def test_notes_and_summary() -> None:
    d = doc()
    assert d.segments[0].notes == ()
    notes = d.segments[1].notes
    assert notes == (
        "Compound 'Seltenerdmagnete' contains glossary term 'seltene Erden' (rare earths); "
        "not enforced, check by hand",
    )
    s = document_summary(d)
    assert (s["segments"], s["terms_required"], s["terms_satisfied"], s["terms_failed"]) == (
        2,
        2,
        1,
        1,
    )
    assert s["methods"] == {"failed": 1, "nbest": 1}


def test_report_round_trip_and_table() -> None:
    report = build_report([doc()], glossaries=[("glossary/g.tsv", 3)], model="argos:x")
    text = json.dumps(report)
    loaded = load_report(text, "r.json")
    assert loaded["totals"]["success_rate"] == 0.5
    table = render_table(loaded)
    assert "a.txt: 2 segments, 2 terms required, 1 satisfied, 1 failed" in table
    assert "NO" in table and "forbidden: Peking" in table
    failed = render_table(loaded, failed_only=True)
    assert "yes" not in failed.split("\n", 2)[2]


@pytest.mark.parametrize("text", ["{not json", "[]", '{"other": 1}'])
def test_bad_reports(text: str) -> None:
    with pytest.raises(FormatError) as info:
        load_report(text, "r.json")
    assert info.value.one_line().startswith("r.json")
