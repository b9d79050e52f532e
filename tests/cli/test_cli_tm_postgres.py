"""End to end with a PostgreSQL memory: ``tm`` commands, ``translate`` and ``merge`` on a URL.

Runs against a throwaway server (tests/pgcluster.py); skips, saying why,
without PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from conftest import private_env

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"
X12 = "urn:oasis:names:tc:xliff:document:1.2"

TEXT = "Die Regierung plant neue Zölle gegen China. Der Preis stieg um 5 Prozent.\n"
TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence"
 o-tmf="x" adminlang="en" srclang="de-DE" datatype="plaintext"/>
<body>
<tu creationdate="20240101T000000Z"><tuv xml:lang="de-DE"><seg>Der Preis stieg um 3 Prozent.</seg>
</tuv><tuv xml:lang="en-US"><seg>The price went up by 3 percent.</seg></tuv></tu>
<tu creationdate="20240101T000000Z"><tuv xml:lang="de-DE"><seg>Peking reagiert.</seg></tuv>
<tuv xml:lang="en-US"><seg>Beijing reacts.</seg></tuv></tu>
</body></tmx>
"""


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRANSKIT, *args],
        env={**private_env(cwd / ".env"), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_tm_commands_on_a_url(tmp_path: Path, pg_url: str, xmlcheck) -> None:
    (tmp_path / "client.tmx").write_text(TMX, encoding="utf-8")
    imported = run(["tm", "import", "client.tmx", "--tm", pg_url], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "2 units added as client.tmx" in imported.stdout
    # the environment variable names the same memory; nothing local is created
    env = {"TRANSKIT_TM_URL": pg_url}
    stats = run(["tm", "stats", "--json"], tmp_path, **env)
    data = json.loads(stats.stdout)
    assert data["units"] == 2 and "transkit-test-pw" not in data["memory"]
    lookup = run(["tm", "lookup", "Der Preis stieg um 4 Prozent.", "--json"], tmp_path, **env)
    [match] = json.loads(lookup.stdout)
    assert (match["level"], match["target"]) == ("numbers", "The price went up by 4 percent.")
    exported = run(["tm", "export", "all.tmx"], tmp_path, **env)
    assert exported.returncode == 0 and "2 units" in exported.stdout
    xmlcheck(tmp_path / "all.tmx")
    removed = run(["tm", "remove", "Peking reagiert."], tmp_path, **env)
    assert removed.returncode == 0 and "1 unit(s) removed" in removed.stdout
    again = run(["tm", "remove", "Peking reagiert."], tmp_path, **env)
    assert again.returncode == 1 and "no unit with this sentence" in again.stderr
    assert "transkit-test-pw" not in again.stderr
    assert not (tmp_path / "tm").exists() and not list(tmp_path.glob("postgres*"))


def test_translate_and_merge_close_the_loop_on_a_url(tmp_path: Path, pg_url: str) -> None:
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    args = ["translate", "--model", str(MODEL), "--no-glossary", "doc.txt", "--tm", pg_url]
    first = run([*args, "--json"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["tm"]["mt"] == 2
    xlf = tmp_path / "out" / "doc.de-en.xlf"
    tree = etree.parse(str(xlf))
    for tu in tree.iter(f"{{{X12}}}trans-unit"):
        tu.find(f"{{{X12}}}target").set("state", "final")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    merged = run(["merge", str(xlf), "--out", "merged.txt", "--tm", pg_url], tmp_path)
    assert merged.returncode == 0, merged.stderr
    assert "2 approved segments stored" in merged.stdout
    assert "transkit-test-pw" not in merged.stdout
    second = run([*args, "--json"], tmp_path)
    summary = json.loads(second.stdout)
    assert summary["tm"]["context"] == 2 and summary["tm"]["mt"] == 0
    assert "transkit-test-pw" not in summary["memory"]
    assert not (tmp_path / "tm").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["tm", "stats", "--tm", "mysql://u:pw-secret@127.0.0.1/db"],
        ["tm", "import", "x.tmx", "--tm", "mysql://u:pw-secret@127.0.0.1/db"],
        ["translate", "--model", str(MODEL), "--tm", "mysql://u:pw-secret@127.0.0.1/db", "doc.txt"],
    ],
)
def test_an_unknown_scheme_is_a_usage_error_not_a_folder(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "x.tmx").write_text(TMX, encoding="utf-8")
    result = run(args, tmp_path)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "unknown translation memory URL scheme 'mysql://'" in line
    assert "pw-secret" not in line
    assert not (tmp_path / "mysql:").exists() and not (tmp_path / "out").exists()


def test_a_wrong_password_is_one_line_without_the_password(tmp_path: Path, pg_cluster) -> None:
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    url = pg_cluster.url(password="not-the-pw")
    for args in (
        ["tm", "stats", "--tm", url],
        ["translate", "--model", str(MODEL), "--tm", url, "doc.txt"],
    ):
        result = run(args, tmp_path)
        assert result.returncode == 1, result.stderr
        [line] = result.stderr.strip().splitlines()
        assert "password authentication failed" in line and "not-the-pw" not in line
        assert f"postgresql://transkit:***@127.0.0.1:{pg_cluster.port}/postgres" in line
