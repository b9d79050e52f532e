"""Streaming TMX reading/writing for the memory: versions, encodings, codes, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from conftest import SHARED
from transkit.errors import FormatError
from transkit.tm.tmxio import (
    ImportCounts,
    TMXWriter,
    append_tus,
    iter_tmx,
    make_tu,
    rewrite_without,
)
from transkit.tm.units import TMUnit

INTEROP = SHARED / "interop" / "tmx"

TMX14 = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence"
 o-tmf="x" adminlang="en" srclang="de-DE" datatype="plaintext"/>
<body>
<tu creationdate="20200101T000000Z" changedate="20220101T000000Z">
 <prop type="x-context-prev">Vorher.</prop>
 <tuv xml:lang="DE-DE">
 <seg>Der Preis stieg um <bpt i="1">&lt;b&gt;</bpt>5<ept i="1">&lt;/b&gt;</ept> Prozent.</seg></tuv>
 <tuv xml:lang="EN-US">
 <seg>The price rose by <bpt i="1">&lt;b&gt;</bpt>5<ept i="1">&lt;/b&gt;</ept> percent.</seg></tuv>
</tu>
<tu><tuv xml:lang="de"><seg>Nur Deutsch.</seg></tuv><tuv xml:lang="fr"><seg>Seulement.</seg>
 </tuv></tu>
<tu><prop type="x-state">mt</prop>
 <tuv xml:lang="de"><seg>Maschinell.</seg></tuv><tuv xml:lang="en"><seg>Machine.</seg></tuv></tu>
<tu><tuv xml:lang="de"><seg>Leer.</seg></tuv><tuv xml:lang="en"><seg> </seg></tuv></tu>
<tu><tuv xml:lang="de">
 <seg>Ein <hi type="b">wichtiger</hi> Satz<ph type="x-transkit-cp-0001"/>.</seg></tuv>
 <tuv xml:lang="en"><seg>An <hi type="b">important</hi> sentence.</seg></tuv></tu>
</body></tmx>
"""

TMX11 = """<?xml version="1.0" encoding="UTF-16"?>
<tmx version="1.1"><header creationtool="x" creationtoolversion="1" segtype="sentence"
 o-tmf="x" adminlang="EN" srclang="DE-DE" datatype="plaintext"/>
<body><tu><tuv lang="DE-DE"><seg>Alte Datei.</seg></tuv><tuv lang="EN-GB"><seg>Old file.</seg>
 </tuv></tu>
</body></tmx>
"""


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_units_codes_dates_context_and_counts(tmp_path: Path) -> None:
    counts = ImportCounts()
    items = list(iter_tmx(_write(tmp_path / "a.tmx", TMX14), counts=counts))
    units = [u for u, _ in items]
    assert [u.source for u in units] == [
        "Der Preis stieg um 5 Prozent.",
        "Ein wichtiger Satz\x01.",
    ]
    assert units[0].target == "The price rose by 5 percent."
    assert units[0].date == "20220101T000000Z"  # the newer of creation and change date
    assert units[0].prev == "Vorher."
    assert (units[0].source_lang, units[0].target_lang) == ("DE-DE", "EN-US")
    assert (counts.units, counts.other_languages, counts.unapproved, counts.empty) == (2, 1, 1, 1)
    # the stored <tu> keeps the inline codes
    tu = etree.fromstring(items[0][1])
    assert tu.find("tuv/seg/bpt").text == "<b>"


def test_reads_tmx11_utf16_with_lang_attribute(tmp_path: Path) -> None:
    items = list(iter_tmx(_write(tmp_path / "old.tmx", TMX11, "utf-16")))
    assert [(u.source, u.target) for u, _ in items] == [("Alte Datei.", "Old file.")]
    tu = etree.fromstring(items[0][1])
    # normalised to TMX 1.4: xml:lang
    assert tu.find("tuv").get("{http://www.w3.org/XML/1998/namespace}lang") == "DE-DE"


def test_keep_unapproved(tmp_path: Path) -> None:
    units = [u for u, _ in iter_tmx(_write(tmp_path / "a.tmx", TMX14), keep_unapproved=True)]
    assert "Maschinell." in [u.source for u in units]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("<xliff/>", "not a TMX file"),
        ("<tmx><header/><body><tu><tuv><seg>x</seg></tuv></tu></body></tmx>", "xml:lang"),
        ("<tmx><header/><body><tu>", "malformed TMX"),
        ("<tmx><body/></tmx>", "without <header>"),
    ],
)
def test_bad_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path / "bad.tmx", text)
    with pytest.raises(FormatError, match=message) as info:
        list(iter_tmx(path))
    assert info.value.file == str(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not found"):
        list(iter_tmx(tmp_path / "nope.tmx"))


def test_writer_and_append_round_trip(tmp_path: Path, xmlcheck) -> None:
    path = tmp_path / "m.tmx"
    with path.open("wb") as handle, TMXWriter(handle) as writer:
        writer.write(make_tu(TMUnit("Eins.", "One.", date="20240101T000000Z")))
    append_tus(path, [make_tu(TMUnit("Zwei.", "Two.", prev="Eins.", date="20250101T000000Z"))])
    xmlcheck(path)
    units = [u for u, _ in iter_tmx(path)]
    assert [(u.source, u.target, u.prev) for u in units] == [
        ("Eins.", "One.", ""),
        ("Zwei.", "Two.", "Eins."),
    ]


def test_append_to_foreign_utf16_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "old.tmx", TMX11, "utf-16")
    append_tus(path, [make_tu(TMUnit("Neu.", "New."))])
    assert [u.source for u, _ in iter_tmx(path)] == ["Alte Datei.", "Neu."]


def test_rewrite_without_keeps_everything_else(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.tmx", TMX14)
    removed = rewrite_without(path, lambda u: u.source.startswith("Der Preis"))
    assert removed == 1
    text = path.read_text(encoding="utf-8")
    assert "Der Preis" not in text
    assert "Seulement." in text and "Maschinell." in text  # other units untouched
    assert rewrite_without(path, lambda u: False) == 0


def test_interop_files_read_without_errors() -> None:
    """Every TMX from Okapi/OmegaT/Weblate reads (or fails with a FormatError naming it)."""
    if not INTEROP.is_dir():
        pytest.skip("../shared/interop/tmx not available")
    for path in sorted(INTEROP.glob("*.tmx")):
        try:
            list(iter_tmx(path))
        except FormatError as err:
            assert err.file == str(path)
    # Okapi's en-us -> de-de memory: every German variant is a source, read in reverse
    units = [u for u, _ in iter_tmx(INTEROP / "okapi_sample14b.tmx")]
    assert len(units) == 25
    assert all(u.source_lang.lower() == "de-de" for u in units)
    assert any(u.source == "'Wiederholen' drücken." for u in units)
