"""Tags in ``format=html`` and ``tag_handling``: out before translation, placed back after.

A text with markup is cut at block tags (``<p>``, ``<li>``, ``<td>`` …, or
DeepL's ``splitting_tags``) into units; the block tags stay where they
are.  Within a unit the inline tags (``<b>``, ``<a href>``, ``<br>`` …)
become anchors over the unit's plain text, exactly as an XLIFF segment's
inline codes do (`transkit.formats.xliff_inline`).  The plain text is
translated like any other; then the German and English are aligned
(`transkit.pretranslate.align_pairs`: the model's attention) and every tag
is placed where its words went (`transkit.text.align.place`), never copied
to where it stood in the German.  ``<script>``, ``<style>``, comments and
DeepL's ``ignore_tags`` pass through untranslated.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from transkit.text.align import Anchor, Placement

__all__ = ["Markup", "Unit", "parse_markup", "render_unit", "unit_alignment"]

HTML_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
HTML_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>"
    r"|<(?P<raw>script|style)\b[^>]*>.*?</(?P=raw)\s*>"
    r"|</?[A-Za-z_][\w:.-]*(?:\s[^<>]*)?/?>",
    re.DOTALL | re.IGNORECASE,
)
_NAME = re.compile(r"</?([A-Za-z_][\w:.-]*)")


@dataclass
class Unit:
    """One translatable run: plain text and its inline tags as anchors."""

    text: str
    anchors: list[Anchor] = field(default_factory=list)
    opens: list[str] = field(default_factory=list)  # a start tag, or a whole point
    closes: list[str] = field(default_factory=list)  # the end tag ("" for points)


@dataclass
class Markup:
    """A marked-up text: skeleton strings (block tags) between translatable units."""

    pieces: list[str | Unit]


def _name(token: str, xml: bool) -> str:
    found = _NAME.match(token)
    name = found.group(1) if found else ""
    return name if xml else name.lower()


def parse_markup(
    text: str,
    *,
    xml: bool = False,
    splitting: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> Markup:
    """Cut ``text`` into block skeleton and inline units (HTML rules unless ``xml``)."""
    blocks = set(splitting) | (set() if xml else HTML_BLOCKS)
    ignored = set(ignore)
    pieces: list[str | Unit] = []
    tokens: list[tuple[str, str]] = []  # (kind, raw): "text", "tag"
    pos = 0
    for found in _TOKEN.finditer(text):
        if found.start() > pos:
            tokens.append(("text", text[pos : found.start()]))
        tokens.append(("tag", found.group()))
        pos = found.end()
    if pos < len(text):
        tokens.append(("text", text[pos:]))

    run: list[tuple[str, str]] = []
    k = 0
    while k < len(tokens):
        kind, raw = tokens[k]
        name = _name(raw, xml) if kind == "tag" else ""
        if (
            kind == "tag"
            and name in ignored
            and not raw.startswith("</")
            and not raw.endswith("/>")
        ):
            # everything up to the matching end tag passes through as one point
            depth, j, whole = 1, k + 1, [raw]
            while j < len(tokens) and depth:
                kj, rj = tokens[j]
                if kj == "tag" and _name(rj, xml) == name and not rj.endswith("/>"):
                    depth += -1 if rj.startswith("</") else 1
                whole.append(rj)
                j += 1
            run.append(("point", "".join(whole)))
            k = j
            continue
        if kind == "tag" and name in blocks:
            if run:
                pieces.append(_unit(run, xml))
                run = []
            pieces.append(raw)
        else:
            run.append((kind, raw))
        k += 1
    if run:
        pieces.append(_unit(run, xml))
    return Markup(pieces)


def _unit(run: list[tuple[str, str]], xml: bool) -> Unit | str:
    """Plain text and anchors of one inline run (a run of only space stays skeleton)."""
    unit = Unit("")
    parts: list[str] = []
    length = 0
    stack: list[tuple[int, str]] = []  # (anchor index, tag name)
    starts: dict[int, int] = {}

    glue = [False]

    def point(raw: str) -> None:
        unit.anchors.append(Anchor(length, length, stack[-1][0] if stack else -1, point=True))
        unit.opens.append(raw)
        unit.closes.append("")
        glue[0] = True

    for kind, raw in run:
        if kind == "text":
            plain = html.unescape(raw)
            if glue[0] and parts and parts[-1][-1:].isalnum() and plain[:1].isalnum():
                plain = " " + plain  # "Regel<br>gilt": two words, as in XLIFF's codes
            glue[0] = False
            parts.append(plain)
            length += len(plain)
            continue
        if (
            kind == "point"
            or raw.startswith(("<!", "<?"))
            or raw[:7].lower() in ("<script", "<style")
        ):
            point(raw)
            continue
        name = _name(raw, xml)
        if raw.startswith("</"):
            if any(n == name for _, n in stack):
                while stack:
                    index, open_name = stack.pop()
                    a = unit.anchors[index]
                    unit.anchors[index] = Anchor(starts[index], length, a.parent)
                    unit.closes[index] = raw if open_name == name else ""
                    if open_name == name:
                        break
            else:
                point(raw)  # a stray end tag stays, as a point
            continue
        if raw.endswith("/>") or (not xml and name in HTML_VOID):
            point(raw)
            continue
        index = len(unit.anchors)
        unit.anchors.append(Anchor(length, length, stack[-1][0] if stack else -1))
        unit.opens.append(raw)
        unit.closes.append("")
        starts[index] = length
        stack.append((index, name))
    while stack:  # unclosed at the end of the run: the span runs to the end
        index, _ = stack.pop()
        a = unit.anchors[index]
        unit.anchors[index] = Anchor(starts[index], length, a.parent)
    unit.text = "".join(parts)
    if not unit.text.strip():
        return "".join(raw for _, raw in run)
    return unit


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def render_unit(unit: Unit, target: str, placements: Sequence[Placement]) -> str:
    """The English of ``unit`` with each tag at its placement."""

    def emit(parent: int, lo: int, hi: int) -> str:
        out: list[str] = []
        cursor = lo
        children = sorted(
            (i for i, a in enumerate(unit.anchors) if a.parent == parent),
            key=lambda i: (placements[i].start, not unit.anchors[i].point, i),
        )
        for i in children:
            p = placements[i]
            start = min(max(p.start, cursor), hi)
            end = min(max(p.end, start), hi)
            out.append(_escape(target[cursor:start]))
            if unit.anchors[i].point:
                out.append(unit.opens[i])
                cursor = start
            else:
                out.append(unit.opens[i] + emit(i, start, end) + unit.closes[i])
                cursor = end
        out.append(_escape(target[cursor:hi]))
        return "".join(out)

    return emit(-1, 0, len(target))


def unit_alignment(
    unit_text: str, target: str, spans: Sequence[tuple[int, int, str, str]], aligned: list[Any]
) -> Any:
    """Join per-sentence alignments (``spans``: source start, target start, texts) into one."""
    from transkit.text.align import Alignment, shift

    links: list[Any] = []
    methods = set()
    pairs = iter(aligned)
    for s_start, t_start, s, t in spans:
        if s.strip() and t.strip():
            al = next(pairs)
            methods.add(al.method)
            links.extend(shift(al, s_start, t_start))
    method = "attention" if methods == {"attention"} else "guess"
    return Alignment(unit_text, target, tuple(links), method)
