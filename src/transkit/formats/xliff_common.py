"""What XLIFF 1.2 and 2.x share: namespaces, states, term spans, inline codes, tree helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from transkit.data import Segment, TermCheck, TermMatch
from transkit.formats import xml_runs

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"
#: Namespaces read as XLIFF 1.x and 2.x (2.1 kept the 2.0 namespace; 2.2 has its own).
XLIFF1_NAMESPACES = (
    XLIFF12_NS,
    "urn:oasis:names:tc:xliff:document:1.1",
    "urn:oasis:names:tc:xliff:document:1.0",
)
XLIFF2_NAMESPACES = (XLIFF2_NS, "urn:oasis:names:tc:xliff:document:2.2")
MTC_NS = "urn:oasis:names:tc:xliff:matches:2.0"
GLS_NS = "urn:oasis:names:tc:xliff:glossary:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
ITS_NS = "http://www.w3.org/2005/11/its"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SPACE_ATTR = f"{{{XML_NS}}}space"

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
TERM_CONFIDENCE = {
    "exact": "1.0",
    "case": "0.95",
    "inflected": "0.9",
    "ellipsis": "0.8",
    "compound": "0.6",
}
NMTOKEN = re.compile(r"^[\w.\-:]+$")


# --------------------------------------------------------------------------
# Pure helpers


@dataclass(frozen=True)
class Span:
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
    import bisect

    starts: list[int] = []  # taken spans, sorted and disjoint
    ends: list[int] = []
    taken: list[tuple[int, int, TermCheck]] = []
    # Matches of each (candidate, bounded) pattern, found once, and how far the
    # earlier checks used them up: a span taken once stays taken, so the cost
    # is linear in the target however often a term repeats.
    matches: dict[tuple[str, bool], list[tuple[int, int]]] = {}
    cursor: dict[tuple[str, bool], int] = {}

    def free(start: int, end: int) -> bool:
        i = bisect.bisect_right(starts, start)
        if i and ends[i - 1] > start:
            return False
        return not (i < len(starts) and starts[i] < end)

    for check in checks:
        if not check.satisfied:
            continue
        candidates = [c for c in (check.found, *check.required) if c and c.strip()]
        hit = None
        for bounded in (True, False):
            for cand in candidates:
                key = (cand, bounded)
                if key not in matches:
                    pattern = re.escape(cand)
                    if bounded:
                        pattern = rf"(?<!\w){pattern}(?!\w)"
                    found = re.finditer(pattern, target, re.IGNORECASE)
                    matches[key] = [m.span() for m in found]
                    cursor[key] = 0
                spans, i = matches[key], cursor[key]
                while i < len(spans) and not free(*spans[i]):
                    i += 1
                cursor[key] = i
                if i < len(spans):
                    hit = (*spans[i], check)
                    break
            if hit:
                break
        if hit:
            at = bisect.bisect_right(starts, hit[0])
            starts.insert(at, hit[0])
            ends.insert(at, hit[1])
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


def paragraphs(segments: Sequence[Segment]) -> list[list[Segment]]:
    paragraphs: list[list[Segment]] = []
    for seg in segments:
        if not paragraphs or seg.paragraph_break:
            paragraphs.append([])
        paragraphs[-1].append(seg)
    return paragraphs


def glossary_line(term: TermMatch) -> str:
    if term.dnt:
        return f"{term.term} (do not translate)"
    line = f"{term.term} \u2192 {' / '.join(term.required) or '?'}"
    if term.forbidden:
        # Counted, never named: a forbidden term never leaves transkit.
        n = len(term.forbidden)
        line += f" ({n} forbidden variant{'s' if n > 1 else ''} in the glossary)"
    return line


def check_line(check: TermCheck) -> str:
    line = f"Term check failed: \u201c{check.term}\u201d must be translated as "
    line += " or ".join(f"\u201c{r}\u201d" for r in check.required) or "its glossary term"
    if check.forbidden_found:
        line += f"; forbidden term used: {', '.join(check.forbidden_found)}"
    if check.reason:
        line += f" ({check.reason})"
    return line


def xml_text(text: str) -> str:
    """Drop characters XML cannot hold (for notes and attributes, not content)."""
    return "".join(run for run in xml_runs(text) if isinstance(run, str))


def unique_ids(segments: Sequence[Segment], nmtoken: bool) -> list[str]:
    seen: set[str] = set()
    ids = []
    for n, seg in enumerate(segments, 1):
        sid = seg.id
        if not sid or sid in seen or (nmtoken and not NMTOKEN.match(sid)):
            sid = f"s{n}"
            while sid in seen:
                sid += "_"
        seen.add(sid)
        ids.append(sid)
    return ids


def iso_time(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# Building inline content


def append_text(el: Any, text: str, code: Callable[[int], Any]) -> None:
    for run in xml_runs(text):
        if isinstance(run, str):
            # el[-1], not len(el): lxml counts children one by one, which made a
            # segment with thousands of term marks quadratic.
            try:
                last = el[-1]
            except IndexError:
                el.text = (el.text or "") + run
            else:
                last.tail = (last.tail or "") + run
        else:
            el.append(code(run))


def fill_marked(
    el: Any,
    text: str,
    spans: Sequence[tuple[int, int, Any]],
    code: Callable[[int], Any],
    mark: Callable[[Any], Any],
) -> None:
    """Write ``text`` into ``el`` with ``mark(payload)`` elements around the spans."""
    pos = 0
    for start, end, payload in spans:
        append_text(el, text[pos:start], code)
        mrk = mark(payload)
        el.append(mrk)
        append_text(mrk, text[start:end], code)
        pos = end
    append_text(el, text[pos:], code)


def indent(el: Any, leaves: frozenset[str], level: int = 0) -> None:
    """Pretty-print structural elements only; content elements stay untouched."""
    if etree.QName(el).localname in leaves or not len(el):
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in el:
        child.tail = pad
        if isinstance(child.tag, str):
            indent(child, leaves, level + 1)
    el[-1].tail = "\n" + "  " * level


# --------------------------------------------------------------------------
# Reading


def local_name(el: Any) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def namespace_of(el: Any) -> str | None:
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    return tag[1 : tag.index("}")]


def children_named(el: Any, name: str, namespaces: tuple[str | None, ...]) -> list[Any]:
    return [c for c in el if local_name(c) == name and namespace_of(c) in namespaces]


def space_preserved(el: Any) -> bool:
    node = el
    while node is not None:
        value = node.get(SPACE_ATTR)
        if value is not None:
            return value == "preserve"
        node = node.getparent()
    return False


def tidy_text(text: str, el: Any) -> str:
    """Undo pretty-printing a tool put inside content that is not space-preserved."""
    if space_preserved(el):
        return text
    return re.sub(r"^\s*\n\s*|\s*\n\s*$", "", text)


def flatten_inline(el: Any, handle: Callable[[Any], tuple[bool, str]]) -> str:
    """The text of ``el`` with its inline elements resolved by ``handle``, without recursion.

    ``handle(child)`` returns ``(descend, text)``: ``text`` stands at the
    child's start, and with ``descend`` the child's content follows (``<mrk>``,
    ``<g>``); otherwise the child's content is skipped (codes).  Every tail is
    kept, comments and processing instructions are dropped; nesting depth is
    unlimited (1,000 nested ``<g>`` would overflow a recursive reader).
    """
    parts = [el.text or ""]
    walker = etree.iterwalk(el, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if node is el:
            continue
        if event in ("comment", "pi"):
            parts.append(node.tail or "")
        elif event == "start":
            descend, text = handle(node)
            parts.append(text)
            if descend:
                parts.append(node.text or "")
            else:
                walker.skip_subtree()
        else:
            parts.append(node.tail or "")
    return "".join(parts)


def missing_units(
    name: str,
    file_el: Any,
    seen_ids: dict[str, int],
    written: int | None = None,
    read: int | None = None,
) -> list[str]:
    """Problems for segments missing from a file transkit wrote (deleted by a tool or a person).

    Numbers missing from the ids 1..n name them; ``written`` (the count
    transkit recorded) against ``read`` (default: the ids seen) catches a
    deleted last one too.
    """
    numbers = {int(i) for i in seen_ids if i.isdigit()}
    missing = sorted(set(range(1, max(numbers, default=0) + 1)) - numbers)
    if len(numbers) != len(seen_ids):
        missing = []  # ids of another scheme: only the count can tell
    found = len(seen_ids) if read is None else read
    lost = max(len(missing), (written - found) if written is not None else 0)
    if lost <= 0:
        return []
    shown = ", ".join(map(str, missing[:20])) + (" ..." if len(missing) > 20 else "")
    which = f": id {shown}" if missing else ""
    return [
        f"{name}:{file_el.sourceline}: {lost} segment(s) transkit wrote are missing "
        f"(deleted?){which}; their text is not in the output"
    ]


def translatable(node: Any, scopes: tuple[str, ...]) -> bool:
    """``translate`` of a unit: the nearest value on it or an enclosing scope (default yes)."""
    while node is not None and local_name(node) in scopes:
        value = node.get("translate")
        if value is not None:
            return value.strip().lower() != "no"
        node = node.getparent()
    return True


def has_text(
    el: Any,
    namespaces: tuple[str | None, ...],
    wrappers: tuple[str, ...],
    is_char: Callable[[Any], bool],
) -> bool:
    """Whether ``el`` holds text outside inline codes (a target of placeholders only has none).

    ``wrappers`` are the inline elements whose content is text (``mrk``, ``g``/``pc``);
    ``is_char(child)`` tells a code that stands for one character (transkit's ``cp``).
    """

    def handle(child: Any) -> tuple[bool, str]:
        if namespace_of(child) not in namespaces:
            return False, ""
        if is_char(child):
            return False, "c"
        return local_name(child) in wrappers, ""

    return bool(flatten_inline(el, handle).strip())


def content_text(el: Any, reader: Callable[[Any], str]) -> str:
    return tidy_text(reader(el), el)
