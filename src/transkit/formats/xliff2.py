"""XLIFF 2.x: a ``<unit>`` per paragraph, a ``<segment>`` per sentence (see `.xliff`)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lxml import etree

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.errors import FormatError
from transkit.formats.xliff_common import (
    GLS_NS,
    ITS_NS,
    MDA_NS,
    MTC_NS,
    NMTOKEN,
    NOTE_QA,
    NOTE_TERM_CHECK,
    SPACE_ATTR,
    STATES_2,
    TERM_CONFIDENCE,
    TOOL_ID,
    XLIFF2_NAMESPACES,
    XLIFF2_NS,
    append_text,
    check_line,
    children_named,
    content_text,
    fill_marked,
    find_source_terms,
    find_target_terms,
    flatten_inline,
    glossary_line,
    has_text,
    indent,
    iso_time,
    local_name,
    missing_units,
    namespace_of,
    paragraphs,
    state_from_2,
    tidy_text,
    translatable,
    unique_ids,
    xml_text,
)

# --------------------------------------------------------------------------
# XLIFF 2.1 writer


def _q2(name: str, ns: str = XLIFF2_NS) -> str:
    return f"{{{ns}}}{name}"


def build_2(documents: Sequence[Document], tool_version: str, now: datetime) -> Any:
    pairs = {(d.source_lang, d.target_lang) for d in documents}
    if len(pairs) > 1:
        raise FormatError(
            "XLIFF 2 holds one language pair per file; got "
            + ", ".join(sorted(f"{s}-{t}" for s, t in pairs))
        )
    src, tgt = pairs.pop() if pairs else ("de", "en")
    nsmap = {None: XLIFF2_NS, "mtc": MTC_NS, "gls": GLS_NS, "mda": MDA_NS, "its": ITS_NS}
    root = etree.Element(_q2("xliff"), nsmap=nsmap)
    root.set("version", "2.1")
    root.set("srcLang", src)
    root.set("trgLang", tgt)
    for number, doc in enumerate(documents, 1):
        _file_2(root, doc, f"f{number}", tool_version, now)
    indent(
        root, frozenset({"source", "target", "note", "meta", "term", "translation", "definition"})
    )
    return root


def _file_2(root: Any, doc: Document, file_id: str, tool_version: str, now: datetime) -> None:
    sub = etree.SubElement
    file_el = sub(root, _q2("file"))
    file_el.set("id", file_id)
    file_el.set("original", xml_text(doc.metadata.get("original", doc.name)) or "document")
    group = sub(sub(file_el, _q2("metadata", MDA_NS)), _q2("metaGroup", MDA_NS))
    group.set("category", "tool")
    for key, value in (
        ("tool-id", TOOL_ID),
        ("tool-name", "transkit"),
        ("tool-version", tool_version),
        ("created", iso_time(now)),
        ("datatype", "plaintext"),
        ("segment-count", str(len(doc.segments))),  # merge tells when one was deleted
    ):
        meta = sub(group, _q2("meta", MDA_NS))
        meta.set("type", key)
        meta.text = value
    ids = iter(unique_ids(doc.segments, nmtoken=True))
    unit = None
    for number, paragraph in enumerate(paragraphs(doc.segments), 1):
        unit = _unit_2(file_el, f"p{number}", paragraph, ids)
    if unit is None:
        unit = sub(file_el, _q2("unit"))
        unit.set("id", "p0")
        unit.set(SPACE_ATTR, "preserve")
    if doc.trailing or not len(unit):
        append_text(sub(sub(unit, _q2("ignorable")), _q2("source")), doc.trailing, _cp2)


def _cp2(cp: int) -> Any:
    el = etree.Element(_q2("cp"))
    el.set("hex", f"{cp:04X}")
    return el


def _unit_2(file_el: Any, unit_id: str, paragraph: list[Segment], ids: Any) -> Any:
    sub = etree.SubElement
    unit = sub(file_el, _q2("unit"))
    unit.set("id", unit_id)
    unit.set(SPACE_ATTR, "preserve")
    seg_ids = [next(ids) for _ in paragraph]
    mt = [
        (s, i)
        for s, i in zip(paragraph, seg_ids, strict=True)
        if s.origin and s.target is not None and s.state == "mt"
    ]
    leveraged = [(s, i) for s, i in zip(paragraph, seg_ids, strict=True) if s.matches]
    matches = sub(unit, _q2("matches", MTC_NS)) if mt or leveraged else None
    if mt:
        for seg, sid in mt:
            match = sub(matches, _q2("match", MTC_NS))
            match.set("ref", f"#{sid}")
            match.set("type", "mt")
            match.set("origin", xml_text(seg.origin or ""))
            if seg.method and NMTOKEN.match(seg.method):
                match.set("subType", f"transkit:{seg.method}")
            append_text(sub(match, _q2("source")), seg.source, _cp2)
            append_text(sub(match, _q2("target")), seg.target or "", _cp2)
    for seg, sid in leveraged:  # translation-memory matches, best first
        for tm_match in seg.matches:
            match = sub(matches, _q2("match", MTC_NS))
            match.set("ref", f"#{sid}")
            match.set("type", "tm")
            match.set("origin", xml_text(tm_match.origin or "tm"))
            match.set("similarity", f"{tm_match.score:g}")
            match.set("subType", f"transkit:{tm_match.level}")
            append_text(sub(match, _q2("source")), tm_match.source, _cp2)
            append_text(sub(match, _q2("target")), tm_match.target, _cp2)
    terms_by_seg = [find_source_terms(s.source, s.terms) for s in paragraph]
    if any(terms_by_seg):
        glossary = sub(unit, _q2("glossary", GLS_NS))
        for sid, terms in zip(seg_ids, terms_by_seg, strict=True):
            for k, term in enumerate(terms, 1):
                entry = sub(glossary, _q2("glossEntry", GLS_NS))
                entry.set("ref", f"#{sid}_t{k}")
                gterm = sub(entry, _q2("term", GLS_NS))
                gterm.set("source", "transkit glossary")
                gterm.text = xml_text(term.term)
                for english in term.required:
                    sub(entry, _q2("translation", GLS_NS)).text = xml_text(english)
                extra = []
                if term.dnt:
                    extra.append("Do not translate.")
                if term.forbidden:
                    # Counted, never named: a forbidden term never leaves transkit.
                    extra.append(f"Forbidden variants in the glossary: {len(term.forbidden)}.")
                if extra:
                    sub(entry, _q2("definition", GLS_NS)).text = xml_text(" ".join(extra))
    notes = [
        (sid, check_line(c), NOTE_TERM_CHECK, "1", "target")
        for s, sid in zip(paragraph, seg_ids, strict=True)
        for c in s.checks
        if not c.satisfied
    ] + [
        (sid, note, NOTE_QA, "2", None)
        for s, sid in zip(paragraph, seg_ids, strict=True)
        for note in s.notes
    ]
    if notes:
        notes_el = sub(unit, _q2("notes"))
        for sid, text, category, priority, applies in notes:
            note = sub(notes_el, _q2("note"))
            note.set("category", category)
            note.set("priority", priority)
            if applies:
                note.set("appliesTo", applies)
            note.text = xml_text(f"[{sid}] {text}")
    for seg, sid, terms in zip(paragraph, seg_ids, terms_by_seg, strict=True):
        if seg.leading:
            append_text(sub(sub(unit, _q2("ignorable")), _q2("source")), seg.leading, _cp2)
        segment = sub(unit, _q2("segment"))
        segment.set("id", sid)
        state, substate = STATES_2.get(seg.state, STATES_2["mt"])
        if seg.target is None:
            state, substate = "initial", None
        segment.set("state", state)
        if substate:
            segment.set("subState", substate)
        mark_ids = {id(t): f"{sid}_t{k}" for k, t in enumerate(terms, 1)}

        def source_mark(term: TermMatch, mark_ids: dict[int, str] = mark_ids) -> Any:
            mrk = etree.Element(_q2("mrk"))
            mrk.set("id", mark_ids[id(term)])
            mrk.set("type", "term")
            mrk.set("value", xml_text(glossary_line(term)))
            mrk.set(_q2("termConfidence", ITS_NS), TERM_CONFIDENCE.get(term.kind, "0.8"))
            mrk.set(_q2("annotatorsRef", ITS_NS), "terminology|transkit")
            return mrk

        fill_marked(
            sub(segment, _q2("source")),
            seg.source,
            [(t.start, t.end, t) for t in terms],
            _cp2,
            source_mark,
        )
        if seg.target is not None:
            by_concept = {t.concept_id: mark_ids[id(t)] for t in reversed(terms)}
            counter = iter(range(1, 1 << 30))

            def target_mark(
                check: TermCheck,
                by_concept: dict[str, str] = by_concept,
                sid: str = sid,
                counter: Any = counter,
            ) -> Any:
                mrk = etree.Element(_q2("mrk"))
                mrk.set("id", by_concept.get(check.concept_id, f"{sid}_e{next(counter)}"))
                mrk.set("type", "term")
                return mrk

            hits = find_target_terms(seg.target, seg.checks)
            used: set[str] = set()
            unique_hits = []
            for start, end, check in hits:  # one target marker per source marker id
                key = by_concept.get(check.concept_id, "")
                if key and key in used:
                    key = ""
                    check = TermCheck(
                        concept_id="", term=check.term, required=check.required, satisfied=True
                    )
                used.add(key)
                unique_hits.append((start, end, check))
            fill_marked(sub(segment, _q2("target")), seg.target, unique_hits, _cp2, target_mark)
    return unit


def _text_2(el: Any, data: dict[str, str]) -> str:
    def handle(child: Any) -> tuple[bool, str]:
        if namespace_of(child) not in XLIFF2_NAMESPACES:
            return False, ""
        name = local_name(child)
        if name in ("mrk", "pc"):
            return True, ""
        if name == "cp":
            with contextlib.suppress(ValueError):
                return False, chr(int(child.get("hex", ""), 16))
        elif name in ("ph", "sc", "ec"):
            ref = child.get("dataRef") or child.get("dataRefStart") or child.get("dataRefEnd")
            return False, data.get(ref or "", "")
        return False, ""

    return flatten_inline(el, handle)


def _has_text(el: Any) -> bool:
    return has_text(el, XLIFF2_NAMESPACES, ("mrk", "pc"), lambda c: local_name(c) == "cp")


def _tool_meta(file_el: Any, key: str) -> str:
    """A value of the file's ``<mda:meta type=key>`` (transkit's tool metadata), or ""."""
    for metadata in children_named(file_el, "metadata", (MDA_NS,)):
        for meta in metadata.iter(f"{{{MDA_NS}}}meta"):
            if meta.get("type") == key:
                return (meta.text or "").strip()
    return ""


def _ours(file_el: Any) -> bool:
    """Whether transkit wrote this ``<file>`` (its mda tool metadata says so)."""
    return _tool_meta(file_el, "tool-id") == TOOL_ID


def read_2(
    root: Any,
    name: str,
    version: str,
    ns: str = XLIFF2_NS,
    problems: list[str] | None = None,
) -> list[Document]:
    files = children_named(root, "file", (ns,))
    if not files:
        raise FormatError(
            f"XLIFF {version} has no <file> element in namespace {ns}",
            file=name,
            line=root.sourceline,
        )
    report = problems if problems is not None else []
    documents = []
    for file_el in files:
        original = file_el.get("original") or file_el.get("id") or f"file{len(documents) + 1}"
        segments: list[Segment] = []
        pending = ""
        units = [
            u
            for u in file_el.iter()
            if local_name(u) == "unit" and namespace_of(u) in XLIFF2_NAMESPACES
        ]
        unit_ids: dict[str, int] = {}
        ours = _ours(file_el)
        file_ids: set[str] = set()
        for unit_number, unit in enumerate(units):
            uid = unit.get("id")
            if uid is not None and uid in unit_ids:
                report.append(
                    f"{name}:{unit.sourceline}: duplicate unit id {uid!r} "
                    f"(first on line {unit_ids[uid]})"
                )
            elif uid is not None:
                unit_ids[uid] = unit.sourceline or 0
            pending, new = _unit_segments(unit, pending, unit_number, name, report)
            if ours:  # transkit's segment ids are unique in the whole file
                for seg in new:
                    if seg.id in file_ids:
                        report.append(f"{name}: duplicate segment id {seg.id!r} in the file")
                    file_ids.add(seg.id)
            segments.extend(new)
        if ours:
            written = _tool_meta(file_el, "segment-count")
            report.extend(
                missing_units(
                    name,
                    file_el,
                    {s.id: 0 for s in segments if s.id.isdigit()},
                    int(written) if written.isdigit() else None,
                    len(segments),
                )
            )
        documents.append(
            Document(
                name=original,
                segments=tuple(segments),
                trailing=pending,
                source_lang=root.get("srcLang") or "",
                target_lang=root.get("trgLang") or "",
                metadata={
                    "original": original,
                    "xliff_version": version,
                    "file_id": file_el.get("id") or "",
                },
            )
        )
    return documents


def _unit_segments(
    unit: Any, pending: str, unit_number: int, name: str, report: list[str]
) -> tuple[str, list[Segment]]:
    nss = XLIFF2_NAMESPACES
    data: dict[str, str] = {}
    for od in children_named(unit, "originalData", nss):
        for d in children_named(od, "data", nss):
            data[d.get("id", "")] = _text_2(d, {})
    matches: dict[str, tuple[str, str, str | None]] = {}
    for group in children_named(unit, "matches", (MTC_NS,)):
        for match in children_named(group, "match", (MTC_NS,)):
            if match.get("type") != "mt":
                continue
            ref = (match.get("ref") or "").lstrip("#").rsplit("/", 1)[-1]
            tgt = children_named(match, "target", nss)
            text = content_text(tgt[0], lambda e: _text_2(e, data)) if tgt else ""
            src = children_named(match, "source", nss)
            src_text = content_text(src[0], lambda e: _text_2(e, data)) if src else None
            matches.setdefault(ref, (match.get("origin") or "", text, src_text))
    notes: dict[str, list[str]] = {}
    for notes_el in children_named(unit, "notes", nss):
        for note in children_named(notes_el, "note", nss):
            if note.get("category") in (NOTE_TERM_CHECK,):
                continue
            text = tidy_text("".join(note.itertext()), note)
            found = re.match(r"\[([^\]]+)\] (.*)", text, re.S)
            key, body = (found.group(1), found.group(2)) if found else ("", text)
            notes.setdefault(key, []).append(body)
    parts = [
        c for c in unit if local_name(c) in ("segment", "ignorable") and namespace_of(c) in nss
    ]
    if unit_number and (not parts or local_name(parts[0]) == "segment") and "\n" not in pending:
        pending += "\n"  # a tool dropped the paragraph-break ignorable
    # <target order="n"> moves a target to the n-th position of the unit.
    slots: list[str | None] = [None] * len(parts)
    for part in parts:
        tgt = children_named(part, "target", nss)
        if tgt and tgt[0].get("order"):
            try:
                pos = int(tgt[0].get("order")) - 1
            except ValueError:
                pos = -1
            if not 0 <= pos < len(parts) or slots[pos] is not None:
                raise FormatError(
                    f"bad <target order={tgt[0].get('order')!r}>", file=name, line=tgt[0].sourceline
                )
            slots[pos] = content_text(tgt[0], lambda e: _text_2(e, data))
    for index, part in enumerate(parts):
        tgt = children_named(part, "target", nss)
        if tgt and not tgt[0].get("order") and slots[index] is not None:
            raise FormatError(
                f"<target> in position {index + 1} collides with another <target order>",
                file=name,
                line=tgt[0].sourceline,
            )
    translate = translatable(unit, ("unit", "group", "file"))
    segments = []
    seen: set[str] = set()
    for index, part in enumerate(parts):
        src = children_named(part, "source", nss)
        if not src:
            raise FormatError(
                f"<{local_name(part)}> has no <source>", file=name, line=part.sourceline
            )
        source = content_text(src[0], lambda e: _text_2(e, data))
        tgt = children_named(part, "target", nss)
        target = None
        if slots[index] is not None:
            target = slots[index]
        elif tgt and tgt[0].get("order"):
            target = ""  # its target moved elsewhere and none moved here
        elif tgt:
            target = content_text(tgt[0], lambda e: _text_2(e, data))
        if target and target.strip() and tgt and not _has_text(tgt[0]) and _has_text(src[0]):
            target = ""  # only inline codes (placeholders): nothing was translated
        if local_name(part) == "ignorable":
            pending += target if target is not None else source
            continue
        sid = part.get("id") or f"{unit.get('id', 'u')}_{index + 1}"
        if part.get("id") and sid in seen:
            report.append(f"{name}:{part.sourceline}: duplicate segment id {sid!r} in its unit")
        seen.add(sid)
        origin, mt_text, mt_source = matches.get(part.get("id") or "", (None, None, None))
        if mt_source is not None and mt_source != source:
            report.append(
                f"{name}:{src[0].sourceline}: segment {sid!r}: <source> differs from "
                "the one in its MT match (edited?)"
            )
        state = part.get("state")
        empty = target is not None and not target.strip() and source.strip()
        if empty and state in ("translated", "reviewed", "final"):
            report.append(
                f"{name}:{part.sourceline}: segment {sid!r}: empty <target> marked {state!r}"
            )
        segments.append(
            Segment(
                id=sid,
                source=source,
                target=target,
                leading=pending,
                origin=origin or None,
                state=state_from_2(state, part.get("subState"), target, mt_text),
                notes=tuple(notes.get(sid, [])),
                translate=translate,
            )
        )
        pending = ""
    return pending, segments
