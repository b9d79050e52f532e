"""TBX-Basic 2008 (``<martif>``) export: lossless, and loadable by translate-toolkit and OmegaT.

The OmegaT check runs OmegaT 3.6's own TBX reader (``GlossaryReaderTBX``)
through ``tests/data/omegat/ReadTbx.java`` in a JVM, for a de -> en project;
it skips, saying so, without OmegaT or a JDK (Java's source launcher).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from lxml import etree
from test_tbx import bare, glossaries

from omegat_cli import find_omegat
from transkit.cli import main
from transkit.data import GlossaryEntry
from transkit.formats.tbx import read_tbx, write_tbx
from transkit.formats.tbx2008 import tbx2008_bytes, write_tbx2008

READ_TBX_JAVA = Path(__file__).resolve().parents[1] / "data" / "omegat" / "ReadTbx.java"
SAMPLE = [
    GlossaryEntry("c-peking", "Peking", "Beijing", "preferred", "noun", domain="place"),
    GlossaryEntry("c-peking", "Peking", "Peking", "forbidden", "noun", domain="place"),
    GlossaryEntry("c-rare", "seltene Erden", "rare earths", note="plural"),
    GlossaryEntry("c-rare", "Seltenerdmetalle", "rare earths", note="plural"),
    GlossaryEntry("dnt", "Bundestag", "Bundestag", dnt=True, case_sensitive=True),
]


def _root(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def test_shape_is_tbx_basic_2008() -> None:
    data = tbx2008_bytes(SAMPLE)
    assert b'<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">' in data
    root = _root(data)
    assert root.tag == "martif" and root.get("type") == "TBX-Basic"
    assert root.nsmap == {} or None not in root.nsmap  # no namespace in TBX v2
    assert [e.get("id") for e in root.iter("termEntry")] == ["c-peking", "c-rare", "dnt"]
    assert {
        ls.get("{http://www.w3.org/XML/1998/namespace}lang") for ls in root.iter("langSet")
    } == {
        "de",
        "en",
    }
    assert root.find("martifHeader/encodingDesc/p[@type='XCSURI']").text == "TBXBasicXCSV02.xcs"
    assert not [e for e in root.iter() if etree.QName(e).localname in ("conceptEntry", "termSec")]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(glossaries())
def test_round_trip_is_lossless(tmp_path, entries) -> None:
    path = tmp_path / "g.tbx"
    write_tbx2008(entries, path)
    assert _root(path.read_bytes()).tag == "martif"
    assert bare(read_tbx(path)) == entries


def test_cli_exports_2008(tmp_path) -> None:
    glossary = tmp_path / "g.tsv"
    glossary.write_text("id\tde\ten\tstatus\nc1\tPeking\tBeijing\tpreferred\n", encoding="utf-8")
    out = tmp_path / "g.tbx"
    result = CliRunner().invoke(
        main,
        ["glossary", "export", str(out), "--tbx-version", "2008", "--glossary", str(glossary)],
    )
    assert result.exit_code == 0, result.output
    assert "(tbx 2008)" in result.output
    assert _root(out.read_bytes()).tag == "martif"
    assert [(e.de, e.en) for e in read_tbx(out)] == [("Peking", "Beijing")]


def test_translate_toolkit_loads_it(tmp_path) -> None:
    from translate.storage import tbx

    path = tmp_path / "g.tbx"
    write_tbx2008(SAMPLE, path)
    store = tbx.tbxfile.parsefile(str(path))
    pairs = [(u.source, u.target) for u in store.units]
    # translate-toolkit keeps one unit per termEntry: the first term of each language.
    assert pairs == [
        ("Peking", "Beijing"),
        ("seltene Erden", "rare earths"),
        ("Bundestag", "Bundestag"),
    ]
    # ...and the v3 export is what it cannot read (why --tbx-version 2008 exists).
    write_tbx(SAMPLE, tmp_path / "v3.tbx")
    with pytest.raises(AssertionError):
        tbx.tbxfile.parsefile(str(tmp_path / "v3.tbx"))


def _omegat_read(tbx_path: Path, work: Path) -> list[tuple[str, str]]:
    omegat, why = find_omegat()
    if omegat is None:
        pytest.skip(why)
    if shutil.which("javac") is None:
        pytest.skip(
            "no JDK: Java's source launcher needs javac (apt-get install default-jdk-headless)"
        )
    project = work / "project"
    project.mkdir(exist_ok=True)
    proc = subprocess.run(
        [
            omegat.java,
            "-Djava.awt.headless=true",
            f"-Duser.home={work}",
            "-cp",
            str(omegat.jar),
            str(READ_TBX_JAVA),
            str(tbx_path),
            "de",
            "en",
            str(project),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    entries = [line.split("\t") for line in proc.stdout.splitlines() if line.startswith("ENTRY\t")]
    assert f"ENTRIES {len(entries)}" in proc.stdout
    return [(e[1], e[2]) for e in entries]


def test_omegat_tbx_reader_loads_it(tmp_path) -> None:
    path = tmp_path / "g.tbx"
    write_tbx2008(SAMPLE, path)
    pairs = _omegat_read(path, tmp_path)
    # One OmegaT entry per German-English pair.  OmegaT 3.6 has no term status,
    # so the forbidden "Peking" shows as a candidate too (the comment says why not).
    assert pairs == [
        ("Peking", "Beijing"),
        ("Peking", "Peking"),
        ("seltene Erden", "rare earths"),
        ("Seltenerdmetalle", "rare earths"),
        ("Bundestag", "Bundestag"),
    ]
