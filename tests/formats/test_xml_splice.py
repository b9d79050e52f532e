"""Byte ranges of elements and in-place edits that leave every other byte alone."""

from __future__ import annotations

from lxml import etree

from transkit.formats.xml_splice import Locator, fragment, splice, start_tag

DATA = (
    "\ufeff<?xml version='1.0' encoding='utf-8'?>\n"
    "<r xmlns='urn:a' xmlns:o='urn:o'  o:x = 'q&#xA0;' >\n"
    '  <s>Grüße &amp; <e/>mehr</s><e/><t  a="1"></t>\n'
    "  <!-- kept --><o:ext>&#x41;</o:ext>\n"
    "</r>\n"
).encode()


def _parse():
    return etree.fromstring(DATA, etree.XMLParser(resolve_entities=False, remove_comments=False))


def test_ranges_cover_start_and_end_tags_and_empty_elements() -> None:
    root = _parse()
    locator = Locator(DATA, root, "x.xml")
    s = root.find("{urn:a}s")
    r = locator[s]
    assert DATA[r.start : r.end_end].decode() == "<s>Grüße &amp; <e/>mehr</s>"
    e = s.find("{urn:a}e")
    assert locator[e].empty and DATA[locator[e].start : locator[e].end_end] == b"<e/>"
    last_e = root.findall("{urn:a}e")[-1]
    assert DATA[locator[last_e].start : locator[last_e].end_end] == b"<e/>"
    t = root.find("{urn:a}t")
    assert DATA[locator[t].start : locator[t].start_end] == b'<t  a="1">'


def test_fragment_reuses_the_namespaces_in_scope() -> None:
    root = _parse()

    def build(wrapper):
        etree.SubElement(wrapper, "{urn:a}u").text = "x"
        etree.SubElement(wrapper, "{urn:o}v")

    assert fragment(root, build, "UTF-8") == b"<u>x</u><o:v/>"


def test_splice_changes_only_the_edited_ranges() -> None:
    root = _parse()
    locator = Locator(DATA, root, "x.xml")
    t = root.find("{urn:a}t")
    r = locator[t]
    new = start_tag(t, {"a": "2"}, "UTF-8", empty=False)
    out = splice(DATA, [(r.start, r.start_end, new), (r.end_end, r.end_end, b"<n/>")])
    assert out == DATA.replace(b'<t  a="1"></t>', b'<t a="2"></t><n/>')
    assert b"o:x = 'q&#xA0;'" in out and b"&#x41;" in out and b"<!-- kept -->" in out
