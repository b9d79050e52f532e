"""What the review page shows, computed without any HTML.

`document_view` turns a translated (or post-edited) `Document` into plain
records: per segment the highlighted spans on both sides with a verdict, the
flags that make a segment worth a look, and the origin details.  The page
builder (`transkit.review.page`) only lays these records out, so everything
a test or another writer needs to know about a verdict is decided here.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from transkit.data import Document, Segment, TermCheck, TermMatch

__all__ = [
    "METHOD_LABELS",
    "STATUS_LABELS",
    "ConceptView",
    "TermSpan",
    "SegmentView",
    "DocumentView",
    "check_details",
    "concept_from_match",
    "concept_from_glossary",
    "segment_view",
    "document_view",
]

#: How each enforcement method reads on the page; unknown methods show as they are.
METHOD_LABELS = {
    "none": "MT",
    "nbest": "MT, n-best",
    "protected": "MT, protected terms",
    "failed": "MT, terms not enforced",
    "substituted": "MT, substituted",
    "redecoded": "MT, re-decoded",
    "re-decoded": "MT, re-decoded",
    "tm": "TM match",
    "tm-context": "TM match, in context",
    "tm-exact": "TM match, exact",
    "tm-fuzzy": "TM match, fuzzy",
}

#: Labels of Segment fields other stages add (any other field shows its name).
FIELD_LABELS = {"matches": "TM matches", "repairs": "repairs"}

#: Verdicts of a highlighted term, with the words shown next to the symbol.
STATUS_LABELS = {
    "ok": "satisfied",
    "failed": "failed: required English missing",
    "forbidden": "forbidden form used",
    "compound": "in a compound: not enforced, check by hand",
    "pending": "not checked: segment untranslated",
}

#: Segment fields the page renders in their own place; any other non-empty
#: field (added by later stages, e.g. a TM match score) is listed generically.
_KNOWN_FIELDS = frozenset(
    {"id", "source", "target", "leading", "start", "end", "terms", "checks", "method"}
    | {"origin", "state", "notes", "translate"}
)


@dataclass(frozen=True)
class ConceptView:
    """A glossary concept as a reviewer reads it in the term pop-up."""

    id: str
    de: tuple[str, ...]
    approved: str
    admitted: tuple[str, ...] = ()
    deprecated: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    dnt: bool = False
    domain: str = ""
    note: str = ""


@dataclass(frozen=True)
class TermSpan:
    """One highlighted term: where, which concept, and its verdict.

    ``key`` pairs a German span with its English partner(s) in the same
    segment (``t1``, ``t2``...); ``status`` is a key of `STATUS_LABELS`.
    """

    key: str
    start: int
    end: int
    concept_id: str
    status: str
    text: str


@dataclass(frozen=True)
class SegmentView:
    """Everything the page shows for one segment."""

    number: int
    id: str
    source: str
    target: str | None
    source_spans: tuple[TermSpan, ...]
    target_spans: tuple[TermSpan, ...]
    checks: tuple[tuple[str, TermCheck], ...]  # (key, check) in source order
    flags: tuple[str, ...]  # why a reviewer should look: "failed", "forbidden", ...
    origin: tuple[tuple[str, str], ...]  # (label, value) rows
    notes: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class DocumentView:
    """A document's segments plus the totals shown in the summary."""

    name: str
    source_lang: str
    target_lang: str
    segments: tuple[SegmentView, ...]
    concepts: Mapping[str, ConceptView]
    totals: Mapping[str, int]
    methods: Mapping[str, int]
    states: Mapping[str, int] = dataclasses.field(default_factory=dict)


def concept_from_match(term: TermMatch) -> ConceptView:
    """What a `TermMatch` alone says about its concept (no glossary at hand)."""
    required = term.required or ((term.term,) if term.dnt else ())
    return ConceptView(
        id=term.concept_id,
        de=(term.term,),
        approved=required[0] if required else "",
        admitted=tuple(required[1:]),
        forbidden=tuple(f for f in term.forbidden if f not in required),
        dnt=term.dnt,
    )


def concept_from_glossary(concept: Any) -> ConceptView:
    """A `transkit` glossary ``Concept`` (duck-typed) as a `ConceptView`."""
    return ConceptView(
        id=concept.id,
        de=tuple(concept.de),
        approved=concept.preferred,
        admitted=tuple(concept.admitted),
        deprecated=tuple(concept.deprecated),
        forbidden=tuple(concept.forbidden),
        dnt=bool(concept.dnt),
        domain=concept.domain or "",
        note=concept.note or "",
    )


def _source_spans(segment: Segment) -> list[TermMatch]:
    """Term matches whose offsets fit the source, without overlaps, in order."""
    fixed = []
    for term in segment.terms:
        start, end = term.start, term.end
        if not (0 <= start < end <= len(segment.source)) or (
            term.found and segment.source[start:end] != term.found
        ):
            pos = segment.source.find(term.found) if term.found else -1
            if pos < 0:
                continue
            term = dataclasses.replace(term, start=pos, end=pos + len(term.found))
        fixed.append(term)
    fixed.sort(key=lambda t: (t.start, -(t.end - t.start)))
    chosen: list[TermMatch] = []
    for term in fixed:
        if not chosen or term.start >= chosen[-1].end:
            chosen.append(term)
    return chosen


def _pair_checks(terms: Sequence[TermMatch], checks: Sequence[TermCheck]) -> dict[int, TermCheck]:
    """Which check belongs to which term (index into ``terms``).

    `check_terms` emits one check per enforceable term in order; pair by
    concept in that order so a missing or extra check never shifts the rest.
    """
    pending = list(checks)
    paired: dict[int, TermCheck] = {}
    for i, term in enumerate(terms):
        for j, check in enumerate(pending):
            if check.concept_id == term.concept_id:
                paired[i] = pending.pop(j)
                break
    return paired


def _find(text: str, needle: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """A free occurrence of ``needle``: exact case and whole word first."""
    if not needle.strip():
        return None
    for flags, bounded in ((0, True), (re.IGNORECASE, True), (re.IGNORECASE, False)):
        pattern = re.escape(needle)
        if bounded:
            pattern = rf"(?<!\w){pattern}(?!\w)"
        for match in re.finditer(pattern, text, flags):
            span = (match.start(), match.end())
            if all(span[1] <= s or span[0] >= e for s, e in taken):
                return span
    return None


def _target_spans(target: str, keyed: Sequence[tuple[str, TermCheck]]) -> list[TermSpan]:
    """English spans: the approved term found (ok) and forbidden forms used."""
    from transkit.enforce.find import find_term

    taken: list[tuple[int, int]] = []
    spans = []
    # Longest first: "Japan" must not take the "Japan" inside "Japan-U.S. alliance".
    for key, check in sorted(keyed, key=lambda kc: -len(kc[1].found)):
        wanted: list[tuple[str, str]] = []
        if check.found:
            wanted.append((check.found, "ok" if check.satisfied else "failed"))
        wanted.extend((bad, "forbidden") for bad in check.forbidden_found)
        for needle, status in wanted:
            span = _find(target, needle, taken)
            if span is None and status == "forbidden":
                match = find_term(target, needle)
                if match and all(match.end() <= s or match.start() >= e for s, e in taken):
                    span = (match.start(), match.end())
            if span is None:
                continue
            taken.append(span)
            spans.append(
                TermSpan(key, span[0], span[1], check.concept_id, status, target[span[0] : span[1]])
            )
    return sorted(spans, key=lambda s: s.start)


@functools.cache
def _fields(cls: type) -> tuple[dataclasses.Field, ...]:
    return dataclasses.fields(cls)


def _origin_rows(segment: Segment) -> tuple[tuple[str, str], ...]:
    rows = []
    if segment.method:
        rows.append(("method", METHOD_LABELS.get(segment.method, segment.method)))
    elif segment.target is not None and segment.origin:
        rows.append(("method", "MT"))
    if segment.origin:
        rows.append(("engine", segment.origin))
    if segment.state and segment.state != "mt":
        rows.append(("state", segment.state))
    if getattr(segment, "translate", True) is False:
        rows.append(("translate", "no (the source is kept)"))
    for f in _fields(type(segment)):
        if f.name in _KNOWN_FIELDS:
            continue
        value = getattr(segment, f.name)
        if value in (None, "", (), [], {}, False):
            continue
        label = FIELD_LABELS.get(f.name, f.name.replace("_", " "))
        rows.append((label, _format_value(f.name, value)))
    return tuple(rows)


_PERCENT_NAMES = ("score", "match", "fuzzy", "percent", "similarity")
#: Fields of a nested record shown first and without their name ("fuzzy 87%").
_LEAD_FIELDS = ("level", "kind", "status", "score")


def _format_value(name: str, value: Any) -> str:
    """Generic rendering of a field the page has no special place for.

    Scores become percentages (0-1 or 0-100), nested records (e.g. a
    translation-memory match) a short line of their non-empty fields.
    """
    percent = any(word in name.lower() for word in _PERCENT_NAMES)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if percent and 0 <= value <= 1 and isinstance(value, float):
            return f"{value:.0%}"
        if percent and 0 <= value <= 100:
            return f"{value:.0f}%"
        return f"{value:g}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        lead, rest = [], []
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item in (None, "", (), [], {}):
                continue
            shown = _format_value(f.name, item)
            if f.name in _LEAD_FIELDS:
                lead.append(shown)
            else:
                rest.append(f"{f.name}: {shown}")
        return " \u00b7 ".join(x for x in (" ".join(lead), "; ".join(rest)) if x)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_format_value(str(k), v)}" for k, v in value.items())
    if isinstance(value, (tuple, list)):
        return "; ".join(_format_value(name, v) for v in value)
    return str(value)


#: TermCheck fields shown in their own words; any other non-empty field
#: (e.g. the enforcement stage or why a term is missing) is listed generically.
_KNOWN_CHECK_FIELDS = frozenset(
    {"concept_id", "term", "required", "satisfied", "found", "forbidden_found"}
)


def check_details(check: TermCheck) -> tuple[tuple[str, str], ...]:
    """(label, value) for every extra, non-empty field of a term check."""
    rows = []
    for f in _fields(type(check)):
        value = getattr(check, f.name)
        if f.name in _KNOWN_CHECK_FIELDS or value in (None, "", (), [], {}, False):
            continue
        label = f.name.replace("_", " ")
        if f.name == "stage" and isinstance(value, str):
            value = METHOD_LABELS.get(value, value)
        rows.append((label, _format_value(f.name, value)))
    return tuple(rows)


def segment_view(number: int, segment: Segment) -> SegmentView:
    """The page record of one segment: spans, verdicts, flags, origin."""
    terms = _source_spans(segment)
    paired = _pair_checks(terms, segment.checks)
    translated = segment.target is not None and (
        bool(segment.target.strip()) or not segment.source.strip()
    )
    no_translate = getattr(segment, "translate", True) is False
    source_spans = []
    keyed_checks: list[tuple[str, TermCheck]] = []
    for i, term in enumerate(terms):
        key = f"t{i + 1}"
        check = paired.get(i)
        if check is not None:
            keyed_checks.append((key, check))
            if check.satisfied:
                status = "ok"
            elif check.forbidden_found:
                status = "forbidden"
            else:
                status = "failed"
        elif term.kind == "compound":
            status = "compound"
        elif not translated and term.required:
            status = "pending"
        else:
            continue
        source_spans.append(
            TermSpan(key, term.start, term.end, term.concept_id, status, term.found or term.term)
        )
    # Checks without a matching source span (offsets lost) are still listed.
    used = {id(c) for _, c in keyed_checks}
    extra = [c for c in segment.checks if id(c) not in used]
    keyed_checks.extend((f"t{len(terms) + k + 1}", c) for k, c in enumerate(extra))
    target_spans = _target_spans(segment.target, keyed_checks) if segment.target else []

    flags = []
    if not translated and not no_translate:
        flags.append("untranslated")
    if any(not c.satisfied and not c.forbidden_found for _, c in keyed_checks):
        flags.append("failed")
    if any(c.forbidden_found for _, c in keyed_checks):
        flags.append("forbidden")
    if any(s.status == "compound" for s in source_spans):
        flags.append("compound")
    if segment.method == "failed" and "failed" not in flags:
        flags.append("failed")
    return SegmentView(
        number=number,
        id=segment.id,
        source=segment.source,
        target=segment.target if translated else None,
        source_spans=tuple(source_spans),
        target_spans=tuple(target_spans),
        checks=tuple(keyed_checks),
        flags=tuple(flags),
        origin=_origin_rows(segment),
        notes=tuple(segment.notes),
    )


def _state_counts(document: Document) -> dict[str, int]:
    """Segments per target state, in life-cycle order (new, mt, translated...)."""
    from transkit.data import SEGMENT_STATES

    counts: dict[str, int] = {}
    for seg in document.segments:
        counts[seg.state] = counts.get(seg.state, 0) + 1
    order = {state: i for i, state in enumerate(SEGMENT_STATES)}
    return dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def document_view(
    document: Document, concepts: Mapping[str, ConceptView] | None = None
) -> DocumentView:
    """The page record of a document; concepts not in ``concepts`` come from matches."""
    views = tuple(segment_view(n, s) for n, s in enumerate(document.segments, 1))
    known = dict(concepts or {})
    for seg in document.segments:
        for term in seg.terms:
            if term.concept_id not in known:
                known[term.concept_id] = concept_from_match(term)
    checks = [c for v in views for _, c in v.checks]
    methods: dict[str, int] = {}
    for seg in document.segments:
        label = METHOD_LABELS.get(seg.method or "", seg.method or "")
        if label:
            methods[label] = methods.get(label, 0) + 1
    totals = {
        "segments": len(views),
        "translated": sum(v.target is not None for v in views),
        "terms_required": len(checks),
        "terms_satisfied": sum(c.satisfied for c in checks),
        "terms_failed": sum(not c.satisfied for c in checks),
        "forbidden_found": sum(bool(c.forbidden_found) for c in checks),
        "flagged": sum(v.flagged for v in views),
    }
    used = {s.concept_id for v in views for s in (*v.source_spans, *v.target_spans)}
    return DocumentView(
        name=document.name,
        source_lang=document.source_lang or "de",
        target_lang=document.target_lang or "en",
        segments=views,
        concepts={k: known[k] for k in sorted(used) if k in known},
        totals=totals,
        methods=dict(sorted(methods.items())),
        states=_state_counts(document),
    )


def concepts_for(glossary: Any, ids: Iterable[str]) -> dict[str, ConceptView]:
    """Concept views for ``ids`` from a loaded glossary (ids it lacks are skipped)."""
    out = {}
    for cid in ids:
        try:
            out[cid] = concept_from_glossary(glossary.concept(cid))
        except KeyError:
            continue
    return out
