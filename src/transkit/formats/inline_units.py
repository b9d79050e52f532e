"""Text units with inline codes: what the document formats hand to pre-translation.

A document format (`docx`, `odt`, `html`, `markdown`) turns a file into
`Unit`s: one per paragraph, heading, table cell or translatable attribute.
A unit is plain German text with inline codes around or between its words:
a bold run or a link is a paired code, an image, a field or a footnote mark
is a point.  The codes keep their own payload (the format's XML, or the
Markdown it was written with) on the format's side; what travels is only
the code's id.

`document_xliff` writes the units as an XLIFF 1.2 file whose ``<skl>``
embeds the original document, so a post-edited XLIFF alone rebuilds the
translated document (``transkit merge``).  Pre-translation fills that XLIFF
like any other: codes are placed by the attention alignment
(`transkit.text.align.place`), never by asking the engine to copy a tag.
`target_parts` reads a filled ``<target>`` back into parts for the format's
``rebuild``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from transkit.errors import FormatError

__all__ = [
    "Close",
    "Code",
    "Open",
    "Part",
    "Point",
    "Unit",
    "Extracted",
    "document_xliff",
    "read_skeleton",
    "target_parts",
    "unit_targets",
    "parts_text",
    "DOCUMENT_DATATYPES",
]

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"

#: XLIFF ``datatype`` of the ``<file>`` per document format.
DOCUMENT_DATATYPES = {
    "docx": "x-docx",
    "odt": "x-odt",
    "html": "html",
    "markdown": "x-markdown",
}


@dataclass(frozen=True)
class Open:
    """The start of a paired code (a bold run, a link)."""

    id: str


@dataclass(frozen=True)
class Close:
    """The end of a paired code."""

    id: str


@dataclass(frozen=True)
class Point:
    """A code with no content of its own (an image, a field, a footnote mark)."""

    id: str


Part = str | Open | Close | Point


@dataclass
class Code:
    """One inline code of a unit: what it is (for the XLIFF ``ctype``) and its payload.

    ``payload`` is the format's own (an lxml element, Markdown text); it never
    leaves the format module except as the code's ``id``.
    """

    id: str
    kind: str  # "bold", "italic", "underlined", "link", "x-format", "image", "x-field", ...
    paired: bool
    payload: Any = None
    label: str = ""  # what a reader sees in the XLIFF (equiv-text)


@dataclass
class Unit:
    """One paragraph (heading, cell, attribute) to translate."""

    id: str
    parts: list[Part]
    codes: dict[str, Code] = field(default_factory=dict)
    where: str = ""  # part name and element, for the XLIFF resname
    handle: Any = None  # the format's own handle for rebuilding

    @property
    def text(self) -> str:
        return parts_text(self.parts)


@dataclass
class Extracted:
    """Every unit of one document, and what the reader did that the user should know."""

    format: str
    units: list[Unit]
    notes: list[str] = field(default_factory=list)
    #: counts of formatting elements (bold/italic runs, links, notes, cells, list items, images)
    elements: dict[str, int] = field(default_factory=dict)


def parts_text(parts: Iterable[Part]) -> str:
    """The plain text of a unit's parts."""
    return "".join(p for p in parts if isinstance(p, str))


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def document_xliff(
    name: str, fmt: str, data: bytes, extracted: Extracted, *, source_lang: str = "de"
) -> bytes:
    """An XLIFF 1.2 file for the units, the original document embedded as its skeleton."""
    from lxml import etree

    from transkit.formats import xml_runs

    ns = XLIFF12_NS
    root = etree.Element(f"{{{ns}}}xliff", nsmap={None: ns}, version="1.2")
    file_el = etree.SubElement(
        root,
        f"{{{ns}}}file",
        original=name,
        datatype=DOCUMENT_DATATYPES[fmt],
        attrib={"source-language": source_lang, "target-language": "en"},
    )
    header = etree.SubElement(file_el, f"{{{ns}}}header")
    skl = etree.SubElement(header, f"{{{ns}}}skl")
    internal = etree.SubElement(skl, f"{{{ns}}}internal-file", form="base64")
    internal.text = base64.b64encode(data).decode("ascii")
    tool = etree.SubElement(header, f"{{{ns}}}tool", attrib={"tool-id": "transkit"})
    tool.set("tool-name", "transkit")
    for note in extracted.notes:
        etree.SubElement(header, f"{{{ns}}}note", attrib={"from": "transkit"}).text = note
    body = etree.SubElement(file_el, f"{{{ns}}}body")
    for unit in extracted.units:
        tu = etree.SubElement(body, f"{{{ns}}}trans-unit", id=unit.id)
        if unit.where:
            tu.set("resname", unit.where)
        if not has_letters(unit.text):
            tu.set("translate", "no")
        source = etree.SubElement(tu, f"{{{ns}}}source")
        stack = [source]
        for part in unit.parts:
            if isinstance(part, str):
                for run in xml_runs(part):
                    if isinstance(run, str):
                        append_text(stack[-1], run)
                    else:
                        etree.SubElement(
                            stack[-1], f"{{{ns}}}x", id=f"cp{run}", ctype=f"x-transkit-cp-{run:04X}"
                        )
            elif isinstance(part, Open):
                code = unit.codes[part.id]
                g = etree.SubElement(stack[-1], f"{{{ns}}}g", id=part.id, ctype=_ctype(code))
                stack.append(g)
            elif isinstance(part, Close):
                if len(stack) > 1:
                    stack.pop()
            else:
                code = unit.codes[part.id]
                x = etree.SubElement(stack[-1], f"{{{ns}}}x", id=part.id, ctype=_ctype(code))
                if code.label:
                    x.set("equiv-text", code.label)
    # one element a line, but never whitespace inside <source> (it is content)
    for el in (root, file_el, header, body):
        el.text = "\n"
    for el in (*header, *body, header, body, file_el):
        el.tail = "\n"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _ctype(code: Code) -> str:
    standard = {"bold", "italic", "underlined", "link", "image", "lb", "pb"}
    return code.kind if code.kind in standard or code.kind.startswith("x-") else f"x-{code.kind}"


def append_text(el: Any, text: str) -> None:
    """Text at the end of ``el``'s content (its last child's tail, or its text)."""
    if not text:
        return
    if len(el):
        last = el[-1]
        last.tail = (last.tail or "") + text
    else:
        el.text = (el.text or "") + text


def build_parts(
    root: Any,
    unit: Unit,
    parts: Sequence[Part],
    shell: Callable[[Any], Any],
    add_text: Callable[[Any, str, bool], None] | None = None,
) -> None:
    """Write a target's ``parts`` into the (emptied) element ``root``.

    Each paired code becomes ``shell(payload)`` holding its text; each point
    goes back as its original element; text goes in with ``add_text(element,
    text, at_start)`` (default `append_text`), ``at_start`` true while nothing
    has been written.  Every code of ``unit`` is written once (`complete`).
    """
    stack: list[tuple[str, Any]] = [("", root)]
    written = False
    for part in complete(parts, unit):
        if isinstance(part, str):
            if part:
                if add_text is None:
                    append_text(stack[-1][1], part)
                else:
                    add_text(stack[-1][1], part, not written)
                written = True
        elif isinstance(part, Open):
            element = shell(unit.codes[part.id].payload)
            stack[-1][1].append(element)
            stack.append((part.id, element))
        elif isinstance(part, Close):
            if any(ident == part.id for ident, _ in stack[1:]):
                while stack[-1][0] != part.id:
                    stack.pop()
                stack.pop()
        else:
            element = unit.codes[part.id].payload
            element.tail = None
            stack[-1][1].append(element)
            written = True


def remove_keeping_tail(el: Any) -> None:
    """Take ``el`` out of its parent; the text after it stays where it was."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def read_skeleton(root: Any, name: str) -> tuple[str, str, bytes] | None:
    """(format, original name, document bytes) of an XLIFF made by `document_xliff`, else None."""
    ns = XLIFF12_NS
    file_el = root.find(f"{{{ns}}}file")
    if file_el is None:
        return None
    datatype = file_el.get("datatype") or ""
    fmt = next((f for f, d in DOCUMENT_DATATYPES.items() if d == datatype), None)
    internal = file_el.find(f"{{{ns}}}header/{{{ns}}}skl/{{{ns}}}internal-file")
    tool = file_el.find(f"{{{ns}}}header/{{{ns}}}tool")
    made_here = tool is not None and tool.get("tool-id") == "transkit"
    files = root.findall(f"{{{ns}}}file")
    # only what `document_xliff` wrote: another tool's skeleton is its own business
    if fmt is None or internal is None or not made_here or len(files) != 1:
        return None
    try:
        data = base64.b64decode((internal.text or "").strip(), validate=True)
    except ValueError:
        raise FormatError(
            "the embedded original document (<skl><internal-file>) is damaged",
            file=name,
            line=internal.sourceline,
        ) from None
    return fmt, file_el.get("original") or "", data


def target_parts(el: Any) -> list[Part]:
    """The parts of a filled ``<target>`` (or ``<source>``): text, ``<g>`` pairs, ``<x>`` points."""
    parts: list[Part] = []

    def add(text: str | None) -> None:
        if text:
            if parts and isinstance(parts[-1], str):
                parts[-1] += text
            else:
                parts.append(text)

    def walk(node: Any) -> None:
        add(node.text)
        for child in node:
            if not isinstance(child.tag, str):
                add(child.tail)
                continue
            local = child.tag.rsplit("}", 1)[-1]
            ident = child.get("id") or ""
            if local == "g":
                parts.append(Open(ident))
                walk(child)
                parts.append(Close(ident))
            elif local == "x" and (child.get("ctype") or "").startswith("x-transkit-cp-"):
                add(chr(int(child.get("ctype")[len("x-transkit-cp-") :], 16)))
            elif local in ("x", "ph", "bx", "ex", "it"):
                parts.append(Point(ident))
            elif local == "mrk":
                walk(child)
            add(child.tail)

    walk(el)
    return parts


def unit_targets(root: Any) -> dict[str, list[Part]]:
    """Unit id -> parts of its target, for every unit that has a non-empty one."""
    ns = XLIFF12_NS
    out: dict[str, list[Part]] = {}
    for tu in root.iter(f"{{{ns}}}trans-unit"):
        target = tu.find(f"{{{ns}}}target")
        if target is None:
            continue
        parts = target_parts(target)
        if parts_text(parts).strip() or any(not isinstance(p, str) for p in parts):
            out[tu.get("id") or ""] = parts
    return out


def complete(parts: Sequence[Part], unit: Unit) -> list[Part]:
    """``parts`` with every code of ``unit`` present once: lost ones appended, strays dropped.

    Pre-translation places every code, so this only guards a hand-edited
    target: nothing of the document's formatting may vanish.
    """
    seen_open: set[str] = set()
    seen_close: set[str] = set()
    seen_point: set[str] = set()
    out: list[Part] = []
    depth: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        code = unit.codes.get(part.id)
        if code is None:
            continue
        if isinstance(part, Open) and code.paired and part.id not in seen_open:
            seen_open.add(part.id)
            depth.append(part.id)
            out.append(part)
        elif isinstance(part, Close) and part.id in depth:
            while depth:
                top = depth.pop()
                seen_close.add(top)
                out.append(Close(top))
                if top == part.id:
                    break
        elif isinstance(part, Point) and not code.paired and part.id not in seen_point:
            seen_point.add(part.id)
            out.append(part)
    while depth:
        top = depth.pop()
        seen_close.add(top)
        out.append(Close(top))
    for ident, code in unit.codes.items():
        if code.paired and ident not in seen_open:
            out.extend([Open(ident), Close(ident)])
        elif not code.paired and ident not in seen_point:
            out.append(Point(ident))
    return _tidy(out)


def _tidy(parts: list[Part]) -> list[Part]:
    """No empty pair: each paired code covers at least a word.

    A code the alignment could not place is put at the nearest boundary,
    empty; an empty bold run is invisible (lost to the reader) and an empty
    ``**`` pair is broken Markdown, so it takes a word next to it: one with
    space on its far side, so that it does not run into another code.
    """
    import re

    out = [p for p in parts if p != ""]
    k = 0
    while k + 1 < len(out):
        a, b = out[k], out[k + 1]
        if isinstance(a, Open) and isinstance(b, Close) and a.id == b.id:
            before = out[k - 1] if k > 0 and isinstance(out[k - 1], str) else ""
            after = out[k + 2] if k + 2 < len(out) and isinstance(out[k + 2], str) else ""
            m = re.search(r"(\w[\w'’-]*)(\W*)$", before)
            n = re.match(r"(\W*)(\w[\w'’-]*)", after)
            # a word with nothing but a code on its far side would join that code's run
            m_free = m and (before[: m.start()][-1:].isspace() or k < 2)
            n_free = n and (after[n.end() :][:1].isspace() or k + 3 >= len(out))
            if m and (m_free or not n_free):
                out[k - 1 : k + 2] = [before[: m.start()], a, m.group(1), b, m.group(2)]
            elif n:
                out[k : k + 3] = [n.group(1), a, n.group(2), b, after[n.end() :]]
            else:
                out = _move_to_free_word(out, k)
            fixed = [p for p in out if p != ""]
            still_empty = k + 1 < len(fixed) and fixed[k] == a and fixed[k + 1] == b
            out = fixed
            if not still_empty:
                k = 0  # one pair filled, the list changed: look again from the start
                continue
        k += 1
    return out


def _move_to_free_word(out: list[Part], k: int) -> list[Part]:
    """Move the empty pair at ``out[k:k+2]`` around the nearest word between spaces
    at the same depth (codes all around it: no word is next to it)."""
    import re

    depth = 0
    depths = []
    for part in out:
        if isinstance(part, Close):
            depth -= 1
        depths.append(depth)
        if isinstance(part, Open):
            depth += 1
    # the same depth first; else any (the pair then nests inside another code)
    order = sorted(
        (j for j, part in enumerate(out) if isinstance(part, str)),
        key=lambda j: (depths[j] != depths[k], abs(j - k)),
    )
    for j in order:
        # nested in another code, a word at its edge would put two delimiters side by side
        inner = r"(?<=\s)(\w[\w'’-]*)(?=\s)" if depths[j] != depths[k] else None
        m = re.search(inner or r"(?:^|(?<=\s))(\w[\w'’-]*)(?=\s|[.,;:!?]|$)", out[j])
        if not m:
            continue
        text = out[j]
        pair = out[k : k + 2]
        pieces: list[Part] = [text[: m.start()], pair[0], m.group(1), pair[1], text[m.end() :]]
        rest = out[:k] + out[k + 2 :]
        j2 = j if j < k else j - 2
        return [p for p in rest[:j2] + pieces + rest[j2 + 1 :] if p != ""]
    return out


def spaces_outside(parts: list[Part]) -> list[Part]:
    """Spaces at the inner edges of paired codes moved outside them (Markdown needs it:
    ``** word**`` is not emphasis)."""
    out = [p for p in parts if p != ""]
    changed = True
    while changed:
        changed = False
        for k, part in enumerate(out):
            nxt = out[k + 1] if k + 1 < len(out) else None
            if isinstance(part, Open) and isinstance(nxt, str) and nxt[:1].isspace():
                out[k : k + 2] = [nxt[: len(nxt) - len(nxt.lstrip())], part, nxt.lstrip()]
                changed = True
                break
            if isinstance(part, str) and isinstance(nxt, Close) and part[-1:].isspace():
                stripped = part.rstrip()
                out[k : k + 2] = [stripped, nxt, part[len(stripped) :]]
                changed = True
                break
        out = [p for p in out if p != ""]
    return _tidy(out)  # a pair that held only spaces is empty now
