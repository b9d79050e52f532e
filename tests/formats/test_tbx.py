"""TBX export (TBX-Basic, validated) and import (TBX v3 and v2 files from other tools)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from transkit.data import TERM_STATUSES, GlossaryEntry
from transkit.errors import FormatError
from transkit.formats.tbx import TBX_NAMESPACE, read_tbx, tbx_bytes, write_tbx

DATA = Path(__file__).resolve().parents[1] / "data" / "glossary_io"
SHARED = Path(__file__).resolve().parents[3] / "shared"
XMLCHECK = SHARED / "tools" / "xmlcheck"
RNG = SHARED / "schemas" / "tbx" / "TBXcoreStructV03.rng"
NS = {"t": TBX_NAMESPACE}


def bare(entries):
    """Entries without provenance, for comparing with what was written."""
    return [dataclasses.replace(e, file="", line=0) for e in entries]


def check_structure(data: bytes) -> etree._Element:
    """Validate with the official RNG when present; always check the TBX-Basic shape."""
    root = etree.fromstring(data)
    if RNG.exists():
        schema = etree.RelaxNG(etree.parse(str(RNG)))
        assert schema.validate(root), schema.error_log
    assert root.tag == f"{{{TBX_NAMESPACE}}}tbx"
    assert (root.get("type"), root.get("style")) == ("TBX-Basic", "dca")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.find("t:tbxHeader/t:fileDesc/t:sourceDesc/t:p", NS) is not None
    for concept in root.iterfind(".//t:conceptEntry", NS):
        assert concept.get("id")
        assert [
            s.get("{http://www.w3.org/XML/1998/namespace}lang")
            for s in concept.iterfind("t:langSec", NS)
        ] == ["de", "en"]
    return root


SAMPLE = [
    GlossaryEntry("peking", "Peking", "Beijing", "preferred", "noun", domain="Politik"),
    GlossaryEntry(
        "peking",
        "Peking",
        "Peking",
        "forbidden",
        "noun",
        domain="Politik",
        note="Only in historical quotes.",
    ),
    GlossaryEntry("ek", "Exportkontrolle", "export control", "preferred", "noun"),
    GlossaryEntry("ek", "Exportkontrolle", "export restriction", "admitted", "noun"),
    GlossaryEntry("ek", "Exportkontrolle", "export check", "deprecated", "noun"),
    GlossaryEntry(
        "bt", "Bundestag", "Bundestag", "preferred", "properNoun", dnt=True, case_sensitive=True
    ),
    GlossaryEntry("3 words id", "Seltene Erden", "rare earths", "preferred", "adj"),
]


# ------------------------------------------------------------------ export
def test_export_validates_against_the_tbx_schema_and_has_tbx_basic_shape(tmp_path):
    path = tmp_path / "g.tbx"
    write_tbx(SAMPLE, path)
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<?xml-model ')
    root = check_structure(data)
    assert len(root.findall(".//t:conceptEntry", NS)) == 4  # one per concept id
    peking = root.find(".//t:conceptEntry[@id='peking']", NS)
    assert peking.findtext("t:descrip[@type='subjectField']", namespaces=NS) == "Politik"
    assert (
        len(
            peking.findall(
                "t:langSec[@{http://www.w3.org/XML/1998/namespace}lang='de']/t:termSec", NS
            )
        )
        == 1
    )


@pytest.mark.skipif(not XMLCHECK.exists(), reason="../shared/tools/xmlcheck not present")
def test_export_passes_shared_xmlcheck(tmp_path):
    path = tmp_path / "g.tbx"
    write_tbx(SAMPLE, path)
    run = subprocess.run(
        [sys.executable, str(XMLCHECK), str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("ok tbx")


@pytest.mark.parametrize(
    ("status", "admin_status", "meta"),
    [
        ("preferred", "preferredTerm-admn-sts", None),
        ("admitted", "admittedTerm-admn-sts", None),
        ("deprecated", "deprecatedTerm-admn-sts", None),
        ("forbidden", "deprecatedTerm-admn-sts", "transkit: status=forbidden"),
    ],
)
def test_status_mapping(status, admin_status, meta):
    root = etree.fromstring(tbx_bytes([GlossaryEntry("a", "A", "B", status)]))
    en = root.find(".//t:langSec[2]/t:termSec", NS)
    assert en.findtext("t:termNote[@type='administrativeStatus']", namespaces=NS) == admin_status
    assert en.findtext("t:note", namespaces=NS) == meta


@pytest.mark.parametrize(
    ("entry", "pos_value", "meta"),
    [
        (GlossaryEntry("a", "A", "B", pos="noun"), "noun", None),
        (GlossaryEntry("a", "A", "B", pos="adj"), "adjective", "transkit: pos=adj"),
        (GlossaryEntry("a", "A", "B", pos="properNoun"), "noun", "transkit: pos=properNoun"),
        (GlossaryEntry("a", "A", "B", pos="Partikel"), "other", "transkit: pos=Partikel"),
        (GlossaryEntry("a", "A", "A", dnt=True), None, "transkit: do-not-translate"),
        (GlossaryEntry("a", "A", "B", case_sensitive=True), None, "transkit: case-sensitive"),
    ],
)
def test_pos_dnt_and_case_are_carried_in_basic_categories_and_the_transkit_note(
    entry, pos_value, meta
):
    root = etree.fromstring(tbx_bytes([entry]))
    check_structure(etree.tostring(root))
    en = root.find(".//t:langSec[2]/t:termSec", NS)
    assert en.findtext("t:termNote[@type='partOfSpeech']", namespaces=NS) == pos_value
    assert en.findtext("t:note", namespaces=NS) == meta


def test_ids_that_are_not_xml_ids_are_replaced_and_kept(tmp_path):
    entries = [GlossaryEntry("1 a", "A", "X"), GlossaryEntry("c-1-a", "B", "Y")]
    root = check_structure(tbx_bytes(entries))
    ids = [c.get("id") for c in root.iterfind(".//t:conceptEntry", NS)]
    assert len(set(ids)) == 2 and "1 a" not in ids
    path = tmp_path / "g.tbx"
    write_tbx(entries, path)
    assert [e.id for e in read_tbx(path)] == ["1 a", "c-1-a"]


def test_empty_glossary_is_valid_tbx():
    root = check_structure(tbx_bytes([]))
    assert root.find(".//t:body", NS) is None


def test_text_xml_cannot_carry_is_a_format_error_naming_the_entry():
    with pytest.raises(FormatError, match=r"g\.tsv:7: .*XML"):
        tbx_bytes([GlossaryEntry("a", "A\x01", "B", file="g.tsv", line=7)])


@pytest.mark.parametrize("blank", ["", " ", "\t\n"])
def test_blank_term_is_a_format_error_naming_the_entry(blank):
    with pytest.raises(FormatError, match=r"g\.tsv:3: .*English term is blank"):
        tbx_bytes([GlossaryEntry("a", "Peking", blank, file="g.tsv", line=3)])


# ------------------------------------------------------------- round trip
_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from(["\t", "\n", "\r", " "]),
    min_size=1,
    max_size=12,
)
#: Terms: any text a TBX <term> can hold, but never blank (no tool accepts that).
_term = _text.filter(str.strip)
_pos = st.sampled_from(["", "noun", "verb", "adjective", "adj", "properNoun", "other"])


@st.composite
def glossaries(draw):
    """Glossaries in the order read_tbx returns: by concept, then English term."""
    entries = []
    ids = draw(st.lists(st.text(min_size=1, max_size=8), min_size=0, max_size=4, unique=True))
    for concept_id in ids:
        de_terms = draw(st.lists(_term, min_size=1, max_size=3, unique=True))
        domain = draw(st.sampled_from(["", "Politik", "Wirtschaft & Recht"]))
        seen = set()
        for _ in range(draw(st.integers(1, 3))):
            en = draw(_term)
            status = draw(st.sampled_from(TERM_STATUSES))
            if (en, status) in seen:
                continue
            seen.add((en, status))
            pos, dnt, cs = draw(_pos), draw(st.booleans()), draw(st.booleans())
            note = draw(st.sampled_from(["", "transkit: de=1", "plain"]) | _text)
            row_domain = draw(st.sampled_from([domain, domain, "Technik"]))
            # The first English term pairs with every German one, fixing their order.
            subset = (
                draw(st.lists(st.sampled_from(de_terms), min_size=1, unique=True))
                if seen - {(en, status)}
                else de_terms
            )
            for de in [d for d in de_terms if d in subset]:
                entries.append(
                    GlossaryEntry(concept_id, de, en, status, pos, dnt, cs, row_domain, note)
                )
    return entries


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(glossaries())
def test_round_trip_is_lossless(tmp_path, entries):
    path = tmp_path / "g.tbx"
    write_tbx(entries, path)
    check_structure(path.read_bytes())
    back = read_tbx(path)
    assert bare(back) == entries
    assert all(e.file == str(path) and e.line > 0 for e in back)


def test_rows_come_back_grouped_by_concept_then_english_term(tmp_path):
    a1 = GlossaryEntry("a", "A", "X")
    b1 = GlossaryEntry("b", "B", "Y")
    a2 = GlossaryEntry("a", "A2", "X")
    path = tmp_path / "g.tbx"
    write_tbx([a1, b1, a2], path)
    assert bare(read_tbx(path)) == [a1, a2, b1]


# ----------------------------------------------------------------- import
def test_multiterm_tbx_v2_export():
    problems: list[str] = []
    rows = read_tbx(DATA / "multiterm_v2.tbx", problems=problems)
    definition = "Definition: Rules that restrict the export of goods."
    assert [(r.id, r.de, r.en, r.status, r.pos, r.domain, r.note) for r in rows] == [
        (
            "_1",
            "Exportkontrolle",
            "export control",
            "preferred",
            "noun",
            "Wirtschaft",
            "Used in EU regulations.; " + definition,
        ),
        ("_1", "Exportkontrolle", "export restriction", "admitted", "", "Wirtschaft", definition),
        ("_2", "Peking", "Beijing", "preferred", "", "", ""),
        ("_2", "Peking", "Peking", "deprecated", "", "", ""),
    ]
    assert rows[0].line == 30 and rows[0].file.endswith("multiterm_v2.tbx")
    assert len(problems) == 1 and "_3" in problems[0] and "no en term" in problems[0]


def test_memoq_tbx_v2_export_with_ntig_and_three_letter_codes():
    rows = read_tbx(DATA / "memoq_v2.tbx")
    assert [(r.id, r.de, r.en, r.status, r.note, r.dnt) for r in rows] == [
        ("vereinigte-staaten", "Vereinigte Staaten", "United States", "preferred", "", False),
        ("vereinigte-staaten", "USA", "United States", "preferred", "", False),
        ("vereinigte-staaten", "Vereinigte Staaten", "America", "deprecated", "too vague", False),
        ("vereinigte-staaten", "USA", "America", "deprecated", "too vague", False),
        ("dnt-1", "Bundestag", "Bundestag", "preferred", "", True),
    ]
    assert {r.domain for r in rows[:4]} == {"Politik"}


def test_foreign_tbx_basic_v3_whitespace_is_normalised():
    (row,) = read_tbx(DATA / "basic_v3_foreign.tbx")
    assert (row.id, row.de, row.en, row.status, row.domain, row.note) == (
        "c7",
        "Windkraftanlage",
        "wind turbine",
        "preferred",
        "Energie",
        'Not "windmill".',
    )


def test_other_language_pairs_can_be_chosen():
    rows = read_tbx(DATA / "memoq_v2.tbx", source_lang="fr", target_lang="en")
    assert {r.de for r in rows} == {"États-Unis"}


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("<tbx>\n<text>\n</tbx>", 3, "not well-formed"),
        ("<?xml version='1.0'?>\n<glossary/>", 2, "not a TBX file"),
        (
            "<martif>\n<text><body>\n<termEntry><langSet xml:lang='de'><tig>\n<term> </term>"
            "</tig></langSet></termEntry></body></text></martif>",
            4,
            "empty <term>",
        ),
        (
            "<martif><text><body>\n<termEntry><langSet xml:lang='de'>\n<ntig/></langSet>"
            "</termEntry></body></text></martif>",
            3,
            "without <termGrp>",
        ),
        ("<martif><text><body>\n<conceptEntry/></body></text></martif>", 2, "TBX v2"),
    ],
)
def test_malformed_files_name_file_and_line(tmp_path, content, line, message):
    path = tmp_path / "bad.tbx"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message) as info:
        read_tbx(path)
    assert info.value.file == str(path)
    assert info.value.line == line


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot read"):
        read_tbx(tmp_path / "none.tbx")
