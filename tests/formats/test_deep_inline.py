"""1,000+ nested inline codes are pre-translated without a RecursionError (no recursion)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from conftest import private_env
from transkit.formats.tmx import seg_text
from transkit.formats.xliff_inline import parse_inline, render_inline
from transkit.text.align import Placement

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"
X12 = "urn:oasis:names:tc:xliff:document:1.2"
X2 = "urn:oasis:names:tc:xliff:document:2.0"
DEPTH = 1500


def xliff12(depth: int) -> str:
    inner = "".join(f'<g id="{i}">' for i in range(depth)) + "Der Hund schläft." + "</g>" * depth
    return (
        f'<?xml version="1.0"?><xliff version="1.2" xmlns="{X12}"><file original="a.txt" '
        'source-language="de" target-language="en" datatype="plaintext"><body>'
        f'<trans-unit id="1"><source>{inner}</source></trans-unit></body></file></xliff>'
    )


def xliff2(depth: int) -> str:
    inner = "".join(f'<pc id="{i}">' for i in range(depth)) + "Der Hund schläft." + "</pc>" * depth
    return (
        f'<?xml version="1.0"?><xliff version="2.0" xmlns="{X2}" srcLang="de" trgLang="en">'
        f'<file id="f1"><unit id="1"><segment><source>{inner}</source></segment></unit>'
        "</file></xliff>"
    )


def _parser() -> etree.XMLParser:
    return etree.XMLParser(huge_tree=True)


@pytest.mark.parametrize("make", [xliff12, xliff2], ids=["1.2 g", "2.x pc"])
def test_parse_and_render_any_depth(make) -> None:  # type: ignore[no-untyped-def]
    root = etree.fromstring(make(DEPTH).encode(), _parser())
    source = next(e for e in root.iter() if etree.QName(e).localname == "source")
    inline = parse_inline(source)
    assert inline.text == "Der Hund schläft." and len(inline.codes) == DEPTH
    target = etree.SubElement(source.getparent(), source.tag.replace("source", "target"))
    places = [Placement(0, len("The dog sleeps.")) for _ in inline.codes]
    render_inline(target, "The dog sleeps.", inline, places)
    assert "".join(target.itertext()) == "The dog sleeps."
    assert sum(1 for _ in target.iter()) == DEPTH + 1


def test_tmx_seg_text_any_depth() -> None:
    seg = etree.fromstring(
        ("<seg>a" + "<hi>" * DEPTH + "tief" + "</hi>" * DEPTH + "z</seg>").encode(), _parser()
    )
    assert seg_text(seg) == "atiefz" and seg_text(seg, codes=False) == "atiefz"


@pytest.mark.parametrize("make", [xliff12, xliff2], ids=["1.2 g", "2.x pc"])
def test_pretranslate_1000_nested_codes(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "deep.xlf").write_text(make(1000), encoding="utf-8")
    done = subprocess.run(
        [TRANSKIT, "translate", "-q", "--model", str(MODEL), "--no-glossary", "--no-tm",
         "--out", "out", "deep.xlf"],
        env=private_env(tmp_path), cwd=tmp_path, capture_output=True, timeout=300,
    )  # fmt: skip
    assert b"Traceback" not in done.stderr and b"RecursionError" not in done.stderr
    assert done.returncode == 0, done.stderr
    out = etree.parse(str(tmp_path / "out" / "deep.xlf"), _parser()).getroot()
    targets = [e for e in out.iter() if etree.QName(e).localname == "target"]
    assert targets and "".join(targets[0].itertext()).strip()
