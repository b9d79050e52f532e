"""The OmegaT project writer: break rules from transkit's segments, OmegaT's bean XML."""

from __future__ import annotations

from lxml import etree

from transkit.data import GlossaryEntry
from transkit.formats.omegat import (
    boundary_rules,
    java_quote,
    segmentation_conf,
    write_omegat_project,
)
from transkit.text.segment import segment_document

TEXT = "Überschrift ohne Punkt\nEr wurde 85. Seine Frau lebt.  Sie lacht!\n\nNeu. Alt.\n"


def _java_literal(pattern: str) -> str:
    """The text a Java regex of quoted parts (\\Q…\\E) and escapes (\\x) matches."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("\\Q", i):
            end = pattern.find("\\E", i + 2)
            out.append(pattern[i + 2 : end])
            i = end + 2
        elif pattern[i] == "\\":
            out.append(pattern[i + 1])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def test_one_break_rule_per_boundary_inside_a_line() -> None:
    document = segment_document("x.txt", TEXT)
    rules = boundary_rules(document)
    inside = [s for s in document.segments[1:] if not s.paragraph_break]
    assert len(rules) == len(inside) == 3
    for (before, after), seg in zip(rules, inside, strict=True):
        assert TEXT[: seg.start - len(seg.leading)].endswith(_java_literal(before))
        assert _java_literal(after) == (seg.leading + seg.source)[: len(_java_literal(after))]
        assert "\n" not in _java_literal(before)


def test_java_quote_survives_backslash_e() -> None:
    assert _java_literal(java_quote(r"a\Eb\Q")) == r"a\Eb\Q"
    assert java_quote("x.y") == "\\Qx.y\\E"


def test_segmentation_conf_is_bean_xml_with_lists_and_current_version() -> None:
    root = etree.fromstring(segmentation_conf([("\\Qa.\\E", "\\Q B\\E")]))
    assert root.tag == "java"
    srx = root.find("object")
    assert srx.get("class") == "org.omegat.core.segmentation.SRX"
    lists = root.findall(".//object[@class='java.util.ArrayList']")
    assert len(lists) == 2  # mapping rules and rules: OmegaT's beans start with null lists
    assert [s.text for s in root.iter("string")][-1] == "0.2.2"  # no merge with defaults
    rule = root.find(".//object[@class='org.omegat.core.segmentation.Rule']")
    values = {v.get("property"): v[0].text for v in rule.findall("void")}
    assert values == {"afterbreak": "\\Q B\\E", "beforebreak": "\\Qa.\\E", "breakRule": "true"}


def test_project_layout(tmp_path) -> None:
    from dataclasses import replace

    document = segment_document("artikel.txt", TEXT)
    document = replace(
        document,
        segments=tuple(replace(s, target=f"EN {s.source}", state="mt") for s in document.segments),
    )
    entries = [
        GlossaryEntry("c1", "Peking", "Beijing"),
        GlossaryEntry("c1", "Peking", "Peking", status="forbidden"),
    ]
    root = write_omegat_project(document, "artikel.txt", tmp_path / "p.omegat", entries=entries)
    assert (root / "source" / "artikel.txt").read_bytes() == TEXT.encode()
    assert (root / "tm" / "auto" / "artikel.de-en.tmx").exists()
    glossary = (root / "glossary" / "glossary.txt").read_text(encoding="utf-8")
    assert "Peking\tBeijing" in glossary and "Peking\tPeking" not in glossary
    filters = etree.parse(str(root / "omegat" / "filters.xml")).getroot()
    assert filters.find(".//option[@name='segmentOn']").get("value") == "BREAKS"
    project = etree.parse(str(root / "omegat.project")).getroot()
    assert project.findtext("project/sentence_seg") == "true"
    assert project.findtext("project/source_lang") == "de"
