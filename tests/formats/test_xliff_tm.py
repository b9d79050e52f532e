"""Translation-memory matches in the CAT files: XLIFF 1.2 alt-trans, 2.1 mtc:match, TMX props."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from transkit.data import Document, MemoryMatch, Segment
from transkit.formats.tmx import write_tmx
from transkit.formats.xliff import read_xliff, write_xliff

X12 = "urn:oasis:names:tc:xliff:document:1.2"
MTC = "urn:oasis:names:tc:xliff:matches:2.0"

EXACT = MemoryMatch("Das ist gut.", "That is good.", 100.0, "exact", "tm:approved.tmx")
FUZZY = MemoryMatch(
    "Im Jahr 2024 stieg der Preis.",
    "In 2025, the price rose.",
    96.6,
    "numbers",
    "tm:client.tmx",
    "fuzzy TM match breaks glossary: 'Preis' must be 'price'",
)


def document() -> Document:
    return Document(
        name="d.txt",
        segments=(
            Segment(
                id="1",
                source="Das ist gut.",
                target="That is good.",
                method="tm-exact",
                origin="tm:approved.tmx",
                state="translated",
                matches=(EXACT,),
            ),
            Segment(
                id="2",
                source="Im Jahr 2025 stieg der Preis.",
                target="In 2025 the price rose.",
                leading=" ",
                method="none",
                origin="argos:test 1",
                state="mt",
                matches=(FUZZY,),
            ),
        ),
    )


def test_xliff12_alt_trans(tmp_path: Path, xmlcheck) -> None:
    path = tmp_path / "d.xlf"
    write_xliff([document()], path, version="1.2")
    xmlcheck(path)
    root = etree.parse(str(path)).getroot()
    units = list(root.iter(f"{{{X12}}}trans-unit"))
    target = units[0].find(f"{{{X12}}}target")
    assert (target.get("state"), target.get("state-qualifier")) == ("translated", "exact-match")
    alts = units[1].findall(f"{{{X12}}}alt-trans")
    # the MT proposal first (the reader takes its origin), then the memory's match
    assert [a.get("origin") for a in alts] == ["argos:test 1", "tm:client.tmx"]
    assert alts[1].get("match-quality") == "96.6"
    assert "".join(alts[1].find(f"{{{X12}}}target").itertext()) == "In 2025, the price rose."
    assert "breaks glossary" in alts[1].find(f"{{{X12}}}note").text
    # reading back keeps states and origins (matches are suggestions, not content)
    [back] = read_xliff(path)
    assert [(s.state, s.origin) for s in back.segments] == [
        ("translated", "tm:approved.tmx"),
        ("mt", "argos:test 1"),
    ]


def test_xliff21_mtc_match(tmp_path: Path, xmlcheck) -> None:
    path = tmp_path / "d.xlf"
    write_xliff([document()], path, version="2.1")
    xmlcheck(path)
    matches = list(etree.parse(str(path)).getroot().iter(f"{{{MTC}}}match"))
    tm = [m for m in matches if m.get("type") == "tm"]
    assert [(m.get("similarity"), m.get("origin"), m.get("subType")) for m in tm] == [
        ("100", "tm:approved.tmx", "transkit:exact"),
        ("96.6", "tm:client.tmx", "transkit:numbers"),
    ]
    assert [m.get("type") for m in matches].count("mt") == 1
    [back] = read_xliff(path)
    assert [s.state for s in back.segments] == ["translated", "mt"]


def test_tmx_props(tmp_path: Path, xmlcheck) -> None:
    path = tmp_path / "d.tmx"
    write_tmx([document()], path)
    xmlcheck(path)
    tus = list(etree.parse(str(path)).getroot().iter("tu"))
    props = [{p.get("type"): p.text for p in tu.findall("prop")} for tu in tus]
    assert props[0]["x-tm-level"] == "exact" and props[0]["x-tm-score"] == "100"
    assert props[1]["x-tm-origin"] == "tm:client.tmx" and props[1]["x-tm-score"] == "96.6"
