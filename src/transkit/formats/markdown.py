"""Markdown: paragraphs, headings and table cells out as units, spliced back by position.

`extract` and `rebuild` are a symmetric pair over the source text, parsed by
markdown-it-py (CommonMark, with GFM tables and strikethrough), whose block
tokens carry their source lines.  Only the inline text of a block is
replaced; every other byte - front matter keys, code blocks and fences, HTML
blocks, link reference definitions, list markers, blockquote prefixes,
indentation, blank lines - comes back as it was.  Inside a block:

* emphasis, strong emphasis, strikethrough and links become paired codes
  that keep their own Markdown (``**`` or ``__``, ``](url "title")`` or
  ``][ref]``), so a reference link stays a reference link;
* code spans, images, autolinks, inline HTML and hard breaks are point codes
  carried back byte for byte;
* soft line breaks are spaces while translating; the English is wrapped
  back onto as many lines as the German had, each with its own prefix, and
  never so that a line would start a list, a heading or a quote.

A block whose inline Markdown the reader cannot map back to its source
exactly stays German, and the XLIFF says how many did.  Front matter
(``---`` YAML) keeps its keys; plain-prose values of ``key: value`` lines
are translated.  Markdown has no tracked changes.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
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
    complete,
    spaces_outside,
)

__all__ = ["extract", "rebuild", "render_structure"]

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BLOCK_START = re.compile(r"(?:[-+*>#=|]|\d{1,9}[.)])(?:\s|$)|[-=*_]{2,}|~~~|```")
_FRONT_VALUE = re.compile(r"^(\s*(?:-\s+)?[^:#\s][^:]*:[ \t]+)(.*?)(\s*)$")
#: Neighbours whose delimiters would fuse: (kind before, kind after).
_FUSING = {(Point, Point), (Close, Open), (Point, Open), (Close, Point)}
_ESCAPE = re.compile(r"([\\`*\[\]<]|(?<![^\W_])_|_(?![^\W_]))")


def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


@dataclass
class _Place:
    """Where a unit's text lies: per content line, (source line, start, end) columns."""

    lines: list[tuple[int, int, int]]
    front_matter: bool = False
    table: bool = False


class _Unmappable(Exception):
    pass


def _front_matter(lines: list[str]) -> int:
    """The number of lines of a leading ``---`` YAML block (0 without one)."""
    if not lines or lines[0].rstrip("\r\n") != "---":
        return 0
    for k in range(1, len(lines)):
        if lines[k].rstrip("\r\n") in ("---", "..."):
            return k + 1
    return 0


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096] or data[:4] == b"PK\x03\x04":
        raise FormatError("not a Markdown file (binary content)", file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FormatError(
            f"not UTF-8 text (byte {err.start}); save it as UTF-8", file=name
        ) from None


def _scan(content: str, children: list[Any]) -> tuple[list[Part], dict[str, Code]]:
    """Parts of one inline token, each code holding the exact Markdown it was written with."""
    parts: list[Part] = []
    codes: dict[str, Code] = {}
    pos = 0
    counter = iter(range(1, 1 << 30))
    opened: list[tuple[str, Any]] = []  # (code id, token)
    link_starts: dict[str, tuple[int, int]] = {}  # link code id -> (parts index, position)
    skip_until_close = 0

    def add(text: str) -> None:
        if text:
            if parts and isinstance(parts[-1], str):
                parts[-1] += text
            else:
                parts.append(text)

    def point(raw: str, kind: str) -> None:
        ident = str(next(counter))
        codes[ident] = Code(ident, kind, False, raw, raw)
        parts.append(Point(ident))

    for tok in children:
        kind = tok.type
        if skip_until_close:
            if kind == "link_open":
                skip_until_close += 1
            elif kind == "link_close":
                skip_until_close -= 1
            continue
        if kind == "text":
            pos = _match_text(content, pos, tok.content)
            add(tok.content)
        elif kind == "softbreak":
            m = re.compile(r"[ \t]*\r?\n[ \t]*").match(content, pos)
            if not m:
                raise _Unmappable
            pos = m.end()
            add(" ")
        elif kind == "hardbreak":
            m = re.compile(r"(?:[ \t]{2,}|\\)\r?\n[ \t]*").match(content, pos)
            if not m:
                raise _Unmappable
            point(content[pos : m.end()], "lb")
            pos = m.end()
        elif kind in ("em_open", "strong_open", "s_open"):
            if not content.startswith(tok.markup, pos):
                raise _Unmappable
            ident = str(next(counter))
            label = {"em_open": "italic", "strong_open": "bold", "s_open": "x-strike"}[kind]
            codes[ident] = Code(ident, label, True, [tok.markup, ""], tok.markup)
            parts.append(Open(ident))
            opened.append((ident, tok))
            pos += len(tok.markup)
        elif kind in ("em_close", "strong_close", "s_close"):
            if not opened or not content.startswith(tok.markup, pos):
                raise _Unmappable
            ident, _ = opened.pop()
            codes[ident].payload[1] = tok.markup
            parts.append(Close(ident))
            pos += len(tok.markup)
        elif kind == "link_open":
            if tok.markup in ("autolink", "linkify") or tok.info == "auto":
                end = content.find(">", pos) + 1 if content.startswith("<", pos) else 0
                if end <= pos:
                    raise _Unmappable
                point(content[pos:end], "link")
                pos = end
                skip_until_close = 1
                continue
            if not content.startswith("[", pos):
                raise _Unmappable
            ident = str(next(counter))
            codes[ident] = Code(ident, "link", True, ["[", ""], "link")
            link_starts[ident] = (len(parts), pos)
            parts.append(Open(ident))
            opened.append((ident, tok))
            pos += 1
        elif kind == "link_close":
            if not opened or not content.startswith("]", pos):
                raise _Unmappable
            ident, _ = opened.pop()
            end = _link_tail(content, pos + 1)
            if content[pos + 1 : end] in ("", "[]"):
                # a shortcut or collapsed reference link: its text is the label
                # that names the definition, so it stays as it is (a point)
                index, start = link_starts[ident]
                for part in parts[index:]:
                    if not isinstance(part, str):
                        codes.pop(part.id, None)
                del parts[index:]
                point(content[start:end], "link")
            else:
                codes[ident].payload[1] = content[pos:end]
                parts.append(Close(ident))
            pos = end
        elif kind == "image":
            if not content.startswith("![", pos):
                raise _Unmappable
            close = _matching_bracket(content, pos + 1)
            end = _link_tail(content, close + 1)
            point(content[pos:end], "image")
            pos = end
        elif kind == "code_inline":
            m = re.compile(r"(`+)").match(content, pos)
            if not m:
                raise _Unmappable
            fence = m.group(1)
            close = re.compile(rf"(?<!`){fence}(?!`)").search(content, m.end())
            if not close:
                raise _Unmappable
            point(content[pos : close.end()], "x-code")
            pos = close.end()
        elif kind == "html_inline":
            if not content.startswith(tok.content, pos):
                raise _Unmappable
            point(tok.content, "x-html")
            pos += len(tok.content)
        else:
            raise _Unmappable
    if opened or content[pos:].strip():
        raise _Unmappable
    return parts, codes


def _match_text(content: str, pos: int, text: str) -> int:
    """Where ``text`` (decoded) ends in ``content`` from ``pos``: escapes and entities allowed."""
    k = 0
    while k < len(text):
        c = text[k]
        if (
            pos < len(content)
            and content[pos] == c
            and not (
                c == "\\"
                and pos + 1 < len(content)
                and content[pos + 1] in "\\`*_{}[]()#+-.!|<>~\"'&:;,/=?@^$%"
                and text[k : k + 1] != content[pos + 1 : pos + 2]
            )
        ):
            pos += 1
            k += 1
        elif content.startswith("\\" + c, pos):
            pos += 2
            k += 1
        elif pos < len(content) and content[pos] == "&" and (m := _ENTITY.match(content, pos)):
            decoded = html_lib.unescape(m.group())
            if not text.startswith(decoded, k):
                raise _Unmappable
            pos = m.end()
            k += len(decoded)
        else:
            raise _Unmappable
    return pos


def _matching_bracket(content: str, start: int) -> int:
    """The index of the ``]`` closing the ``[`` at ``start``."""
    depth = 0
    k = start
    while k < len(content):
        ch = content[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return k
        k += 1
    raise _Unmappable


def _link_tail(content: str, pos: int) -> int:
    """The end of ``(destination "title")`` or ``[label]`` after a link text, if any."""
    if content.startswith("(", pos):
        depth, k, quote = 0, pos, ""
        while k < len(content):
            ch = content[k]
            if ch == "\\":
                k += 2
                continue
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "\"'" and depth == 1:
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return k + 1
            k += 1
        raise _Unmappable
    if content.startswith("[", pos):
        return _matching_bracket(content, pos) + 1
    return pos


def _place(source_lines: list[str], first: int, content: str) -> _Place:
    """Find each line of ``content`` in the source lines from ``first`` on."""
    places = []
    for offset, line in enumerate(content.split("\n")):
        src = source_lines[first + offset].rstrip("\r\n")
        col = src.rfind(line) if line else len(src)
        if col < 0:
            raise _Unmappable
        places.append((first + offset, col, col + len(line)))
    return _Place(places)


def _cells(line: str) -> list[tuple[int, int]]:
    """The (start, end) columns of each table cell's stripped text in a row line."""
    bounds = []
    start = 0
    k = 0
    text = line.rstrip("\r\n")
    while k < len(text):
        if text[k] == "\\":
            k += 2
            continue
        if text[k] == "|":
            bounds.append((start, k))
            start = k + 1
        k += 1
    bounds.append((start, len(text)))
    cells = []
    for a, b in bounds:
        cell = text[a:b]
        if not cell.strip():
            cells.append((a, a))
            continue
        lead = len(cell) - len(cell.lstrip())
        cells.append((a + lead, a + len(cell.rstrip())))
    # a leading or trailing pipe makes an empty edge cell
    if text.lstrip().startswith("|"):
        cells = cells[1:]
    if text.rstrip().endswith("|") and not text.rstrip().endswith("\\|"):
        cells = cells[:-1]
    return cells


def _read(data: bytes, name: str) -> tuple[str, list[str], Extracted]:
    text = _decode(data, name)
    lines = text.splitlines(keepends=True)
    fm = _front_matter(lines)
    units: list[Unit] = []
    kept = 0
    for k in range(1, max(0, fm - 1)):
        m = _FRONT_VALUE.match(lines[k].rstrip("\r\n"))
        if not m:
            continue
        value = m.group(2)
        quote = (
            value[:1] if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1 else ""
        )
        inner = value[1:-1] if quote else value
        if _prose(inner):
            start = len(m.group(1)) + (1 if quote else 0)
            unit = Unit(f"m{len(units)}", [inner], {}, f"front matter line {k + 1}")
            unit.handle = _Place([(k, start, start + len(inner))], front_matter=True)
            units.append(unit)
    parse_text = "".join("\n" if k < fm else line for k, line in enumerate(lines))
    tokens = _parser().parse(parse_text)
    row_cells: dict[int, list[tuple[int, int]]] = {}
    row_next: dict[int, int] = {}
    for k, tok in enumerate(tokens):
        if tok.type != "inline" or tok.map is None:
            continue
        opener = tokens[k - 1].type if k else ""
        try:
            if opener in ("th_open", "td_open"):
                row = tok.map[0]
                cells = row_cells.setdefault(row, _cells(lines[row]))
                index = row_next.get(row, 0)
                row_next[row] = index + 1
                if index >= len(cells):
                    raise _Unmappable
                a, b = cells[index]
                raw = lines[row][a:b]
                place = _Place([(row, a, b)], table=True)
            else:
                raw = tok.content
                place = _place(lines, tok.map[0], raw)
            if not tok.content.strip():
                continue
            parts, codes = _scan(raw, tok.children or [])
        except (_Unmappable, IndexError):
            kept += 1
            continue
        unit = Unit(f"b{len(units)}", parts, codes, f"line {tok.map[0] + 1}")
        unit.handle = place
        units.append(unit)
    notes = []
    if kept:
        notes.append(f"{kept} block(s) kept in German: their inline Markdown could not be mapped")
    return text, lines, Extracted("markdown", units, notes, render_structure(parse_text))


def _prose(value: str) -> bool:
    """A front matter value worth translating: words, not a URL, path, date or markup."""
    value = value.strip()
    if not value or " " not in value or not any(ch.isalpha() for ch in value):
        return False
    if re.match(r"^[\w+.-]+://|^/|^\d{4}-\d\d-\d\d|^[\[{|>&*!]", value):
        return False
    return "<" not in value and "](" not in value


def extract(data: bytes, name: str) -> Extracted:
    """The units of a Markdown file (see the module docstring)."""
    return _read(data, name)[2]


def render_structure(text: str) -> dict[str, int]:
    """Counts of what the Markdown renders to: emphasis, links, images, items, cells, code."""
    counts: Counter[str] = Counter()
    names = {
        "strong_open": "bold",
        "em_open": "italic",
        "link_open": "links",
        "image": "images",
        "list_item_open": "list items",
        "td_open": "table cells",
        "th_open": "table cells",
        "code_inline": "code spans",
        "fence": "code blocks",
        "code_block": "code blocks",
        "heading_open": "headings",
        "paragraph_open": "paragraphs",
    }
    for tok in _parser().parse(text):
        if tok.type in names:
            counts[names[tok.type]] += 1
        for child in tok.children or []:
            if child.type in names:
                counts[names[child.type]] += 1
    return dict(counts)


def _escape(text: str, at_start: bool) -> str:
    out = _ESCAPE.sub(r"\\\1", text)
    out = _ENTITY.sub(lambda m: "&amp;" + m.group()[1:], out)
    if at_start and _BLOCK_START.match(out):
        out = "\\" + out if not out[:1].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", out)
    return out


def _render(unit: Unit, parts: list[Part], *, table: bool = False) -> tuple[str, list[int]]:
    """The Markdown of a target, and the positions of spaces where a line may break.

    Pieces that would fuse when written side by side (two code spans: their
    backtick runs would merge; two delimiters of the same kind) get a space
    between them; a hard break at either edge of the block is dropped, as
    CommonMark ignores it there; the block has no white space at its edges.
    """
    out: list[str] = []
    breaks: list[int] = []
    length = 0
    previous: type = str
    items = spaces_outside(complete(parts, unit))
    while items and isinstance(items[0], Point) and unit.codes[items[0].id].kind == "lb":
        items = items[1:]
    while items and isinstance(items[-1], Point) and unit.codes[items[-1].id].kind == "lb":
        items = items[:-1]
    for part in items:
        if isinstance(part, str):
            piece = _escape(part, at_start=length == 0)
            if table:
                piece = piece.replace("|", "\\|")
        elif isinstance(part, Open):
            piece = unit.codes[part.id].payload[0]
        elif isinstance(part, Close):
            piece = unit.codes[part.id].payload[1]
        else:
            piece = unit.codes[part.id].payload
        if not piece:
            continue
        # a closing then an opening delimiter (or two code spans) side by side would
        # fuse into one run; a run of opening delimiters is nesting, kept as it is
        kind = type(part)
        if (
            out
            and out[-1][-1:] in "`*_~"
            and piece[:1] == out[-1][-1:]
            and (previous, kind) in _FUSING
            and (piece[:1] == "`" or (previous, kind) == (Point, Point))
        ):
            out.append(" ")
            length += 1
        if isinstance(part, str):
            breaks.extend(length + m.start() for m in re.finditer(" ", piece))
        out.append(piece)
        length += len(piece)
        previous = kind
    text = "".join(out)
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    return text, [b - lead for b in breaks if 0 <= b - lead < len(text)]


def _wrap(text: str, breaks: list[int], count: int) -> list[str]:
    """``text`` on up to ``count`` lines, broken only at ``breaks`` (and its own newlines)."""
    if count <= 1 or "\n" in text:
        return text.split("\n")
    good = [
        b
        for b in breaks
        if 0 < b < len(text) - 1
        and text[b + 1] != " "
        and text[b - 1] not in " \\"  # "  " or "\\" before a line end is a hard break
        and not _BLOCK_START.match(text[b + 1 :])
    ]
    lines = []
    start = 0
    for k in range(1, count):
        goal = len(text) * k // count
        candidates = [b for b in good if b > start]
        if not candidates:
            break
        cut = min(candidates, key=lambda b: abs(b - goal))
        lines.append(text[start:cut])
        start = cut + 1
        good = [b for b in good if b > cut]
    lines.append(text[start:])
    return lines


def rebuild(data: bytes, name: str, targets: Mapping[str, list[Part]]) -> bytes:
    """The Markdown with each unit's text replaced by its target; every other byte kept."""
    text, lines, extracted = _read(data, name)
    lines = list(lines)
    removed: set[int] = set()
    # last first: a replacement never moves the columns of one still to come on its line
    for unit in sorted(extracted.units, key=lambda u: u.handle.lines[0][:2], reverse=True):
        parts = targets.get(unit.id)
        if parts is None:
            continue
        place: _Place = unit.handle
        if place.front_matter:
            ((row, a, b),) = place.lines
            value = "".join(p for p in parts if isinstance(p, str)).replace("\n", " ")
            lines[row] = lines[row][:a] + value + lines[row][b:]
            continue
        rendered, breaks = _render(unit, parts, table=place.table)
        rows = place.lines
        pieces = _wrap(rendered, breaks, len(rows))
        if len(pieces) > len(rows):
            pieces[len(rows) - 1 :] = ["\n".join(pieces[len(rows) - 1 :])]
        last_row, _, last_b = rows[-1]
        tail = lines[last_row][last_b:]
        for k, (row, a, b) in enumerate(rows):
            if k < len(pieces) - 1:
                lines[row] = lines[row][:a] + pieces[k] + lines[row][b:]
            elif k == len(pieces) - 1:
                lines[row] = lines[row][:a] + pieces[k] + tail
            else:
                removed.add(row)
    out = "".join(line for k, line in enumerate(lines) if k not in removed)
    bom = data.startswith(b"\xef\xbb\xbf")
    return (b"\xef\xbb\xbf" if bom else b"") + out.encode("utf-8")
