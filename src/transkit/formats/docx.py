"""DOCX (Office Open XML): paragraphs out as units, translated paragraphs back in.

`extract` and `rebuild` are a symmetric pair over the package parts that
hold text: the body, headers and footers, footnotes and endnotes, and
comments (text boxes are paragraphs inside them).  Each ``<w:p>`` with text
is one unit.  Inside it:

* runs that merely repeat the same formatting are merged; a run whose
  formatting differs from the paragraph's most common one becomes a paired
  code holding its ``<w:rPr>`` (bold, italic, colour: whatever it says);
* hyperlinks, smart tags, content controls and custom XML become paired
  codes holding their element, so link texts are translated;
* everything else inside the paragraph - images, text boxes, fields
  (simple and complex; their result is not translated), footnote and
  comment marks, tabs, breaks, bookmarks, math - is a point code that
  carries the original XML back unchanged.

Tracked changes are accepted before extraction (insertions kept, deletions
dropped, property changes resolved) and the XLIFF says so; a macro-enabled
document (``.docm`` content) is refused.  Spell-check marks (``w:proofErr``)
and rendered page-break hints are dropped: they describe the German layout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
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
    complete,
    remove_keeping_tail,
)
from transkit.formats.package import Package, serialize_part

__all__ = ["extract", "rebuild", "count_elements", "TEXT_PARTS"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"

#: Content types (suffixes) of the parts that hold translatable paragraphs.
TEXT_PARTS = (
    "document.main+xml",
    "header+xml",
    "footer+xml",
    "footnotes+xml",
    "endnotes+xml",
    "comments+xml",
    "template.main+xml",
)
_MACRO_TYPES = ("document.macroEnabled.main+xml", "template.macroEnabledTemplate.main+xml")

# Inline containers: their children are runs (translated), they become paired codes.
_CONTAINERS = {"hyperlink", "smartTag", "customXml", "dir", "bdo", "sdt"}
# Run children that are text.
_CHARS = {"noBreakHyphen": "\u2011", "softHyphen": "\u00ad"}
# Dropped: they describe the German text's layout or spelling.
_DROPPED = {"proofErr", "lastRenderedPageBreak"}
# Tracked changes: unwrapped (kept) and removed (dropped) when accepting.
_INSERTED = {"ins", "moveTo"}
_DELETED = {"del", "moveFrom"}
_CHANGE_RECORDS = {
    "rPrChange",
    "pPrChange",
    "sectPrChange",
    "tblPrChange",
    "trPrChange",
    "tcPrChange",
    "tblGridChange",
    "tblPrExChange",
    "numberingChange",
    "moveFromRangeStart",
    "moveFromRangeEnd",
    "moveToRangeStart",
    "moveToRangeEnd",
    "customXmlInsRangeStart",
    "customXmlInsRangeEnd",
    "customXmlDelRangeStart",
    "customXmlDelRangeEnd",
}
# rPr children that say nothing a reader sees (they keep runs apart needlessly).
_INVISIBLE_RPR = {"lang", "noProof", "rsid", "webHidden", "specVanish"}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _local(el: Any) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _is_w(el: Any) -> bool:
    return isinstance(el.tag, str) and el.tag.startswith(f"{{{W}}}")


# -- the package ----------------------------------------------------------------------
def _text_parts(package: Package) -> list[str]:
    if not package.has("[Content_Types].xml"):
        raise FormatError("not a DOCX file (no [Content_Types].xml)", file=package.name)
    types = package.xml("[Content_Types].xml")
    parts: list[str] = []
    for override in types.iter(f"{{{_CT}}}Override"):
        content_type = override.get("ContentType") or ""
        member = (override.get("PartName") or "").lstrip("/")
        if content_type.endswith(_MACRO_TYPES) or member.endswith("vbaProject.bin"):
            raise FormatError(
                "macro-enabled document (macros are never translated or passed on); "
                "save it as a plain .docx",
                file=package.name,
            )
        if content_type.endswith(TEXT_PARTS) and package.has(member):
            parts.append(member)
    if not any(
        (o.get("ContentType") or "").endswith(("document.main+xml", "template.main+xml"))
        for o in types.iter(f"{{{_CT}}}Override")
    ):
        raise FormatError("not a Word document (no main document part)", file=package.name)
    order = {"document.main+xml": 0}
    return sorted(parts, key=lambda m: (order.get(_type_of(types, m), 1), m))


def _type_of(types: Any, member: str) -> str:
    for override in types.iter(f"{{{_CT}}}Override"):
        if (override.get("PartName") or "").lstrip("/") == member:
            ct = override.get("ContentType") or ""
            return next((t for t in TEXT_PARTS if ct.endswith(t)), "")
    return ""


def accept_changes(root: Any) -> int:
    """Accept every tracked change in a part, in place; the number of changes accepted."""
    changes = 0
    for el in list(root.iter()):
        if not _is_w(el):
            continue
        name = _local(el)
        if name in _DELETED or name in _CHANGE_RECORDS:
            parent = el.getparent()
            if parent is not None:
                changes += name in _DELETED or name.endswith("Change")
                remove_keeping_tail(el)
        elif name in _INSERTED:
            parent = el.getparent()
            if parent is None:
                continue
            # a paragraph mark inserted: nothing to unwrap
            if parent.tag == _w("rPr"):
                parent.remove(el)
                changes += 1
                continue
            index = parent.index(el)
            for offset, child in enumerate(list(el)):
                parent.insert(index + offset, child)
            remove_keeping_tail(el)
            changes += 1
    return changes


# -- reading a paragraph ------------------------------------------------------------------
def _rpr_key(rpr: Any) -> str:
    """What a run's formatting looks like to a reader, as a comparable string."""
    if rpr is None:
        return ""
    from lxml import etree

    clone = deepcopy(rpr)
    for child in list(clone):
        if _local(child) in _INVISIBLE_RPR:
            clone.remove(child)
    for el in clone.iter():
        for attr in list(el.attrib):
            if "rsid" in attr:
                del el.attrib[attr]
    if not len(clone):
        return ""
    return etree.tostring(clone, method="c14n").decode("utf-8")


def _kind_of(rpr: Any) -> str:
    if rpr is None:
        return "x-format"
    names = {_local(c): c for c in rpr}
    for name, kind in (("b", "bold"), ("i", "italic"), ("u", "underlined")):
        el = names.get(name)
        if el is not None and (el.get(_w("val")) or "true") not in ("0", "false", "none"):
            return kind
    return "x-format"


def _on(rpr: Any, name: str) -> bool:
    if rpr is None:
        return False
    el = rpr.find(_w(name))
    return el is not None and (el.get(_w("val")) or "true") not in ("0", "false", "none")


class _Reader:
    """Walks one paragraph into pieces: text with formatting, points, containers."""

    def __init__(self) -> None:
        # (containers tuple, rpr key, rpr element, text) or (containers, None, [elements], label)
        self.pieces: list[tuple[tuple[Any, ...], str | None, Any, Any]] = []
        self.field_depth = 0
        self.field: list[Any] = []
        self.field_containers: tuple[Any, ...] = ()
        # run children that become points: moved into a run of their own once the
        # paragraph is known to be a unit (moved, not copied: text boxes inside stay units)
        self.moves: list[tuple[Any, Any]] = []

    def point(self, containers: tuple[Any, ...], elements: list[Any], label: str) -> None:
        self.pieces.append((containers, None, elements, label))

    def text(self, containers: tuple[Any, ...], rpr: Any, text: str) -> None:
        self.pieces.append((containers, _rpr_key(rpr), rpr, text))

    def walk(self, parent: Any, containers: tuple[Any, ...]) -> None:
        for child in list(parent):
            if not isinstance(child.tag, str):
                continue  # comments, processing instructions stay out
            name = _local(child) if _is_w(child) else ""
            if name == "pPr" and parent.tag == _w("p"):
                continue
            if self.field_depth:
                self._in_field(child)
                continue
            if name == "r":
                self.run(child, containers)
            elif name in _DROPPED:
                continue
            elif name in _CONTAINERS:
                inner = child.find(_w("sdtContent")) if name == "sdt" else child
                if inner is None:
                    self.point(containers, [child], name)
                else:
                    self.walk(inner, (*containers, child))
            elif name == "fldSimple":
                self.point(containers, [child], "field")
            else:
                label = "math" if "math" in (child.tag or "") else (name or "x")
                self.point(containers, [child], label)
        if self.field and not containers:
            # an unclosed complex field: keep what was gathered
            self.point(self.field_containers, self.field, "field")
            self.field, self.field_depth = [], 0

    def _in_field(self, child: Any) -> None:
        self.field.append(child)
        if _local(child) == "r":
            for fc in child.iter(_w("fldChar")):
                kind = fc.get(_w("fldCharType"))
                if kind == "begin":
                    self.field_depth += 1
                elif kind == "end":
                    self.field_depth -= 1
            if self.field_depth <= 0:
                self.pieces.append((self.field_containers, None, self.field, "field"))
                self.field, self.field_depth = [], 0

    def run(self, run: Any, containers: tuple[Any, ...]) -> None:
        rpr = run.find(_w("rPr"))
        if any(fc.get(_w("fldCharType")) == "begin" for fc in run.iter(_w("fldChar"))):
            self.field, self.field_depth, self.field_containers = [], 0, containers
            self._in_field(run)
            return
        buffer: list[str] = []

        def flush() -> None:
            if buffer:
                self.text(containers, rpr, "".join(buffer))
                buffer.clear()

        for child in list(run):
            if not isinstance(child.tag, str):
                continue
            name = _local(child) if _is_w(child) else ""
            if name == "rPr":
                continue
            if name == "t":
                buffer.append(child.text or "")
            elif name in _CHARS:
                buffer.append(_CHARS[name])
            elif name in _DROPPED:
                continue
            else:
                flush()
                shell = _shell_run(run)
                self.moves.append((shell, child))
                label = {"tab": "tab", "br": "break", "cr": "break"}.get(name, name or "x")
                if name in ("drawing", "pict", "object"):
                    label = "image"
                self.point(containers, [shell], label)
        flush()


def _shell_run(run: Any) -> Any:
    """A run with the same properties and no content."""
    from lxml import etree

    shell = etree.Element(run.tag, attrib=dict(run.attrib), nsmap=run.nsmap)
    rpr = run.find(_w("rPr"))
    if rpr is not None:
        shell.append(deepcopy(rpr))
    return shell


def _unit_of(p: Any, unit_id: str, where: str) -> Unit | None:
    """One paragraph as a unit (None when it holds no text)."""
    reader = _Reader()
    reader.walk(p, ())
    texts = [piece for piece in reader.pieces if piece[1] is not None]
    if not any(str(piece[3]).strip() for piece in texts):
        return None
    for shell, child in reader.moves:
        shell.append(child)
    weight: Counter[str] = Counter()
    rprs: dict[str, Any] = {}
    for containers, key, rpr, text in texts:
        if not containers:
            weight[key] += len(text)
        rprs.setdefault(key, rpr)
    base = weight.most_common(1)[0][0] if weight else ""
    codes: dict[str, Code] = {}
    parts: list[Part] = []
    open_containers: list[tuple[Any, str]] = []
    open_format: tuple[str, str] | None = None  # (key, code id)
    counter = iter(range(1, 1 << 30))

    def new_id() -> str:
        return str(next(counter))

    def close_format() -> None:
        nonlocal open_format
        if open_format is not None:
            parts.append(Close(open_format[1]))
            open_format = None

    def sync_containers(wanted: tuple[Any, ...]) -> None:
        common = 0
        while (
            common < len(open_containers)
            and common < len(wanted)
            and open_containers[common][0] is wanted[common]
        ):
            common += 1
        if common < len(open_containers):
            close_format()
        while len(open_containers) > common:
            parts.append(Close(open_containers.pop()[1]))
        for element in wanted[common:]:
            close_format()
            ident = new_id()
            kind = "link" if _local(element) == "hyperlink" else f"x-{_local(element)}"
            codes[ident] = Code(ident, kind, True, element, _local(element))
            parts.append(Open(ident))
            open_containers.append((element, ident))

    def add_text(text: str) -> None:
        if parts and isinstance(parts[-1], str):
            parts[-1] += text
        else:
            parts.append(text)

    for containers, key, payload, text in reader.pieces:
        sync_containers(containers)
        if key is None:  # a point
            ident = new_id()
            codes[ident] = Code(ident, _point_kind(text), False, payload, text)
            parts.append(Point(ident))
            continue
        wanted_key = None if key == base else key  # "" is a real key: no properties
        if open_format is not None and open_format[0] != wanted_key:
            close_format()
        if wanted_key is not None and open_format is None:
            ident = new_id()
            codes[ident] = Code(ident, _kind_of(payload), True, payload, "format")
            parts.append(Open(ident))
            open_format = (wanted_key, ident)
        add_text(text)
    close_format()
    sync_containers(())
    unit = Unit(unit_id, parts, codes, where)
    unit.handle = (p, rprs.get(base))
    return unit


def _point_kind(label: str) -> str:
    return {"image": "image", "break": "lb", "field": "x-field"}.get(label, f"x-{label}")


def _paragraphs(root: Any) -> Iterator[Any]:
    yield from root.iter(_w("p"))


def _read(data: bytes, name: str) -> tuple[Package, dict[str, Any], Extracted]:
    package = Package(data, name, "DOCX")
    roots: dict[str, Any] = {}
    units: list[Unit] = []
    accepted = 0
    for member in _text_parts(package):
        root = package.xml(member)
        accepted += accept_changes(root)
        roots[member] = root
    elements = count_elements(roots)
    for member, root in roots.items():
        # listed first: reading a paragraph moves its text boxes out of the tree
        for k, p in enumerate(list(_paragraphs(root))):
            unit = _unit_of(p, f"{member}#p{k}", f"{member}#p{k}")
            if unit is not None:
                units.append(unit)
    notes = []
    if accepted:
        notes.append(
            f"{accepted} tracked change(s) accepted: the English shows the document "
            "as if every change had been accepted"
        )
    return package, roots, Extracted("docx", units, notes, elements)


def extract(data: bytes, name: str) -> Extracted:
    """The units of a DOCX file (see the module docstring)."""
    return _read(data, name)[2]


# -- writing a paragraph --------------------------------------------------------------------
def _text_run(props: Any, text: str) -> list[Any]:
    """Runs for ``text`` with run properties ``props`` (None: none): tabs and breaks as elements."""
    from lxml import etree

    run = etree.Element(_w("r"))
    if props is not None:
        run.append(deepcopy(props))
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            t = etree.SubElement(run, _w("t"))
            t.text = "".join(chunk)
            if t.text != t.text.strip() or "  " in t.text:
                t.set(f"{{{XML_NS}}}space", "preserve")
            chunk.clear()

    for ch in text:
        if ch == "\t":
            flush()
            etree.SubElement(run, _w("tab"))
        elif ch == "\n":
            flush()
            etree.SubElement(run, _w("br"))
        else:
            chunk.append(ch)
    flush()
    return [run]


def _container_shell(element: Any) -> tuple[Any, Any]:
    """A copy of a container without its runs, and where runs go inside it."""
    from lxml import etree

    shell = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    if _local(element) == "sdt":
        for child in element:
            if _local(child) == "sdtContent":
                content = etree.SubElement(shell, child.tag, attrib=dict(child.attrib))
            else:
                shell.append(deepcopy(child))
        inner = shell.find(_w("sdtContent"))
        return shell, inner if inner is not None else content
    for child in element:
        if _local(child) == "smartTagPr" or _local(child) == "customXmlPr":
            shell.append(deepcopy(child))
    return shell, shell


def _write_paragraph(unit: Unit, parts: list[Part]) -> None:
    p, base_rpr = unit.handle
    ppr = p.find(_w("pPr"))
    for child in list(p):
        if child is not ppr:
            p.remove(child)
    stack: list[tuple[str, Any]] = [("", p)]  # (code id, element runs go into)
    formats: list[tuple[str, Any]] = []
    for part in complete(parts, unit):
        if isinstance(part, str):
            if part:
                # inside a format code its own properties (None: plain), else the base
                props = formats[-1][1] if formats else base_rpr
                for run in _text_run(props, part):
                    stack[-1][1].append(run)
        elif isinstance(part, Open):
            code = unit.codes[part.id]
            if code.label == "format":
                formats.append((part.id, code.payload))
            else:
                shell, inner = _container_shell(code.payload)
                stack[-1][1].append(shell)
                stack.append((part.id, inner))
        elif isinstance(part, Close):
            if formats and formats[-1][0] == part.id:
                formats.pop()
            elif any(ident == part.id for ident, _ in stack[1:]):
                while stack[-1][0] != part.id:
                    stack.pop()
                stack.pop()
            else:
                formats = [f for f in formats if f[0] != part.id]
        else:
            for element in unit.codes[part.id].payload:
                stack[-1][1].append(element)


def rebuild(data: bytes, name: str, targets: Mapping[str, list[Part]]) -> bytes:
    """The DOCX with each unit's paragraph replaced by its target (others untouched)."""
    package, roots, extracted = _read(data, name)
    changed: set[str] = set()
    for unit in extracted.units:
        parts = targets.get(unit.id)
        if parts is None:
            continue
        _write_paragraph(unit, parts)
        changed.add(unit.id.split("#", 1)[0])
    replaced = {member: serialize_part(root) for member, root in roots.items()}
    return package.rebuilt(replaced)


def count_elements(roots: Mapping[str, Any]) -> dict[str, int]:
    """What a reader sees: bold/italic spans, links, notes, cells, list items, images."""
    counts: Counter[str] = Counter()
    for root in roots.values():
        for p in root.iter(_w("p")):
            previous: tuple[bool, bool] = (False, False)
            for run in p.iter(_w("r")):
                if not "".join(t.text or "" for t in run.iter(_w("t"))):
                    continue  # no text (an image, a field mark): no span starts or ends
                rpr = run.find(_w("rPr"))
                flags = (_on(rpr, "b"), _on(rpr, "i"))
                if flags[0] and not previous[0]:
                    counts["bold"] += 1
                if flags[1] and not previous[1]:
                    counts["italic"] += 1
                previous = flags
            if p.find(f"{_w('pPr')}/{_w('numPr')}") is not None:
                counts["list items"] += 1
        counts["links"] += sum(1 for _ in root.iter(_w("hyperlink")))
        counts["footnotes"] += sum(1 for _ in root.iter(_w("footnoteReference")))
        counts["endnotes"] += sum(1 for _ in root.iter(_w("endnoteReference")))
        counts["comments"] += sum(1 for _ in root.iter(_w("commentReference")))
        counts["table cells"] += sum(1 for _ in root.iter(_w("tc")))
        counts["images"] += sum(1 for _ in root.iter(_w("drawing"))) + sum(
            1 for _ in root.iter(_w("pict"))
        )
    return dict(counts)


def elements_of(data: bytes, name: str) -> dict[str, int]:
    """`count_elements` of a DOCX file's text parts."""
    return _read(data, name)[2].elements
