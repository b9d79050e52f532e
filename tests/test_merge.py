"""The post-editing round trip: `transkit merge` on XLIFF a translator changed."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import FORMATS_DATA
from strategies import documents
from transkit.cli.merge import merge
from transkit.data import Document, Segment
from transkit.errors import FormatError, TranskitError
from transkit.formats.tmx import read_tmx
from transkit.formats.xliff import XLIFF2_NS, XLIFF12_NS, write_xliff
from transkit.merge import default_output, merge_xliff

pytestmark = pytest.mark.usefixtures("scratch_cwd")  # merge feeds ./tm/

VERSIONS = ("1.2", "2.1")
NOW = datetime(2025, 3, 4, tzinfo=UTC)


def post_edit(path: Path, edits: dict[int, tuple[str, str | None]]) -> None:
    """Play the translator: replace target ``n`` (0-based) and set its state, as a tool would.

    The state is XLIFF's own value; None leaves the MT state as it was.
    """
    tree = etree.parse(str(path))
    root = tree.getroot()
    v2 = etree.QName(root).namespace == XLIFF2_NS
    ns = XLIFF2_NS if v2 else XLIFF12_NS
    units = root.findall(f".//{{{ns}}}segment" if v2 else f".//{{{ns}}}trans-unit")
    for index, (text, state) in edits.items():
        unit = units[index]
        target = unit.find(f"{{{ns}}}target")
        if target is None:
            target = etree.Element(f"{{{ns}}}target")
            unit.find(f"{{{ns}}}source").addnext(target)
        for child in list(target):
            target.remove(child)
        target.text = text
        if state is not None:
            holder = unit if v2 else target
            holder.set("state", state)
            for attr in ("subState", "state-qualifier", "phase-name"):
                holder.attrib.pop(attr, None)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def xlf(tmp_path, sample_document, request) -> Path:
    path = tmp_path / "x.de-en.xlf"
    write_xliff([sample_document], path, version=request.param, now=NOW)
    return path


@pytest.mark.parametrize("xlf", VERSIONS, indirect=True)
def test_untouched_xliff_merges_to_mt_document(xlf, sample_document):
    result = merge_xliff(xlf)
    out = xlf.with_name("x.en.txt")
    assert result.documents[0].output == out
    assert out.read_text("utf-8") == sample_document.target_text
    assert (result.approved, result.mt, result.untranslated) == (
        0,
        len(sample_document.segments),
        0,
    )


# A draft: an edited target under transkit's stale MT state counts as
# translated (OmegaT 3.6 never updates states), so a tool marks a draft
# explicitly: "needs-translation" in 1.2, "initial" in 2.1.
@pytest.mark.parametrize(
    ("xlf", "approved"),
    [
        ("1.2", ("translated", "signed-off", "final", "needs-translation")),
        ("2.1", ("translated", "reviewed", "final", "initial")),
    ],
    indirect=["xlf"],
)
def test_cli_merges_post_edited_targets_and_feeds_memory(
    xlf, sample_document, approved, monkeypatch
):
    monkeypatch.chdir(xlf.parent)  # merge also feeds ./tm/: keep it out of the repository
    post_edit(
        xlf,
        {
            0: ("Edited headline", approved[0]),
            1: ("Edited one.", approved[1]),
            2: ("Edited two.", approved[2]),
            3: ("Draft three.", approved[3]),
        },
    )
    tm = xlf.with_name("tm.tmx")
    runner = CliRunner()
    result = runner.invoke(
        merge, [str(xlf), "--out", str(xlf.with_name("y.txt")), "--tmx", str(tm)]
    )
    assert result.exit_code == 0, result.output
    segments = sample_document.segments
    targets = ["Edited headline", "Edited one.", "Edited two.", "Draft three."]
    targets += [s.target for s in segments[4:]]
    expected = "".join(s.leading + t for s, t in zip(segments, targets, strict=True))
    assert xlf.with_name("y.txt").read_text("utf-8") == expected + sample_document.trailing
    n = len(segments)
    assert f"{n} segments, 3 approved, {n - 3} still MT, 0 untranslated" in result.output
    assert "3 approved segments added" in result.output
    assert [(u.source, u.target) for u in read_tmx(tm)] == [
        (s.source, t) for s, t in zip(segments[:3], targets[:3], strict=True)
    ]
    # merging again adds nothing: no duplicates in the memory
    again = runner.invoke(merge, [str(xlf), "--out", str(xlf.with_name("y.txt")), "--tmx", str(tm)])
    assert again.exit_code == 0 and "0 approved segments added" in again.output
    assert len(read_tmx(tm)) == 3


@pytest.mark.parametrize("name", ["okapi_resaved.xlf", "trados_resaved.xlf", "resaved_21.xlf"])
def test_merge_files_other_tools_resaved(tmp_path, name):
    xlf = tmp_path / name
    shutil.copy(FORMATS_DATA / name, xlf)
    result = merge_xliff(xlf, out=tmp_path / "out.txt", tmx=tmp_path / "tm.tmx")
    expected = (FORMATS_DATA / name.replace(".xlf", ".expected.txt")).read_text("utf-8")
    assert (tmp_path / "out.txt").read_text("utf-8") == expected
    assert result.tmx_added == result.approved > 0


@pytest.mark.parametrize("name", ["malformed.xlf", "malformed.tmx"])
def test_malformed_input_gives_one_line_error_and_no_output(tmp_path, sample_document, name):
    xlf = tmp_path / "x.de-en.xlf"
    tm = tmp_path / "tm.tmx"
    if name == "malformed.xlf":
        shutil.copy(FORMATS_DATA / name, xlf)
    else:
        write_xliff([sample_document], xlf, now=NOW)
        post_edit(xlf, {0: ("Edited.", "final")})
        shutil.copy(FORMATS_DATA / name, tm)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(merge, [str(xlf), "--tmx", str(tm)])
    assert result.exit_code == 1
    bad = xlf if name == "malformed.xlf" else tm
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"transkit: error: {bad}:")
    assert "not well-formed" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def _two_files(tmp_path: Path) -> Path:
    docs = [
        Document("a.txt", (Segment("1", "Eins.", "One.", state="final"),), trailing="\n"),
        Document(
            "dir/b.txt",
            (Segment("1", "Zwei.", "Two.", state="mt"),),
            trailing="\n",
            metadata={"original": "../dir/b.txt"},
        ),
    ]
    path = tmp_path / "both.de-en.xlf"
    write_xliff(docs, path, version="2.1")
    return path


def test_several_files_are_written_next_to_the_xliff(tmp_path):
    result = merge_xliff(_two_files(tmp_path))
    assert [d.output.name for d in result.documents] == ["a.en.txt", "b.en.txt"]
    assert (tmp_path / "a.en.txt").read_text("utf-8") == "One.\n"
    assert (tmp_path / "b.en.txt").read_text("utf-8") == "Two.\n"


def test_several_files_with_out_is_an_error(tmp_path):
    path = _two_files(tmp_path)
    result = CliRunner().invoke(merge, [str(path), "--out", str(tmp_path / "o.txt")])
    assert result.exit_code == 1 and "--out takes exactly one" in result.output
    assert not (tmp_path / "o.txt").exists()


def test_missing_xliff_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(merge, [str(tmp_path / "none.xlf")])
    assert result.exit_code == 1 and "XLIFF file not found" in result.output


def test_refuses_to_overwrite_the_xliff(tmp_path, sample_document):
    path = tmp_path / "x.xlf"
    write_xliff([sample_document], path)
    with pytest.raises(TranskitError, match="refusing to overwrite"):
        merge_xliff(path, out=path)


def test_memory_needs_languages(tmp_path):
    path = tmp_path / "x.xlf"
    path.write_text(
        f'<xliff xmlns="{XLIFF12_NS}" version="1.2"><file original="a" '
        'source-language="de" datatype="plaintext"><body><trans-unit id="1">'
        "<source>A</source><target state='final'>B</target></trans-unit>"
        "</body></file></xliff>",
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match="languages unknown"):
        merge_xliff(path, tmx=tmp_path / "tm.tmx")
    assert not (tmp_path / "x.target.txt").exists()


@pytest.mark.parametrize(
    ("name", "lang", "expected"),
    [
        ("x.de-en.xlf", "en", "x.en.txt"),
        ("x.xlf", "en", "x.en.txt"),
        ("report.final.de-DE-en-US.xliff", "en-US", "report.final.en-US.txt"),
        ("y.sdlxliff", "en", "y.en.txt"),
        ("noext", "en", "noext.en.txt"),
    ],
)
def test_default_output(name, lang, expected):
    assert default_output(Path("d") / name, lang) == Path("d") / expected


@pytest.mark.parametrize("version", VERSIONS)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents(), data=st.data())
def test_property_merge(tmp_path, version, doc, data):
    path = tmp_path / "p.de-en.xlf"
    write_xliff([doc], path, version=version)
    merge_xliff(path)
    # as in a CAT tool, a missing or empty target keeps the source
    kept = "".join(
        s.leading
        + (
            s.source
            if s.target is None or (s.source.strip() and not s.target.strip())
            else s.target
        )
        for s in doc.segments
    )
    assert path.with_name("p.en.txt").read_bytes().decode("utf-8") == kept + doc.trailing
    # a translator replaces every target: the document is those targets, in order
    printable = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=15)
    new = [data.draw(printable) for _ in doc.segments]
    post_edit(path, {i: (t, "final") for i, t in enumerate(new)})
    merge_xliff(path, out=tmp_path / "edited.txt")
    expected = "".join(
        s.leading + (t if t.strip() or not s.source.strip() else s.source)
        for s, t in zip(doc.segments, new, strict=True)
    )
    assert (tmp_path / "edited.txt").read_bytes().decode("utf-8") == expected + doc.trailing


# --------------------------------------------------------------------------
# Nothing lost: what a CAT tool keeps, what merge refuses, what it reports


def _xliff12(tmp_path: Path, units: str, *, langs=("de", "en"), head="", name="t.xlf") -> Path:
    path = tmp_path / name
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head}'
        f'<xliff xmlns="{XLIFF12_NS}" version="1.2"><file original="t.txt" '
        f'source-language="{langs[0]}" target-language="{langs[1]}" datatype="plaintext">'
        f"<body>{units}</body></file></xliff>",
        encoding="utf-8",
    )
    return path


def _tu(uid: str, source: str, target: str | None = None, attrs: str = "", tattrs: str = "") -> str:
    tgt = "" if target is None else f"<target{tattrs}>{target}</target>"
    return f'<trans-unit id="{uid}"{attrs}><source>{source}</source>{tgt}</trans-unit>'


def test_units_without_a_usable_target_keep_their_source(tmp_path):
    path = _xliff12(
        tmp_path,
        _tu("1", "Eins.", "One.", tattrs=' state="final"')
        + _tu("2", "Zwei.", "")
        + _tu("3", "Drei.", "   ", tattrs=' state="needs-translation"')
        + _tu("4", "Vier.")
        + _tu("5", "ACME", "Akme", attrs=' translate="no"')
        + _tu("6", "Sechs.", '<ph id="1">{1}</ph>'),
    )
    result = CliRunner().invoke(merge, [str(path), "--out", str(tmp_path / "o.txt")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o.txt").read_text("utf-8") == "One. Zwei. Drei. Vier. ACME Sechs.\n"
    assert "6 segments, 1 approved, 0 still MT, 5 untranslated" in result.stdout
    assert "(source kept: 1 no target, 3 empty target, 1 translate=no)" in result.stdout
    for uid, reason in [("2", "empty target"), ("4", "no target"), ("5", "translate=no")]:
        assert f"unit '{uid}' ({reason})" in result.stderr
    strict = CliRunner().invoke(
        merge,
        [str(path), "--out", str(tmp_path / "s.txt"), "--tmx", str(tmp_path / "m.tmx")]
        + ["--strict"],
    )
    assert strict.exit_code == 1
    assert "--strict: 5 unit(s) kept their source" in strict.stderr
    assert not (tmp_path / "s.txt").exists() and not (tmp_path / "m.tmx").exists()


@pytest.mark.parametrize(
    ("root", "ok"),
    [
        (f'<xliff xmlns="{XLIFF12_NS}" version="3.0">', "unsupported XLIFF version '3.0'"),
        (f'<xliff xmlns="{XLIFF12_NS}" version="2.0">', "unsupported XLIFF version '2.0'"),
        ('<xliff xmlns="urn:oasis:names:tc:xliff:document:1.1">', None),
        ('<xliff xmlns="urn:oasis:names:tc:xliff:document:1.1" version="1.1">', None),
        ("<xliff>", None),
    ],
)
def test_xliff_versions(tmp_path, root, ok):
    path = tmp_path / "v.xlf"
    path.write_text(
        f'{root}<file original="a" source-language="de" target-language="en" '
        'datatype="plaintext"><body><trans-unit id="1"><source>Eins.</source>'
        "<target>One.</target></trans-unit></body></file></xliff>",
        encoding="utf-8",
    )
    if ok is None:
        merge_xliff(path, out=tmp_path / "o.txt")
        assert (tmp_path / "o.txt").read_text("utf-8") == "One.\n"
    else:
        with pytest.raises(FormatError, match=ok):
            merge_xliff(path, out=tmp_path / "o.txt")
        assert not (tmp_path / "o.txt").exists()


def test_xliff_22_is_read(tmp_path):
    path = tmp_path / "v.xlf"
    path.write_text(
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.2" version="2.2" srcLang="de-DE" '
        'trgLang="en-US"><file id="f1"><unit id="u1"><segment id="s1"><source>Eins.</source>'
        "<target>One.</target></segment></unit></file></xliff>",
        encoding="utf-8",
    )
    merge_xliff(path, out=tmp_path / "o.txt")
    assert (tmp_path / "o.txt").read_text("utf-8") == "One."


@pytest.mark.parametrize(
    ("langs", "options", "refused"),
    [
        (("de-DE", "en-US"), [], False),
        (("DE", "en_GB"), [], False),
        (("en", "fr"), [], True),
        (("en", "de"), [], True),  # reversed pair
        (("de", "fr"), [], True),
        (("de", "fr"), ["--target-lang", "fr"], False),
        (("de-AT", "en"), ["--source-lang", "de-DE"], True),
    ],
)
def test_language_pair_is_checked(tmp_path, langs, options, refused):
    path = _xliff12(tmp_path, _tu("1", "Eins.", "One."), langs=langs)
    result = CliRunner().invoke(merge, [str(path), "--out", str(tmp_path / "o.txt"), *options])
    if refused:
        assert result.exit_code == 1 and "language pair" in result.stderr
        assert not (tmp_path / "o.txt").exists()
    else:
        assert result.exit_code == 0, result.output


def test_internal_entity_text_is_kept_and_external_refused(tmp_path):
    units = _tu("1", "Die &co; kam.", "The &co; came.")
    path = _xliff12(tmp_path, units, head='<!DOCTYPE xliff [ <!ENTITY co "ACME GmbH"> ]>\n')
    merge_xliff(path, out=tmp_path / "o.txt")
    assert (tmp_path / "o.txt").read_text("utf-8") == "The ACME GmbH came.\n"
    external = '<!DOCTYPE xliff [ <!ENTITY co SYSTEM "file:///etc/hostname"> ]>\n'
    path = _xliff12(tmp_path, units, head=external, name="x.xlf")
    with pytest.raises(FormatError, match="external entities"):
        merge_xliff(path, out=tmp_path / "x.txt")
    path = _xliff12(tmp_path, units, name="u.xlf")
    with pytest.raises(FormatError, match="'co' not defined"):
        merge_xliff(path, out=tmp_path / "u.txt")
    assert not (tmp_path / "x.txt").exists() and not (tmp_path / "u.txt").exists()


def test_thousand_nested_g_elements_merge(tmp_path):
    deep = "<g>" * 1000 + "Tief." + "</g>" * 1000
    path = _xliff12(tmp_path, _tu("1", "Tief.", deep))
    merge_xliff(path, out=tmp_path / "o.txt")
    assert (tmp_path / "o.txt").read_text("utf-8") == "Tief.\n"


@pytest.mark.parametrize("version", VERSIONS)
def test_problems_are_reported_and_strict_fails(tmp_path, sample_document, version):
    path = tmp_path / "x.de-en.xlf"
    write_xliff([sample_document], path, version=version)
    tree = etree.parse(str(path))
    ns = XLIFF2_NS if version == "2.1" else XLIFF12_NS
    units = tree.getroot().findall(f".//{{{ns}}}{'segment' if version == '2.1' else 'trans-unit'}")
    units[2].getparent().remove(units[2])  # a deleted unit
    units[1].find(f"{{{ns}}}source").text = "Ein anderer Satz."  # an edited source
    units[4].set("id", units[3].get("id"))  # a duplicate id
    target = units[5].find(f"{{{ns}}}target")
    for child in list(target):
        target.remove(child)
    target.text = ""
    (units[5] if version == "2.1" else target).set("state", "translated")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    result = CliRunner().invoke(merge, [str(path), "--out", str(tmp_path / "o.txt")])
    assert result.exit_code == 0, result.output
    warnings = [x for x in result.stderr.splitlines() if x.startswith("warning: ")]
    text = "\n".join(warnings)
    assert "missing (deleted?): id" in text
    assert "differs from" in text and "(edited?)" in text
    assert "duplicate" in text
    assert "empty <target> marked 'translated'" in text
    assert len(warnings) == 4, warnings
    strict = CliRunner().invoke(merge, [str(path), "--out", str(tmp_path / "s.txt"), "--strict"])
    assert strict.exit_code == 1 and "problem(s)" in strict.stderr
    assert not (tmp_path / "s.txt").exists()


@pytest.mark.parametrize("version", VERSIONS)
def test_deleting_the_last_unit_is_reported(tmp_path, sample_document, version):
    path = tmp_path / "x.de-en.xlf"
    write_xliff([sample_document], path, version=version)
    tree = etree.parse(str(path))
    ns = XLIFF2_NS if version == "2.1" else XLIFF12_NS
    units = tree.getroot().findall(f".//{{{ns}}}{'segment' if version == '2.1' else 'trans-unit'}")
    units[-1].getparent().remove(units[-1])
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    result = merge_xliff(path, out=tmp_path / "o.txt")
    assert len(result.problems) == 1
    assert "1 segment(s) transkit wrote are missing (deleted?)" in result.problems[0]
