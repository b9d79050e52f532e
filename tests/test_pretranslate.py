"""`transkit translate FILE.xlf`: CAT tools' XLIFF pre-translated with the test model.

Hand-made German-source files in the style of each tool (tests/data/pretranslate/),
plus Okapi's OnTram sample from ../shared.  For each: the input is untouched; the
units that should be translated are, and no other; every inline code of a
filled segment is in its target exactly once; everything outside the filled
targets keeps its bytes; the output validates (the XLIFF core, where other tools'
extensions have no schema) and loads in translate-toolkit and `transkit merge`.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from conftest import SHARED, private_env
from transkit.formats.xliff_inline import code_signature
from transkit.formats.xml_splice import Locator

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "pretranslate"
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
GLOSSARY = ROOT / "glossary"
ONTRAM = SHARED / "interop" / "xliff" / "okapi" / "OnTramTest01.xlf"
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"
X12 = "urn:oasis:names:tc:xliff:document:1.2"
X2 = "urn:oasis:names:tc:xliff:document:2.0"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

#: file -> (segments filled, kept, locked, not translatable); the segment ids filled.
EXPECTED = {
    "trados.sdlxliff": ((3, 1, 1, 1), {"1", "2", "4"}),
    "memoq.mqxliff": ((4, 0, 1, 0), {"1", "2", "4", "5"}),
    "okapi.xlf": ((3, 1, 0, 1), {"tu1/0", "tu2/0", "tu2/1"}),
    "omegat.xlf": ((3, 0, 0, 0), {"0", "1", "2"}),
    "xliff21.xlf": ((4, 1, 0, 1), {"s1", "s2", "s3", "s6"}),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRANSKIT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def pretranslated(
    tmp_path_factory: pytest.TempPathFactory, trained_model: Path
) -> dict[str, tuple[Path, Path, str]]:
    """Each data file (and OnTram when ../shared exists) pre-translated in one
    run, with each trained test model in turn."""
    base = tmp_path_factory.mktemp("pretranslate")
    env = private_env(base)
    inputs = sorted(DATA.iterdir())
    if ONTRAM.exists():
        inputs.append(ONTRAM)
    before = {p.name: _digest(p) for p in inputs}
    proc = _run(
        ["translate", *map(str, inputs), "--model", str(trained_model), "--glossary", str(GLOSSARY)]
        + ["--out", str(base / "out")],
        env,
        base,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {p.name: _digest(p) for p in inputs} == before, "an input file was modified"
    return {p.name: (p, base / "out" / p.name, proc.stdout) for p in inputs}


def _segments(path: Path) -> dict[str, tuple[etree._Element, etree._Element | None]]:
    """segment key -> (source content, target content) as the tool segmented it."""
    root = etree.parse(str(path), _PARSER).getroot()
    out = {}
    if etree.QName(root).namespace == X2:
        for seg in root.iter(f"{{{X2}}}segment"):
            out[seg.get("id")] = (seg.find(f"{{{X2}}}source"), seg.find(f"{{{X2}}}target"))
        return out
    for tu in root.iter(f"{{{X12}}}trans-unit"):
        source, target = tu.find(f"{{{X12}}}source"), tu.find(f"{{{X12}}}target")
        seg_source = tu.find(f"{{{X12}}}seg-source")
        if seg_source is None:
            out[tu.get("id")] = (source, target)
            continue
        marks = (
            {m.get("mid"): m for m in target.iter(f"{{{X12}}}mrk")} if target is not None else {}
        )
        for mark in seg_source.iter(f"{{{X12}}}mrk"):
            if mark.get("mtype") == "seg":
                key = mark.get("mid")
                key = key if path.suffix == ".sdlxliff" else f"{tu.get('id')}/{key}"
                out[key] = (mark, marks.get(mark.get("mid")))
    return out


def _text(el: etree._Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_units_to_translate_are_filled_and_no_other(pretranslated, name: str) -> None:
    source_path, out_path, summary = pretranslated[name]
    (filled, kept, locked, skipped), ids = EXPECTED[name]
    line = f"{filled} segments filled, {kept} kept, {locked} locked, {skipped} not translatable"
    assert line in summary, summary
    before, after = _segments(source_path), _segments(out_path)
    assert before.keys() == after.keys()
    changed = {k for k in before if _text(before[k][1]) != _text(after[k][1])}
    assert changed == ids
    for key in ids:
        assert _text(after[key][1]).strip(), key


@pytest.mark.parametrize("name", [*sorted(EXPECTED), ONTRAM.name])
def test_every_inline_code_is_in_the_target_exactly_once(pretranslated, name: str) -> None:
    if name not in pretranslated:
        pytest.skip(f"{ONTRAM} is missing (../shared not present)")
    source_path, out_path, _ = pretranslated[name]
    before, after = _segments(source_path), _segments(out_path)
    filled = [k for k in before if _text(before[k][1]) != _text(after[k][1])]
    assert filled
    for key in filled:
        source, target = after[key]
        assert Counter(code_signature(target)) == Counter(code_signature(source)), key


def _unit_ranges(path: Path) -> list[bytes]:
    """The bytes of every trans-unit/unit, and of everything before the first one."""
    data = path.read_bytes()
    root = etree.fromstring(data, _PARSER)
    locator = Locator(data, root, str(path))
    units = [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and etree.QName(el).localname in ("trans-unit", "unit")
    ]
    first = locator[units[0]].start
    return [data[:first]] + [data[locator[u].start : locator[u].end_end] for u in units]


@pytest.mark.parametrize("name", [*sorted(EXPECTED), ONTRAM.name])
def test_untouched_units_keep_their_bytes(pretranslated, name: str) -> None:
    if name not in pretranslated:
        pytest.skip(f"{ONTRAM} is missing (../shared not present)")
    source_path, out_path, _ = pretranslated[name]
    before, after = _unit_ranges(source_path), _unit_ranges(out_path)
    assert before[0] == after[0], "the header changed"
    assert len(before) == len(after)
    unchanged = sum(a == b for a, b in zip(before[1:], after[1:], strict=True))
    filled_units = sum(a != b for a, b in zip(before[1:], after[1:], strict=True))
    assert filled_units > 0
    if name in EXPECTED:
        units = len(before) - 1
        assert unchanged == units - filled_units
    # Inside a changed unit, the source stays byte for byte.
    for old, new in zip(before[1:], after[1:], strict=True):
        for tag in (b"<source", b"<seg-source"):
            start = old.find(tag)
            if start >= 0:
                end = old.find(b"</" + tag[1:], start)
                assert old[start:end] in new


def _core(path: Path, tmp: Path) -> Path:
    """A copy without other tools' extension elements and attributes (they have no schema)."""
    root = etree.parse(str(path), _PARSER).getroot()
    core_ns = {etree.QName(root).namespace, "http://www.w3.org/XML/1998/namespace"}
    if etree.QName(root).namespace == X2:
        core_ns |= {
            "urn:oasis:names:tc:xliff:fs:2.0",
            "urn:oasis:names:tc:xliff:matches:2.0",
        }
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).namespace not in core_ns:
            el.getparent().remove(el)
            continue
        for attr in list(el.attrib):
            ns = etree.QName(attr).namespace
            if ns is not None and ns not in core_ns:
                del el.attrib[attr]
    etree.cleanup_namespaces(root)
    out = tmp / f"core-{path.name}"
    etree.ElementTree(root).write(str(out), xml_declaration=True, encoding="UTF-8")
    return out


@pytest.mark.parametrize("name", [*sorted(EXPECTED), ONTRAM.name])
def test_output_validates_where_the_input_does(
    pretranslated, name: str, xmlcheck, tmp_path
) -> None:
    if name not in pretranslated:
        pytest.skip(f"{ONTRAM} is missing (../shared not present)")
    source_path, out_path, _ = pretranslated[name]
    (tmp_path / "in").mkdir()
    kind = xmlcheck(_core(source_path, tmp_path / "in"))
    assert kind in ("xliff-1.2", "xliff-2.1", "structure")
    assert xmlcheck(_core(out_path, tmp_path)) == kind


def _unit_targets(path: Path) -> dict[str, str]:
    """trans-unit/unit id -> the text of its target(s), native code text included."""
    root = etree.parse(str(path), _PARSER).getroot()
    out = {}
    for tu in root.iter(f"{{{X12}}}trans-unit"):
        out[tu.get("id")] = _text(tu.find(f"{{{X12}}}target"))
    for unit in root.iter(f"{{{X2}}}unit"):
        for seg in unit.iter(f"{{{X2}}}segment"):
            out[f"{unit.get('id')}::{seg.get('id')}"] = _text(seg.find(f"{{{X2}}}target"))
    return out


@pytest.mark.parametrize("name", [*sorted(EXPECTED), ONTRAM.name])
def test_translate_toolkit_reads_our_targets(pretranslated, name: str) -> None:
    from translate.storage import xliff as tt_xliff
    from translate.storage import xliff2 as tt_xliff2

    if name not in pretranslated:
        pytest.skip(f"{ONTRAM} is missing (../shared not present)")
    _, out_path, _ = pretranslated[name]
    kind = tt_xliff2.Xliff2File if name == "xliff21.xlf" else tt_xliff.xlifffile
    store = kind.parsefile(str(out_path))
    theirs = {u.getid().rsplit("\x04", 1)[-1]: u.target or "" for u in store.units}
    ours = _unit_targets(out_path)
    assert theirs.keys() == ours.keys()
    assert theirs == ours
    assert sum(bool(t.strip()) for t in theirs.values()) >= len(theirs) // 2


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_transkit_merge_gives_the_english(pretranslated, name: str, tmp_path: Path) -> None:
    _, out_path, _ = pretranslated[name]
    merged = tmp_path / "merged.txt"
    proc = _run(["merge", str(out_path), "-o", str(merged)], private_env(tmp_path), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = merged.read_text(encoding="utf-8")
    for key in EXPECTED[name][1]:
        english = _english(_segments(out_path)[key][1])
        assert english in text, (key, english)


def _english(target: etree._Element) -> str:
    """The target as a document: XLIFF 2 placeholders replaced by their original data."""
    if etree.QName(target).namespace != X2:
        return _text(target)
    unit = target.getparent().getparent()
    return _text2(target, {d.get("id"): d.text or "" for d in unit.iter(f"{{{X2}}}data")})


def _text2(el: etree._Element, data: dict[str, str]) -> str:
    parts = [el.text or ""]
    for child in el:
        name = etree.QName(child).localname
        if name in ("ph", "sc", "ec"):
            parts.append(data.get(child.get("dataRef") or "", ""))
        elif name in ("pc", "mrk"):  # transkit's reader keeps a <pc>'s text, not its data
            parts.append(_text2(child, data))
        parts.append(child.tail or "")
    return "".join(parts)


# --------------------------------------------------------------------------
# What the file says is respected; bad input is a clear error


def test_existing_targets_are_replaced_only_with_overwrite(tmp_path: Path) -> None:
    env = private_env(tmp_path)
    args = ["translate", str(DATA / "xliff21.xlf"), "--model", str(MODEL), "--no-glossary", "-q"]
    keep = _run([*args, "--out", "keep"], env, tmp_path)
    again = _run([*args, "--out", "over", "--overwrite"], env, tmp_path)
    assert keep.returncode == again.returncode == 0, keep.stderr + again.stderr
    kept = _segments(tmp_path / "keep" / "xliff21.xlf")
    over = _segments(tmp_path / "over" / "xliff21.xlf")
    assert _text(kept["s4"][1]) == "Our U.S. President announced the cooperation."
    assert _text(over["s4"][1]) != _text(kept["s4"][1])
    assert over["s5"][1] is None, "translate='no' holds even with --overwrite"


def test_mt_state_is_written_as_in_transkit_xliff(pretranslated) -> None:
    _, out_path, _ = pretranslated["memoq.mqxliff"]
    root = etree.parse(str(out_path), _PARSER).getroot()
    states = {
        tu.get("id"): (
            tu.find(f"{{{X12}}}target").get("state"),
            tu.find(f"{{{X12}}}target").get("state-qualifier"),
        )
        for tu in root.iter(f"{{{X12}}}trans-unit")
    }
    assert states["1"] == ("needs-review-translation", "leveraged-mt")
    assert states["3"] == (None, None)  # locked: untouched
    _, out2, _ = pretranslated["xliff21.xlf"]
    root2 = etree.parse(str(out2), _PARSER).getroot()
    seg = {s.get("id"): s for s in root2.iter(f"{{{X2}}}segment")}
    assert (seg["s1"].get("state"), seg["s1"].get("subState")) == ("translated", "transkit:mt")
    assert seg["s4"].get("subState") is None


def test_trados_segments_become_mt_drafts(pretranslated) -> None:
    _, out_path, _ = pretranslated["trados.sdlxliff"]
    sdl = "http://sdl.com/FileTypes/SdlXliff/1.0"
    root = etree.parse(str(out_path), _PARSER).getroot()
    segs = {s.get("id"): s for s in root.iter(f"{{{sdl}}}seg")}
    assert (segs["1"].get("conf"), segs["1"].get("origin")) == ("Draft", "mt")
    assert segs["3"].get("origin") == "interactive"
    assert segs["5"].get("conf") == "ApprovedSignOff"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<xliff version='1.2'><file", "malformed XLIFF"),
        (b"<?xml version='1.0'?><html/>", "not an XLIFF"),
        (
            b"<xliff xmlns='urn:oasis:names:tc:xliff:document:1.2' version='1.2'>"
            b"<file source-language='fr' target-language='en' original='a' datatype='x'>"
            b"<body/></file></xliff>",
            "source language is fr",
        ),
    ],
)
def test_bad_xliff_is_a_one_line_error(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.xlf"
    bad.write_bytes(content)
    proc = _run(
        ["translate", str(bad), "--model", str(MODEL), "--no-glossary", "--out", "out"],
        private_env(tmp_path),
        tmp_path,
    )
    assert proc.returncode != 0
    assert message in proc.stderr and "bad.xlf" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "bad.xlf").exists()


def test_out_folder_of_the_input_is_refused(tmp_path: Path) -> None:
    shutil.copy(DATA / "omegat.xlf", tmp_path / "omegat.xlf")
    before = _digest(tmp_path / "omegat.xlf")
    proc = _run(
        ["translate", "omegat.xlf", "--model", str(MODEL), "--no-glossary", "--out", "."],
        private_env(tmp_path),
        tmp_path,
    )
    assert proc.returncode != 0
    assert "would overwrite the input" in proc.stderr
    assert _digest(tmp_path / "omegat.xlf") == before


def test_text_and_xliff_in_one_run_with_json_and_report(tmp_path: Path) -> None:
    import json

    shutil.copy(ROOT / "tests" / "data" / "formats" / "sample.de.txt", tmp_path / "a.txt")
    proc = _run(
        ["translate", "a.txt", str(DATA / "omegat.xlf"), "--model", str(MODEL)]
        + ["--glossary", str(GLOSSARY), "--out", "out", "--json", "--report", "r.json"],
        private_env(tmp_path),
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    files = {Path(f["file"]).name: f for f in summary["files"]}
    assert files["omegat.xlf"]["outputs"] == [str(Path("out") / "omegat.xlf")]
    assert files["omegat.xlf"]["segments"] == 3
    assert (tmp_path / "out" / "a.en.txt").exists()
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert len(report["files"]) == 2
