"""Pre-translated XLIFF opened in OmegaT 3.6 (Debian), headless: it shows transkit's English.

OmegaT 3.6's own XLIFF filter offers the ``<target>`` content for editing
(see tests/test_omegat.py), segment by segment where the file has
``<mrk mtype="seg">``.  So after pre-translation, the segments OmegaT shows
must be exactly transkit's English targets, codes as OmegaT's tags, and a
console-translate run must load the file without errors and write it back.
OmegaT 3.6 reads no XLIFF 2 (it loads such a file and finds no segment), and
its filter knows ``.xlf``/``.xliff``/``.sdlxliff`` names only, so the memoQ
file is opened as ``.xlf``.  Skips without OmegaT or Java.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from conftest import SHARED, private_env
from omegat_cli import OmegaT, create_project, find_omegat, strip_omegat_tags

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "pretranslate"
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
ONTRAM = SHARED / "interop" / "xliff" / "okapi" / "OnTramTest01.xlf"
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"
X12 = "urn:oasis:names:tc:xliff:document:1.2"
FILES_12 = ["trados.sdlxliff", "memoq.mqxliff", "okapi.xlf", "omegat.xlf", ONTRAM.name]


@pytest.fixture(scope="module")
def omegat() -> OmegaT:
    found, why = find_omegat()
    if found is None:
        pytest.skip(why)
    return found


@pytest.fixture(scope="module")
def outputs(omegat: OmegaT, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("pre")
    inputs = [*sorted(DATA.iterdir()), *([ONTRAM] if ONTRAM.exists() else [])]
    proc = subprocess.run(
        [TRANSKIT, "translate", *map(str, inputs), "--model", str(MODEL), "--no-glossary", "-q"]
        + ["--out", str(base / "out")],
        env=private_env(base),
        cwd=base,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return base / "out"


def _visible(el: etree._Element) -> str:
    """Text a translator edits: content of paired codes, not of placeholders."""
    parts = [el.text or ""]
    for child in el:
        if etree.QName(child).localname in ("g", "mrk"):
            parts.append(_visible(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _holds_text(el: etree._Element) -> bool:
    return etree.QName(el).localname in ("g", "mrk") and bool(_visible(el).strip())


def _tags(el: etree._Element) -> int:
    """How many OmegaT tags the codes in ``el`` become (a paired code: two).

    OmegaT leaves a placeholder at the very start or end of a segment out of
    the segment (it stays in the file around it).
    """
    count = 0
    kids = [k for k in el if isinstance(k.tag, str)]
    edges = set()
    if not (el.text or "").strip():
        for kid in kids:
            if _holds_text(kid):
                break
            edges.add(kid)
            if (kid.tail or "").strip():
                break
    for kid in reversed(kids):
        if _holds_text(kid) or (kid.tail or "").strip():
            break
        edges.add(kid)
    for node in el.iterdescendants():
        if node in edges or any(a in edges for a in node.iterancestors()):
            continue
        if isinstance(node.tag, str) and etree.QName(node).namespace == X12:
            name = etree.QName(node).localname
            if name == "sub" or (name == "mrk" and node.get("mtype") == "seg"):
                continue
            count += 2 if name in ("g", "mrk") else 1
    return count


def _our_segments(path: Path) -> dict[str, set[int]]:
    """Our English as OmegaT segments it (per <mrk mtype="seg">, else per target),
    with the number of tags each should show."""
    root = etree.parse(str(path)).getroot()
    out = {}
    for tu in root.iter(f"{{{X12}}}trans-unit"):
        target = tu.find(f"{{{X12}}}target")
        if target is None or tu.get("translate") == "no":
            continue
        marks = [m for m in target.iter(f"{{{X12}}}mrk") if m.get("mtype") == "seg"]
        for el in marks or [target]:
            text = " ".join(_visible(el).split())
            if text:
                out.setdefault(text, set()).add(_tags(el))
    return out


@pytest.mark.parametrize("name", FILES_12)
def test_omegat_shows_our_english(omegat: OmegaT, outputs: Path, tmp_path: Path, name: str) -> None:
    if not (outputs / name).exists():
        pytest.skip(f"{ONTRAM} is missing (../shared not present)")
    project = create_project(tmp_path / "project", sentence_seg=False)
    opened = name if not name.endswith(".mqxliff") else name.replace(".mqxliff", ".xlf")
    shutil.copy(outputs / name, project / "source" / opened)
    segments, seg_run = omegat.segments(project)
    assert seg_run.returncode == 0 and not seg_run.errors, seg_run.output[-3000:]
    shown = {" ".join(strip_omegat_tags(s).split()) for s in segments}
    ours = _our_segments(outputs / name)
    assert ours and set(ours) <= shown
    # OmegaT also offers text of other tools' elements outside the XLIFF body (OnTram's
    # ns2:localization labels): nothing else.
    root = etree.parse(str(outputs / name)).getroot()
    outside = "".join("".join(c.itertext()) for c in root if etree.QName(c).localname != "file")
    assert all(extra.replace(" ", "") in outside.replace(" ", "") for extra in shown - set(ours))
    # Every code of our target is one OmegaT tag (two for a paired code), none lost.
    for segment in segments:
        tags = re.findall(r"</?[a-zA-Z]+\d+/?>", segment)
        if " ".join(strip_omegat_tags(segment).split()) not in ours:
            continue
        assert len(tags) in ours[" ".join(strip_omegat_tags(segment).split())], segment
    run = omegat.translate(project)
    assert run.returncode == 0 and not run.errors, run.output[-3000:]
    assert (project / "target" / opened).exists()


def test_omegat_36_loads_the_xliff2_output_without_errors(
    omegat: OmegaT, outputs: Path, tmp_path: Path
) -> None:
    project = create_project(tmp_path / "project", sentence_seg=False)
    shutil.copy(outputs / "xliff21.xlf", project / "source")
    run = omegat.translate(project)
    assert run.returncode == 0 and not run.errors, run.output[-3000:]
    assert "Loading: xliff21.xlf" in run.output
