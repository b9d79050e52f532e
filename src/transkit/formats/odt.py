"""ODT (OpenDocument text): paragraphs out as units, translated paragraphs back in.

`extract` and `rebuild` are a symmetric pair over ``content.xml`` (the body,
with its tables, lists, notes, annotations and text boxes) and
``styles.xml`` (headers and footers of the master pages).  Each
``<text:p>``/``<text:h>`` with text is one unit.  Inside it:

* ``<text:span>`` (character style) and ``<text:a>`` (link) become paired
  codes; adjacent ones with the same style or target are merged first, so a
  word split over three identical links (``Cou|r|i|er``) is one code;
* ``<text:s>`` is spaces and, on the way back, spaces beyond one are
  ``<text:s>`` again (ODF collapses white space in text);
* everything else - notes, frames and images, annotations, bookmarks,
  fields (their value is not translated), tabs and line breaks - is a point
  code that carries the original element back unchanged.

Tracked changes are accepted before extraction (the change log and its
markers removed: insertions stay, deletions go) and the XLIFF says so.  An
encrypted document or one with macros (``Basic/``, scripts in the manifest)
is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
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
    append_text,
    build_parts,
    remove_keeping_tail,
)
from transkit.formats.package import Package, serialize_part

__all__ = ["extract", "rebuild", "MIMETYPE"]

MIMETYPE = b"application/vnd.oasis.opendocument.text"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

_CONTAINERS = {(TEXT, "span"), (TEXT, "a"), (TEXT, "meta"), (TEXT, "meta-field")}
_CHANGE_MARKS = {"change", "change-start", "change-end"}
_WS = re.compile(r"[ \t\r\n]+")


def _t(name: str) -> str:
    return f"{{{TEXT}}}{name}"


def _split(tag: Any) -> tuple[str, str]:
    if not isinstance(tag, str) or not tag.startswith("{"):
        return "", str(tag)
    ns, local = tag[1:].split("}", 1)
    return ns, local


def _check_package(package: Package) -> None:
    if not package.has("mimetype") or package.read("mimetype").strip() != MIMETYPE:
        found = (
            package.read("mimetype").strip().decode("ascii", "replace")
            if package.has("mimetype")
            else "no mimetype"
        )
        raise FormatError(f"not an ODF text document ({found})", file=package.name)
    if package.has("META-INF/manifest.xml"):
        manifest = package.xml("META-INF/manifest.xml")
        if next(manifest.iter(f"{{{MANIFEST}}}encryption-data"), None) is not None:
            raise FormatError(
                "password-protected (encrypted) document; remove the password first",
                file=package.name,
            )
    if any(n.startswith(("Basic/", "Scripts/")) and not n.endswith("/") for n in package.names):
        raise FormatError(
            "document with macros (macros are never translated or passed on); save it without them",
            file=package.name,
        )
    if not package.has("content.xml"):
        raise FormatError("not an ODF text document (no content.xml)", file=package.name)


def accept_changes(root: Any) -> int:
    """Accept every tracked change in a part, in place; the number of changes accepted."""
    changes = 0
    for tracked in list(root.iter(_t("tracked-changes"))):
        changes += len(tracked)
        remove_keeping_tail(tracked)
    for el in list(root.iter()):
        ns, local = _split(el.tag)
        if ns == TEXT and local in _CHANGE_MARKS:
            remove_keeping_tail(el)
    return changes


def _signature(el: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    return el.tag, tuple(sorted((k, v) for k, v in el.attrib.items() if "id" not in k.lower()))


def _pieces(p: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """The paragraph flattened: (containers, text str) or (containers, point element)."""
    out: list[tuple[tuple[Any, ...], Any]] = []

    def text(containers: tuple[Any, ...], value: str | None) -> None:
        if value:
            out.append((containers, _WS.sub(" ", value)))

    def walk(node: Any, containers: tuple[Any, ...]) -> None:
        text(containers, node.text)
        for child in node:
            if not isinstance(child.tag, str):
                text(containers, child.tail)
                continue
            ns, local = _split(child.tag)
            if (ns, local) in _CONTAINERS:
                walk(child, (*containers, child))
            elif ns == TEXT and local == "s":
                count = int(child.get(_t("c"), "1") or 1)
                out.append((containers, " " * max(1, min(count, 1000))))
            elif ns == TEXT and local == "soft-page-break":
                pass  # a layout hint of the German text
            else:
                out.append((containers, child))
            text(containers, child.tail)

    walk(p, ())
    return out


def _unit_of(p: Any, unit_id: str) -> Unit | None:
    pieces = _pieces(p)
    if not any(isinstance(v, str) and v.strip() for _, v in pieces):
        return None
    codes: dict[str, Code] = {}
    parts: list[Part] = []
    open_stack: list[tuple[Any, str]] = []  # (signature, code id)
    counter = iter(range(1, 1 << 30))
    for containers, value in pieces:
        wanted = [_signature(c) for c in containers]
        common = 0
        while (
            common < len(open_stack)
            and common < len(wanted)
            and open_stack[common][0] == wanted[common]
        ):
            common += 1
        while len(open_stack) > common:
            parts.append(Close(open_stack.pop()[1]))
        for element in containers[common:]:
            ident = str(next(counter))
            local = _split(element.tag)[1]
            kind = "link" if local == "a" else "x-format" if local == "span" else f"x-{local}"
            codes[ident] = Code(ident, kind, True, element, local)
            parts.append(Open(ident))
            open_stack.append((_signature(element), ident))
        if isinstance(value, str):
            if parts and isinstance(parts[-1], str):
                parts[-1] += value
            else:
                parts.append(value)
        else:
            ident = str(next(counter))
            local = _split(value.tag)[1]
            kind = {"line-break": "lb", "frame": "image", "note": "x-note"}.get(local, f"x-{local}")
            codes[ident] = Code(ident, kind, False, value, local)
            parts.append(Point(ident))
    while open_stack:
        parts.append(Close(open_stack.pop()[1]))
    # white space at the paragraph's edges is layout ODF ignores
    if parts and isinstance(parts[0], str):
        parts[0] = parts[0].lstrip(" ")
    if parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1].rstrip(" ")
    parts = [p for p in parts if p != ""]
    return Unit(unit_id, parts, codes, unit_id, handle=p)


def _text_roots(package: Package) -> dict[str, list[Any]]:
    """Part name -> the elements whose paragraphs are translated."""
    roots: dict[str, list[Any]] = {}
    content = package.xml("content.xml")
    roots["content.xml"] = [content]
    if package.has("styles.xml"):
        roots["styles.xml"] = [package.xml("styles.xml")]
    return roots


def _paragraph_holders(member: str, root: Any) -> list[Any]:
    if member == "content.xml":
        return list(root.iter(f"{{{OFFICE}}}body"))
    return list(root.iter(f"{{{OFFICE}}}master-styles"))


def _read(data: bytes, name: str) -> tuple[Package, dict[str, Any], Extracted]:
    package = Package(data, name, "ODT")
    _check_package(package)
    roots = {member: r[0] for member, r in _text_roots(package).items()}
    accepted = sum(accept_changes(root) for root in roots.values())
    units: list[Unit] = []
    styles = _bold_italic_styles(roots)
    counts: Counter[str] = Counter()
    for member, root in roots.items():
        for holder in _paragraph_holders(member, root):
            paragraphs = [el for el in holder.iter(_t("p"), _t("h"))]
            for k, p in enumerate(paragraphs):
                _count(p, styles, counts)
                unit = _unit_of(p, f"{member}#p{k}")
                if unit is not None:
                    units.append(unit)
            counts["notes"] += sum(1 for _ in holder.iter(_t("note")))
            counts["list items"] += sum(1 for _ in holder.iter(_t("list-item")))
            counts["table cells"] += sum(1 for _ in holder.iter(f"{{{TABLE}}}table-cell"))
            counts["images"] += sum(1 for _ in holder.iter(f"{{{DRAW}}}image"))
    notes = []
    if accepted:
        notes.append(
            f"{accepted} tracked change(s) accepted: the English shows the document "
            "as if every change had been accepted"
        )
    return package, roots, Extracted("odt", units, notes, dict(counts))


def _bold_italic_styles(roots: Mapping[str, Any]) -> dict[str, tuple[bool, bool]]:
    styles: dict[str, tuple[bool, bool]] = {}
    for root in roots.values():
        for style in root.iter(f"{{{STYLE}}}style"):
            props = style.find(f"{{{STYLE}}}text-properties")
            if props is None:
                continue
            bold = props.get(f"{{{FO}}}font-weight") in ("bold", "600", "700", "800", "900")
            italic = props.get(f"{{{FO}}}font-style") in ("italic", "oblique")
            styles[style.get(f"{{{STYLE}}}name") or ""] = (bold, italic)
    return styles


def _count(p: Any, styles: Mapping[str, tuple[bool, bool]], counts: Counter[str]) -> None:
    """Bold and italic spans, and links, as a reader sees them (adjacent equal ones are one)."""
    previous = (False, False, None)
    for containers, value in _pieces(p):
        if not isinstance(value, str) or not value:
            continue
        bold = italic = False
        link = None
        for c in containers:
            b, i = styles.get(c.get(_t("style-name")) or "", (False, False))
            bold, italic = bold or b, italic or i
            if _split(c.tag)[1] == "a":
                link = _signature(c)
        counts["bold"] += bold and not previous[0]
        counts["italic"] += italic and not previous[1]
        counts["links"] += link is not None and link != previous[2]
        previous = (bold, italic, link)


def extract(data: bytes, name: str) -> Extracted:
    """The units of an ODT file (see the module docstring)."""
    return _read(data, name)[2]


def _append_text(parent: Any, text: str, at_start: bool) -> None:
    """Text into ``parent``: spaces beyond one (and a leading one) as ``<text:s>``."""
    from lxml import etree

    for k, token in enumerate(re.findall(r" +|[^ ]+", text)):
        if not token.startswith(" ") or (len(token) == 1 and not (at_start and k == 0)):
            append_text(parent, token)
            continue
        extra = len(token) if at_start and k == 0 else len(token) - 1
        if extra < len(token):
            append_text(parent, " ")
        s = etree.SubElement(parent, _t("s"))
        if extra > 1:
            s.set(_t("c"), str(extra))


def _write_paragraph(unit: Unit, parts: list[Part]) -> None:
    p = unit.handle
    for child in list(p):
        p.remove(child)
    p.text = None
    build_parts(p, unit, parts, _shell, _append_text)


def _shell(element: Any) -> Any:
    """A span or link like ``element``, without its content."""
    from lxml import etree

    return etree.Element(element.tag, attrib=dict(element.attrib))


def rebuild(data: bytes, name: str, targets: Mapping[str, list[Part]]) -> bytes:
    """The ODT with each unit's paragraph replaced by its target (others untouched)."""
    package, roots, extracted = _read(data, name)
    for unit in extracted.units:
        parts = targets.get(unit.id)
        if parts is not None:
            _write_paragraph(unit, parts)
    return package.rebuilt({member: serialize_part(root) for member, root in roots.items()})
