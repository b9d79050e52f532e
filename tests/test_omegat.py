"""transkit's TMX and XLIFF opened by a real CAT tool: OmegaT (Debian's 3.6), headless.

What a translator does with transkit's output in OmegaT, run in console mode
on throwaway projects (see ``omegat_cli``):

* **TMX**: the German text in ``source/``, transkit's TMX in ``tm/auto/``
  (OmegaT inserts 100% matches from there).  The target OmegaT writes must
  carry transkit's English for every segment the two tools cut the same way.
* **XLIFF 1.2**: transkit's ``.xlf`` in ``source/`` through OmegaT's own XLIFF
  filter, post-edited (from a memory) and written back; the result must still
  validate and ``transkit merge`` must rebuild the document from it.
* **XLIFF 2.1**: OmegaT 3.6 has no XLIFF 2 filter; the file must at least pass
  through unharmed.

Everything skips when OmegaT or Java is missing (``apt-get install omegat``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree

from conftest import private_env
from omegat_cli import OmegaT, create_project, find_omegat, project_stats, strip_omegat_tags
from transkit.formats.xliff import read_xliff

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
GLOSSARY = ROOT / "glossary"
SEED = ROOT / "seeds" / "000_12e4bb930a6ea1bf.txt"
MALFORMED_TMX = ROOT / "tests" / "data" / "formats" / "malformed.tmx"
HAVE_SCHEMAS = (ROOT.parent / "shared" / "tools" / "xmlcheck").exists()
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"

X12 = "urn:oasis:names:tc:xliff:document:1.2"
X2 = "urn:oasis:names:tc:xliff:document:2.0"
NS = {"x": X12, "x2": X2}
POST_EDIT = "[PE] "
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_SENTENCE_END = re.compile(r"[.!?:;\u201c\u201d\"')\]]$")


# --------------------------------------------------------------------------
# Fixtures: OmegaT, transkit's output, the OmegaT runs shared by several tests


@pytest.fixture(scope="module")
def omegat() -> OmegaT:
    found, why = find_omegat()
    if found is None:
        pytest.skip(why)
    return found


def _env(base: Path) -> dict[str, str]:
    return private_env(base)


def _transkit(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [TRANSKIT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def transkit_out(omegat: OmegaT, tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """``transkit translate`` of the seed: .en.txt, XLIFF 1.2 and TMX, and an XLIFF 2.1."""
    base = tmp_path_factory.mktemp("transkit")
    env = _env(base)
    shutil.copy(SEED, base / SEED.name)
    common = ["--model", str(MODEL), "--glossary", str(GLOSSARY), "-q"]
    _transkit(["translate", SEED.name, *common, "--out", "out"], env, base)
    _transkit(
        ["translate", SEED.name, *common, "--out", "out21", "--formats", "xliff"]
        + ["--xliff-version", "2.1"],
        env,
        base,
    )
    stem = SEED.stem
    return SimpleNamespace(
        base=base,
        env=env,
        seed=base / SEED.name,
        txt=base / "out" / f"{stem}.en.txt",
        xlf=base / "out" / f"{stem}.de-en.xlf",
        tmx=base / "out" / f"{stem}.de-en.tmx",
        xlf21=base / "out21" / f"{stem}.de-en.xlf",
    )


def _tmx_pairs(path: Path) -> list[tuple[str, str]]:
    """(German, English) of each unit of transkit's TMX, in file order."""
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    pairs = []
    for tu in etree.parse(str(path), _PARSER).iter("tu"):
        segs = {tuv.get(lang): "".join(tuv.find("seg").itertext()) for tuv in tu.iter("tuv")}
        pairs.append((segs["de"], segs["en"]))
    return pairs


def _write_memory(path: Path, pairs: list[tuple[str, str]]) -> None:
    """A TMX 1.4 memory (German -> English) for OmegaT's ``tm/auto``."""
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    tmx = etree.Element("tmx", version="1.4")
    etree.SubElement(
        tmx,
        "header",
        {
            "creationtool": "transkit-tests",
            "creationtoolversion": "1",
            "segtype": "sentence",
            "o-tmf": "transkit",
            "adminlang": "en",
            "srclang": "de",
            "datatype": "plaintext",
        },
    )
    body = etree.SubElement(tmx, "body")
    for source, target in pairs:
        tu = etree.SubElement(body, "tu")
        for code, text in (("de", source), ("en", target)):
            etree.SubElement(etree.SubElement(tu, "tuv", {lang: code}), "seg").text = text
    etree.ElementTree(tmx).write(str(path), xml_declaration=True, encoding="UTF-8")


def _assert_clean(run, what: str) -> None:
    assert run.returncode == 0, f"OmegaT {what} exited {run.returncode}:\n{run.output[-4000:]}"
    assert not run.errors, f"OmegaT {what} logged errors:\n" + "\n".join(run.errors[:30])


def _plain(el: etree._Element | None) -> str:
    return "" if el is None else "".join(el.itertext())


def _units(path: Path) -> list[etree._Element]:
    return etree.parse(str(path), _PARSER).getroot().findall(".//x:trans-unit", NS)


def _c14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n")


@pytest.fixture(scope="module")
def xliff12(
    omegat: OmegaT, transkit_out: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory
) -> SimpleNamespace:
    """transkit's XLIFF 1.2 in an OmegaT project, post-edited from a memory, written back.

    Sentence segmentation is off: the trans-units are sentences already.
    The "post-edit" memory is built from OmegaT's own segments (so its
    sources carry OmegaT's tag shortcuts) with ``[PE] `` before each target.
    """
    project = create_project(tmp_path_factory.mktemp("omegat") / "xlf12", sentence_seg=False)
    shutil.copy(transkit_out.xlf, project / "source")
    segments, seg_run = omegat.segments(project)
    _write_memory(project / "tm" / "auto" / "post-edit.tmx", [(s, POST_EDIT + s) for s in segments])
    run = omegat.translate(project)
    return SimpleNamespace(
        project=project,
        segments=segments,
        seg_run=seg_run,
        run=run,
        stats=project_stats(project),
        source=transkit_out.xlf,
        target=project / "target" / transkit_out.xlf.name,
    )


@pytest.fixture(scope="module")
def xliff21(
    omegat: OmegaT, transkit_out: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory
) -> SimpleNamespace:
    project = create_project(tmp_path_factory.mktemp("omegat") / "xlf21", sentence_seg=False)
    shutil.copy(transkit_out.xlf21, project / "source")
    run = omegat.translate(project)
    return SimpleNamespace(
        project=project,
        run=run,
        stats=project_stats(project),
        source=transkit_out.xlf21,
        target=project / "target" / transkit_out.xlf21.name,
    )


# --------------------------------------------------------------------------
# TMX: transkit's memory in tm/auto fills OmegaT's target


def _is_run_of(segment: str, sources: list[str]) -> bool:
    """Whether ``segment`` is several consecutive transkit sentences joined (coarser cut)."""
    wanted = " ".join(segment.split())
    for i in range(len(sources)):
        joined = sources[i]
        for j in range(i + 1, len(sources)):
            joined = f"{joined} {sources[j]}"
            if " ".join(joined.split()) == wanted:
                return True
    return False


@pytest.mark.parametrize(
    "segment_on",
    ["BREAKS", None],
    ids=["paragraph-per-line", "omegat-default-empty-lines"],
)
def test_omegat_fills_target_from_transkit_tmx(
    omegat: OmegaT, transkit_out: SimpleNamespace, tmp_path: Path, segment_on: str | None
) -> None:
    """Every OmegaT segment that transkit's TMX holds gets transkit's English.

    ``BREAKS`` (one paragraph per line, as transkit reads .txt) must cut
    exactly like transkit, so OmegaT's target is transkit's .en.txt byte for
    byte.  OmegaT's default (``EMPTYLINES``) joins lines up to an empty line,
    so a heading without final punctuation merges with the next sentence;
    such segments must be runs of transkit sentences, nothing else.
    """
    project = create_project(tmp_path / "txt", text_segment_on=segment_on)
    shutil.copy(transkit_out.seed, project / "source" / "article.txt")
    shutil.copy(transkit_out.tmx, project / "tm" / "auto")
    pairs = _tmx_pairs(transkit_out.tmx)
    memory = dict(pairs)
    sources = [source for source, _ in pairs]
    assert len(memory) == len(pairs) > 5, "the seed should give several distinct sentences"

    segments, seg_run = omegat.segments(project)
    _assert_clean(seg_run, "segmentation")
    run = omegat.translate(project)
    _assert_clean(run, "console-translate")
    assert f"Reading TMX file {project / 'tm' / 'auto' / transkit_out.tmx.name}" in run.output

    matched = [s for s in segments if s in memory]
    unmatched = [s for s in segments if s not in memory]
    stats = project_stats(project)
    assert stats["Total"] == len(segments) > 0
    # Every segment OmegaT found in our TMX was filled; nothing else was.
    assert stats["Remaining"] == len(unmatched), (stats, unmatched)
    target = (project / "target" / "article.txt").read_text(encoding="utf-8")
    for source in matched:
        assert memory[source] in target, f"transkit's English for {source!r} is not in the target"
    # A heading without final punctuation is the only way the cuts may differ.
    headings = sum(
        1
        for line in transkit_out.seed.read_text(encoding="utf-8").splitlines()
        if line.strip() and not _SENTENCE_END.search(line.strip())
    )
    if segment_on == "BREAKS":
        assert unmatched == [], f"OmegaT cut differently from transkit: {unmatched}"
        assert target == transkit_out.txt.read_text(encoding="utf-8")
    else:
        for segment in unmatched:
            assert _is_run_of(segment, sources), f"not in transkit's TMX: {segment!r}"
        assert len(unmatched) <= headings
    assert len(matched) >= len(segments) - headings


# --------------------------------------------------------------------------
# XLIFF 1.2 through OmegaT's native XLIFF filter


def test_xliff12_loads_cleanly_one_segment_per_trans_unit(xliff12: SimpleNamespace) -> None:
    _assert_clean(xliff12.seg_run, "segmentation")
    _assert_clean(xliff12.run, "console-translate")
    assert f"Loading: {xliff12.source.name}" in xliff12.run.output
    units = [u for u in _units(xliff12.source) if _plain(u.find("x:target", NS)).strip()]
    assert len(units) > 5
    assert xliff12.stats["Total"] == len(xliff12.segments) == len(units)


def test_xliff12_omegat_shows_each_mt_target_with_its_term_tags(xliff12: SimpleNamespace) -> None:
    """OmegaT 3.6's native filter edits the <target> text (MT), <mrk> as paired tags."""
    targets = [u.find("x:target", NS) for u in _units(xliff12.source)]
    terms = {_plain(t): len(t.findall("x:mrk", NS)) for t in targets}
    assert sum(terms.values()) > 0, "the seed should have glossary terms in the MT"
    assert Counter(strip_omegat_tags(s) for s in xliff12.segments) == Counter(map(_plain, targets))
    for segment in xliff12.segments:
        opening = re.findall(r"<([a-zA-Z]+)(\d+)>", segment)
        closing = re.findall(r"</([a-zA-Z]+)(\d+)>", segment)
        assert opening == closing, segment
        assert len(opening) == terms[strip_omegat_tags(segment)], segment


@pytest.mark.xfail(
    strict=True,
    reason="OmegaT 3.6's own XLIFF filter keeps <source> intact and translates the <target> "
    "content (it expects target = copy of source, as Okapi Rainbow kits write); with transkit's "
    "MT in <target> the translator sees the English MT, never the German. Use the .txt + TMX in "
    "tm/auto, or the Okapi filters plugin, for OmegaT.",
)
def test_xliff12_omegat_offers_the_german_source(xliff12: SimpleNamespace) -> None:
    sources = Counter(_plain(u.find("x:source", NS)) for u in _units(xliff12.source))
    assert Counter(strip_omegat_tags(s) for s in xliff12.segments) == sources


def test_xliff12_omegat_writes_a_valid_target_keeping_transkit_data(
    xliff12: SimpleNamespace, xmlcheck
) -> None:
    """The post-edits land in <target>; sources, terms, notes and layout data survive."""
    _assert_clean(xliff12.run, "console-translate")
    assert xliff12.stats["Remaining"] == 0, xliff12.stats
    assert xmlcheck(xliff12.target) == ("xliff-1.2" if HAVE_SCHEMAS else "structure")
    before, after = _units(xliff12.source), _units(xliff12.target)
    assert [u.get("id") for u in after] == [u.get("id") for u in before]
    for old, new in zip(before, after, strict=True):
        where = f"trans-unit {old.get('id')}"
        for attr in ("extype", "extradata", "{http://www.w3.org/XML/1998/namespace}space"):
            assert new.get(attr) == old.get(attr), (where, attr)
        assert _c14n(new.find("x:source", NS)) == _c14n(old.find("x:source", NS)), where
        for child in ("x:note", "x:alt-trans"):
            assert [_c14n(e) for e in new.findall(child, NS)] == [
                _c14n(e) for e in old.findall(child, NS)
            ], (where, child)
        old_target, new_target = old.find("x:target", NS), new.find("x:target", NS)
        assert _plain(new_target) == POST_EDIT + _plain(old_target), where
        assert [(m.get("mtype"), m.text) for m in new_target.findall("x:mrk", NS)] == [
            (m.get("mtype"), m.text) for m in old_target.findall("x:mrk", NS)
        ], where
    groups = ".//x:group"
    root_old = etree.parse(str(xliff12.source), _PARSER).getroot()
    root_new = etree.parse(str(xliff12.target), _PARSER).getroot()
    assert [g.get("id") for g in root_new.iterfind(groups, NS)] == [
        g.get("id") for g in root_old.iterfind(groups, NS)
    ]


def test_transkit_merges_the_xliff_omegat_wrote(
    xliff12: SimpleNamespace, transkit_out: SimpleNamespace, tmp_path: Path
) -> None:
    """``transkit merge`` rebuilds the English text, layout included, from OmegaT's file."""
    merged = tmp_path / "merged.en.txt"
    _transkit(["merge", str(xliff12.target), "-o", str(merged)], transkit_out.env, tmp_path)
    text = merged.read_text(encoding="utf-8")
    assert text.count(POST_EDIT) == len(xliff12.segments)
    assert text.replace(POST_EDIT, "") == transkit_out.txt.read_text(encoding="utf-8")


def test_post_edits_made_in_omegat_are_not_read_as_raw_mt(xliff12: SimpleNamespace) -> None:
    (document,) = read_xliff(xliff12.target)
    assert all(s.target.startswith(POST_EDIT) for s in document.segments)
    assert [s.id for s in document.segments if s.state == "mt"] == []


# --------------------------------------------------------------------------
# XLIFF 2.1


def test_xliff21_passes_through_omegat_unharmed(xliff21: SimpleNamespace, xmlcheck) -> None:
    _assert_clean(xliff21.run, "console-translate")
    assert xmlcheck(xliff21.target) == ("xliff-2.1" if HAVE_SCHEMAS else "structure")
    before = etree.parse(str(xliff21.source), _PARSER).getroot()
    after = etree.parse(str(xliff21.target), _PARSER).getroot()
    assert _c14n(after) == _c14n(before)


def test_xliff21_segments_found(
    omegat: OmegaT, xliff21: SimpleNamespace, request: pytest.FixtureRequest
) -> None:
    if omegat.version and omegat.version < (4,):
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason=f"OmegaT {'.'.join(map(str, omegat.version))}'s XLIFF filter reads "
                "XLIFF 1.x only: it loads a 2.x file without error but finds no segment",
            )
        )
    root = etree.parse(str(xliff21.source), _PARSER).getroot()
    assert xliff21.stats["Total"] == len(root.findall(".//x2:segment", NS)) > 0


# --------------------------------------------------------------------------
# The checks above could fail: OmegaT's errors are seen even though it exits 0


def test_log_check_sees_a_memory_omegat_cannot_read(
    omegat: OmegaT, transkit_out: SimpleNamespace, tmp_path: Path
) -> None:
    project = create_project(tmp_path / "broken", text_segment_on="BREAKS")
    shutil.copy(transkit_out.seed, project / "source" / "article.txt")
    shutil.copy(MALFORMED_TMX, project / "tm" / "auto")
    run = omegat.translate(project)
    assert run.errors, run.output[-3000:]
    assert any(MALFORMED_TMX.name in line for line in run.errors), run.errors
    assert project_stats(project)["Remaining"] == project_stats(project)["Total"] > 0
