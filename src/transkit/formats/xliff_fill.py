"""Fill the targets of a CAT tool's XLIFF (1.2 or 2.x), touching nothing else.

`XliffFill.open` reads the file and lists the `Job`s: one per segment that
should get a translation.  What the file says is respected:

* ``translate="no"`` (on the unit or any enclosing group/file) is skipped;
* locked units and segments are skipped: any ``locked`` attribute with a true
  value (memoQ ``mq:locked="locked"``, Phrase ``m:locked="true"``) and Trados
  ``<sdl:seg locked="true">``;
* an existing target is kept unless ``overwrite``; a target the tool marked
  untranslated (1.2 ``state="new"``/``"needs-translation"``, 2.x
  ``state="initial"`` holding a copy of the source) counts as empty;
* 1.2 ``<seg-source>`` with ``<mrk mtype="seg">`` (Trados, memoQ, Okapi) is
  translated segment by segment into matching ``<mrk mtype="seg" mid>`` in
  the target; 2.x ``<segment>`` by ``<segment>``.

`XliffFill.apply` writes the results: new ``<target>`` elements (1.2
``state="needs-review-translation" state-qualifier="leveraged-mt"``, 2.x
``state="translated" subState="transkit:mt"``), notes for failed term checks,
QA findings and uncertain code placement, and Trados ``sdl:seg`` marked as
machine-translated drafts.  Everything else keeps its bytes (`xml_splice`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from transkit.errors import FormatError
from transkit.formats import parse_xml
from transkit.formats.xliff_common import (
    MT_SUBSTATE,
    NOTE_GLOSSARY,
    NOTE_TERM_CHECK,
    STATES_2,
    STATES_12,
    XLIFF2_NS,
    XLIFF12_NS,
    children_named,
    local_name,
    namespace_of,
)
from transkit.formats.xliff_inline import Inline, parse_inline, render_inline
from transkit.formats.xml_splice import Locator, fragment, splice, start_tag
from transkit.text.align import Placement

__all__ = ["Fill", "FillStats", "Job", "XliffFill"]

_ANNOTATES = {NOTE_TERM_CHECK: "target", NOTE_GLOSSARY: "source"}
_APPLIES = _ANNOTATES
_TRUE = ("true", "yes", "locked", "1")
_UNTRANSLATED_12 = ("new", "needs-translation")


@dataclass(frozen=True)
class Job:
    """One segment to translate: its key, where it is, and its source content."""

    key: str
    unit: str
    segment: str
    inline: Inline


@dataclass(frozen=True)
class Fill:
    """A translation for a `Job`: text, code placements and notes (kind, priority, text)."""

    text: str
    placements: tuple[Placement, ...]
    notes: tuple[tuple[str, str, str], ...] = ()


@dataclass
class FillStats:
    """How many segments were to translate, kept, skipped, locked or empty."""

    todo: int = 0
    kept: int = 0
    not_translatable: int = 0
    locked: int = 0
    empty: int = 0


@dataclass
class _Seg:
    mid: str
    source: Any  # the source content element (<source>, <mrk mtype="seg">, 2.x <source>)
    target: Any  # the existing target content element, or None
    job: str | None = None
    element: Any = None  # 2.x <segment>


@dataclass
class _Unit:
    element: Any
    version: str
    segs: list[_Seg] = field(default_factory=list)
    seg_source: Any = None  # 1.2 <seg-source>


def _text(el: Any) -> str:
    return "".join(el.itertext()) if el is not None else ""


def _locked(el: Any) -> bool:
    return any(
        etree.QName(name).localname == "locked" and (value or "").lower() in _TRUE
        for name, value in el.attrib.items()
    )


def _no_translate(el: Any, stop: Any) -> bool:
    node = el
    while node is not None and node is not stop:
        if node.get("translate") == "no":
            return True
        node = node.getparent()
    return False


class XliffFill:
    """An XLIFF file opened for pre-translation (see the module docstring)."""

    def __init__(self, name: str, data: bytes, root: Any, overwrite: bool) -> None:
        self.name = name
        self.data = data
        self.root = root
        self.overwrite = overwrite
        self.encoding = root.getroottree().docinfo.encoding or "UTF-8"
        self.version = "2" if namespace_of(root) == XLIFF2_NS else "1.2"
        self.ns = XLIFF2_NS if self.version == "2" else XLIFF12_NS
        self.stats = FillStats()
        self.jobs: list[Job] = []
        self.units: list[_Unit] = []
        self.source_lang = ""
        self.target_lang = ""
        self._collect()

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, overwrite: bool = False) -> XliffFill:
        """Read ``path``; raises `FormatError` for malformed or non-XLIFF files."""
        name = os.fspath(path)
        root = parse_xml(name, "XLIFF")
        if local_name(root) != "xliff" or namespace_of(root) not in (XLIFF12_NS, XLIFF2_NS):
            raise FormatError(
                f"not an XLIFF 1.2 or 2.x file (root <{local_name(root) or root.tag}>)",
                file=name,
                line=root.sourceline,
            )
        encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
        if encoding.startswith(("UTF-16", "UTF-32", "UCS")):
            raise FormatError(f"{encoding} XLIFF is not supported; save it as UTF-8", file=name)
        with open(name, "rb") as handle:
            data = handle.read()
        return cls(name, data, root, overwrite)

    # -- reading -------------------------------------------------------------
    def _collect(self) -> None:
        files = children_named(self.root, "file", (self.ns,))
        if not files:
            raise FormatError("XLIFF has no <file> element", file=self.name)
        if self.version == "2":
            self.source_lang = self.root.get("srcLang") or ""
            self.target_lang = self.root.get("trgLang") or ""
        else:
            self.source_lang = files[0].get("source-language") or ""
            self.target_lang = files[0].get("target-language") or ""
        unit_tag = "unit" if self.version == "2" else "trans-unit"
        for f, file_el in enumerate(files):
            for u, unit in enumerate(file_el.iter(f"{{{self.ns}}}{unit_tag}")):
                record = self._unit_2(unit) if self.version == "2" else self._unit_12(unit)
                self.units.append(record)
                skip = _no_translate(unit, self.root)
                locked = _locked(unit)
                for s, seg in enumerate(record.segs):
                    self._consider(record, seg, f"f{f}u{u}s{s}", skip, locked)

    def _unit_12(self, tu: Any) -> _Unit:
        unit = _Unit(tu, "1.2")
        sources = children_named(tu, "source", (self.ns,))
        if not sources:
            raise FormatError(
                f"<trans-unit id={tu.get('id')!r}> has no <source>",
                file=self.name,
                line=tu.sourceline,
            )
        targets = children_named(tu, "target", (self.ns,))
        target = targets[0] if targets else None
        seg_sources = children_named(tu, "seg-source", (self.ns,))
        marks = []
        if seg_sources:
            marks = [m for m in seg_sources[0].iter(f"{{{self.ns}}}mrk") if m.get("mtype") == "seg"]
        if not marks:
            unit.segs.append(_Seg("", sources[0], target))
            return unit
        unit.seg_source = seg_sources[0]
        existing = {}
        if target is not None:
            existing = {
                m.get("mid"): m for m in target.iter(f"{{{self.ns}}}mrk") if m.get("mtype") == "seg"
            }
        for mark in marks:
            unit.segs.append(_Seg(mark.get("mid") or "", mark, existing.get(mark.get("mid"))))
        return unit

    def _unit_2(self, unit_el: Any) -> _Unit:
        unit = _Unit(unit_el, "2")
        for seg in children_named(unit_el, "segment", (self.ns,)):
            sources = children_named(seg, "source", (self.ns,))
            if not sources:
                raise FormatError("<segment> has no <source>", file=self.name, line=seg.sourceline)
            targets = children_named(seg, "target", (self.ns,))
            unit.segs.append(
                _Seg(seg.get("id") or "", sources[0], targets[0] if targets else None, element=seg)
            )
        return unit

    def _trados_locks(self, unit: _Unit) -> set[str]:
        locked = set()
        for el in unit.element.iter():
            if (
                isinstance(el.tag, str)
                and local_name(el) == "seg"
                and namespace_of(el) != self.ns
                and (el.get("locked") or "").lower() in _TRUE
            ):
                locked.add(el.get("id") or "")
        return locked

    def _translated(self, unit: _Unit, seg: _Seg) -> bool:
        """Whether the segment holds a translation to keep (not empty, not a source copy)."""
        if seg.target is None or not _text(seg.target).strip():
            return False
        copy = _text(seg.target).strip() == _text(seg.source).strip()
        if unit.version == "1.2":
            tu_target = children_named(unit.element, "target", (self.ns,))
            state = tu_target[0].get("state") if tu_target else None
            if state in _UNTRANSLATED_12:
                return False
            return not (copy and state is None)
        state = seg.element.get("state") or "initial"
        return not (state == "initial" and copy)

    def _consider(self, unit: _Unit, seg: _Seg, key: str, skip: bool, locked: bool) -> None:
        if skip:
            self.stats.not_translatable += 1
            return
        if locked or _locked(seg.source) or (seg.element is not None and _locked(seg.element)):
            self.stats.locked += 1
            return
        if unit.version == "1.2" and seg.mid and seg.mid in self._trados_locks(unit):
            self.stats.locked += 1
            return
        if self._translated(unit, seg) and not self.overwrite:
            self.stats.kept += 1
            return
        inline = parse_inline(seg.source)
        if not inline.text.strip() and not inline.codes:
            self.stats.empty += 1
            return
        seg.job = key
        self.stats.todo += 1
        self.jobs.append(Job(key, unit.element.get("id") or "", seg.mid, inline))

    # -- writing -------------------------------------------------------------
    def apply(self, fills: dict[str, Fill]) -> bytes:
        """The file's bytes with every filled job written in (unfilled jobs stay as they were)."""
        locator = Locator(self.data, self.root, self.name)
        jobs = {j.key: j for j in self.jobs}
        edits: list[tuple[int, int, bytes]] = []
        for unit in self.units:
            done = [s for s in unit.segs if s.job is not None and s.job in fills]
            if not done:
                continue
            if unit.version == "1.2":
                edits.extend(self._apply_12(unit, fills, jobs, locator))
            else:
                edits.extend(self._apply_2(unit, fills, jobs, locator))
        return splice(self.data, edits)

    def _indent(self, el: Any) -> str:
        previous = el.getprevious()
        text = previous.tail if previous is not None else el.getparent().text
        text = text or ""
        return text if not text.strip() else "\n"

    def _apply_12(
        self, unit: _Unit, fills: dict[str, Fill], jobs: dict[str, Job], locator: Locator
    ) -> list[tuple[int, int, bytes]]:
        tu = unit.element
        ns = self.ns
        targets = children_named(tu, "target", (ns,))
        old_target = targets[0] if targets else None
        anchor_el = unit.seg_source if unit.seg_source is not None else unit.segs[0].source
        pad = self._indent(anchor_el)
        notes: list[tuple[str, str, str]] = []
        state, qualifier = STATES_12["mt"]

        def build(wrapper: Any) -> None:
            target = etree.SubElement(wrapper, f"{{{ns}}}target")
            if old_target is not None:
                for k, v in old_target.attrib.items():
                    target.set(k, v)
            target.set("state", state)
            target.set("state-qualifier", qualifier or "")
            if unit.seg_source is None:
                seg = unit.segs[0]
                fill = fills.get(seg.job)
                if fill is None:
                    return
                render_inline(target, fill.text, jobs[seg.job].inline, fill.placements)
                notes.extend(fill.notes)
            else:
                self._segmented_target(unit, target, fills, jobs, notes)
            for source, priority, text in notes:
                note = etree.SubElement(wrapper, f"{{{ns}}}note")
                note.set("from", source)
                note.set("priority", priority)
                note.set("annotates", _ANNOTATES.get(source, "general"))
                note.text = text
            for child in wrapper:
                child.tail = pad
            wrapper[-1].tail = None

        data = fragment(tu, build, self.encoding)
        edits = []
        if old_target is not None:
            r = locator[old_target]
            edits.append((r.start, r.end_end, data))
        else:
            r = locator[anchor_el]
            edits.append((r.end_end, r.end_end, pad.encode(self.encoding) + data))
        edits.extend(self._trados_drafts(unit, fills, locator))
        return edits

    def _segmented_target(
        self,
        unit: _Unit,
        target: Any,
        fills: dict[str, Fill],
        jobs: dict[str, Job],
        notes: list[tuple[str, str, str]],
    ) -> None:
        """Mirror <seg-source>: text and codes between segments copied, each mrk filled."""
        from transkit.formats.xliff_inline import _copy_into

        by_mark = {id(s.source): s for s in unit.segs}

        def copy(src: Any, dst: Any) -> None:
            dst.text = src.text
            for child in src:
                if not isinstance(child.tag, str):
                    continue
                seg = by_mark.get(id(child))
                if seg is None:
                    sub = _copy_into(dst, child)
                else:
                    sub = etree.SubElement(dst, child.tag, attrib=dict(child.attrib))
                    fill = fills.get(seg.job or "")
                    if fill is not None:
                        render_inline(sub, fill.text, jobs[seg.job].inline, fill.placements)
                        prefix = f"[{seg.mid}] " if seg.mid else ""
                        notes.extend((k, p, prefix + t) for k, p, t in fill.notes)
                    elif seg.target is not None:
                        sub.text = seg.target.text
                        for kid in seg.target:
                            if isinstance(kid.tag, str):
                                _copy_into(sub, kid).tail = kid.tail
                sub.tail = child.tail

        copy(unit.seg_source, target)

    def _trados_drafts(
        self, unit: _Unit, fills: dict[str, Fill], locator: Locator
    ) -> list[tuple[int, int, bytes]]:
        filled = {s.mid for s in unit.segs if s.job in fills and s.mid}
        edits = []
        for el in unit.element.iter():
            if (
                isinstance(el.tag, str)
                and local_name(el) == "seg"
                and namespace_of(el) not in (self.ns, None)
                and local_name(el.getparent()) == "seg-defs"
                and el.get("id") in filled
            ):
                attrib = dict(el.attrib)
                attrib["conf"] = "Draft"
                attrib["origin"] = "mt"
                r = locator[el]
                if r.empty:
                    edits.append(
                        (r.start, r.end_end, start_tag(el, attrib, self.encoding, empty=True))
                    )
                else:
                    new = start_tag(el, attrib, self.encoding, empty=False)
                    edits.append((r.start, r.start_end, new))
        return edits

    def _apply_2(
        self, unit: _Unit, fills: dict[str, Fill], jobs: dict[str, Job], locator: Locator
    ) -> list[tuple[int, int, bytes]]:
        ns = self.ns
        edits = []
        notes: list[tuple[str, str, str]] = []
        state, substate = STATES_2["mt"]
        for seg in unit.segs:
            fill = fills.get(seg.job or "")
            if fill is None:
                continue
            element = seg.element
            attrib = dict(element.attrib)
            attrib["state"] = state
            attrib["subState"] = substate or MT_SUBSTATE
            r = locator[element]
            edits.append(
                (r.start, r.start_end, start_tag(element, attrib, self.encoding, empty=False))
            )
            old = seg.target

            def build(wrapper: Any, old: Any = old, fill: Fill = fill, seg: _Seg = seg) -> None:
                target = etree.SubElement(wrapper, f"{{{ns}}}target")
                if old is not None:
                    for k, v in old.attrib.items():
                        target.set(k, v)
                render_inline(target, fill.text, jobs[seg.job or ""].inline, fill.placements)

            data = fragment(element, build, self.encoding)
            if old is not None:
                ro = locator[old]
                edits.append((ro.start, ro.end_end, data))
            else:
                rs = locator[seg.source]
                pad = self._indent(seg.source).encode(self.encoding)
                edits.append((rs.end_end, rs.end_end, pad + data))
            prefix = f"[{seg.mid}] " if seg.mid else ""
            notes.extend((k, p, prefix + t) for k, p, t in fill.notes)
        if notes:
            edits.append(self._notes_2(unit, notes, locator))
        return edits

    def _notes_2(
        self, unit: _Unit, notes: list[tuple[str, str, str]], locator: Locator
    ) -> tuple[int, int, bytes]:
        ns = self.ns
        existing = children_named(unit.element, "notes", (ns,))

        def add(parent: Any) -> None:
            for category, priority, text in notes:
                note = etree.SubElement(parent, f"{{{ns}}}note")
                note.set("category", category)
                note.set("priority", priority)
                if category in _APPLIES:
                    note.set("appliesTo", _APPLIES[category])
                note.text = text

        if existing and any(isinstance(c.tag, str) for c in existing[0]):
            holder = existing[0]
            last = [c for c in holder if isinstance(c.tag, str)][-1]
            pad = self._indent(last)
            r = locator[last]

            def build(wrapper: Any) -> None:
                add(wrapper)
                for note in wrapper:
                    note.tail = pad

            body = fragment(holder, build, self.encoding).rstrip()
            return (r.end_end, r.end_end, pad.encode(self.encoding) + body)
        if existing:  # <notes/>: rewrite the empty element with its notes
            holder = existing[0]
            r = locator[holder]

            def build_empty(wrapper: Any) -> None:
                new = etree.SubElement(wrapper, holder.tag, attrib=dict(holder.attrib))
                add(new)

            return (r.start, r.end_end, fragment(unit.element, build_empty, self.encoding))
        first = next(
            c
            for c in unit.element
            if isinstance(c.tag, str) and local_name(c) in ("originalData", "segment", "ignorable")
        )
        pad = self._indent(first)

        def build_notes(wrapper: Any) -> None:
            holder = etree.SubElement(wrapper, f"{{{ns}}}notes")
            add(holder)
            inner = pad + "  "
            holder.text = inner
            for note in holder:
                note.tail = inner
            holder[-1].tail = pad

        body = fragment(unit.element, build_notes, self.encoding)
        r = locator[first]
        return (r.start, r.start, body + pad.encode(self.encoding))
