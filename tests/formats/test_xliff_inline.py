"""Inline codes as text + anchors and back: random code structures, random alignments.

Property (700 cases): whatever the translation and however wrong the
alignment, every code of the source is in the rendered target exactly once,
inside the same chain of enclosing codes as in the source, begin before end,
and the target's text is the translation, untouched.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from inline_strategies import END as _END
from inline_strategies import sources
from transkit.formats.xliff_common import XLIFF2_NS, XLIFF12_NS
from transkit.formats.xliff_inline import code_signature, parse_inline, render_inline
from transkit.text.align import Alignment, guess_alignment, place


@st.composite
def cases(draw):
    source = draw(sources())
    inline = parse_inline(source)
    words = draw(st.lists(st.sampled_from(["the", "alliance", "grows", "in", "Tokyo"]), max_size=8))
    target = " ".join(words) + draw(st.sampled_from(["", ".", " !"]))
    if draw(st.booleans()):
        alignment = guess_alignment(inline.text, target)
    else:  # an arbitrary, possibly crossing, possibly empty alignment
        s_words = [m.span() for m in __import__("re").finditer(r"\w+", inline.text)]
        t_words = [m.span() for m in __import__("re").finditer(r"\w+", target)]
        links = []
        if s_words and t_words:
            for _ in range(draw(st.integers(0, 12))):
                a, b = draw(st.sampled_from(s_words))
                c, d = draw(st.sampled_from(t_words))
                links.append((a, b, c, d))
        alignment = Alignment(inline.text, target, tuple(links))
    return source, inline, target, alignment


def _chain(el, root) -> tuple:
    """The codes enclosing ``el`` (name, id), innermost first."""
    out = []
    node = el.getparent()
    while node is not None and node is not root:
        out.append((etree.QName(node).localname, node.get("id")))
        node = node.getparent()
    return tuple(out)


def _plain(el) -> str:
    parts = [el.text or ""]
    for child in el:
        if etree.QName(child).localname in ("g", "mrk", "pc"):
            parts.append(_plain(child))
        parts.append(child.tail or "")
    return "".join(parts)


@settings(max_examples=700)
@given(cases())
def test_codes_survive_any_translation_and_alignment(case) -> None:
    source, inline, target_text, alignment = case
    placements = place(alignment, inline.anchors)
    ns = etree.QName(source).namespace
    target = etree.Element(f"{{{ns}}}target", nsmap={None: ns})
    render_inline(target, target_text, inline, placements)
    # Every code exactly once ...
    assert Counter(code_signature(target)) == Counter(code_signature(source))
    # ... inside the same enclosing codes as in the source ...
    chains = Counter(
        (etree.QName(e).localname, e.get("id") or e.get("startRef"), _chain(e, source))
        for e in source.iter()
        if e is not source
    )
    assert chains == Counter(
        (etree.QName(e).localname, e.get("id") or e.get("startRef"), _chain(e, target))
        for e in target.iter()
        if e is not target
    )
    # ... begin before end ...
    order = [
        (etree.QName(e).localname, e.get("startRef") or e.get("rid") or e.get("id"))
        for e in target.iter()
    ]
    for begin, end in _END.items():
        for name, ident in order:
            if name == begin:
                ends = [i for i, (n, k) in enumerate(order) if n == end and k == ident]
                assert all(order.index((name, ident)) < i for i in ends)
    # ... and the translation's text is exactly the target's.
    assert _plain(target) == target_text
    # Round trip: reading the target back gives the same codes and text.
    back = parse_inline(target)
    assert len(back.codes) == len(inline.codes)


def test_attention_style_alignment_places_a_code_on_its_words() -> None:
    source = etree.fromstring(
        f'<source xmlns="{XLIFF12_NS}">'
        'Das <g id="1">Verteidigungsministerium</g> plant den Bau.</source>'
    )
    inline = parse_inline(source)
    target = "The Ministry of Defense plans the construction."
    links = (
        (0, 3, 0, 3),
        (4, 28, 4, 12),
        (4, 28, 16, 23),
        (29, 34, 24, 29),
        (35, 38, 30, 33),
        (39, 42, 34, 46),
        (42, 43, 46, 47),
    )
    placements = place(Alignment(inline.text, target, links), inline.anchors)
    assert placements[0].uncertain is False
    out = etree.Element(f"{{{XLIFF12_NS}}}target", nsmap={None: XLIFF12_NS})
    render_inline(out, target, inline, placements)
    assert etree.tostring(out, encoding=str).endswith(
        '>The <g id="1">Ministry of Defense</g> plans the construction.</target>'
    )


def test_codes_at_the_edges_stay_at_the_edges_without_any_alignment() -> None:
    source = etree.fromstring(
        f'<source xmlns="{XLIFF2_NS}">'
        '<ph id="1"/><pc id="2">Die Allianz wächst</pc>.<ph id="3"/></source>'
    )
    inline = parse_inline(source)
    target = "The alliance grows."
    placements = place(Alignment(inline.text, target, ()), inline.anchors)
    assert not any(p.uncertain for p in placements)
    out = etree.Element(f"{{{XLIFF2_NS}}}target", nsmap={None: XLIFF2_NS})
    render_inline(out, target, inline, placements)
    assert etree.tostring(out, encoding=str).endswith(
        '><ph id="1"/><pc id="2">The alliance grows</pc>.<ph id="3"/></target>'
    )


def test_an_unplaceable_code_goes_to_the_nearest_boundary_and_is_flagged() -> None:
    source = etree.fromstring(
        f'<source xmlns="{XLIFF12_NS}">Die Allianz <x id="1"/>wächst in Tokio heute stark</source>'
    )
    inline = parse_inline(source)
    placements = place(Alignment(inline.text, "The alliance grows.", ()), inline.anchors)
    assert placements[0].uncertain
    assert placements[0].start == 0


def test_glued_point_code_separates_words_for_the_engine() -> None:
    source = etree.fromstring(
        f'<source xmlns="{XLIFF12_NS}">Klicken Sie auf<x id="1"/>Speichern</source>'
    )
    assert parse_inline(source).text == "Klicken Sie auf Speichern"


def test_characters_xml_cannot_hold_come_back_as_cp() -> None:
    source = etree.fromstring(f'<source xmlns="{XLIFF2_NS}">a<cp hex="0007"/>b</source>')
    inline = parse_inline(source)
    assert inline.text == "a\x07b"
    out = etree.Element(f"{{{XLIFF2_NS}}}target", nsmap={None: XLIFF2_NS})
    render_inline(out, inline.text, inline, [])
    assert etree.tostring(out, encoding=str).endswith('>a<cp hex="0007"/>b</target>')
