"""XLIFF 1.2 / 2.1: schema validity, CAT-tool readability, round trips, re-saved files."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree
from translate.storage import xliff as tt_xliff
from translate.storage import xliff2 as tt_xliff2

from conftest import FAILED_CONCEPT, FORMATS_DATA, SAMPLE_GLOSSARY
from strategies import documents
from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.errors import FormatError
from transkit.formats.xliff import (
    XLIFF2_NS,
    XLIFF12_NS,
    find_source_terms,
    find_target_terms,
    read_xliff,
    state_from_2,
    state_from_12,
    write_xliff,
    xliff_bytes,
)

VERSIONS = ("1.2", "2.1")
NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
NS = {
    "x1": XLIFF12_NS,
    "x2": XLIFF2_NS,
    "mtc": "urn:oasis:names:tc:xliff:matches:2.0",
    "gls": "urn:oasis:names:tc:xliff:glossary:2.0",
}


def _write(tmp_path: Path, docs: list[Document], version: str, name: str = "x.de-en.xlf") -> Path:
    path = tmp_path / name
    write_xliff(docs, path, version=version, now=NOW)
    return path


def _tt_store(path: Path):
    data = path.read_bytes()
    cls = tt_xliff2.Xliff2File if b"xliff:document:2.0" in data else tt_xliff.xlifffile
    return cls.parsestring(data)


# --------------------------------------------------------------------------
# The sample document: validity and what CAT tools read


@pytest.mark.parametrize("version", VERSIONS)
def test_sample_validates_against_schema(tmp_path, sample_document, version, xmlcheck):
    kind = xmlcheck(_write(tmp_path, [sample_document], version))
    assert kind in (f"xliff-{version}", "structure")


@pytest.mark.parametrize("version", VERSIONS)
def test_translate_toolkit_reads_same_units_and_text(tmp_path, sample_document, version):
    store = _tt_store(_write(tmp_path, [sample_document], version))
    segments = sample_document.segments
    assert len(store.units) == len(segments) > 5
    assert [u.source for u in store.units] == [s.source for s in segments]
    assert [u.target for u in store.units] == [s.target for s in segments]


@pytest.mark.parametrize("version", VERSIONS)
def test_round_trip_keeps_document_states_and_origin(tmp_path, sample_document, version):
    (back,) = read_xliff(_write(tmp_path, [sample_document], version))
    assert back.source_text == sample_document.source_text
    assert back.target_text == sample_document.target_text
    assert back.name == sample_document.name
    assert (back.source_lang, back.target_lang) == ("de", "en")
    for got, want in zip(back.segments, sample_document.segments, strict=True):
        assert (got.id, got.leading, got.state, got.origin, got.notes) == (
            want.id,
            want.leading,
            want.state,
            want.origin,
            want.notes,
        )


def test_xliff12_marks_mt_terms_and_failed_checks(tmp_path, sample_document):
    root = etree.parse(str(_write(tmp_path, [sample_document], "1.2"))).getroot()
    file_el = root.find("x1:file", NS)
    assert file_el.get("source-language") == "de" and file_el.get("target-language") == "en"
    assert file_el.get("datatype") == "plaintext" and file_el.get("original") == "000_seed.txt"
    assert root.find(".//x1:header/x1:tool", NS).get("tool-version")
    units = root.findall(".//x1:trans-unit", NS)
    assert len(units) == len(sample_document.segments)
    for unit, seg in zip(units, sample_document.segments, strict=True):
        target = unit.find("x1:target", NS)
        assert target.get("state") == "needs-review-translation"
        assert target.get("state-qualifier") == "leveraged-mt"
        assert unit.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
        source_terms = ["".join(m.itertext()) for m in unit.findall("x1:source/x1:mrk", NS)]
        assert source_terms == [t.found for t in find_source_terms(seg.source, seg.terms)]
        target_terms = ["".join(m.itertext()) for m in unit.findall("x1:target/x1:mrk", NS)]
        assert sorted(target_terms) == sorted(c.found for c in seg.checks if c.satisfied)
        notes = {n.get("from"): n for n in unit.findall("x1:note", NS)}
        failed = [c for c in seg.checks if not c.satisfied]
        assert ("transkit-term-check" in notes) == bool(failed)
        if failed:
            assert notes["transkit-term-check"].get("priority") == "1"
            assert failed[0].term in notes["transkit-term-check"].text
        if seg.terms:
            assert all(t.term in notes["transkit-glossary"].text for t in seg.terms)
        alt = unit.find("x1:alt-trans", NS)
        assert alt.get("origin") == seg.origin
        assert "".join(alt.find("x1:target", NS).itertext()) == seg.target


def test_xliff12_failed_term_note_reaches_translate_toolkit(tmp_path, sample_document):
    store = _tt_store(_write(tmp_path, [sample_document], "1.2"))
    german = SAMPLE_GLOSSARY[FAILED_CONCEPT][0]
    for unit, seg in zip(store.units, sample_document.segments, strict=True):
        assert ("Term check failed" in unit.getnotes()) == (german in seg.source)
        assert unit.isfuzzy()  # MT is not approved


def test_xliff21_modules_matches_and_glossary(tmp_path, sample_document):
    root = etree.parse(str(_write(tmp_path, [sample_document], "2.1"))).getroot()
    assert root.get("version") == "2.1"
    segments = root.findall(".//x2:segment", NS)
    assert len(segments) == len(sample_document.segments)
    by_id = {s.id: s for s in sample_document.segments}
    for segment in segments:
        seg = by_id[segment.get("id")]
        assert (segment.get("state"), segment.get("subState")) == ("translated", "transkit:mt")
        unit = segment.getparent()
        match = unit.find(f"mtc:matches/mtc:match[@ref='#{seg.id}']", NS)
        assert match.get("type") == "mt" and match.get("origin") == seg.origin
        mrks = segment.findall("x2:source/x2:mrk", NS)
        assert [m.get("type") for m in mrks] == ["term"] * len(mrks)
        for mrk in mrks:
            entry = unit.find(f"gls:glossary/gls:glossEntry[@ref='#{mrk.get('id')}']", NS)
            assert entry is not None
            assert entry.find("gls:term", NS).text in {g for g, _ in SAMPLE_GLOSSARY.values()}
        # modules come before the first <segment> of the unit
        kids = [etree.QName(c).localname for c in unit]
        first = min(kids.index(k) for k in ("segment", "ignorable") if k in kids)
        assert all(k not in ("matches", "glossary", "notes") for k in kids[first:])


def test_paragraphs_become_units_and_groups(tmp_path, sample_document):
    paragraphs = 1 + sum(s.paragraph_break for s in sample_document.segments[1:])
    root2 = etree.parse(str(_write(tmp_path, [sample_document], "2.1"))).getroot()
    assert len(root2.findall(".//x2:unit", NS)) == paragraphs
    root1 = etree.parse(str(_write(tmp_path, [sample_document], "1.2", "b.xlf"))).getroot()
    assert len(root1.findall(".//x1:group", NS)) == paragraphs


# --------------------------------------------------------------------------
# Pure helpers

_CHECK = TermCheck("c1", "Peking", ("Beijing",), True)


@pytest.mark.parametrize(
    ("target", "checks", "spans"),
    [
        ("From Beijing.", [_CHECK], [(5, 12)]),
        ("from BEIJING.", [_CHECK], [(5, 12)]),
        ("Beijingers in Beijing", [_CHECK], [(14, 21)]),  # whole word preferred
        ("Beijingers", [_CHECK], [(0, 7)]),  # else any hit
        ("Peking.", [_CHECK], []),
        ("From Beijing.", [dataclasses.replace(_CHECK, satisfied=False)], []),
        (
            "Beijing and Beijing",
            [_CHECK, dataclasses.replace(_CHECK, concept_id="c2")],
            [(0, 7), (12, 19)],
        ),
        (
            "the US and the United States",
            [TermCheck("c", "USA", ("United States",), True, found="US")],
            [(4, 6)],
        ),
    ],
)
def test_find_target_terms(target, checks, spans):
    assert [(s, e) for s, e, _ in find_target_terms(target, checks)] == spans


def test_find_source_terms_repairs_offsets_and_drops_overlaps():
    source = "Die Vereinigten Staaten und Peking"
    terms = [
        TermMatch("a", "Staaten", "Staaten", 16, 23),
        TermMatch("b", "Vereinigte Staaten", "Vereinigten Staaten", 4, 23),
        TermMatch("c", "Peking", "Peking", 0, 6),  # wrong offsets: found by text
        TermMatch("d", "Nichts", "Nichts", 90, 96),
    ]
    got = find_source_terms(source, terms)
    assert [(t.concept_id, source[t.start : t.end]) for t in got] == [
        ("b", "Vereinigten Staaten"),
        ("c", "Peking"),
    ]


@pytest.mark.parametrize(
    ("state", "qualifier", "approved", "target", "mt", "expected"),
    [
        (None, None, None, None, None, "new"),
        ("new", None, None, "", None, "new"),
        ("needs-review-translation", "leveraged-mt", None, "x", "x", "mt"),
        ("needs-translation", None, None, "x", None, "mt"),
        ("translated", None, None, "x", "x", "translated"),
        ("signed-off", None, None, "x", None, "reviewed"),
        ("final", None, None, "x", None, "final"),
        ("needs-review-translation", None, "yes", "x", None, "translated"),
        ("translated", None, "no", "x", None, "mt"),
        (None, None, None, "edited", "mt text", "translated"),
        (None, None, None, "mt text", "mt text", "mt"),
        ("x-custom", None, None, "x", None, "mt"),
        # transkit's MT state left stale by a tool that edits without touching states
        ("needs-review-translation", "leveraged-mt", None, "edited", "mt text", "translated"),
        ("needs-translation", None, None, "edited", "mt text", "mt"),
    ],
)
def test_state_from_12(state, qualifier, approved, target, mt, expected):
    assert state_from_12(state, qualifier, approved, target, mt) == expected


@pytest.mark.parametrize(
    ("state", "substate", "target", "mt", "expected"),
    [
        ("initial", None, None, None, "new"),
        (None, None, "x", None, "mt"),
        ("initial", None, "", None, "new"),
        ("translated", "transkit:mt", "x", "x", "mt"),
        ("translated", "transkit:mt", "edited", "x", "translated"),  # stale subState
        ("translated", None, "x", None, "translated"),
        ("reviewed", None, "x", None, "reviewed"),
        ("final", "transkit:mt", "x", "x", "final"),
    ],
)
def test_state_from_2(state, substate, target, mt, expected):
    assert state_from_2(state, substate, target, mt) == expected


# --------------------------------------------------------------------------
# Edge cases


@pytest.mark.parametrize("version", VERSIONS)
def test_control_characters_round_trip_as_inline_codes(tmp_path, version, xmlcheck):
    doc = Document(
        "c.txt",
        (
            Segment("1", "A\x01B\x1f", "C\x0bD\ufffe", state="translated"),
            Segment("2", "E", None, leading="\x0c\n"),
        ),
        trailing="\x02",
    )
    path = _write(tmp_path, [doc], version)
    xmlcheck(path)
    (back,) = read_xliff(path)
    assert (back.source_text, back.target_text) == (doc.source_text, doc.target_text)


@pytest.mark.parametrize("version", VERSIONS)
def test_lone_surrogate_is_refused(version):
    doc = Document("s.txt", (Segment("1", "A\ud800"),))
    with pytest.raises(FormatError, match="surrogate"):
        xliff_bytes([doc], version=version)


@pytest.mark.parametrize("version", VERSIONS)
def test_empty_document_and_several_files(tmp_path, version, xmlcheck):
    docs = [
        Document("empty.txt", (), trailing="\n\n"),
        Document("b.txt", (Segment("1", "Satz.", "Sentence.", state="final"),), trailing="\n"),
    ]
    path = _write(tmp_path, docs, version)
    xmlcheck(path)
    back = read_xliff(path)
    assert [d.name for d in back] == ["empty.txt", "b.txt"]
    assert [d.target_text for d in back] == ["\n\n", "Sentence.\n"]


def test_xliff2_needs_one_language_pair():
    docs = [Document("a", target_lang="en"), Document("b", target_lang="fr")]
    with pytest.raises(FormatError, match="one language pair"):
        xliff_bytes(docs, version="2.1")


def test_unknown_version_is_refused(sample_document):
    with pytest.raises(FormatError, match="unsupported XLIFF version"):
        xliff_bytes([sample_document], version="1.1")


def test_xliff2_target_order_is_honoured(tmp_path):
    path = tmp_path / "o.xlf"
    path.write_text(
        f'<xliff xmlns="{XLIFF2_NS}" version="2.0" srcLang="de" trgLang="en">'
        '<file id="f"><unit id="u"><segment id="a" state="translated"><source>A.</source>'
        '<target order="3">Second.</target></segment><ignorable><source> </source></ignorable>'
        '<segment id="b" state="translated"><source>B.</source><target order="1">First.'
        "</target></segment></unit></file></xliff>",
        encoding="utf-8",
    )
    (doc,) = read_xliff(path)
    assert doc.target_text == "First. Second."


@pytest.mark.parametrize("name", ["okapi_resaved.xlf", "trados_resaved.xlf", "resaved_21.xlf"])
def test_reads_files_other_tools_resaved(name):
    (doc,) = read_xliff(FORMATS_DATA / name)
    expected = (FORMATS_DATA / name.replace(".xlf", ".expected.txt")).read_text("utf-8")
    assert doc.target_text == expected


def test_resaved_states_are_understood():
    okapi = read_xliff(FORMATS_DATA / "okapi_resaved.xlf")[0].segments
    assert [s.state for s in okapi] == ["translated", "mt", "new", "reviewed"]
    assert okapi[1].origin == "argos:translate-de_en 1.9"
    trados = read_xliff(FORMATS_DATA / "trados_resaved.xlf")[0].segments
    assert [s.state for s in trados] == ["final", "translated", "mt"]
    xlf21 = read_xliff(FORMATS_DATA / "resaved_21.xlf")[0].segments
    assert [s.state for s in xlf21] == ["translated", "mt", "new", "reviewed"]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ((FORMATS_DATA / "malformed.xlf").read_text("utf-8"), 7, "not well-formed"),
        ("<xliff version='1.2'>\n<file", 2, "not well-formed"),
        ("<html/>", 1, "not an XLIFF file"),
        ("", None, "empty file"),
    ],
)
def test_malformed_xliff_names_file_and_line(tmp_path, content, line, message):
    path = tmp_path / "bad.xlf"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message) as info:
        read_xliff(path)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert info.value.one_line().startswith(f"{path}:")


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="not found"):
        read_xliff(tmp_path / "none.xlf")


def test_write_is_atomic_on_error(tmp_path):
    path = tmp_path / "out.xlf"
    path.write_bytes(b"old")
    with pytest.raises(FormatError):
        write_xliff([Document("s", (Segment("1", "\ud800"),))], path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlf"]


# --------------------------------------------------------------------------
# Property: any document survives the round trip


@pytest.mark.parametrize("version", VERSIONS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents())
def test_property_round_trip(tmp_path, version, doc):
    path = tmp_path / f"p{version}.xlf"
    write_xliff([doc], path, version=version, now=NOW)
    (back,) = read_xliff(path)
    assert back.source_text == doc.source_text
    assert back.target_text == doc.target_text
    assert [s.state for s in back.segments] == [s.state for s in doc.segments]
    assert [s.target for s in back.segments] == [s.target for s in doc.segments]
