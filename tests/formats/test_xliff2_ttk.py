"""XLIFF 2.1 output and translate-toolkit: what is transkit's, and what is translate-toolkit's.

transkit's part, asserted: the file is schema-valid, ``translate.storage.xliff2``
reads every segment with its source, target and state, and the notes are
where XLIFF 2 allows them (``<unit>/<notes>``; the core schema has no
``<notes>`` in ``<segment>``).

translate-toolkit's part, asserted on a minimal file (the one the README
shows), so the README's claims fail loudly once a release fixes them:
``Xliff2Unit.getnotes()`` looks for ``<notes>`` inside ``<segment>`` only;
``pocount`` and ``xliff2po`` open every ``.xlf`` with the XLIFF 1.x class,
so ``pocount`` dies with ``KeyError: 'filename'`` and ``xliff2po`` writes an
empty file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import XMLCHECK
from transkit.data import Document, Segment
from transkit.formats.xliff import write_xliff

translate_storage = pytest.importorskip("translate.storage.xliff2")

#: The minimal file in the README ("XLIFF 2 and translate-toolkit").
MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de" trgLang="en">
  <file id="f1">
    <unit id="u1">
      <notes>
        <note>Unit-level note: the only place XLIFF 2 allows it</note>
      </notes>
      <segment id="s1">
        <source>Hallo.</source>
        <target>Hello.</target>
      </segment>
    </unit>
  </file>
</xliff>
"""


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _document() -> Document:
    return Document(
        "a.txt",
        (
            Segment("1", "Peking reagiert.", "Beijing reacts.", state="mt", origin="argos:x 1"),
            Segment("2", "Sie wächst.", "It grows.", state="final", leading=" ", notes=("QA",)),
            Segment("3", "Neuer Absatz.", None, leading="\n\n"),
        ),
        trailing="\n",
    )


def test_translate_toolkit_reads_every_segment_of_transkit_xliff21(tmp_path, xmlcheck) -> None:
    path = tmp_path / "a.de-en.xlf"
    write_xliff([_document()], path, version="2.1")
    xmlcheck(path)
    store = translate_storage.Xliff2File.parsefile(str(path))
    got = [(u.source, u.target, u.istranslated()) for u in store.units]
    assert got == [
        ("Peking reagiert.", "Beijing reacts.", True),
        ("Sie wächst.", "It grows.", True),
        ("Neuer Absatz.", None, False),
    ]
    text = path.read_text("utf-8")
    assert "<notes>" in text and "[2] QA</note>" in text  # unit-level, named by segment id


def test_minimal_file_is_valid_xliff2(tmp_path) -> None:
    path = tmp_path / "min.xlf"
    path.write_text(MINIMAL, encoding="utf-8")
    if not XMLCHECK.exists():
        pytest.skip("../shared/tools/xmlcheck not found")
    proc = subprocess.run(
        [sys.executable, str(XMLCHECK), str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout


def test_translate_toolkit_ignores_unit_level_notes(tmp_path) -> None:
    path = tmp_path / "min.xlf"
    path.write_text(MINIMAL, encoding="utf-8")
    (unit,) = translate_storage.Xliff2File.parsefile(str(path)).units
    assert (unit.source, unit.target) == ("Hallo.", "Hello.")
    assert unit.getnotes() == "", "translate-toolkit now reads unit notes: update the README"


def test_pocount_and_xliff2po_cannot_open_any_xliff2(tmp_path) -> None:
    path = tmp_path / "min.xlf"
    path.write_text(MINIMAL, encoding="utf-8")
    count = subprocess.run(
        [_tool("pocount"), str(path)], capture_output=True, text=True, check=False
    )
    assert count.returncode != 0 and "KeyError: 'filename'" in count.stderr, count.stderr
    assert "Please use the XLIFF 2.0 parser" in count.stderr
    po = tmp_path / "min.po"
    subprocess.run([_tool("xliff2po"), str(path), str(po)], capture_output=True, check=False)
    assert not po.exists() or "msgid" not in po.read_text("utf-8"), "xliff2po reads XLIFF 2 now"
