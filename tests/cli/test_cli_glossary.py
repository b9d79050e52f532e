"""Tests for ``transkit glossary ...`` (click's CliRunner, in a temporary folder)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from transkit.cli import main
from transkit.terms.glossary import load_glossary

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "glossary" / "geopolitics.tsv"
XMLCHECK = ROOT.parent / "shared" / "tools" / "xmlcheck"
SEED = ROOT / "seeds" / "000_12e4bb930a6ea1bf.txt"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with ./glossary/geopolitics.tsv and the seed text."""
    (tmp_path / "glossary").mkdir()
    shutil.copy(SHIPPED, tmp_path / "glossary" / "geopolitics.tsv")
    shutil.copy(SEED, tmp_path / "seed.txt")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["glossary", *args], catch_exceptions=False)


def test_list_filters(project: Path) -> None:
    result = run("list", "--filter", "peking")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "geo-peking\tPeking\tBeijing\tpreferred\tplace",
        "geo-peking\tPeking\tPeking\tforbidden\tplace",
    ]
    forbidden = run("list", "--status", "forbidden").stdout.splitlines()
    assert forbidden and all("\tforbidden" in line for line in forbidden)


def test_add_and_remove_round_trip(project: Path) -> None:
    path = project / "glossary" / "geopolitics.tsv"
    before = path.read_bytes()
    added = run("add", "Rohstoff", "raw material", "--pos", "noun", "--domain", "trade")
    assert added.exit_code == 0, added.output
    assert "added rohstoff: Rohstoff -> raw material" in added.stdout
    assert load_glossary(path).concept("rohstoff").domain == "trade"
    variant = run("add", "Peking", "Peiping", "--status", "forbidden")
    assert "added geo-peking" in variant.stdout
    assert run("remove", "Rohstoff").exit_code == 0
    assert run("remove", "geo-peking", "--en", "Peiping").exit_code == 0
    assert path.read_bytes() == before


def test_add_conflict_is_one_line_error(project: Path) -> None:
    result = CliRunner().invoke(main, ["glossary", "add", "Peking", "Peiping"])
    assert result.exit_code == 1
    assert "several preferred English terms" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_lint_clean_and_broken(project: Path) -> None:
    ok = run("lint")
    assert ok.exit_code == 0 and ok.stdout == ""
    broken = project / "broken.tsv"
    broken.write_text("id\tde\ten\tstatus\nx\tHaus\thouse\tmaybe\n", encoding="utf-8")
    result = run("lint", "--glossary", str(broken))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{broken}:2: unknown status 'maybe' (use preferred, admitted, deprecated, forbidden)"
    ]


def test_missing_glossary_is_a_clean_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["glossary", "list"])
    assert result.exit_code == 1 and "no glossary" in result.output
    result = CliRunner().invoke(main, ["glossary", "list", "--glossary", "nope.tsv"])
    assert result.exit_code == 1 and "nope.tsv: no such glossary" in result.output


def test_check_lists_terms_and_forms(project: Path) -> None:
    result = run("check", "seed.txt")
    assert result.exit_code == 0
    assert "seltene Erden -> rare earths  [geo-seltene-erden]  3x" in result.stdout
    assert "    seltenen Erden  (inflected; line 2)" in result.stdout
    data = json.loads(run("check", "seed.txt", "--json").stdout)
    by_id = {c["concept_id"]: c for c in data}
    assert by_id["geo-peking"]["forbidden"] == ["Peking"]
    assert {o["found"] for o in by_id["geo-japan"]["occurrences"]} == {"Japan", "Japans"}
    first = by_id["geo-usa"]["occurrences"][0]
    assert (first["line"], first["column"]) == (1, 39)


def test_export_tbx_passes_xmlcheck_and_imports_back(project: Path) -> None:
    result = run("export", "out.tbx")
    assert result.exit_code == 0, result.output
    check = subprocess.run(
        [sys.executable, str(XMLCHECK), "out.tbx"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    # Import into an empty glossary: every entry comes back.
    fresh = project / "fresh.tsv"
    imported = run("import", "out.tbx", "--glossary", str(fresh))
    assert imported.exit_code == 0, imported.output
    original = load_glossary(project / "glossary")
    again = load_glossary(fresh)
    assert [(e.id, e.de, e.en, e.status, e.dnt, e.case_sensitive) for e in again.entries] == [
        (e.id, e.de, e.en, e.status, e.dnt, e.case_sensitive) for e in original.entries
    ]
    # Importing again adds nothing.
    twice = run("import", "out.tbx", "--glossary", str(fresh))
    assert f"imported 0 of {len(original)}" in twice.stdout


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("deepl.csv", "deepl"), ("omegat.txt", "omegat"), ("full.csv", "csv"), ("full.tsv", "tsv")],
)
def test_export_csv_dialects(project: Path, name: str, fmt: str) -> None:
    result = run("export", name, "--format", fmt)
    assert result.exit_code == 0, result.output
    text = (project / name).read_text(encoding="utf-8")
    assert "Peking" in text and "Beijing" in text
    fresh = project / f"{fmt}.tsv"
    imported = run("import", name, "--format", fmt, "--glossary", str(fresh))
    assert imported.exit_code == 0, imported.output
    concepts = {c.de[0]: c.preferred for c in load_glossary(fresh).concepts()}
    assert concepts["seltene Erden"] == "rare earths"


def test_unknown_export_extension_asks_for_format(project: Path) -> None:
    result = CliRunner().invoke(main, ["glossary", "export", "out.xyz"])
    assert result.exit_code == 2 and "--format" in result.output


def test_suggest_lists_terms_the_glossary_lacks(project: Path) -> None:
    result = run("suggest", "seed.txt", "--limit", "10", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert 0 < len(data) <= 10
    terms = {c["term"] for c in data}
    assert "Exportkontrollen" not in terms and "Peking" not in terms


def test_suggest_says_when_the_dictionary_is_missing(project: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["glossary", "suggest", str(SEED), "--dictionary", str(tmp_path / "none")]
    )
    assert result.exit_code == 0
    assert "no German-English dictionary" in result.output
    assert "apt-get install trans-de-en" in result.output
    lines = [line for line in result.output.splitlines() if "\t" in line]
    assert lines and all(line.endswith("\t") for line in lines)  # no English column
