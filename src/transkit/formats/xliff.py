"""XLIFF 1.2 and 2.1 for CAT tools: write transkit's output, read post-edited files back.

Layout choice, and why
----------------------
**XLIFF 1.2: one ``<trans-unit>`` per sentence, one ``<group restype="x-paragraph">``
per paragraph.**  The alternative, one trans-unit per paragraph with
``<seg-source>``/``<mrk mtype="seg">``, is read segment by segment only by
Okapi (and OmegaT through the Okapi plugin).  translate-toolkit's
``translate.storage.xliff`` ignores ``<seg-source>`` and would show whole
paragraphs; OmegaT's own XLIFF filter and most commercial tools resegment the
plain ``<source>`` themselves, so their segments would not be ours.  One
trans-unit per sentence is read the same way by all of them: clean segments,
one target each, and a state per sentence.

The exact text between sentences (spaces, line breaks, blank lines) must
survive so that the document rebuilds byte for byte.  The strict 1.2 schema
allows no foreign attributes or elements (``processContents="strict"``), so
it travels in the standard tool-data attributes of the trans-unit:
``extype="x-transkit-leading"`` and ``extradata`` holding the text with
backslash escapes (``\\n``), which no parser normalises and every tool keeps.
Text after the last sentence is on the last group
(``extype="x-transkit-trailing"``).  If a tool drops them anyway, the reader
falls back to the structure: a new group is a line break, a new trans-unit a
space.  Each trans-unit has ``xml:space="preserve"``.

**XLIFF 2.1: one ``<unit>`` per paragraph, one ``<segment>`` per sentence,
the whitespace between sentences in ``<ignorable>``** -- exactly what
ignorable is for; tools show segments and skip ignorables, and the merge
concatenates both in order (honouring ``<target order>``), so even a tool
that joins or splits segments still rebuilds the document.

What the translator sees
------------------------
* MT targets: 1.2 ``state="needs-review-translation"``
  ``state-qualifier="leveraged-mt"`` with ``phase-name`` pointing to the MT
  phase, and the MT as an ``<alt-trans origin="...">`` proposal; 2.1
  ``state="translated" subState="transkit:mt"`` and an ``<mtc:match
  type="mt" origin="...">``.
* Glossary terms: ``<mrk mtype="term">`` (1.2) / ``<mrk type="term">`` with
  ITS ``termConfidence`` (2.1) around the German term in the source and the
  English term in the target; also a note listing the terms (1.2) or a
  ``<gls:glossary>`` (2.1).
* A failed term check is a priority-1 note on the target.

States map both ways (`STATES_12`, `STATES_2`; see `state_from_12` and
`state_from_2` for how other tools' values are read).  Characters XML 1.0
cannot hold become ``<x ctype="x-transkit-cp-HHHH"/>`` (1.2) or ``<cp hex>``
(2.1) and come back on reading.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

import transkit
from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.errors import FormatError
from transkit.fileio import atomic_write_bytes
from transkit.formats import decode_layout, encode_layout, parse_xml, xml_runs

__all__ = [
    "APPROVED_STATES",
    "STATES_12",
    "STATES_2",
    "find_source_terms",
    "find_target_terms",
    "read_xliff",
    "state_from_12",
    "state_from_2",
    "write_xliff",
    "xliff_bytes",
]

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"
MTC_NS = "urn:oasis:names:tc:xliff:matches:2.0"
GLS_NS = "urn:oasis:names:tc:xliff:glossary:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
ITS_NS = "http://www.w3.org/2005/11/its"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_SPACE = f"{{{XML_NS}}}space"

TOOL_ID = "transkit"
MT_PHASE = "transkit-mt"
MT_SUBSTATE = "transkit:mt"
LEADING_EXTYPE = "x-transkit-leading"
TRAILING_EXTYPE = "x-transkit-trailing"
CP_CTYPE = "x-transkit-cp-"
NOTE_TERM_CHECK = "transkit-term-check"
NOTE_GLOSSARY = "transkit-glossary"
NOTE_QA = "transkit-qa"

#: Segment state -> XLIFF 1.2 (state, state-qualifier).
STATES_12: dict[str, tuple[str, str | None]] = {
    "new": ("new", None),
    "mt": ("needs-review-translation", "leveraged-mt"),
    "translated": ("translated", None),
    "reviewed": ("signed-off", None),
    "final": ("final", None),
}
#: Segment state -> XLIFF 2.x (state, subState).
STATES_2: dict[str, tuple[str, str | None]] = {
    "new": ("initial", None),
    "mt": ("translated", MT_SUBSTATE),
    "translated": ("translated", None),
    "reviewed": ("reviewed", None),
    "final": ("final", None),
}
#: States a person approved; XLIFF 1.2 writes ``approved="yes"`` for them.
APPROVED_STATES = ("translated", "reviewed", "final")

# ITS termConfidence by how the term was found (exact match is certain).
_TERM_CONFIDENCE = {
    "exact": "1.0",
    "case": "0.95",
    "inflected": "0.9",
    "ellipsis": "0.8",
    "compound": "0.6",
}
_NMTOKEN = re.compile(r"^[\w.\-:]+$")


# --------------------------------------------------------------------------
# Pure helpers


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    key: str  # concept id
    info: str  # what the translator reads (preferred English...)
    kind: str = "exact"


def find_source_terms(source: str, terms: Iterable[TermMatch]) -> tuple[TermMatch, ...]:
    """The term matches to mark in ``source``: valid offsets, no overlaps, in order.

    Longer matches win over shorter ones that start at the same place; a match
    whose offsets do not fit the text is looked up by its surface form.
    """
    fixed: list[TermMatch] = []
    for term in terms:
        start, end = term.start, term.end
        if not (0 <= start < end <= len(source)) or (
            term.found and source[start:end] != term.found
        ):
            pos = source.find(term.found) if term.found else -1
            if pos < 0:
                continue
            start, end = pos, pos + len(term.found)
        if (start, end) != (term.start, term.end):
            term = TermMatch(**{**term.__dict__, "start": start, "end": end})
        fixed.append(term)
    fixed.sort(key=lambda t: (t.start, -(t.end - t.start)))
    chosen: list[TermMatch] = []
    for term in fixed:
        if chosen and term.start < chosen[-1].end:
            continue
        chosen.append(term)
    return tuple(chosen)


def find_target_terms(
    target: str, checks: Iterable[TermCheck]
) -> tuple[tuple[int, int, TermCheck], ...]:
    """Where each satisfied term check's English term is in ``target``.

    Looks for ``check.found`` first, then each required variant, ignoring case,
    preferring whole-word hits; the spans returned do not overlap and are
    sorted.  Checks that failed, or whose term cannot be found, are left out.

    >>> c = TermCheck("c1", "Peking", ("Beijing",), True)
    >>> find_target_terms("In beijing, Beijing.", [c])
    ((3, 10, TermCheck(concept_id='c1', term='Peking', required=('Beijing',), \
satisfied=True, found='', forbidden_found=())),)
    """
    taken: list[tuple[int, int, TermCheck]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in taken)

    for check in checks:
        if not check.satisfied:
            continue
        candidates = [c for c in (check.found, *check.required) if c and c.strip()]
        hit = None
        for bounded in (True, False):
            for cand in candidates:
                pattern = re.escape(cand)
                if bounded:
                    pattern = rf"(?<!\w){pattern}(?!\w)"
                for match in re.finditer(pattern, target, re.IGNORECASE):
                    if free(match.start(), match.end()):
                        hit = (match.start(), match.end(), check)
                        break
                if hit:
                    break
            if hit:
                break
        if hit:
            taken.append(hit)
    return tuple(sorted(taken, key=lambda t: t[0]))


def state_from_12(
    state: str | None,
    qualifier: str | None,
    approved: str | None,
    target: str | None,
    mt_text: str | None = None,
) -> str:
    """Map XLIFF 1.2 target state (as any tool writes it) to a `Segment` state.

    ``approved="yes"`` makes any target at least "translated" (that is what
    translate-toolkit, Weblate and Pootle write); ``approved="no"``,
    ``needs-*`` and unknown values are not approved ("mt": needs review)
    A target without any state, or one that differs from the MT candidate
    under transkit's own, now stale ``needs-review-translation`` +
    ``leveraged-mt`` (tools such as OmegaT 3.6 edit targets without touching
    the state), is "translated".
    """
    if target is None:
        return "new"
    if approved == "yes":
        return {"final": "final", "signed-off": "reviewed"}.get(state or "", "translated")
    if approved == "no":
        return "mt" if target.strip() else "new"
    if state == "final":
        return "final"
    if state == "signed-off":
        return "reviewed"
    if state == "translated":
        return "translated"
    if state in ("new", "needs-translation") and not target.strip():
        return "new"
    if state is None:
        if not target.strip():
            return "new"
        return "mt" if mt_text is not None and target == mt_text else "translated"
    if (
        state == "needs-review-translation"
        and qualifier == "leveraged-mt"
        and mt_text is not None
        and target.strip()
        and target != mt_text
    ):
        # transkit's own MT state left stale by a tool that edits targets without
        # touching states (OmegaT 3.6 does): the edit is a person's translation.
        return "translated"
    return "mt"


def state_from_2(
    state: str | None, substate: str | None, target: str | None, mt_text: str | None = None
) -> str:
    """Map XLIFF 2.x segment state/subState to a `Segment` state.

    ``translated`` with transkit's MT subState stays "mt" only while the
    target still equals the MT candidate: tools that keep a stale subState
    after an edit are not mistaken for unreviewed MT.
    """
    if target is None:
        return "new"
    state = state or "initial"
    if state == "final":
        return "final"
    if state == "reviewed":
        return "reviewed"
    if state == "translated":
        if substate == MT_SUBSTATE and (mt_text is None or target == mt_text):
            return "mt"
        return "translated"
    return "mt" if target.strip() else "new"


def _paragraphs(segments: Sequence[Segment]) -> list[list[Segment]]:
    paragraphs: list[list[Segment]] = []
    for seg in segments:
        if not paragraphs or seg.paragraph_break:
            paragraphs.append([])
        paragraphs[-1].append(seg)
    return paragraphs


def _glossary_line(term: TermMatch) -> str:
    if term.dnt:
        return f"{term.term} (do not translate)"
    line = f"{term.term} \u2192 {' / '.join(term.required) or '?'}"
    if term.forbidden:
        line += f" (not: {', '.join(term.forbidden)})"
    return line


def _check_line(check: TermCheck) -> str:
    line = f"Term check failed: \u201c{check.term}\u201d must be translated as "
    line += " or ".join(f"\u201c{r}\u201d" for r in check.required) or "its glossary term"
    if check.forbidden_found:
        line += f"; forbidden term used: {', '.join(check.forbidden_found)}"
    return line


def _xml_text(text: str) -> str:
    """Drop characters XML cannot hold (for notes and attributes, not content)."""
    return "".join(run for run in xml_runs(text) if isinstance(run, str))


def _unique_ids(segments: Sequence[Segment], nmtoken: bool) -> list[str]:
    seen: set[str] = set()
    ids = []
    for n, seg in enumerate(segments, 1):
        sid = seg.id
        if not sid or sid in seen or (nmtoken and not _NMTOKEN.match(sid)):
            sid = f"s{n}"
            while sid in seen:
                sid += "_"
        seen.add(sid)
        ids.append(sid)
    return ids


def _iso(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# Building inline content


def _append_text(el: Any, text: str, code: Callable[[int], Any]) -> None:
    for run in xml_runs(text):
        if isinstance(run, str):
            if len(el):
                el[-1].tail = (el[-1].tail or "") + run
            else:
                el.text = (el.text or "") + run
        else:
            el.append(code(run))


def _fill(
    el: Any,
    text: str,
    spans: Sequence[tuple[int, int, Any]],
    code: Callable[[int], Any],
    mark: Callable[[Any], Any],
) -> None:
    """Write ``text`` into ``el`` with ``mark(payload)`` elements around the spans."""
    pos = 0
    for start, end, payload in spans:
        _append_text(el, text[pos:start], code)
        mrk = mark(payload)
        el.append(mrk)
        _append_text(mrk, text[start:end], code)
        pos = end
    _append_text(el, text[pos:], code)


def _indent(el: Any, leaves: frozenset[str], level: int = 0) -> None:
    """Pretty-print structural elements only; content elements stay untouched."""
    if etree.QName(el).localname in leaves or not len(el):
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in el:
        child.tail = pad
        if isinstance(child.tag, str):
            _indent(child, leaves, level + 1)
    el[-1].tail = "\n" + "  " * level


# --------------------------------------------------------------------------
# XLIFF 1.2 writer


def _q12(name: str) -> str:
    return f"{{{XLIFF12_NS}}}{name}"


def _build_12(documents: Sequence[Document], tool_version: str, now: datetime) -> Any:
    root = etree.Element(_q12("xliff"), nsmap={None: XLIFF12_NS})
    root.set("version", "1.2")
    for doc in documents:
        _file_12(root, doc, tool_version, now)
    _indent(root, frozenset({"source", "target", "note"}))
    return root


def _file_12(root: Any, doc: Document, tool_version: str, now: datetime) -> None:
    sub = etree.SubElement
    file_el = sub(root, _q12("file"))
    file_el.set("original", _xml_text(doc.metadata.get("original", doc.name)) or "document")
    file_el.set("source-language", doc.source_lang)
    file_el.set("target-language", doc.target_lang)
    file_el.set("datatype", "plaintext")
    file_el.set("tool-id", TOOL_ID)
    file_el.set("date", _iso(now))
    header = sub(file_el, _q12("header"))
    phase = sub(sub(header, _q12("phase-group")), _q12("phase"))
    phase.set("phase-name", MT_PHASE)
    phase.set("process-name", "translation")
    phase.set("tool-id", TOOL_ID)
    phase.set("date", _iso(now))
    tool = sub(header, _q12("tool"))
    tool.set("tool-id", TOOL_ID)
    tool.set("tool-name", "transkit")
    tool.set("tool-version", tool_version)
    body = sub(file_el, _q12("body"))
    ids = iter(_unique_ids(doc.segments, nmtoken=False))
    group = None
    for number, paragraph in enumerate(_paragraphs(doc.segments), 1):
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
    tu.set("id", _xml_text(sid))
    tu.set(_SPACE, "preserve")
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
        mrk.set("comment", _xml_text(_glossary_line(term)))
        return mrk

    def target_mark(check: TermCheck) -> Any:
        mrk = etree.Element(_q12("mrk"))
        mrk.set("mtype", "term")
        mrk.set("comment", _xml_text(f"glossary term for \u201c{check.term}\u201d"))
        return mrk

    terms = find_source_terms(seg.source, seg.terms)
    _fill(
        sub(tu, _q12("source")), seg.source, [(t.start, t.end, t) for t in terms], code, term_mark
    )
    if seg.target is not None:
        target = sub(tu, _q12("target"))
        state, qualifier = STATES_12.get(seg.state, STATES_12["mt"])
        target.set("state", state)
        if qualifier:
            target.set("state-qualifier", qualifier)
            target.set("phase-name", MT_PHASE)
        _fill(target, seg.target, find_target_terms(seg.target, seg.checks), code, target_mark)
    for check in seg.checks:
        if not check.satisfied:
            _note_12(tu, _check_line(check), NOTE_TERM_CHECK, "1", "target")
    for note in seg.notes:
        _note_12(tu, note, NOTE_QA, "2", "general")
    if terms:
        seen: dict[str, str] = {}
        for term in terms:
            seen.setdefault(term.concept_id, _glossary_line(term))
        _note_12(tu, "Glossary: " + "; ".join(seen.values()), NOTE_GLOSSARY, "3", "source")
    if seg.origin and seg.target is not None and seg.state == "mt":
        alt = sub(tu, _q12("alt-trans"))
        alt.set("origin", _xml_text(seg.origin))
        alt.set("tool-id", TOOL_ID)
        alt.set("alttranstype", "proposal")
        _append_text(sub(alt, _q12("source")), seg.source, code)
        _append_text(sub(alt, _q12("target")), seg.target, code)


def _note_12(tu: Any, text: str, source: str, priority: str, annotates: str) -> None:
    note = etree.SubElement(tu, _q12("note"))
    note.set("from", source)
    note.set("priority", priority)
    note.set("annotates", annotates)
    note.text = _xml_text(text)


# --------------------------------------------------------------------------
# XLIFF 2.1 writer


def _q2(name: str, ns: str = XLIFF2_NS) -> str:
    return f"{{{ns}}}{name}"


def _build_2(documents: Sequence[Document], tool_version: str, now: datetime) -> Any:
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
    _indent(
        root, frozenset({"source", "target", "note", "meta", "term", "translation", "definition"})
    )
    return root


def _file_2(root: Any, doc: Document, file_id: str, tool_version: str, now: datetime) -> None:
    sub = etree.SubElement
    file_el = sub(root, _q2("file"))
    file_el.set("id", file_id)
    file_el.set("original", _xml_text(doc.metadata.get("original", doc.name)) or "document")
    group = sub(sub(file_el, _q2("metadata", MDA_NS)), _q2("metaGroup", MDA_NS))
    group.set("category", "tool")
    for key, value in (
        ("tool-id", TOOL_ID),
        ("tool-name", "transkit"),
        ("tool-version", tool_version),
        ("created", _iso(now)),
        ("datatype", "plaintext"),
    ):
        meta = sub(group, _q2("meta", MDA_NS))
        meta.set("type", key)
        meta.text = value
    ids = iter(_unique_ids(doc.segments, nmtoken=True))
    unit = None
    for number, paragraph in enumerate(_paragraphs(doc.segments), 1):
        unit = _unit_2(file_el, f"p{number}", paragraph, ids)
    if unit is None:
        unit = sub(file_el, _q2("unit"))
        unit.set("id", "p0")
        unit.set(_SPACE, "preserve")
    if doc.trailing or not len(unit):
        _append_text(sub(sub(unit, _q2("ignorable")), _q2("source")), doc.trailing, _cp2)


def _cp2(cp: int) -> Any:
    el = etree.Element(_q2("cp"))
    el.set("hex", f"{cp:04X}")
    return el


def _unit_2(file_el: Any, unit_id: str, paragraph: list[Segment], ids: Any) -> Any:
    sub = etree.SubElement
    unit = sub(file_el, _q2("unit"))
    unit.set("id", unit_id)
    unit.set(_SPACE, "preserve")
    seg_ids = [next(ids) for _ in paragraph]
    mt = [
        (s, i)
        for s, i in zip(paragraph, seg_ids, strict=True)
        if s.origin and s.target is not None and s.state == "mt"
    ]
    if mt:
        matches = sub(unit, _q2("matches", MTC_NS))
        for seg, sid in mt:
            match = sub(matches, _q2("match", MTC_NS))
            match.set("ref", f"#{sid}")
            match.set("type", "mt")
            match.set("origin", _xml_text(seg.origin or ""))
            if seg.method and _NMTOKEN.match(seg.method):
                match.set("subType", f"transkit:{seg.method}")
            _append_text(sub(match, _q2("source")), seg.source, _cp2)
            _append_text(sub(match, _q2("target")), seg.target or "", _cp2)
    terms_by_seg = [find_source_terms(s.source, s.terms) for s in paragraph]
    if any(terms_by_seg):
        glossary = sub(unit, _q2("glossary", GLS_NS))
        for sid, terms in zip(seg_ids, terms_by_seg, strict=True):
            for k, term in enumerate(terms, 1):
                entry = sub(glossary, _q2("glossEntry", GLS_NS))
                entry.set("ref", f"#{sid}_t{k}")
                gterm = sub(entry, _q2("term", GLS_NS))
                gterm.set("source", "transkit glossary")
                gterm.text = _xml_text(term.term)
                for english in term.required:
                    sub(entry, _q2("translation", GLS_NS)).text = _xml_text(english)
                extra = []
                if term.dnt:
                    extra.append("Do not translate.")
                if term.forbidden:
                    extra.append("Do not use: " + ", ".join(term.forbidden) + ".")
                if extra:
                    sub(entry, _q2("definition", GLS_NS)).text = _xml_text(" ".join(extra))
    notes = [
        (sid, _check_line(c), NOTE_TERM_CHECK, "1", "target")
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
            note.text = _xml_text(f"[{sid}] {text}")
    for seg, sid, terms in zip(paragraph, seg_ids, terms_by_seg, strict=True):
        if seg.leading:
            _append_text(sub(sub(unit, _q2("ignorable")), _q2("source")), seg.leading, _cp2)
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
            mrk.set("value", _xml_text(_glossary_line(term)))
            mrk.set(_q2("termConfidence", ITS_NS), _TERM_CONFIDENCE.get(term.kind, "0.8"))
            mrk.set(_q2("annotatorsRef", ITS_NS), "terminology|transkit")
            return mrk

        _fill(
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
            _fill(sub(segment, _q2("target")), seg.target, unique_hits, _cp2, target_mark)
    return unit


# --------------------------------------------------------------------------
# Public writers


def xliff_bytes(
    documents: Sequence[Document],
    *,
    version: str = "1.2",
    tool_version: str = transkit.__version__,
    now: datetime | None = None,
) -> bytes:
    """Serialise ``documents`` as one XLIFF file (one ``<file>`` per document).

    ``now`` fixes the creation date (for reproducible output).  Raises
    `FormatError` for an unknown version or text XML cannot carry at all
    (lone surrogates).
    """
    now = now or datetime.now(UTC)
    try:
        if version == "1.2":
            root = _build_12(documents, tool_version, now)
        elif version in ("2.1", "2"):
            root = _build_2(documents, tool_version, now)
        else:
            raise FormatError(f"unsupported XLIFF version {version!r}; choose 1.2 or 2.1")
    except ValueError as err:
        raise FormatError(f"cannot write XLIFF: {err}") from None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def write_xliff(
    documents: Sequence[Document],
    path: str | os.PathLike[str],
    *,
    version: str = "1.2",
    tool_version: str = transkit.__version__,
    now: datetime | None = None,
) -> None:
    """Write `xliff_bytes` to ``path`` atomically."""
    atomic_write_bytes(
        path, xliff_bytes(documents, version=version, tool_version=tool_version, now=now)
    )


# --------------------------------------------------------------------------
# Reading


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _ns(el: Any) -> str | None:
    return etree.QName(el).namespace if isinstance(el.tag, str) else None


def _children(el: Any, name: str, namespaces: tuple[str | None, ...]) -> list[Any]:
    return [c for c in el if _local(c) == name and _ns(c) in namespaces]


def _preserved(el: Any) -> bool:
    node = el
    while node is not None:
        value = node.get(_SPACE)
        if value is not None:
            return value == "preserve"
        node = node.getparent()
    return False


def _tidy(text: str, el: Any) -> str:
    """Undo pretty-printing a tool put inside content that is not space-preserved."""
    if _preserved(el):
        return text
    return re.sub(r"^\s*\n\s*|\s*\n\s*$", "", text)


def _text_12(el: Any) -> str:
    parts = [el.text or ""]
    for child in el:
        parts.append(_inline_12(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _inline_12(child: Any) -> str:
    if _ns(child) not in (XLIFF12_NS, None) or not isinstance(child.tag, str):
        return ""  # comments, processing instructions, other tools' extensions
    name = _local(child)
    if name in ("mrk", "g"):
        return _text_12(child)
    if name in ("x", "bx", "ex"):
        ctype = child.get("ctype") or ""
        if ctype.startswith(CP_CTYPE):
            try:
                return chr(int(ctype[len(CP_CTYPE) :], 16))
            except ValueError:
                return ""
        return ""
    if name in ("ph", "bpt", "ept", "it"):
        # Native code: in a plain-text document it is the original text.
        return (child.text or "") + "".join((c.tail or "") for c in child if _local(c) == "sub")
    return ""


def _content(el: Any, reader: Callable[[Any], str]) -> str:
    return _tidy(reader(el), el)


def read_xliff(path: str | os.PathLike[str]) -> list[Document]:
    """Read an XLIFF 1.2, 2.0 or 2.1 file into one `Document` per ``<file>``.

    Tolerates what CAT tools do when they re-save: other prefixes and
    attribute order, CDATA, character references, indentation, comments and
    unknown extension elements (ignored).  Raises `FormatError` with file and
    line for malformed XML or a file that is not XLIFF.
    """
    name = os.fspath(path)
    root = parse_xml(name, "XLIFF")
    if _local(root) != "xliff":
        raise FormatError(
            f"not an XLIFF file (root element <{_local(root) or root.tag}>)",
            file=name,
            line=root.sourceline,
        )
    ns = _ns(root)
    version = root.get("version", "")
    if ns == XLIFF2_NS or version.startswith("2"):
        return _read_2(root, name, version or "2.0")
    if ns in (XLIFF12_NS, None) or version.startswith("1"):
        return _read_12(root, name, version or "1.2")
    raise FormatError(f"unknown XLIFF namespace {ns!r}", file=name, line=root.sourceline)


def _read_12(root: Any, name: str, version: str) -> list[Document]:
    nss = (XLIFF12_NS, None, _ns(root))
    files = _children(root, "file", nss)
    if not files:
        raise FormatError("XLIFF has no <file> element", file=name, line=root.sourceline)
    documents = []
    for file_el in files:
        original = file_el.get("original") or f"file{len(documents) + 1}"
        bodies = _children(file_el, "body", nss)
        if not bodies:
            raise FormatError("<file> without <body>", file=name, line=file_el.sourceline)
        segments: list[Segment] = []
        trailing: str | None = None
        last_group = None
        for el in bodies[0].iter():
            if _ns(el) not in nss:
                continue
            local = _local(el)
            if local == "group" and el.get("extype") == TRAILING_EXTYPE:
                trailing = decode_layout(el.get("extradata") or "")
            if local != "trans-unit":
                continue
            parent = el.getparent()
            group = parent if _local(parent) == "group" else None
            if el.get("extype") == LEADING_EXTYPE:
                leading = decode_layout(el.get("extradata") or "")
            elif not segments:
                leading = ""
            elif group is not None and group is not last_group:
                leading = "\n"
            else:
                leading = " "
            last_group = group
            segments.append(_segment_12(el, leading, nss, name))
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


def _segment_12(tu: Any, leading: str, nss: tuple[str | None, ...], name: str) -> Segment:
    sources = _children(tu, "source", nss)
    if not sources:
        raise FormatError(
            f"<trans-unit id={tu.get('id')!r}> has no <source>", file=name, line=tu.sourceline
        )
    source = _content(sources[0], _text_12)
    targets = _children(tu, "target", nss)
    target_el = targets[0] if targets else None
    target = _content(target_el, _text_12) if target_el is not None else None
    origin = mt_text = None
    for alt in _children(tu, "alt-trans", nss):
        if alt.get("origin") and alt.get("alttranstype", "proposal") == "proposal":
            origin = alt.get("origin")
            alt_targets = _children(alt, "target", nss)
            if alt_targets:
                mt_text = _content(alt_targets[0], _text_12)
            break
    state = state_from_12(
        target_el.get("state") if target_el is not None else None,
        target_el.get("state-qualifier") if target_el is not None else None,
        tu.get("approved"),
        target,
        mt_text,
    )
    if tu.get("translate") == "no" and target is None:
        state = "new"
    notes = tuple(
        _tidy("".join(n.itertext()), n)
        for n in _children(tu, "note", nss)
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
    )


def _text_2(el: Any, data: dict[str, str]) -> str:
    parts = [el.text or ""]
    for child in el:
        if _ns(child) == XLIFF2_NS:
            name = _local(child)
            if name in ("mrk", "pc"):
                parts.append(_text_2(child, data))
            elif name == "cp":
                with contextlib.suppress(ValueError):
                    parts.append(chr(int(child.get("hex", ""), 16)))
            elif name in ("ph", "sc", "ec"):
                ref = child.get("dataRef") or child.get("dataRefStart") or child.get("dataRefEnd")
                parts.append(data.get(ref or "", ""))
        parts.append(child.tail or "")
    return "".join(parts)


def _read_2(root: Any, name: str, version: str) -> list[Document]:
    files = _children(root, "file", (XLIFF2_NS,))
    if not files:
        raise FormatError("XLIFF has no <file> element", file=name, line=root.sourceline)
    documents = []
    for file_el in files:
        original = file_el.get("original") or file_el.get("id") or f"file{len(documents) + 1}"
        segments: list[Segment] = []
        pending = ""
        units = [u for u in file_el.iter() if _local(u) == "unit" and _ns(u) == XLIFF2_NS]
        for unit_number, unit in enumerate(units):
            pending, new = _unit_segments(unit, pending, unit_number, name)
            segments.extend(new)
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
    unit: Any, pending: str, unit_number: int, name: str
) -> tuple[str, list[Segment]]:
    data: dict[str, str] = {}
    for od in _children(unit, "originalData", (XLIFF2_NS,)):
        for d in _children(od, "data", (XLIFF2_NS,)):
            data[d.get("id", "")] = _text_2(d, {})
    matches: dict[str, tuple[str, str]] = {}
    for group in _children(unit, "matches", (MTC_NS,)):
        for match in _children(group, "match", (MTC_NS,)):
            if match.get("type") != "mt":
                continue
            ref = (match.get("ref") or "").lstrip("#").rsplit("/", 1)[-1]
            tgt = _children(match, "target", (XLIFF2_NS,))
            text = _content(tgt[0], lambda e: _text_2(e, data)) if tgt else ""
            matches.setdefault(ref, (match.get("origin") or "", text))
    notes: dict[str, list[str]] = {}
    for notes_el in _children(unit, "notes", (XLIFF2_NS,)):
        for note in _children(notes_el, "note", (XLIFF2_NS,)):
            if note.get("category") in (NOTE_TERM_CHECK,):
                continue
            text = _tidy("".join(note.itertext()), note)
            found = re.match(r"\[([^\]]+)\] (.*)", text, re.S)
            key, body = (found.group(1), found.group(2)) if found else ("", text)
            notes.setdefault(key, []).append(body)
    parts = [c for c in unit if _local(c) in ("segment", "ignorable") and _ns(c) == XLIFF2_NS]
    if unit_number and (not parts or _local(parts[0]) == "segment") and "\n" not in pending:
        pending += "\n"  # a tool dropped the paragraph-break ignorable
    # <target order="n"> moves a target to the n-th position of the unit.
    slots: list[str | None] = [None] * len(parts)
    for part in parts:
        tgt = _children(part, "target", (XLIFF2_NS,))
        if tgt and tgt[0].get("order"):
            try:
                pos = int(tgt[0].get("order")) - 1
            except ValueError:
                pos = -1
            if not 0 <= pos < len(parts) or slots[pos] is not None:
                raise FormatError(
                    f"bad <target order={tgt[0].get('order')!r}>", file=name, line=tgt[0].sourceline
                )
            slots[pos] = _content(tgt[0], lambda e: _text_2(e, data))
    segments = []
    for index, part in enumerate(parts):
        src = _children(part, "source", (XLIFF2_NS,))
        if not src:
            raise FormatError(f"<{_local(part)}> has no <source>", file=name, line=part.sourceline)
        source = _content(src[0], lambda e: _text_2(e, data))
        tgt = _children(part, "target", (XLIFF2_NS,))
        target = None
        if slots[index] is not None:
            target = slots[index]
        elif tgt and tgt[0].get("order"):
            target = ""  # its target moved elsewhere and none moved here
        elif tgt:
            target = _content(tgt[0], lambda e: _text_2(e, data))
        if _local(part) == "ignorable":
            pending += target if target is not None else source
            continue
        sid = part.get("id") or f"{unit.get('id', 'u')}_{index + 1}"
        origin, mt_text = matches.get(part.get("id") or "", (None, None))
        segments.append(
            Segment(
                id=sid,
                source=source,
                target=target,
                leading=pending,
                origin=origin or None,
                state=state_from_2(part.get("state"), part.get("subState"), target, mt_text),
                notes=tuple(notes.get(sid, [])),
            )
        )
        pending = ""
    return pending, segments
