"""The review page as one self-contained HTML file, built as an lxml tree.

Every piece of text enters the tree as a text node, so lxml escapes it;
characters that could hide or reorder text (C0 controls, bidi overrides,
zero-width marks) are shown as visible ``U+XXXX`` badges instead.  The CSS
and JavaScript ship inside the package (``review/static``) and are inlined
under a Content-Security-Policy that allows exactly those two blocks (by
hash), so nothing from the document's text could ever run.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree

from transkit.review.chunks import groups, height_class, height_css
from transkit.review.view import (
    STATUS_LABELS,
    ConceptView,
    DocumentView,
    SegmentView,
    TermSpan,
    check_details,
)

__all__ = ["PageContext", "IndexEntry", "render_page", "render_index", "visible_text_parts"]

_LANG_NAMES = {"de": "German", "en": "English"}
_SYMBOLS = {"ok": "\u2713", "failed": "\u2717", "forbidden": "\u2298"}
_SYMBOLS.update(compound="\u2139", pending="\u2139", note="\u2139")
_FLAG_LABELS = {
    "failed": "term failed",
    "forbidden": "forbidden term",
    "compound": "check compound",
    "untranslated": "untranslated",
}
#: Characters shown as badges: C0/C1 controls (not tab or line feed), bidi
#: embeddings/overrides/isolates and marks, zero-width characters, BOM,
#: surrogates, private use and non-characters (Trojan Source and friends).
_SUSPECT = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069"
    r"\ud800-\udfff\ue000-\uf8ff\ufeff\ufffe\uffff\U000f0000-\U0010ffff]"
)


@dataclass(frozen=True)
class PageContext:
    """What the page says about how it was made (summary and footer)."""

    model: str | None = None
    glossaries: tuple[tuple[str, int], ...] = ()
    generator: str = ""
    subtitle: str = ""
    index_href: str | None = None


@dataclass(frozen=True)
class IndexEntry:
    """One row of ``index.html``: a page and its document's totals."""

    name: str
    href: str
    totals: Mapping[str, int]


@cache
def _asset(name: str) -> str:
    return resources.files("transkit.review").joinpath("static", name).read_text("utf-8")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def visible_text_parts(text: str) -> list[tuple[str, bool]]:
    """Split text into (plain, False) runs and (character, True) to show as a badge."""
    parts: list[tuple[str, bool]] = []
    cursor = 0
    for match in _SUSPECT.finditer(text):
        if cursor < match.start():
            parts.append((text[cursor : match.start()], False))
        parts.append((match.group(), True))
        cursor = match.end()
    if cursor < len(text):
        parts.append((text[cursor:], False))
    return parts


def _append_plain(parent: Any, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _put(parent: Any, text: str) -> None:
    """Add text to ``parent``, badges for control and bidi characters."""
    if not _SUSPECT.search(text):
        _append_plain(parent, text)
        return
    for piece, suspect in visible_text_parts(text):
        if not suspect:
            _append_plain(parent, piece)
            continue
        cp = ord(piece)
        try:
            name = unicodedata.name(piece)
        except ValueError:
            name = "control character"
        badge = etree.SubElement(parent, "span", {"class": "ctl", "title": f"U+{cp:04X} {name}"})
        badge.text = f"U+{cp:04X}"


@cache
def _attr_name(keyword: str) -> str:
    return keyword.rstrip("_").replace("_", "-")


def _el(parent: Any, tag: str, text: str | None = None, **attrs: str | None) -> Any:
    """A child element; ``class_``/``for_`` name ``class``/``for``, ``_`` becomes ``-``."""
    names = {_attr_name(k): v for k, v in attrs.items() if v is not None}
    el = etree.SubElement(parent, tag, names)
    if text:
        _put(el, text)
    return el


def _head(html: Any, title: str, extra_css: str = "") -> Any:
    css, js = _asset("review.css") + extra_css, _asset("review.js")
    head = _el(html, "head")
    _el(head, "meta", charset="utf-8")
    _el(
        head,
        "meta",
        http_equiv="Content-Security-Policy",
        content=(
            f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
            "img-src data:; base-uri 'none'; form-action 'none'"
        ),
    )
    _el(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    _el(head, "meta", name="color-scheme", content="light")
    _el(head, "link", rel="icon", href="data:,")
    _el(head, "title", title)
    style = _el(head, "style")
    style.text = css
    return js


def _finish(html: Any, body: Any, js: str) -> str:
    script = _el(body, "script")
    script.text = js
    return etree.tostring(html, method="html", encoding="unicode", doctype="<!DOCTYPE html>")


def _summary_item(dl: Any, label: str, value: str, cls: str = "", small: bool = False) -> None:
    div = _el(dl, "div", class_=cls or None)
    _el(div, "dt", label)
    _el(div, "dd", value, class_="small" if small else None)


def _glossary_text(context: PageContext) -> str:
    if not context.glossaries:
        return "none"
    return "; ".join(f"{path} ({n} entries)" for path, n in context.glossaries)


def _summary(body: Any, view: DocumentView, context: PageContext) -> None:
    t = view.totals
    section = _el(body, "section", aria_labelledby="summary-h")
    _el(section, "h2", "Summary", id="summary-h")
    dl = _el(section, "dl", class_="summary", id="summary")
    _summary_item(dl, "Segments", str(t["segments"]))
    if t["translated"] != t["segments"]:
        _summary_item(dl, "Untranslated", str(t["segments"] - t["translated"]), "bad")
    _summary_item(dl, "Terms required", str(t["terms_required"]))
    _summary_item(dl, "Terms satisfied", str(t["terms_satisfied"]))
    _summary_item(dl, "Terms failed", str(t["terms_failed"]), "bad" if t["terms_failed"] else "")
    if t["forbidden_found"]:
        _summary_item(dl, "Forbidden forms used", str(t["forbidden_found"]), "bad")
    _summary_item(dl, "Flagged segments", str(t["flagged"]), "bad" if t["flagged"] else "")
    _summary_item(dl, "Glossary", _glossary_text(context), "wide", small=True)
    _summary_item(dl, "Model", context.model or "unknown", "wide", small=True)
    if view.methods:
        methods = ", ".join(f"{label} {n}" for label, n in view.methods.items())
        _summary_item(dl, "Origin of targets", methods, "wide", small=True)
    if set(view.states) - {"mt"}:
        # After post-editing: how far each segment got (new, mt, translated...).
        states = ", ".join(f"{state} {n}" for state, n in view.states.items())
        _summary_item(dl, "Target states", states, "wide", small=True)


def _controls(body: Any, view: DocumentView) -> None:
    div = _el(body, "div", class_="controls")
    label = _el(div, "label", for_="only-flagged")
    _el(label, "input", type="checkbox", id="only-flagged")
    _put(label, f"Show only flagged segments ({view.totals['flagged']})")
    _el(div, "span", id="shown", role="status", aria_live="polite")
    legend = _el(div, "ul", class_="legend", aria_label="Legend")
    for status in ("ok", "failed", "forbidden", "compound", "pending"):
        li = _el(legend, "li")
        _el(li, "a", "term", class_=f"hl t-{status}", aria_hidden="true")
        _el(li, "span", " " + STATUS_LABELS[status], id=f"v-{status}")
        if status == "ok":
            li = _el(legend, "li")
            _el(li, "a", "term", class_="hl t-ok adm", aria_hidden="true")
            _el(li, "span", " satisfied with an admitted form", id="v-ok-adm")


_CSS_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.;:_()/-")


def _css_string(text: str) -> str:
    """A CSS string literal: every character outside a small safe set hex-escaped.

    Each escape ends with the one space CSS swallows after an escape, so a
    real space after it survives; nothing (quote, backslash, ``<``, line
    break) can end the string or the style element.
    """
    return '"' + "".join(c if c in _CSS_SAFE else f"\\{ord(c):06X} " for c in text) + '"'


def _plain(text: str) -> str:
    """Text for a CSS pop-up: invisible and bidi characters written as ``U+XXXX``."""
    return "".join(f"U+{ord(p):04X}" if bad else p for p, bad in visible_text_parts(text))


def _tip_text(concept: ConceptView) -> str:
    """The pop-up of a concept: its forms by status, then domain, note and id."""
    lines = [f"{' / '.join(concept.de)} \u2192 {concept.approved or '(no English)'}"]
    approved = concept.approved + (" (do not translate)" if concept.dnt else "")
    lines.append(f"approved: {approved}")
    if concept.admitted:
        lines.append(f"admitted: {', '.join(concept.admitted)}")
    if concept.deprecated:
        lines.append(f"deprecated: {', '.join(concept.deprecated)}")
    forbidden = ", ".join(concept.forbidden) or "\u2014"
    lines.append(f"forbidden: {forbidden}")
    if concept.domain:
        lines.append(f"domain: {concept.domain}")
    if concept.note:
        lines.append(f"note: {concept.note}")
    lines.append(f"concept: {concept.id}")
    return _plain("\n".join(lines))


def _concept_css(keys: Mapping[str, str], concepts: Mapping[str, ConceptView]) -> str:
    """One custom property per concept: the pop-up text, shared by every occurrence."""
    rules = [
        f".{key} {{ --tip: {_css_string(_tip_text(concepts[cid]))}; }}"
        for cid, key in keys.items()
        if cid in concepts
    ]
    return "\n".join(rules) + "\n" if rules else ""


def _link_target(
    span: TermSpan, side: str, seg: SegmentView, partners: Mapping[str, str], key: str
) -> str:
    """Where a term links: its partner, else its check line, else its concept row."""
    partner = partners.get(f"{span.key}-{side}")
    if partner:
        return partner
    if any(k == span.key for k, _ in seg.checks):
        return f"s{seg.number}-{span.key}-check"
    return key or "concepts"


def _cell_with_terms(
    cell: Any,
    text: str,
    spans: Sequence[TermSpan],
    side: str,
    seg: SegmentView,
    partners: Mapping[str, str],
    keys: Mapping[str, str],
    admitted: frozenset[str] = frozenset(),
) -> None:
    cursor = 0
    for span in spans:
        _put(cell, text[cursor : span.start])
        base = f"s{seg.number}-{span.key}"
        anchor = f"{base}-{side}"
        key = keys.get(span.concept_id, "")
        verdict = "ok-adm" if span.status == "ok" and span.key in admitted else span.status
        _el(
            cell,
            "a",
            text[span.start : span.end],
            class_=f"hl t-{span.status} {'adm ' if verdict == 'ok-adm' else ''}{key}".strip(),
            id=anchor,
            href="#" + _link_target(span, side, seg, partners, key),
            aria_describedby=f"v-{verdict} {key}".strip(),
        )
        cursor = span.end
    _put(cell, text[cursor:])


def _check_line(td: Any, status: str, text: str = "", anchor: str | None = None) -> Any:
    """One line of the checks cell: symbol, words (lines split by newlines, pre-line)."""
    if len(td):
        _append_plain(td, "\n")
    return _el(td, "span", f"{_SYMBOLS[status]} {text}", class_=f"c-{status}", id=anchor)


def _checks_cell(td: Any, seg: SegmentView) -> None:
    if "untranslated" in seg.flags:
        _check_line(td, "failed", "untranslated: no English target")
    for key, check in seg.checks:
        status = "ok" if check.satisfied else ("forbidden" if check.forbidden_found else "failed")
        line = _check_line(td, status, anchor=f"s{seg.number}-{key}-check")
        _el(line, "span", check.term, lang="de")
        _put(line, " \u2192 " + (" | ".join(check.required) or "?"))
        if check.satisfied:
            _put(line, ": satisfied")
        else:
            _put(line, ": missing" if not check.found else ": found " + check.found)
            if check.forbidden_found:
                _put(line, "; forbidden used: " + ", ".join(check.forbidden_found))
        for label, value in check_details(check):
            _put(line, f"; {label}: {value}")
    for note in seg.notes:
        _check_line(td, "note", note)


def _admitted_keys(seg: SegmentView, concepts: Mapping[str, ConceptView]) -> frozenset[str]:
    """Checks satisfied by an admitted (not the approved) English form."""
    keys = set()
    for key, check in seg.checks:
        concept = concepts.get(check.concept_id)
        if not check.satisfied or concept is None or not check.found:
            continue
        found = check.found.casefold()
        if found != concept.approved.casefold() and found in {
            a.casefold() for a in concept.admitted
        }:
            keys.add(key)
    return frozenset(keys)


def _segment_row(
    tbody: Any,
    seg: SegmentView,
    keys: Mapping[str, str],
    langs: tuple[str, str],
    model: str | None,
    concepts: Mapping[str, ConceptView],
) -> None:
    src_lang, tgt_lang = langs
    admitted = _admitted_keys(seg, concepts)
    classes = "seg flagged" if seg.flagged else "seg"
    # Explicit roles: on screen the table is drawn with block and grid boxes
    # (see review.chunks), which some browsers take as a reason to drop the
    # table semantics; the roles keep them everywhere.
    tr = _el(tbody, "tr", id=f"s{seg.number}", class_=classes, role="row")
    tr.set("data-id", seg.id)
    if seg.flags:
        tr.set("data-flags", " ".join(seg.flags))
    th = _el(tr, "th", scope="row", role="rowheader")
    _el(th, "a", str(seg.number), href=f"#s{seg.number}", aria_label=f"Segment {seg.number}")
    for flag in seg.flags:
        _el(th, "span", _FLAG_LABELS.get(flag, flag), class_="flagtag")

    partners: dict[str, str] = {}
    for span in seg.source_spans:
        partners.setdefault(f"{span.key}-de", f"s{seg.number}-{span.key}-en")
    en_keys = {s.key for s in seg.target_spans}
    for key in list(partners):
        if key[:-3] not in en_keys:
            del partners[key]
    de_keys = {s.key for s in seg.source_spans}
    for span in seg.target_spans:
        if span.key in de_keys:
            partners[f"{span.key}-en"] = f"s{seg.number}-{span.key}-de"

    src = _el(tr, "td", class_="src", lang=src_lang, role="cell")
    _cell_with_terms(src, seg.source, seg.source_spans, "de", seg, partners, keys, admitted)
    if seg.target is None:
        kept = any(label == "translate" for label, _ in seg.origin)
        text = "(not to translate: the source is kept)" if kept else "(untranslated)"
        _el(tr, "td", text, class_="tgt none", lang="en", role="cell")
    else:
        tgt = _el(tr, "td", class_="tgt", lang=tgt_lang, role="cell")
        _cell_with_terms(tgt, seg.target, seg.target_spans, "en", seg, partners, keys, admitted)
    _checks_cell(_el(tr, "td", class_="chk", lang="en", role="cell"), seg)
    org = _el(tr, "td", class_="org", role="cell")
    # The engine named in the summary is not repeated on every row.
    rows = [(k, v) for k, v in seg.origin if not (k == "engine" and v == model)]
    if len(rows) == 1 and rows[0][0] == "method":
        _put(org, rows[0][1])
    elif rows:
        dl = _el(org, "dl", class_="origin")
        for label, value in rows:
            _el(dl, "dt", label)
            _el(dl, "dd", value)


def _concept_table(body: Any, view: DocumentView, keys: Mapping[str, str]) -> None:
    if not view.concepts:
        return
    counts: dict[str, dict[str, int]] = {}
    for seg in view.segments:
        for span in seg.source_spans:
            c = counts.setdefault(span.concept_id, {})
            c[span.status] = c.get(span.status, 0) + 1
    section = _el(body, "section", aria_labelledby="concepts-h", id="concepts")
    _el(section, "h2", "Glossary concepts on this page", id="concepts-h")
    table = _el(section, "table", class_="plain")
    thead = _el(_el(table, "thead"), "tr")
    columns = ("Concept", "German", "Approved", "Admitted", "Deprecated", "Forbidden", "Note")
    for name in (*columns, "Verdicts"):
        _el(thead, "th", name, scope="col")
    tbody = _el(table, "tbody")
    for cid, concept in view.concepts.items():
        tr = _el(tbody, "tr", id=keys[cid])
        _el(tr, "th", cid, scope="row")
        _el(tr, "td", ", ".join(concept.de), lang="de")
        _el(tr, "td", concept.approved, lang="en")
        _el(tr, "td", ", ".join(concept.admitted), lang="en")
        _el(tr, "td", ", ".join(concept.deprecated), lang="en")
        _el(tr, "td", ", ".join(concept.forbidden), lang="en")
        _el(tr, "td", concept.note)
        c = counts.get(cid, {})
        verdicts = ", ".join(
            f"{_SYMBOLS[k]} {STATUS_LABELS[k].split(':')[0]} {n}" for k, n in c.items()
        )
        _el(tr, "td", verdicts)


def _lang_name(code: str) -> str:
    return _LANG_NAMES.get(code.split("-")[0].lower(), code)


def render_page(view: DocumentView, context: PageContext | None = None) -> str:
    """The whole review page for one document, as an HTML string."""
    context = context or PageContext()
    src_lang, tgt_lang = view.source_lang, view.target_lang
    html = etree.Element("html", lang="en")
    title = f"Review: {view.name} ({_lang_name(src_lang)} \u2192 {_lang_name(tgt_lang)})"
    keys = {cid: f"k{i}" for i, cid in enumerate(view.concepts, 1)}
    chunks = [(rows, height_class(rows)) for rows in groups(view.segments)]
    css = _concept_css(keys, view.concepts) + height_css(cls for _, cls in chunks)
    js = _head(html, title, css)
    body = _el(html, "body")
    _el(body, "a", "Skip to the segments", class_="skip", href="#segments")
    header = _el(body, "header")
    if context.index_href:
        nav = _el(header, "nav", aria_label="Files")
        _el(nav, "a", "\u2190 All files", href=context.index_href)
    _el(header, "h1", title)
    if context.subtitle:
        _el(header, "p", context.subtitle, class_="sub")
    main = _el(body, "main")
    _summary(main, view, context)
    _controls(main, view)
    table = _el(main, "table", class_="segments", id="segments", role="table")
    _el(
        table,
        "caption",
        f"Segments of {view.name}: {_lang_name(src_lang)} and "
        f"{_lang_name(tgt_lang)}, with term checks and origin",
    )
    colgroup = _el(table, "colgroup")
    for cls in ("c-num", "c-src", "c-tgt", "c-chk", "c-org"):
        _el(colgroup, "col", class_=cls)
    head_row = _el(_el(table, "thead", role="rowgroup"), "tr", role="row")
    for name in ("#", _lang_name(src_lang), _lang_name(tgt_lang), "Term checks", "Origin"):
        _el(head_row, "th", name, scope="col", role="columnheader")
    # Rows in groups, one <tbody> each, skipped by the browser while off screen.
    for rows, height in chunks or [((), None)]:
        tbody = _el(table, "tbody", class_=height, role="rowgroup")
        for seg in rows:
            _segment_row(tbody, seg, keys, (src_lang, tgt_lang), context.model, view.concepts)
    _el(
        main,
        "p",
        "No segment is flagged.",
        class_="empty" + (" none-flagged" if not view.totals["flagged"] else ""),
    )
    _concept_table(main, view, keys)
    footer = _el(body, "footer")
    _put(footer, f"Made by {context.generator or 'transkit'}. Works offline; no network used.")
    return _finish(html, body, js)


def render_index(entries: Sequence[IndexEntry], context: PageContext | None = None) -> str:
    """``index.html``: one row per file with its totals and a link to its page."""
    context = context or PageContext()
    html = etree.Element("html", lang="en")
    js = _head(html, "Review: all files")
    body = _el(html, "body")
    _el(_el(body, "header"), "h1", f"Review: {len(entries)} files")
    main = _el(body, "main")
    dl = _el(main, "dl", class_="summary")
    keys = ("segments", "terms_required", "terms_satisfied", "terms_failed", "flagged")
    total = {k: sum(e.totals.get(k, 0) for e in entries) for k in keys}
    for key in keys:
        bad = "bad" if key in ("terms_failed", "flagged") and total[key] else ""
        _summary_item(dl, key.replace("_", " ").capitalize(), str(total[key]), bad)
    _summary_item(dl, "Glossary", _glossary_text(context), "wide", small=True)
    _summary_item(dl, "Model", context.model or "unknown", "wide", small=True)
    table = _el(main, "table", class_="plain", id="files")
    _el(table, "caption", "Files and their term checks")
    head = _el(_el(table, "thead"), "tr")
    for name in ("File", "Segments", "Terms required", "Satisfied", "Failed", "Flagged"):
        _el(head, "th", name, scope="col")
    tbody = _el(table, "tbody")
    for entry in entries:
        tr = _el(tbody, "tr", class_="bad" if entry.totals.get("terms_failed") else None)
        th = _el(tr, "th", scope="row")
        _el(th, "a", entry.name, href=entry.href)
        for key in keys:
            cls = "num failed" if key == "terms_failed" else "num"
            _el(tr, "td", str(entry.totals.get(key, 0)), class_=cls)
    footer = _el(body, "footer")
    _put(footer, f"Made by {context.generator or 'transkit'}.")
    return _finish(html, body, js)
