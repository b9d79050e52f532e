"""TMX 1.4b: schema validity, translate-toolkit, props, adding to a memory."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from translate.storage import tmx as tt_tmx

from conftest import FAILED_CONCEPT, FORMATS_DATA, SAMPLE_GLOSSARY
from transkit.data import Document, Segment
from transkit.errors import FormatError
from transkit.formats.tmx import add_to_tmx, lang_matches, read_tmx, tmx_bytes, write_tmx

NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def _approved(*pairs: tuple[str, str], state: str = "translated") -> list[Segment]:
    return [Segment(str(n), s, t, state=state) for n, (s, t) in enumerate(pairs, 1)]


def test_sample_validates_and_has_header(tmp_path, sample_document, xmlcheck):
    path = tmp_path / "x.de-en.tmx"
    write_tmx([sample_document], path, now=NOW, tool_version="9.9")
    assert xmlcheck(path) in ("tmx-1.4", "structure")
    header = etree.parse(str(path)).getroot().find("header")
    assert dict(header.attrib) == {
        "creationtool": "transkit",
        "creationtoolversion": "9.9",
        "segtype": "sentence",
        "o-tmf": "transkit",
        "adminlang": "en",
        "srclang": "de",
        "datatype": "plaintext",
        "creationdate": "20250304T050607Z",
    }


def test_translate_toolkit_reads_same_units(tmp_path, sample_document):
    path = tmp_path / "x.tmx"
    write_tmx([sample_document], path, now=NOW)
    store = tt_tmx.tmxfile.parsestring(path.read_bytes())
    segments = sample_document.segments
    assert len(store.units) == len(segments)
    assert [u.source for u in store.units] == [s.source for s in segments]
    assert [u.target for u in store.units] == [s.target for s in segments]


def test_units_carry_origin_document_and_term_check(tmp_path, sample_document):
    path = tmp_path / "x.tmx"
    write_tmx([sample_document], path, now=NOW)
    units = read_tmx(path)
    assert len(units) == len(sample_document.segments)
    german = SAMPLE_GLOSSARY[FAILED_CONCEPT][0]
    for unit, seg in zip(units, sample_document.segments, strict=True):
        assert (unit.source, unit.target) == (seg.source, seg.target)
        assert (unit.source_lang, unit.target_lang) == ("de", "en")
        assert unit.prop("x-origin") == seg.origin
        assert unit.prop("x-document") == "000_seed.txt"
        assert unit.prop("x-state") == "mt"
        assert re.fullmatch(r"\d{8}T\d{6}Z", unit.creationdate)
        if seg.checks:
            expected = f"failed: {german}" if german in seg.source else "passed"
            assert unit.prop("x-term-check") == expected
        else:
            assert unit.prop("x-term-check") is None


def test_untranslated_segments_are_left_out_and_bare_segments_need_languages():
    segs = [Segment("1", "Ja.", "Yes.", state="final"), Segment("2", "Nein.")]
    root = etree.fromstring(tmx_bytes(segs, source_lang="de", target_lang="en", now=NOW))
    assert len(root.findall(".//tu")) == 1
    with pytest.raises(FormatError, match="languages"):
        tmx_bytes(segs)


def test_control_characters_round_trip(tmp_path, xmlcheck):
    path = tmp_path / "c.tmx"
    write_tmx(_approved(("A\x01", "B\x1f\ufffe")), path, source_lang="de", target_lang="en")
    xmlcheck(path)
    (unit,) = read_tmx(path)
    assert (unit.source, unit.target) == ("A\x01", "B\x1f\ufffe")


def test_add_creates_memory_with_approved_only(tmp_path, xmlcheck):
    path = tmp_path / "tm.tmx"
    segs = _approved(("Ja.", "Yes."), ("Nein.", "No."))
    segs.append(Segment("3", "Vielleicht.", "Maybe.", state="mt"))
    segs.append(Segment("4", "Leer.", "  ", state="final"))
    segs.append(Segment("5", "Gut.", "Good.", state="reviewed"))
    assert add_to_tmx(path, segs, source_lang="de", target_lang="en", now=NOW) == 3
    xmlcheck(path)
    assert [(u.source, u.target) for u in read_tmx(path)] == [
        ("Ja.", "Yes."),
        ("Nein.", "No."),
        ("Gut.", "Good."),
    ]
    # a second time: nothing new
    assert add_to_tmx(path, segs, source_lang="de", target_lang="en") == 0
    assert len(read_tmx(path)) == 3


def test_add_skips_duplicates_within_one_batch(tmp_path):
    path = tmp_path / "tm.tmx"
    segs = _approved(("Ja.", "Yes."), ("Ja.", "Yes."), ("Ja.", "Yeah."))
    assert add_to_tmx(path, segs, source_lang="de", target_lang="en") == 2


def test_add_keeps_another_tools_memory(tmp_path, xmlcheck):
    path = tmp_path / "omegat.tmx"
    original = (FORMATS_DATA / "omegat_memory.tmx").read_bytes()
    path.write_bytes(original)
    segs = _approved(
        ("Die Allianz wächst.", "The alliance is growing."), ("Peking reagiert.", "Beijing reacts.")
    )
    assert add_to_tmx(path, segs, source_lang="de", target_lang="en", now=NOW) == 1
    units = read_tmx(path)
    assert [(u.source, u.target, u.target_lang) for u in units] == [
        ("Die Allianz wächst.", "The alliance is growing.", "EN-GB"),
        ("Guten Tag.", "Bonjour.", "FR-FR"),
        ("Peking reagiert.", "Beijing reacts.", "EN-GB"),  # the memory's own tag
    ]
    text = path.read_text("utf-8")
    assert '<!DOCTYPE tmx SYSTEM "tmx11.dtd">' in text
    assert 'changeid="anna"' in text


@pytest.mark.parametrize("name", ["malformed.tmx", "not_tmx.tmx"])
def test_add_to_malformed_memory_fails_and_leaves_it(tmp_path, name):
    path = tmp_path / name
    data = (FORMATS_DATA / name).read_bytes() if (FORMATS_DATA / name).exists() else b"<tbx/>"
    path.write_bytes(data)
    with pytest.raises(FormatError) as info:
        add_to_tmx(path, _approved(("Ja.", "Yes.")), source_lang="de", target_lang="en")
    assert info.value.file == str(path) and info.value.line
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_malformed_tmx_error_names_line(tmp_path):
    with pytest.raises(FormatError, match="not well-formed") as info:
        read_tmx(FORMATS_DATA / "malformed.tmx")
    assert info.value.line == 6


def test_add_refuses_other_source_language(tmp_path):
    path = tmp_path / "tm.tmx"
    path.write_bytes(tmx_bytes(_approved(("Yes.", "Ja.")), source_lang="en", target_lang="de"))
    with pytest.raises(FormatError, match="source language is en"):
        add_to_tmx(path, _approved(("Ja.", "Yes.")), source_lang="de", target_lang="en")


def test_add_from_documents_records_document_name(tmp_path):
    path = tmp_path / "tm.tmx"
    doc = Document("a.txt", tuple(_approved(("Ja.", "Yes."))), metadata={"original": "a.txt"})
    add_to_tmx(path, [doc])
    assert read_tmx(path)[0].prop("x-document") == "a.txt"


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20).filter(
    str.strip
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=st.lists(st.tuples(_TEXT, _TEXT), max_size=6))
def test_property_tmx_round_trip(tmp_path, pairs):
    path = tmp_path / "p.tmx"
    write_tmx(_approved(*pairs), path, source_lang="de", target_lang="en")
    assert [(u.source, u.target) for u in read_tmx(path)] == pairs


def _memory(version: str, lang_attr: str, src: str, tgt: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-16"?>\n<tmx version="{version}">\n'
        f'  <header creationtool="X" creationtoolversion="1" segtype="sentence" o-tmf="x" '
        f'adminlang="en" srclang="{src}" datatype="plaintext"/>\n  <body>\n'
        f'    <tu><tuv {lang_attr}="{src}"><seg>Hallo.</seg></tuv>'
        f'<tuv {lang_attr}="{tgt}"><seg>Hello.</seg></tuv></tu>\n  </body>\n</tmx>\n'
    )


@pytest.mark.parametrize(
    ("version", "lang_attr", "codec", "bom"),
    [
        ("1.1", "lang", "utf-16-le", b"\xff\xfe"),
        ("1.4", "xml:lang", "utf-16-be", b"\xfe\xff"),
    ],
)
def test_add_appends_in_the_memory_own_conventions(tmp_path, version, lang_attr, codec, bom):
    path = tmp_path / "m.tmx"
    path.write_bytes(bom + _memory(version, lang_attr, "DE-DE", "EN-US").encode(codec))
    segs = _approved(("Peking reagiert.", "Beijing reacts."))
    assert add_to_tmx(path, segs, source_lang="de", target_lang="en", now=NOW) == 1
    data = path.read_bytes()
    assert data.startswith(bom)  # still UTF-16, same byte order
    text = data[len(bom) :].decode(codec)
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    other = "xml:lang" if lang_attr == "lang" else ' lang="'
    assert other not in text
    units = read_tmx(path)
    assert [(u.source_lang, u.target_lang) for u in units] == [("DE-DE", "EN-US")] * 2


def test_add_refuses_a_memory_in_another_source_language(tmp_path):
    path = tmp_path / "m.tmx"
    data = _memory("1.4", "xml:lang", "en-US", "fr").encode("utf-16")
    path.write_bytes(data)
    with pytest.raises(FormatError, match="source language is en-US, not de"):
        add_to_tmx(path, _approved(("A.", "B.")), source_lang="de", target_lang="en")
    assert path.read_bytes() == data


@pytest.mark.parametrize(
    ("tag", "wanted", "match"),
    [("de-DE", "de", True), ("DE", "de", True), ("de", "de-DE", False), ("de-AT", "de-DE", False)]
    + [("en_US", "en-us", True), ("fr", "*", True), ("deu", "de", False)],
)
def test_lang_matches_is_bcp47_basic_filtering(tag, wanted, match):
    assert lang_matches(tag, wanted) is match


_seg_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(str.strip)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    version_attr=st.sampled_from([("1.1", "lang"), ("1.4", "xml:lang")]),
    tags=st.sampled_from([("de", "en"), ("DE-DE", "EN-US"), ("de-at", "en-gb"), ("DE", "en_US")]),
    codec=st.sampled_from([("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe")])
    | st.just(("utf-16-be", b"\xfe\xff")),
    old=st.lists(st.tuples(_seg_text, _seg_text), max_size=3),
    new=st.lists(st.tuples(_seg_text, _seg_text), min_size=1, max_size=3),
)
def test_property_append_keeps_every_convention(tmp_path, version_attr, tags, codec, old, new):
    (version, attr), (src, tgt), (encoding, bom) = version_attr, tags, codec
    declared = "UTF-16" if encoding.startswith("utf-16") else "UTF-8"
    tus = "".join(
        f'<tu><tuv {attr}="{src}"><seg>{escape(s)}</seg></tuv>'
        f'<tuv {attr}="{tgt}"><seg>{escape(t)}</seg></tuv></tu>\n'
        for s, t in old
    )
    text = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<tmx version="{version}">\n'
        f'<header creationtool="X" creationtoolversion="1" segtype="sentence" o-tmf="x" '
        f'adminlang="en" srclang="{src}" datatype="plaintext"/>\n<body>\n{tus}</body>\n</tmx>\n'
    )
    path = tmp_path / "m.tmx"
    path.write_bytes(bom + text.encode(encoding))
    before = [(u.source, u.target, u.source_lang, u.target_lang) for u in read_tmx(path)]
    added = add_to_tmx(path, _approved(*new), source_lang="de", target_lang="en")
    data = path.read_bytes()
    assert data.startswith(bom) and data[len(bom) :].decode(encoding).startswith(
        f'<?xml version="1.0" encoding="{declared}"?>'
    )
    after = [(u.source, u.target, u.source_lang, u.target_lang) for u in read_tmx(path)]
    assert after[: len(before)] == before  # nothing of the memory changed
    fresh = list(dict.fromkeys(p for p in new if p not in old))
    assert added == len(fresh)
    # its own tags (an empty memory shows no target tag: then ours)
    assert after[len(before) :] == [(s, t, src, tgt if old else "en") for s, t in fresh]
    root = etree.fromstring(data)
    other = "lang" if attr == "xml:lang" else "{http://www.w3.org/XML/1998/namespace}lang"
    assert not [t for t in root.iter("tuv") if t.get(other)]


def test_a_latin1_memory_stays_latin1(tmp_path):
    path = tmp_path / "m.tmx"
    text = _memory("1.4", "xml:lang", "de", "en").replace(
        'encoding="UTF-16"', 'encoding="ISO-8859-1"'
    )
    path.write_bytes(text.replace("Hallo.", "Grüße.").encode("latin-1"))
    segs = _approved(("Peking — ein Name.", "Beijing — a name ✓."))
    assert add_to_tmx(path, segs, source_lang="de", target_lang="en") == 1
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert (
        "Grüße.".encode("latin-1") in data and b"&#10003;" in data
    )  # the check mark as a reference
    assert [u.target for u in read_tmx(path)] == ["Hello.", "Beijing — a name ✓."]
