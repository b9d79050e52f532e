"""The data types that flow through the pipeline.

One frozen `Segment` passes read -> segment -> match terms -> translate ->
enforce -> QA -> write.  Stages return new segments (``dataclasses.replace``);
nothing here does I/O, and formats convert to and from these types, never
handing out lxml nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Document",
    "GlossaryEntry",
    "Hypothesis",
    "MemoryMatch",
    "Segment",
    "TermCheck",
    "TermMatch",
    "TERM_STATUSES",
    "SEGMENT_STATES",
]

#: Status of an English term for a German term (TBX ``administrativeStatus``).
TERM_STATUSES = ("preferred", "admitted", "deprecated", "forbidden")

#: Life cycle of a segment's target, shared by the XLIFF/TMX writers and merge.
#: "new": no target; "mt": machine translated, needs review; "translated",
#: "reviewed", "final": a person approved it.
SEGMENT_STATES = ("new", "mt", "translated", "reviewed", "final")


@dataclass(frozen=True)
class GlossaryEntry:
    """One row of a glossary: a German term, one English term and its status.

    Rows that share ``id`` form one concept (TBX ``termEntry``): e.g. Peking ->
    Beijing (preferred) and Peking -> Peking (forbidden).  A do-not-translate
    entry has ``dnt=True`` and ``en == de``.
    """

    id: str
    de: str
    en: str
    status: str = "preferred"
    pos: str = ""
    dnt: bool = False
    case_sensitive: bool = False
    domain: str = ""
    note: str = ""
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class TermMatch:
    """A glossary concept found in a segment's German source.

    ``start``/``end`` are character offsets into ``Segment.source``;
    ``found`` is the surface text there.  ``kind`` is "exact", "inflected",
    "case", "compound" (the term is part of a longer word; reported, not
    necessarily enforced) or "ellipsis" (Außen- und Sicherheitspolitik).
    """

    concept_id: str
    term: str
    found: str
    start: int
    end: int
    kind: str = "exact"
    required: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    dnt: bool = False


@dataclass(frozen=True)
class TermCheck:
    """The verdict on one required term in one segment's English target."""

    concept_id: str
    term: str
    required: tuple[str, ...]
    satisfied: bool
    found: str = ""
    forbidden_found: tuple[str, ...] = ()
    #: How the term came to be right (or not): "nbest", "protected",
    #: "substituted", "redecoded" or "flagged"; "" when not enforced.
    stage: str = ""
    #: Why a flagged term is still missing.
    reason: str = ""
    #: What a substitution replaced (a forbidden rendering is named by its
    #: status only, so that it never reaches a file).
    replaced: str = ""


@dataclass(frozen=True)
class MemoryMatch:
    """A translation-memory match found for a segment (XLIFF ``alt-trans`` / ``mtc:match``).

    ``level`` is "context" (in-context exact), "exact", "numbers" (fuzzy, the
    numbers put right in ``target``) or "fuzzy"; ``score`` is 0-100.
    ``origin`` names the memory file (``tm:approved.tmx``); ``note`` says why
    the match was not used as the target (e.g. it breaks a glossary term).
    """

    source: str
    target: str
    score: float
    level: str
    origin: str = ""
    note: str = ""


@dataclass(frozen=True)
class Segment:
    """One sentence (or headline) and everything learned about it.

    ``leading`` is the exact source text between the previous segment (or
    the start of the document) and this one: spaces, line breaks, blank
    lines.  Joining ``leading + target`` over all segments plus
    ``Document.trailing`` rebuilds the English document; the same with
    ``source`` rebuilds the German input exactly.
    """

    id: str
    source: str
    target: str | None = None
    leading: str = ""
    start: int = 0
    end: int = 0
    terms: tuple[TermMatch, ...] = ()
    checks: tuple[TermCheck, ...] = ()
    #: "nbest" | "protected" | "substituted" | "redecoded" | "failed" | "none";
    #: "tm-context" | "tm-exact" from the memory
    method: str | None = None
    origin: str | None = None  # engine and model that produced the target
    state: str = "new"
    notes: tuple[str, ...] = ()
    #: What terminology repair changed in the target, one line each.
    repairs: tuple[str, ...] = ()
    #: False when the exchange file marks the unit ``translate="no"``: its source is kept.
    translate: bool = True
    matches: tuple[MemoryMatch, ...] = ()  # translation-memory matches, best first

    @property
    def paragraph_break(self) -> bool:
        """True when this segment starts a new paragraph (line break before)."""
        return "\n" in self.leading or "\r" in self.leading


@dataclass(frozen=True)
class Document:
    """A source document split into segments, with what trails the last one."""

    name: str
    segments: tuple[Segment, ...] = ()
    trailing: str = ""
    source_lang: str = "de"
    target_lang: str = "en"
    metadata: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def source_text(self) -> str:
        """The German document, rebuilt exactly."""
        return "".join(s.leading + s.source for s in self.segments) + self.trailing

    @property
    def target_text(self) -> str:
        """The English document; untranslated segments keep their source."""
        parts = [
            s.leading + (s.target if s.target is not None else s.source) for s in self.segments
        ]
        return "".join(parts) + self.trailing


@dataclass(frozen=True)
class Hypothesis:
    """One n-best translation from an engine, with its log-probability score."""

    text: str
    score: float
