"""QA notes, summaries, the JSON report and its table."""

from __future__ import annotations

import json

import pytest

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.enforce.report import (
    annotate,
    build_report,
    document_summary,
    load_report,
    render_table,
)
from transkit.errors import FormatError

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


# -- wrong shapes and fuzzing: `transkit qa` never shows a traceback ---------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzzing import assert_one_line, fuzz_settings, mutated  # noqa: E402

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _render(text: str) -> None:
    try:
        render_table(load_report(text, "qa.json"))
        render_table(load_report(text, "qa.json"), failed_only=True)
    except FormatError as err:
        assert_one_line(err, "qa.json")


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["files"][0].pop("segments"),
        lambda r: r["files"][0]["segments_detail"][0].update(checks=[{"term": 1}]),
        lambda r: r["files"][0]["segments_detail"][0].update(id={"x": 1}),
        lambda r: r["files"][0]["segments_detail"][0]["checks"][0].update(required="Beijing"),
        lambda r: r.update(files={"a": 1}),
        lambda r: r.update(totals=[1]),
        lambda r: r["totals"].update(success_rate="high"),
    ],
)
def test_wrong_shapes_are_one_line_errors(change) -> None:  # type: ignore[no-untyped-def]
    report = build_report([annotate(doc())])
    change(report)
    with pytest.raises(
        FormatError, match=r"^qa\.json: not a transkit report of the expected shape"
    ):
        load_report(json.dumps(report), "qa.json")


@fuzz_settings()
@given(st.data())
def test_fuzz_report_structure(data) -> None:  # type: ignore[no-untyped-def]
    """Replace any one value in a real report by any JSON value."""
    report = build_report([annotate(doc())])
    node: dict | list = report
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, (dict, list)) or not child or data.draw(st.booleans()):
            break
        node = child
    node[key] = data.draw(_JSON)
    _render(json.dumps(report))


@fuzz_settings()
@given(mutated([json.dumps(build_report([annotate(doc())])).encode()]))
def test_fuzz_report_bytes(data: bytes) -> None:
    _render(data.decode("utf-8", "replace"))
