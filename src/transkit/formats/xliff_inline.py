"""Inline codes of XLIFF 1.2 and 2.x as text plus anchors, and back.

A CAT tool's source content is text with inline codes in it: 1.2 ``g``,
``x``, ``bx``/``ex``, ``ph``, ``bpt``/``ept``, ``it``, ``mrk``; 2.x ``pc``,
``ph``, ``sc``/``ec``, ``mrk``, ``sm``/``em`` (``cp`` is a character).
`parse_inline` turns such an element into `Inline`: the plain text the
engine translates, and one `transkit.text.align.Anchor` per code (a span for
``g``/``pc``/``mrk``, a span of two points for a begin/end pair such as
``bpt``/``ept`` in the same element, a point for the rest).  `render_inline`
writes a translation back with every code where `transkit.text.align.place`
put it: each source code exactly once, properly nested, element codes
copied with all their attributes (other tools' namespaces included).

Where a point code sits between two letters with no space (``auf<x/>Speichern``)
the plain text gets a space there, so the engine sees two words.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from transkit.formats.xliff_common import XLIFF2_NS, XLIFF12_NS, local_name, namespace_of
from transkit.text.align import Anchor, Placement

__all__ = ["Code", "Inline", "code_signature", "parse_inline", "render_inline"]

#: Codes that hold translatable content, per XLIFF namespace.
CONTAINERS = {XLIFF12_NS: ("g", "mrk"), XLIFF2_NS: ("pc", "mrk")}
#: (begin, end, attribute on the end naming the begin) for pairs of empty codes.
POINT_PAIRS = {
    XLIFF12_NS: (("bpt", "ept", "id"), ("bx", "ex", "rid")),
    XLIFF2_NS: (("sc", "ec", "startRef"), ("sm", "em", "startRef")),
}


@dataclass
class Code:
    """One inline code: the element (a container's shell, or a whole empty code)."""

    element: Any
    kind: str  # "container" | "point" | "pair"
    end_element: Any = None  # the closing half of a "pair"
    order: int = 0  # document order of the (first) element
    end_order: int = 0


@dataclass
class Inline:
    """Plain text of a content element and its codes (``anchors[i]`` is ``codes[i]``)."""

    text: str
    codes: list[Code] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)

    @property
    def has_codes(self) -> bool:
        return bool(self.codes)


def _xliff_ns(el: Any) -> str | None:
    ns = namespace_of(el)
    return ns if ns in (XLIFF12_NS, XLIFF2_NS) else None


def parse_inline(el: Any, *, skip: Any = None) -> Inline:
    """The text and codes of a ``<source>``/``<target>``/``<mrk>``/``<segment>`` content.

    Comments and processing instructions are dropped.  ``skip(child)`` may
    return True for children to leave out entirely (none by default).
    """
    parts: list[str] = []
    length = 0
    raw: list[tuple[Code, int, int, int]] = []  # code, start, end, parent
    counter = iter(range(1 << 30))
    glue = [False]

    def add(text: str) -> None:
        nonlocal length
        if not text:
            return
        if glue[0] and parts and parts[-1][-1:].isalnum() and text[:1].isalnum():
            parts.append(" ")
            length += 1
        glue[0] = False
        parts.append(text)
        length += len(text)

    def walk(root: Any) -> None:
        # An explicit stack, not recursion: 1,000 nested <g> must not overflow Python's.
        add(root.text or "")
        stack: list[tuple[Iterator[Any], int, Any]] = [(iter(root), -1, None)]
        while stack:
            children, parent, container = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if container is not None:
                    code, start, _, par = raw[parent]
                    raw[parent] = (code, start, length, par)
                    add(container.tail or "")
                continue
            if not isinstance(child.tag, str) or (skip is not None and skip(child)):
                add(child.tail or "")
                continue
            ns = _xliff_ns(child)
            name = local_name(child)
            if ns == XLIFF2_NS and name == "cp":
                with contextlib.suppress(ValueError):
                    add(chr(int(child.get("hex", ""), 16)))
            elif ns and name in CONTAINERS[ns]:
                index = len(raw)
                raw.append((Code(child, "container", order=next(counter)), length, length, parent))
                glue[0] = False
                add(child.text or "")
                stack.append((iter(child), index, child))
                continue  # its tail follows its content
            else:
                raw.append((Code(child, "point", order=next(counter)), length, length, parent))
                glue[0] = True
            add(child.tail or "")

    walk(el)
    text = "".join(parts)
    return _pair_points(text, raw)


def _pair_points(text: str, raw: list[tuple[Code, int, int, int]]) -> Inline:
    """Join begin/end point codes of one parent into "pair" codes; renumber parents."""
    merged: dict[int, int] = {}  # end index -> begin index
    for b, (code, _, _, parent) in enumerate(raw):
        ns = _xliff_ns(code.element)
        if code.kind != "point" or ns is None:
            continue
        for begin, end, ref in POINT_PAIRS[ns]:
            if local_name(code.element) != begin or code.element.get("isolated") == "yes":
                continue
            key = code.element.get("rid" if ref == "rid" else "id") or code.element.get("id")
            for e in range(b + 1, len(raw)):
                other, _, _, other_parent = raw[e]
                if (
                    e not in merged
                    and other.kind == "point"
                    and local_name(other.element) == end
                    and other_parent == parent
                    and key is not None
                    and (other.element.get(ref) or other.element.get("rid")) == key
                ):
                    merged[e] = b
                    break
    keep = [i for i in range(len(raw)) if i not in merged]
    new_index = {old: new for new, old in enumerate(keep)}
    ends = {b: e for e, b in merged.items()}
    codes, anchors = [], []
    for i in keep:
        code, start, end, parent = raw[i]
        par = new_index.get(parent, -1)
        if i in ends:
            other, other_start, _, _ = raw[ends[i]]
            code = Code(code.element, "pair", other.element, code.order, other.order)
            anchors.append(Anchor(start, other_start, par, point=False, container=False))
        elif code.kind == "container":
            anchors.append(Anchor(start, end, par))
        else:
            anchors.append(Anchor(start, start, par, point=True, container=False))
        codes.append(code)
    return Inline(text, codes, anchors)


def _copy_into(parent: Any, el: Any, *, shell: bool = False) -> Any:
    """Append a copy of ``el`` under ``parent`` (text and children unless ``shell``).

    Built with SubElement so the copy reuses the namespace declarations in
    scope instead of repeating them; walked with a stack, so any depth copies.
    """
    top = etree.SubElement(parent, el.tag, attrib=dict(el.attrib))
    if shell:
        return top
    top.text = el.text
    stack: list[tuple[Any, Iterator[Any]]] = [(top, iter(el))]
    while stack:
        copy, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif isinstance(child.tag, str):
            sub = etree.SubElement(copy, child.tag, attrib=dict(child.attrib))
            sub.text, sub.tail = child.text, child.tail
            stack.append((sub, iter(child)))
        elif isinstance(child, etree._Comment):
            sub = etree.Comment(child.text)
            copy.append(sub)
            sub.tail = child.tail
    return top


def _append_text(el: Any, text: str) -> None:
    """Append text; characters XML cannot hold become 2.x ``<cp hex>`` (1.2: dropped)."""
    from transkit.formats import xml_runs

    for run in xml_runs(text):
        if isinstance(run, int):
            if namespace_of(el) == XLIFF2_NS:
                etree.SubElement(el, f"{{{XLIFF2_NS}}}cp", hex=f"{run:04X}")
            continue
        if len(el):
            el[-1].tail = (el[-1].tail or "") + run
        else:
            el.text = (el.text or "") + run


def render_inline(target: Any, text: str, inline: Inline, placements: Sequence[Placement]) -> None:
    """Fill the empty element ``target`` with ``text`` and every code of ``inline``.

    ``placements[i]`` says where ``inline.codes[i]`` goes in ``text``.  The
    result is always well nested: children are emitted inside their parent's
    range, clamped to it if a placement strays.
    """
    children: dict[int, list[tuple[int, int, int, int, str]]] = {}
    for i, (anchor, code, where) in enumerate(
        zip(inline.anchors, inline.codes, placements, strict=True)
    ):
        items = children.setdefault(anchor.parent, [])
        if code.kind == "pair":
            items.append((where.start, 0, code.order, i, "begin"))
            items.append((max(where.start, where.end), 0, code.end_order, i, "end"))
        elif code.kind == "container":
            zero = 0 if where.end <= where.start else 1
            items.append((where.start, zero, code.order, i, "open"))
        else:
            items.append((where.start, 0, code.order, i, "point"))

    def items(parent: int) -> Iterator[tuple[int, int, int, int, str]]:
        return iter(sorted(children.get(parent, []), key=lambda t: t[:3]))

    # Frames of [element, its code's range end, text cursor, its items]: a stack, not
    # recursion, so codes nested 1,000 deep render too.
    frames: list[list[Any]] = [[target, len(text), 0, items(-1)]]
    while frames:
        frame = frames[-1]
        el, hi, cursor, todo = frame
        item = next(todo, None)
        if item is None:
            _append_text(el, text[cursor:hi])
            frames.pop()
            continue
        pos, _, _, i, what = item
        pos = min(max(pos, cursor), hi)
        _append_text(el, text[cursor:pos])
        frame[2] = pos
        code = inline.codes[i]
        if what == "open":
            end = min(max(placements[i].end, pos), hi)
            shell = _copy_into(el, code.element, shell=True)
            frame[2] = end
            frames.append([shell, end, pos, items(i)])
        elif what == "end":
            _copy_into(el, code.end_element)
        else:
            _copy_into(el, code.element)


def code_signature(el: Any) -> list[tuple[str, str]]:
    """(name, id) of every inline code under ``el`` in document order (for checks)."""
    out = []
    for node in el.iter():
        if node is el or not isinstance(node.tag, str) or _xliff_ns(node) is None:
            continue
        name = local_name(node)
        if name in ("cp", "sub"):
            continue
        out.append((name, node.get("id") or node.get("mid") or node.get("rid") or ""))
    return out
