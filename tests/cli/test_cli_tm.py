"""End to end: ``transkit tm``, ``translate --tm`` and ``merge`` closing the loop."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from conftest import SHARED, private_env

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"
X12 = "urn:oasis:names:tc:xliff:document:1.2"
MTC = "urn:oasis:names:tc:xliff:matches:2.0"

TEXT = (
    "Die Regierung plant neue Zölle gegen China. Der Preis stieg um 5 Prozent.\n\n"
    "Peking reagiert auf die Sanktionen.\n"
)

TMX = """<?xml version="1.0" encoding="UTF-16"?>
<tmx version="1.1"><header creationtool="x" creationtoolversion="1" segtype="sentence"
 o-tmf="x" adminlang="en" srclang="DE-DE" datatype="plaintext"/>
<body>
<tu creationdate="20240101T000000Z"><tuv lang="DE-DE"><seg>Der Preis stieg um 3 Prozent.</seg></tuv>
<tuv lang="EN-US"><seg>The price went up by 3 percent.</seg></tuv></tu>
<tu creationdate="20240101T000000Z"><tuv lang="DE-DE">
 <seg>Peking reagiert auf die Sanktionen.</seg></tuv>
<tuv lang="EN-US"><seg>Peking reacts to the sanctions.</seg></tuv></tu>
</body></tmx>
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    return tmp_path


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRANSKIT, *args],
        env=private_env(cwd / ".env"),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def translate(cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = run(["translate", "--model", str(MODEL), "doc.txt", *extra], cwd)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout
    return result


def approve(xlf: Path, corrections: dict[str, str]) -> None:
    """What an editor does in a CAT tool: fix some targets, sign everything off."""
    tree = etree.parse(str(xlf))
    for tu in tree.iter(f"{{{X12}}}trans-unit"):
        source = "".join(tu.find(f"{{{X12}}}source").itertext())
        target = tu.find(f"{{{X12}}}target")
        if source in corrections:
            for child in list(target):
                target.remove(child)
            target.text = corrections[source]
        target.set("state", "final")
        tu.set("approved", "yes")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")


def test_the_loop_closes(project: Path, xmlcheck) -> None:
    first = translate(project, "--no-glossary", "--json")
    summary = json.loads(first.stdout)
    assert summary["memory"] is None and summary["tm"]["mt"] == 3
    xlf = project / "out" / "doc.de-en.xlf"
    approve(xlf, {"Der Preis stieg um 5 Prozent.": "Prices rose by 5 percent."})
    merged = run(["merge", str(xlf), "--out", "merged.txt"], project)
    assert merged.returncode == 0, merged.stderr
    assert "3 approved segments stored" in merged.stdout
    assert (project / "tm" / "approved.tmx").is_file()  # ./tm/ created by merge

    second = translate(project, "--no-glossary")
    assert "memory: tm" in second.stdout
    assert "from memory: 3 in-context exact, 0 exact; machine-translated: 0" in second.stdout
    english = (project / "out" / "doc.en.txt").read_text(encoding="utf-8")
    assert "Prices rose by 5 percent." in english
    xmlcheck(xlf)
    root = etree.parse(str(xlf)).getroot()
    targets = [tu.find(f"{{{X12}}}target") for tu in root.iter(f"{{{X12}}}trans-unit")]
    assert {t.get("state") for t in targets} == {"translated"}
    alts = list(root.iter(f"{{{X12}}}alt-trans"))
    assert alts and all(a.get("origin") == "tm:approved.tmx" for a in alts)
    assert {a.get("match-quality") for a in alts} == {"100"}

    # a changed sentence: a fuzzy match with its numbers fixed travels with the segment
    (project / "doc.txt").write_text(TEXT.replace("5 Prozent", "7 Prozent"), encoding="utf-8")
    third = translate(project, "--no-glossary", "--xliff-version", "2.1", "--json")
    summary = json.loads(third.stdout)
    assert summary["tm"] == {"context": 0, "exact": 2, "numbers": 1, "fuzzy": 0, "mt": 0}
    best = summary["files"][0]["tm_matches"]
    assert [(m["level"], m["used"]) for m in best] == [
        ("exact", True),
        ("numbers", False),
        ("exact", True),
    ]
    assert best[1]["target"] == "Prices rose by 7 percent." and best[1]["score"] >= 75
    xmlcheck(xlf)
    match = [
        m for m in etree.parse(str(xlf)).getroot().iter(f"{{{MTC}}}match") if m.get("type") == "tm"
    ]
    numbers = [m for m in match if m.get("subType") == "transkit:numbers"]
    assert numbers and float(numbers[0].get("similarity")) >= 75
    assert "Prices rose by 7 percent." in "".join(numbers[0].itertext())

    # --no-tm: everything from MT again
    assert (
        json.loads(translate(project, "--no-glossary", "--no-tm", "--json").stdout)["tm"]["mt"] == 3
    )


def test_glossary_wins_over_the_memory(project: Path) -> None:
    (project / "client.tmx").write_bytes(TMX.encode("utf-16"))
    imported = run(["tm", "import", "client.tmx"], project)
    assert imported.returncode == 0, imported.stderr
    assert "2 units added as client.tmx" in imported.stdout
    (project / "glossary").mkdir()
    (project / "glossary" / "places.tsv").write_text(
        "id\tde\ten\tstatus\npeking\tPeking\tBeijing\tpreferred\npeking\tPeking\tPeking\tforbidden\n",
        encoding="utf-8",
    )
    result = translate(project, "--report", "report.json")
    report = json.loads((project / "report.json").read_text(encoding="utf-8"))
    [seg] = [
        s
        for s in report["files"][0]["segments_detail"]
        if s["source"] == "Peking reagiert auf die Sanktionen."
    ]
    assert seg["method"] != "tm-exact" and seg["target"] != "Peking reacts to the sanctions."
    assert seg["tm_matches"][0]["level"] == "exact"
    assert "breaks glossary" in seg["tm_matches"][0]["note"]
    assert any("not used: breaks glossary: 'Peking' must be 'Beijing'" in n for n in seg["notes"])
    assert "from memory: 0 in-context exact, 0 exact" in result.stdout


def test_tm_commands(project: Path, xmlcheck) -> None:
    (project / "client.tmx").write_bytes(TMX.encode("utf-16"))
    assert run(["tm", "import", "client.tmx", "--tm", "memory"], project).returncode == 0
    stats = run(["tm", "stats", "--tm", "memory", "--json"], project)
    assert json.loads(stats.stdout)["units"] == 2
    lookup = run(
        ["tm", "lookup", "Der Preis stieg um 4 Prozent.", "--tm", "memory", "--json"], project
    )
    [match] = json.loads(lookup.stdout)
    assert match["level"] == "numbers" and match["target"] == "The price went up by 4 percent."
    assert match["file"] == "client.tmx"
    exported = run(["tm", "export", "all.tmx", "--tm", "memory"], project)
    assert exported.returncode == 0 and "2 units" in exported.stdout
    xmlcheck(project / "all.tmx")
    removed = run(["tm", "remove", "Der Preis stieg um 3 Prozent.", "--tm", "memory"], project)
    assert removed.returncode == 0 and "1 unit(s) removed" in removed.stdout
    assert "Der Preis" not in (project / "memory" / "client.tmx").read_text(encoding="utf-8")
    assert (
        json.loads(run(["tm", "stats", "--tm", "memory", "--json"], project).stdout)["units"] == 1
    )


def test_tm_interop_import(tmp_path: Path) -> None:
    interop = SHARED / "interop" / "tmx"
    if not interop.is_dir():
        pytest.skip("../shared/interop/tmx not available")
    files = [str(interop / n) for n in ("okapi_sample14b.tmx", "okapi_Paragraph_TM.tmx")]
    result = run(["tm", "import", *files], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "24 units added as okapi_sample14b.tmx, 1 duplicates merged" in result.stdout
    lookup = run(["tm", "lookup", "'Wiederholen' drücken.", "--json"], tmp_path)
    assert json.loads(lookup.stdout)[0]["target"] == "Touch Retry."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tm", "import", "bad.tmx"], "bad.tmx:1: malformed TMX"),
        (["tm", "import", "missing.tmx"], "missing.tmx: TMX file not found"),
        (["tm", "lookup", "Satz"], "tm: no translation memory here"),
        (["tm", "stats", "--tm", "nowhere"], "nowhere: no translation memory here"),
        (["tm", "remove", "Satz", "--tm", "empty"], "empty: no unit with this sentence"),
        (
            ["translate", "--model", str(MODEL), "--tm", "nowhere", "doc.txt"],
            "nowhere: translation memory folder not found",
        ),
    ],
)
def test_user_errors_are_one_line(project: Path, args: list[str], message: str) -> None:
    (project / "bad.tmx").write_text("<tmx><header/><body><tu>", encoding="utf-8")
    (project / "empty").mkdir()
    result = run(args, project)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout
    assert message in result.stderr
    assert not (project / "tm").exists()


def test_a_broken_memory_file_is_named(project: Path) -> None:
    (project / "client.tmx").write_bytes(TMX.encode("utf-16"))
    assert run(["tm", "import", "client.tmx"], project).returncode == 0
    stored = project / "tm" / "client.tmx"
    stored.write_text(stored.read_text(encoding="utf-8")[:-30], encoding="utf-8")  # cut short
    for args in (["tm", "stats"], ["translate", "--model", str(MODEL), "doc.txt"]):
        result = run(args, project)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "tm/client.tmx" in result.stderr and "malformed TMX" in result.stderr
