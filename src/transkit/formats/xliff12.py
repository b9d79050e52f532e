"""XLIFF 1.2: a ``<trans-unit>`` per sentence in paragraph groups (see `.xliff`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lxml import etree

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.errors import FormatError
from transkit.formats import decode_layout, encode_layout
from transkit.formats.xliff_common import (
    APPROVED_STATES,
    CP_CTYPE,
    LEADING_EXTYPE,
    MT_PHASE,
    NOTE_GLOSSARY,
    NOTE_QA,
    NOTE_TERM_CHECK,
    SPACE_ATTR,
    STATES_12,
    TOOL_ID,
    TRAILING_EXTYPE,
    XLIFF1_NAMESPACES,
    XLIFF12_NS,
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
    state_from_12,
    tidy_text,
    translatable,
    unique_ids,
    xml_text,
)

# --------------------------------------------------------------------------
# XLIFF 1.2 writer


def _q12(name: str) -> str:
    return f"{{{XLIFF12_NS}}}{name}"


def build_12(documents: Sequence[Document], tool_version: str, now: datetime) -> Any:
    root = etree.Element(_q12("xliff"), nsmap={None: XLIFF12_NS})
    root.set("version", "1.2")
    for doc in documents:
        _file_12(root, doc, tool_version, now)
    indent(root, frozenset({"source", "target", "note"}))
    return root


def _file_12(root: Any, doc: Document, tool_version: str, now: datetime) -> None:
    sub = etree.SubElement
    file_el = sub(root, _q12("file"))
    file_el.set("original", xml_text(doc.metadata.get("original", doc.name)) or "document")
    file_el.set("source-language", doc.source_lang)
    file_el.set("target-language", doc.target_lang)
    file_el.set("datatype", "plaintext")
    file_el.set("tool-id", TOOL_ID)
    file_el.set("date", iso_time(now))
    header = sub(file_el, _q12("header"))
    phase = sub(sub(header, _q12("phase-group")), _q12("phase"))
    phase.set("phase-name", MT_PHASE)
    phase.set("process-name", "translation")
    phase.set("tool-id", TOOL_ID)
    phase.set("date", iso_time(now))
    tool = sub(header, _q12("tool"))
    tool.set("tool-id", TOOL_ID)
    tool.set("tool-name", "transkit")
    tool.set("tool-version", tool_version)
    # How many trans-units transkit wrote: merge tells when one was deleted.
    counts = sub(header, _q12("count-group"))
    counts.set("name", TOOL_ID)
    total = sub(counts, _q12("count"))
    total.set("count-type", "total")
    total.set("unit", "trans-unit")
    total.text = str(len(doc.segments))
    body = sub(file_el, _q12("body"))
    ids = iter(unique_ids(doc.segments, nmtoken=False))
    group = None
    for number, paragraph in enumerate(paragraphs(doc.segments), 1):
        group = sub(body, _q12("group"))
        group.set("id", f"p{number}")
        group.set("restype", "x-paragraph")
        for seg in paragraph:
            _trans_unit_12(group, seg, next(ids))
    if group is None:
        group = sub(body, _q12("group"))
        group.set("id", "p0")
        group.set("restype", "x-paragraph")
    group.set("extype", TRAILING_EXTYPE)
    group.set("extradata", encode_layout(doc.trailing))


def _trans_unit_12(group: Any, seg: Segment, sid: str) -> None:
    sub = etree.SubElement
    tu = sub(group, _q12("trans-unit"))
    tu.set("id", xml_text(sid))
    tu.set(SPACE_ATTR, "preserve")
    tu.set("extype", LEADING_EXTYPE)
    tu.set("extradata", encode_layout(seg.leading))
    if seg.target is not None and seg.state in APPROVED_STATES:
        tu.set("approved", "yes")
    counter = iter(range(1, 1 << 30))

    def code(cp: int) -> Any:
        x = etree.Element(_q12("x"))
        x.set("id", f"cp{next(counter)}")
        x.set("ctype", f"{CP_CTYPE}{cp:04X}")
        return x

    def term_mark(term: TermMatch) -> Any:
        mrk = etree.Element(_q12("mrk"))
        mrk.set("mtype", "term")
        mrk.set("comment", xml_text(glossary_line(term)))
        return mrk

    def target_mark(check: TermCheck) -> Any:
        mrk = etree.Element(_q12("mrk"))
        mrk.set("mtype", "term")
        mrk.set("comment", xml_text(f"glossary term for \u201c{check.term}\u201d"))
        return mrk

    terms = find_source_terms(seg.source, seg.terms)
    fill_marked(
        sub(tu, _q12("source")), seg.source, [(t.start, t.end, t) for t in terms], code, term_mark
    )
    if seg.target is not None:
        target = sub(tu, _q12("target"))
        state, qualifier = STATES_12.get(seg.state, STATES_12["mt"])
        target.set("state", state)
        if qualifier:
            target.set("state-qualifier", qualifier)
            target.set("phase-name", MT_PHASE)
        elif seg.method in ("tm-exact", "tm-context"):
            target.set("state-qualifier", "exact-match")
        fill_marked(
            target, seg.target, find_target_terms(seg.target, seg.checks), code, target_mark
        )
    for check in seg.checks:
        if not check.satisfied:
            _note_12(tu, check_line(check), NOTE_TERM_CHECK, "1", "target")
    for note in seg.notes:
        _note_12(tu, note, NOTE_QA, "2", "general")
    if terms:
        seen: dict[str, str] = {}
        for term in terms:
            seen.setdefault(term.concept_id, glossary_line(term))
        _note_12(tu, "Glossary: " + "; ".join(seen.values()), NOTE_GLOSSARY, "3", "source")
    if seg.origin and seg.target is not None and seg.state == "mt":
        alt = sub(tu, _q12("alt-trans"))
        alt.set("origin", xml_text(seg.origin))
        alt.set("tool-id", TOOL_ID)
        alt.set("alttranstype", "proposal")
        append_text(sub(alt, _q12("source")), seg.source, code)
        append_text(sub(alt, _q12("target")), seg.target, code)
    for match in seg.matches:  # translation-memory matches, best first
        alt = sub(tu, _q12("alt-trans"))
        alt.set("match-quality", f"{match.score:g}")
        alt.set("origin", xml_text(match.origin or "tm"))
        alt.set("tool-id", TOOL_ID)
        alt.set("alttranstype", "proposal")
        append_text(sub(alt, _q12("source")), match.source, code)
        append_text(sub(alt, _q12("target")), match.target, code)
        if match.note:
            sub(alt, _q12("note")).text = xml_text(match.note)


def _note_12(tu: Any, text: str, source: str, priority: str, annotates: str) -> None:
    note = etree.SubElement(tu, _q12("note"))
    note.set("from", source)
    note.set("priority", priority)
    note.set("annotates", annotates)
    note.text = xml_text(text)


def _text_12(el: Any) -> str:
    return flatten_inline(el, _inline_12)


def _inline_12(child: Any) -> tuple[bool, str]:
    """How a child of ``<source>``/``<target>`` reads: (descend into it, text at its start)."""
    if namespace_of(child) not in (*XLIFF1_NAMESPACES, None):
        return False, ""  # other tools' extensions
    name = local_name(child)
    if name in ("mrk", "g"):
        return True, ""
    if name in ("x", "bx", "ex"):
        ctype = child.get("ctype") or ""
        if ctype == "lb":
            return False, "\n"  # a line break inside the segment
        if ctype.startswith(CP_CTYPE):
            try:
                return False, chr(int(ctype[len(CP_CTYPE) :], 16))
            except ValueError:
                return False, ""
        return False, ""
    if name in ("ph", "bpt", "ept", "it"):
        # Native code: in a plain-text document it is the original text.
        subs = "".join((c.tail or "") for c in child if local_name(c) == "sub")
        return False, (child.text or "") + subs
    return False, ""


def _has_text(el: Any) -> bool:
    return has_text(
        el,
        (*XLIFF1_NAMESPACES, None),
        ("mrk", "g"),
        lambda c: (c.get("ctype") or "").startswith(CP_CTYPE),
    )


def read_12(
    root: Any, name: str, version: str, problems: list[str] | None = None
) -> list[Document]:
    nss = (*XLIFF1_NAMESPACES, None, namespace_of(root))
    files = children_named(root, "file", nss)
    if not files:
        raise FormatError("XLIFF has no <file> element", file=name, line=root.sourceline)
    report = problems if problems is not None else []
    documents = []
    for file_el in files:
        original = file_el.get("original") or f"file{len(documents) + 1}"
        bodies = children_named(file_el, "body", nss)
        if not bodies:
            raise FormatError("<file> without <body>", file=name, line=file_el.sourceline)
        ours = file_el.get("tool-id") == TOOL_ID
        segments: list[Segment] = []
        trailing: str | None = None
        last_group = None
        seen_ids: dict[str, int] = {}
        for el in bodies[0].iter():
            if namespace_of(el) not in nss:
                continue
            local = local_name(el)
            if local == "group" and el.get("extype") == TRAILING_EXTYPE:
                trailing = decode_layout(el.get("extradata") or "")
            if local != "trans-unit":
                continue
            parent = el.getparent()
            group = parent if local_name(parent) == "group" else None
            if el.get("extype") == LEADING_EXTYPE:
                leading = decode_layout(el.get("extradata") or "")
            elif not segments:
                leading = ""
            elif group is not None and group is not last_group:
                leading = "\n"
            else:
                leading = " "
            last_group = group
            uid = el.get("id")
            if uid is not None and uid in seen_ids:
                report.append(
                    f"{name}:{el.sourceline}: duplicate trans-unit id {uid!r} "
                    f"(first on line {seen_ids[uid]})"
                )
            elif uid is not None:
                seen_ids[uid] = el.sourceline or 0
            segments.append(_segment_12(el, leading, nss, name, report))
        if ours:
            report.extend(missing_units(name, file_el, seen_ids, _written_count(file_el, nss)))
        target_lang = file_el.get("target-language") or ""
        documents.append(
            Document(
                name=original,
                segments=tuple(segments),
                trailing=trailing if trailing is not None else ("\n" if segments else ""),
                source_lang=file_el.get("source-language") or "",
                target_lang=target_lang,
                metadata={"original": original, "xliff_version": version},
            )
        )
    return documents


def _written_count(file_el: Any, nss: tuple[str | None, ...]) -> int | None:
    """The number of trans-units transkit recorded in the header, if any."""
    for header in children_named(file_el, "header", nss):
        for group in children_named(header, "count-group", nss):
            if group.get("name") != TOOL_ID:
                continue
            for count in children_named(group, "count", nss):
                if count.get("unit") == "trans-unit" and (count.text or "").strip().isdigit():
                    return int(count.text)
    return None


def _segment_12(
    tu: Any, leading: str, nss: tuple[str | None, ...], name: str, report: list[str]
) -> Segment:
    sources = children_named(tu, "source", nss)
    if not sources:
        raise FormatError(
            f"<trans-unit id={tu.get('id')!r}> has no <source>", file=name, line=tu.sourceline
        )
    source = content_text(sources[0], _text_12)
    targets = children_named(tu, "target", nss)
    target_el = targets[0] if targets else None
    target = content_text(target_el, _text_12) if target_el is not None else None
    if target and target.strip() and not _has_text(target_el) and _has_text(sources[0]):
        target = ""  # only inline codes (placeholders): nothing was translated
    origin = mt_text = None
    for alt in children_named(tu, "alt-trans", nss):
        if alt.get("origin") and alt.get("alttranstype", "proposal") == "proposal":
            origin = alt.get("origin")
            alt_targets = children_named(alt, "target", nss)
            if alt_targets:
                mt_text = content_text(alt_targets[0], _text_12)
            alt_sources = children_named(alt, "source", nss)
            if (
                alt.get("tool-id") == TOOL_ID
                and alt.get("match-quality") is None  # transkit's MT, not a fuzzy TM match
                and alt_sources
                and content_text(alt_sources[0], _text_12) != source
            ):
                report.append(
                    f"{name}:{sources[0].sourceline}: trans-unit {tu.get('id')!r}: "
                    "<source> differs from the one transkit wrote (edited?)"
                )
            break
    state = state_from_12(
        target_el.get("state") if target_el is not None else None,
        target_el.get("state-qualifier") if target_el is not None else None,
        tu.get("approved"),
        target,
        mt_text,
    )
    translate = translatable(tu, ("trans-unit", "group"))
    if not translate and target is None:
        state = "new"
    if target is not None and not target.strip() and source.strip():
        marked = target_el.get("state") or ""
        if tu.get("approved") == "yes" or marked in ("translated", "signed-off", "final"):
            report.append(
                f"{name}:{target_el.sourceline}: trans-unit {tu.get('id')!r}: empty <target> "
                f"marked {'approved' if tu.get('approved') == 'yes' else marked!r}"
            )
    notes = tuple(
        tidy_text("".join(n.itertext()), n)
        for n in children_named(tu, "note", nss)
        if n.get("from") not in (NOTE_TERM_CHECK, NOTE_GLOSSARY)
    )
    return Segment(
        id=tu.get("id") or "",
        source=source,
        target=target,
        leading=leading,
        origin=origin,
        state=state,
        notes=notes,
        translate=translate,
    )
