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
from test_xliff import documents

from conftest import FORMATS_DATA
from transkit.cli.merge import merge
from transkit.data import Document, Segment
from transkit.errors import FormatError, TranskitError
from transkit.formats.tmx import read_tmx
from transkit.formats.xliff import XLIFF2_NS, XLIFF12_NS, write_xliff
from transkit.merge import default_output, merge_xliff

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
def test_cli_merges_post_edited_targets_and_feeds_memory(xlf, sample_document, approved):
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
    assert path.with_name("p.en.txt").read_bytes().decode("utf-8") == doc.target_text
    # a translator replaces every target: the document is those targets, in order
    printable = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=15)
    new = [data.draw(printable) for _ in doc.segments]
    post_edit(path, {i: (t, "final") for i, t in enumerate(new)})
    merge_xliff(path, out=tmp_path / "edited.txt")
    expected = "".join(s.leading + t for s, t in zip(doc.segments, new, strict=True))
    assert (tmp_path / "edited.txt").read_bytes().decode("utf-8") == expected + doc.trailing
