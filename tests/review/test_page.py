"""The review page's HTML, read back with lxml: structure, escaping, links."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lhtml

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.review import page_name, render_review, write_review
from transkit.review.page import visible_text_parts


def _parse(text: str):
    return lhtml.document_fromstring(text)


def _status(link) -> str:
    """A term link's verdict: its ``t-*`` class."""
    return next(c[2:] for c in link.get("class").split() if c.startswith("t-"))


def _cell_text(cell) -> str:
    """A cell's text as the reader sees it: no pop-ups, badges back to characters."""
    out = []

    def walk(el) -> None:
        if el.get("class") == "tip":
            return
        if el.get("class") == "ctl":
            out.append(chr(int(el.text[2:], 16)))
        else:
            out.append(el.text or "")
            for child in el:
                walk(child)
                out.append(child.tail or "")

    walk(cell)
    return "".join(out)


def test_every_segment_is_a_row_with_language_tagged_cells(sample_document: Document) -> None:
    root = _parse(render_review(sample_document))
    rows = root.cssselect("table#segments > tbody > tr.seg")
    assert len(rows) == len(sample_document.segments)
    for row, seg in zip(rows, sample_document.segments, strict=True):
        src, tgt = row.cssselect("td.src")[0], row.cssselect("td.tgt")[0]
        assert (src.get("lang"), tgt.get("lang")) == ("de", "en")
        assert _cell_text(src) == seg.source
        assert _cell_text(tgt) == seg.target
        assert row.cssselect("th")[0].get("scope") == "row"
    assert [th.get("scope") for th in root.cssselect("#segments thead th")] == ["col"] * 5


def test_term_links_point_at_their_partner_and_describe_their_concept(
    sample_document: Document,
) -> None:
    root = _parse(render_review(sample_document))
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    links = root.cssselect("a.hl[href]")
    assert links
    for link in links:
        assert link.get("href")[1:] in ids, link.get("href")
        described = link.get("aria-describedby").split()
        assert described[0] == "v-" + _status(link) and set(described) <= ids
        partner = root.get_element_by_id(link.get("href")[1:])
        if "hl" in (partner.get("class") or ""):
            # linked both ways
            assert partner.get("href") == "#" + link.get("id")


def test_failed_and_satisfied_terms_differ_in_class_and_symbol(sample_document: Document) -> None:
    text = render_review(sample_document)
    root = _parse(text)
    statuses = {_status(el) for el in root.cssselect("td a.hl")}
    assert {"ok", "forbidden"} <= statuses
    css = root.cssselect("style")[0].text
    for status, symbol in (("ok", "2713"), ("failed", "2717"), ("forbidden", "2298")):
        assert re.search(rf"a\.hl\.t-{status}::after \{{ content: \"\\{symbol}\"", css), status


def test_summary_reports_totals_glossary_and_model(sample_document: Document) -> None:
    from transkit.enforce.report import document_summary
    from transkit.review import review_context

    context = review_context(model="argos:test-model 1.0", glossaries=[("glossary/geo.tsv", 73)])
    root = _parse(render_review(sample_document, context=context))
    summary = {
        div.cssselect("dt")[0].text_content(): div.cssselect("dd")[0].text_content()
        for div in root.cssselect("#summary > div")
    }
    qa = document_summary(sample_document)
    assert summary["Segments"] == str(qa["segments"])
    assert summary["Terms required"] == str(qa["terms_required"])
    assert summary["Terms satisfied"] == str(qa["terms_satisfied"])
    assert summary["Terms failed"] == str(qa["terms_failed"])
    assert summary["Glossary"] == "glossary/geo.tsv (73 entries)"
    assert summary["Model"] == "argos:test-model 1.0"


HOSTILE = (
    "Er sagte: \"<script>alert(1)</script>\" & 'x' \u202egnp.exe\u202c \x00\x07 "
    "<img src=x onerror=alert(2)>"
)


def _hostile_document() -> Document:
    seg = Segment(
        "s<1>",
        HOSTILE,
        HOSTILE.replace("sagte", "said"),
        terms=(TermMatch('c"><b>', "Er", "Er", 0, 2, required=("He<i>",)),),
        checks=(TermCheck('c"><b>', "Er", ("He<i>",), False),),
        origin='"><script>alert(3)</script>',
        notes=("<b>note</b>",),
    )
    return Document(name="<evil>.txt", segments=(seg,))


def test_hostile_text_is_escaped_and_bidi_controls_are_visible() -> None:
    text = render_review(_hostile_document())
    root = _parse(text)
    scripts = root.cssselect("script")
    assert len(scripts) == 1 and "alert" not in scripts[0].text
    assert not root.cssselect("img") and not root.cssselect("b b")
    assert "\u202e" not in text and "\x00" not in text
    badges = [el.text for el in root.cssselect("td.src .ctl")]
    assert badges == ["U+202E", "U+202C", "U+0000", "U+0007"]
    src = root.cssselect("td.src")[0]
    assert _cell_text(src) == HOSTILE
    assert "<script>alert(1)</script>" in src.text_content()


def test_content_security_policy_allows_exactly_the_inline_blocks(
    sample_document: Document,
) -> None:
    root = _parse(render_review(sample_document))
    csp = root.cssselect('meta[http-equiv="Content-Security-Policy"]')[0].get("content")
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        (block,) = root.cssselect(tag)
        digest = base64.b64encode(hashlib.sha256(block.text.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp
    assert not root.cssselect("[src]") and not root.cssselect('link[rel="stylesheet"]')


def test_filter_is_a_real_checkbox_with_a_label_and_css_that_works_without_js(
    sample_document: Document,
) -> None:
    root = _parse(render_review(sample_document))
    box = root.get_element_by_id("only-flagged")
    assert box.get("type") == "checkbox"
    assert box.getparent().tag == "label"
    css = root.cssselect("style")[0].text
    assert "body:has(#only-flagged:checked) tr.seg:not(.flagged)" in css


@given(st.text(max_size=60), st.text(max_size=60))
def test_any_text_renders_and_reads_back_unchanged(source: str, target: str) -> None:
    doc = Document(name="x", segments=(Segment("1", source, target),))
    root = _parse(render_review(doc))
    row = root.cssselect("tr.seg")[0]
    assert _cell_text(row.cssselect("td.src")[0]) == source
    if target.strip() or not source.strip():
        assert _cell_text(row.cssselect("td.tgt")[0]) == target
    else:  # a blank target for real text: the source is kept, as in merge
        assert row.cssselect("td.tgt")[0].text == "(untranslated)"
        assert "untranslated" in row.get("data-flags")


def test_visible_text_parts_marks_only_suspect_characters() -> None:
    assert visible_text_parts("Grüße\tdu\n") == [("Grüße\tdu\n", False)]
    assert visible_text_parts("a\u200fb") == [("a", False), ("\u200f", True), ("b", False)]


def test_page_name() -> None:
    assert page_name("seeds/x.txt") == "x.de-en.html"
    assert page_name("out/x.de-en.xlf") == "x.de-en.html"
    assert page_name("notes") == "notes.de-en.html"


def test_write_review_writes_pages_and_an_index_with_totals(
    sample_document: Document, tmp_path: Path
) -> None:
    from dataclasses import replace

    second = replace(sample_document, name="other.txt", segments=sample_document.segments[:2])
    pages = [(sample_document, tmp_path / "a.de-en.html"), (second, tmp_path / "b.de-en.html")]
    written = write_review(pages, index=tmp_path / "index.html", model="m")
    assert [p.name for p in written] == ["a.de-en.html", "b.de-en.html", "index.html"]
    index = _parse((tmp_path / "index.html").read_text("utf-8"))
    rows = index.cssselect("#files tbody tr")
    assert [r.cssselect("a")[0].get("href") for r in rows] == ["a.de-en.html", "b.de-en.html"]
    assert rows[1].cssselect("td")[0].text == "2"
    back = _parse((tmp_path / "b.de-en.html").read_text("utf-8")).cssselect("nav a")[0]
    assert back.get("href") == "index.html"
    assert not list(tmp_path.glob(".*.tmp"))


def test_page_is_deterministic(sample_document: Document) -> None:
    assert render_review(sample_document) == render_review(sample_document)


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_documents_render(n: int) -> None:
    doc = Document(name="x", segments=tuple(Segment(str(i), "Hallo.", None) for i in range(n)))
    root = _parse(render_review(doc))
    assert len(root.cssselect("tr.seg")) == n


def test_long_documents_come_in_row_groups_with_table_roles(sample_document: Document) -> None:
    """Rows in <tbody> groups (skipped off screen), each with a height estimate rule;
    the explicit roles keep the table semantics under the on-screen grid layout."""
    from transkit.review.chunks import ROWS_PER_GROUP

    n = 2 * ROWS_PER_GROUP + 3
    pool = sample_document.segments
    segments = tuple(replace(pool[i % len(pool)], id=f"x{i}") for i in range(n))
    text = render_review(replace(sample_document, segments=segments))
    root = _parse(text)
    table = root.get_element_by_id("segments")
    assert table.get("role") == "table"
    bodies = table.findall("tbody")
    assert [len(b.findall("tr")) for b in bodies] == [ROWS_PER_GROUP, ROWS_PER_GROUP, 3]
    assert [tr.get("data-id") for b in bodies for tr in b] == [s.id for s in segments]
    css = root.cssselect("style")[0].text
    for body in bodies:
        assert body.get("role") == "rowgroup"
        height = body.get("class")
        assert re.fullmatch(r"h[0-9]+", height)
        px = int(height[1:]) * 100
        assert f"tbody.{height} {{ contain-intrinsic-size: auto {px}px; }}" in css
    assert {tr.get("role") for tr in table.iter("tr")} == {"row"}
    assert {th.get("role") for th in table.cssselect("tbody th")} == {"rowheader"}
    assert {th.get("role") for th in table.cssselect("thead th")} == {"columnheader"}
    assert {td.get("role") for td in table.iter("td")} == {"cell"}


def test_concept_pop_up_text_is_css_escaped_and_cannot_leave_the_style() -> None:
    from transkit.review.page import render_page
    from transkit.review.view import ConceptView, document_view

    evil = 'x"; } body { display: none } </style><script>alert(1)</script>\u202e\\'
    term = TermMatch("c1", "Peking", "Peking", 0, 6, required=("Beijing",))
    check = TermCheck("c1", "Peking", ("Beijing",), True, "Beijing")
    seg = Segment("1", "Peking.", "Beijing.", terms=(term,), checks=(check,))
    doc = Document(name="x", segments=(seg,))
    concept = ConceptView("c1", ("Peking",), "Beijing", forbidden=("Peking",), note=evil)
    text = render_page(document_view(doc, {"c1": concept}))
    root = _parse(text)
    (style,) = root.cssselect("style")
    (script,) = root.cssselect("script")
    assert "alert" not in script.text
    rule = [line for line in style.text.splitlines() if line.startswith(".k1 ")][0]
    assert rule.startswith('.k1 { --tip: "') and rule.endswith('"; }')
    assert rule.count('"') == 2 and "<" not in rule and "\u202e" not in rule
    assert "\\00003C /style\\00003E " in rule
    note = root.cssselect("tr#k1 td")[5]
    assert "</style><script>alert(1)</script>" in note.text_content()
    assert [b.text for b in note.cssselect(".ctl")] == ["U+202E"]


def test_checks_cell_says_each_verdict_in_words(sample_document: Document) -> None:
    root = _parse(render_review(sample_document))
    lines = [s.text_content() for s in root.cssselect("td.chk > span")]
    assert "\u2298 Peking \u2192 Beijing: missing; forbidden used: Peking" in lines
    assert "\u2713 seltene Erden \u2192 rare earths: satisfied" in lines
    required = sum(len(s.checks) for s in sample_document.segments)
    notes = sum(len(s.notes) for s in sample_document.segments)
    assert len(lines) == required + notes
    failed = root.cssselect("td.chk > span.c-forbidden")[0]
    assert failed.get("id").endswith("-check") and failed.find("span").get("lang") == "de"


@st.composite
def _segments_with_terms(draw) -> Segment:
    words = draw(st.lists(st.sampled_from(["Peking", "Erden", "und", "Tokio", "\u202e", "<b>"]),
                          min_size=1, max_size=8))  # fmt: skip
    source = " ".join(words)
    terms, checks = [], []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(source) - 1))
        end = draw(st.integers(start + 1, len(source)))
        concept = draw(st.sampled_from(["c1", "c2", "c3"]))
        english = draw(st.sampled_from(["Beijing", "earths", "Tokyo"]))
        kind = draw(st.sampled_from(["exact", "exact", "compound"]))
        terms.append(TermMatch(concept, source[start:end], source[start:end], start, end,
                               kind=kind, required=(english,), forbidden=("Peking",)))  # fmt: skip
        if kind != "compound":
            ok = draw(st.booleans())
            checks.append(TermCheck(concept, source[start:end], (english,), ok,
                                    english if ok else "", () if ok else ("Peking",)))  # fmt: skip
    target = draw(st.one_of(st.none(), st.text(max_size=40), st.just("Beijing and Peking")))
    return Segment("1", source, target, terms=tuple(terms), checks=tuple(checks))


@given(st.lists(_segments_with_terms(), min_size=1, max_size=4))
def test_any_terms_and_checks_render_with_working_links(segments: list[Segment]) -> None:
    doc = Document(name="x", segments=tuple(segments))
    root = _parse(render_review(doc))
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for link in root.cssselect("a.hl[href]"):
        assert link.get("href")[1:] in ids
        assert set(link.get("aria-describedby").split()) <= ids
    rows = root.cssselect("tr.seg")
    for row, seg in zip(rows, segments, strict=True):
        lines = row.cssselect("td.chk > span")
        verdicts = [s for s in lines if s.get("id")]
        assert len(verdicts) == len(seg.checks)
        assert _cell_text(row.cssselect("td.src")[0]) == seg.source
        # a highlight never splits or loses text, whatever the offsets
        assert len(row.cssselect("td.src a.hl")) <= len(seg.terms)


def test_admitted_form_is_told_apart_from_the_approved_one() -> None:
    from transkit.review.page import render_page
    from transkit.review.view import ConceptView, document_view

    term = TermMatch("usa", "USA", "USA", 4, 7, required=("United States", "U.S."))
    segments = (
        Segment("1", "Die USA handeln.", "The U.S. acts.", terms=(term,),
                checks=(TermCheck("usa", "USA", term.required, True, "U.S."),)),
        Segment("2", "Die USA handeln.", "The United States acts.", terms=(term,),
                checks=(TermCheck("usa", "USA", term.required, True, "United States"),)),
    )  # fmt: skip
    concept = ConceptView("usa", ("USA",), "United States", admitted=("U.S.",))
    root = _parse(render_page(document_view(Document("x", segments), {"usa": concept})))
    first, second = (row.cssselect("td.tgt a.hl")[0] for row in root.cssselect("tr.seg"))
    assert "adm" in first.get("class").split() and "adm" not in second.get("class").split()
    assert first.get("aria-describedby").split()[0] == "v-ok-adm"
    assert root.get_element_by_id("v-ok-adm").text.strip() == "satisfied with an admitted form"
