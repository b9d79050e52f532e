"""HTML: runs of inline text out as units, translated runs back in, with lxml.html.

`extract` and `rebuild` are a symmetric pair.  A unit is the inline content
of a block (``<p>``, ``<li>``, ``<td>``, ``<h1>``, ``<title>``, ``<option>``,
…) between its block children: text with ``<b>``, ``<em>``, ``<a>``,
``<span>``, … as paired codes, and ``<br>``, ``<img>``, ``<code>`` or
anything marked ``translate="no"`` as point codes that come back unchanged.
``title``, ``alt``, ``placeholder``, ``aria-label``, ``summary`` and
``label`` attributes, button-like ``<input value>`` and ``<meta
name=description|keywords content>`` are units of their own.

Never translated: ``<script>``, ``<style>``, ``<pre>``, ``<code>``,
``<kbd>``, ``<samp>``, ``<var>``, ``<textarea>``, SVG and MathML, and
whatever carries ``translate="no"`` (HTML5's own flag).  White space at a
unit's edges is kept as it was; inside, runs of white space are one space,
as a browser shows them.  HTML has no tracked changes; ``<ins>``/``<del>``
are ordinary inline markup.  The document is written back in its own
encoding (characters it cannot hold become references) with its DOCTYPE.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from transkit.errors import FormatError
from transkit.formats.inline_units import (
    Close,
    Code,
    Extracted,
    Open,
    Part,
    Point,
    Unit,
    build_parts,
)

__all__ = ["extract", "rebuild", "TRANSLATED_ATTRIBUTES"]

INLINE = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "del",
        "label",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "data",
        "nobr",
    ]
)
#: Kept whole, never translated; a point code where they stand inside text.
UNTRANSLATED = frozenset(
    [
        "script",
        "style",
        "pre",
        "code",
        "kbd",
        "samp",
        "var",
        "textarea",
        "svg",
        "math",
        "template",
        "noscript",
        "iframe",
        "object",
        "embed",
        "audio",
        "video",
        "canvas",
        "map",
    ]
)
#: Empty inline elements: point codes.
EMPTY_INLINE = frozenset(["br", "img", "wbr", "input"])
TRANSLATED_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "summary", "label")
_BUTTON_INPUTS = ("submit", "button", "reset")
_META_NAMES = ("description", "keywords", "title", "subject")
_WS = re.compile(r"\s+")


def _name(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _no_translate(el: Any) -> bool:
    return (el.get("translate") or "").strip().lower() == "no"


def _is_inline(el: Any) -> bool:
    """Inline markup whose text is part of the sentence around it."""
    if _name(el) not in INLINE or _no_translate(el):
        return False
    return not any(
        isinstance(d.tag, str) and _name(d) not in INLINE | EMPTY_INLINE | UNTRANSLATED
        for d in el.iterdescendants()
    )


def _is_point(el: Any) -> bool:
    """Kept as it is inside a sentence: an image, a break, code, untranslatable markup."""
    name = _name(el)
    return (
        not isinstance(el.tag, str)
        or name in EMPTY_INLINE
        or name in UNTRANSLATED
        or (name in INLINE and _no_translate(el))
    )


def parse(data: bytes, name: str) -> Any:
    """The document tree; refuses what is not HTML."""
    import lxml.html
    from lxml import etree

    head = data[:2048].lstrip().lower()
    if (
        head.startswith(b"pk\x03\x04")
        or b"\x00" in data[:1024]
        and not head.startswith(b"\xff\xfe")
    ):
        raise FormatError("not an HTML file (binary content)", file=name)
    if b"<" not in data[:4096]:
        raise FormatError("not an HTML file (no markup)", file=name)
    parser = lxml.html.HTMLParser(remove_comments=False, no_network=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as err:
        raise FormatError(f"cannot parse HTML: {err}", file=name) from None
    return root


class _Collector:
    def __init__(self) -> None:
        self.units: list[Unit] = []

    def new_id(self) -> str:
        return f"h{len(self.units)}"

    def attributes(self, el: Any) -> None:
        name = _name(el)
        wanted = list(TRANSLATED_ATTRIBUTES)
        if name == "input" and (el.get("type") or "").lower() in _BUTTON_INPUTS:
            wanted.append("value")
        if name == "meta" and (el.get("name") or "").lower() in _META_NAMES:
            wanted.append("content")
        for attr in wanted:
            value = el.get(attr)
            if value and any(ch.isalpha() for ch in value):
                lead = value[: len(value) - len(value.lstrip())]
                trail = value[len(value.rstrip()) :]
                ident = self.new_id()
                text = _WS.sub(" ", value.strip())
                self.units.append(
                    Unit(ident, [text], {}, f"{name}@{attr}", ("attr", el, attr, lead, trail))
                )

    def block(self, el: Any) -> None:
        """Every unit inside a block element, in document order."""
        self.attributes(el)
        if _name(el) in UNTRANSLATED or _no_translate(el):
            return
        run: list[Any] = []  # inline children of the current run
        slot: Any = None  # None: the run starts in el.text; else in this child's tail
        for child in el:
            if isinstance(child.tag, str) and not _is_inline(child) and not _is_point(child):
                self.run(el, slot, run)
                self.block(child)
                run, slot = [], child
            else:
                for owner in _attribute_owners(child):
                    self.attributes(owner)
                run.append(child)
        self.run(el, slot, run)

    def run(self, parent: Any, slot: Any, children: list[Any]) -> None:
        start = parent.text if slot is None else slot.tail
        parts: list[Part] = []
        codes: dict[str, Code] = {}
        counter = iter(range(1, 1 << 30))

        def add(text: str | None) -> None:
            if text:
                if parts and isinstance(parts[-1], str):
                    parts[-1] += text
                else:
                    parts.append(text)

        def inline(child: Any) -> None:
            ident = str(next(counter))
            if _is_point(child):
                kind = {"br": "lb", "img": "image"}.get(
                    _name(child), f"x-{_name(child) or 'comment'}"
                )
                codes[ident] = Code(ident, kind, False, child, _name(child))
                parts.append(Point(ident))
            else:
                kind = {
                    "b": "bold",
                    "strong": "bold",
                    "i": "italic",
                    "em": "italic",
                    "u": "underlined",
                    "a": "link",
                }.get(_name(child), f"x-{_name(child)}")
                codes[ident] = Code(ident, kind, True, child, _name(child))
                parts.append(Open(ident))
                add(child.text)
                for grand in child:
                    inline(grand)
                    add(grand.tail)
                parts.append(Close(ident))

        add(start)
        for child in children:
            inline(child)
            add(child.tail)
        text = "".join(p for p in parts if isinstance(p, str))
        if not text.strip():
            return
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        parts = _normalise(parts)
        ident = self.new_id()
        self.units.append(
            Unit(
                ident,
                parts,
                codes,
                _name(parent),
                ("run", parent, slot, list(children), lead, trail),
            )
        )


def _attribute_owners(el: Any) -> list[Any]:
    """Elements in ``el``'s subtree whose attributes are translated (not inside code)."""
    if not isinstance(el.tag, str) or _no_translate(el) or _name(el) in UNTRANSLATED:
        return []
    owners = [el]
    for child in el:
        owners.extend(_attribute_owners(child))
    return owners


def _normalise(parts: list[Part]) -> list[Part]:
    """White space as a browser shows it: runs are one space, none at the edges."""
    out: list[Part] = []
    for part in parts:
        out.append(_WS.sub(" ", part) if isinstance(part, str) else part)
    texts = [k for k, p in enumerate(out) if isinstance(p, str)]
    if texts:
        out[texts[0]] = out[texts[0]].lstrip()
        out[texts[-1]] = out[texts[-1]].rstrip()
    return [p for p in out if p != ""]


def _read(data: bytes, name: str) -> tuple[Any, Extracted]:
    root = parse(data, name)
    collector = _Collector()
    head = root.find("head")
    if head is not None:
        for el in head.iter():
            if _name(el) == "meta":
                collector.attributes(el)
            elif _name(el) == "title":
                collector.block(el)
    body = root.find("body")
    for el in [body] if body is not None else [c for c in root if _name(c) != "head"]:
        if el is not None:
            collector.block(el)
    return root, Extracted("html", collector.units, [], count_elements(root))


def extract(data: bytes, name: str) -> Extracted:
    """The units of an HTML file (see the module docstring)."""
    return _read(data, name)[1]


def count_elements(root: Any) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for el in root.iter():
        name = _name(el)
        if name in ("b", "strong"):
            counts["bold"] += 1
        elif name in ("i", "em"):
            counts["italic"] += 1
        elif name == "a" and el.get("href") is not None:
            counts["links"] += 1
        elif name == "li":
            counts["list items"] += 1
        elif name in ("td", "th"):
            counts["table cells"] += 1
        elif name == "img":
            counts["images"] += 1
    return dict(counts)


def _shell(element: Any) -> Any:
    """A copy of an element without its content (HTML allows names lxml's API refuses)."""
    shell = deepcopy(element)
    shell.text = shell.tail = None
    for child in list(shell):
        shell.remove(child)
    return shell


def _write_run(unit: Unit, parts: list[Part]) -> None:
    from lxml import etree

    _, parent, slot, children, lead, trail = unit.handle
    holder = etree.Element("span")
    build_parts(holder, unit, parts, _shell)
    for child in children:
        if child.getparent() is parent:
            parent.remove(child)
    text = lead + (holder.text or "")
    new_children = list(holder)
    if new_children:
        new_children[-1].tail = (new_children[-1].tail or "") + trail
    else:
        text += trail
    if slot is None:
        parent.text = text
        index = 0
    else:
        slot.tail = text
        index = parent.index(slot) + 1
    for offset, child in enumerate(new_children):
        parent.insert(index + offset, child)


def rebuild(data: bytes, name: str, targets: Mapping[str, list[Part]]) -> bytes:
    """The HTML with each unit replaced by its target, in the document's own encoding."""
    from lxml import etree

    root, extracted = _read(data, name)
    # attributes first: a run rewritten afterwards copies its elements' new values
    for unit in extracted.units:
        parts = targets.get(unit.id)
        if parts is not None and unit.handle[0] == "attr":
            _, el, attr, lead, trail = unit.handle
            el.set(attr, lead + "".join(p for p in parts if isinstance(p, str)) + trail)
    for unit in extracted.units:
        parts = targets.get(unit.id)
        if parts is not None and unit.handle[0] == "run":
            _write_run(unit, parts)
    tree = root.getroottree()
    encoding = tree.docinfo.encoding or "utf-8"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "utf-8"
    out = etree.tostring(tree, method="html", encoding=encoding, doctype=tree.docinfo.doctype)
    original = re.search(rb"<!DOCTYPE[^>]*>", data[:8192], re.IGNORECASE)
    written = re.search(rb"<!DOCTYPE[^>]*>", out[:8192], re.IGNORECASE)
    if original and written:  # lxml rewrites its case; keep the document's own
        out = out[: written.start()] + original.group() + out[written.end() :]
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    declaration = re.match(rb"\s*(<\?xml[^>]*\?>\s*)", data[len(bom) :])
    if declaration:  # XHTML: its encoding is declared there, keep it
        out = declaration.group(1) + out
    return bom + out
