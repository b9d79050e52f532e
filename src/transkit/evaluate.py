"""Measure how well translations obey the glossary on a held-out test set.

A test set is a TSV file with a header and at least a ``de`` column;
optional ``en`` / ``en_approved`` columns hold reference translations.
The term success rate is satisfied / required over all enforceable term
occurrences; the n-best share says how often re-ranking alone was enough.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transkit.data import Document, Segment
from transkit.engine.base import Engine
from transkit.errors import FormatError

__all__ = ["TestPair", "EvalResult", "read_test_set", "evaluate_terms"]


@dataclass(frozen=True)
class TestPair:
    """One held-out sentence and its reference translation(s)."""

    de: str
    en: str = ""
    en_approved: str = ""


@dataclass(frozen=True)
class EvalResult:
    """Figures from one evaluation run."""

    sentences: int
    sentences_with_terms: int
    required: int
    satisfied: int
    forbidden_outputs: int
    methods: dict[str, int]
    exact_matches: int
    references: int
    segments: tuple[Segment, ...] = ()
    #: Term occurrences per enforcement stage (see `transkit.enforce.stages.STAGES`).
    stages: dict[str, int] = field(default_factory=dict)
    #: Segments where a term's English occurs more often than its German.
    doubled: int = 0
    #: Re-decoded terms left at the end of a sentence their German does not end.
    tacked_on: int = 0

    @property
    def success_rate(self) -> float | None:
        """Satisfied / required; None when no glossary term occurred (nothing measured)."""
        return self.satisfied / self.required if self.required else None

    @property
    def nbest_share(self) -> float:
        """Share of segments with terms whose terms n-best re-ranking satisfied alone."""
        with_terms = sum(v for k, v in self.methods.items() if k != "none")
        return self.methods.get("nbest", 0) / with_terms if with_terms else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "sentences_with_terms": self.sentences_with_terms,
            "terms_required": self.required,
            "terms_satisfied": self.satisfied,
            "success_rate": None if self.success_rate is None else round(self.success_rate, 4),
            "outputs_with_forbidden_terms": self.forbidden_outputs,
            "methods": self.methods,
            "nbest_share": round(self.nbest_share, 4),
            "exact_match_with_approved_reference": self.exact_matches,
            "references": self.references,
            "stages": self.stages,
            "segments_with_doubled_terms": self.doubled,
            "terms_tacked_on": self.tacked_on,
        }


def read_test_set(path: Path) -> list[TestPair]:
    """Read a held-out TSV (``de`` column required); errors name file and line."""
    from transkit.fileio import read_limited

    data = read_limited(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise FormatError(f"not UTF-8 ({err.reason})", file=str(path), line=line) from None
    if "\x00" in text:
        raise FormatError("binary file (NUL characters), not a TSV test set", file=str(path))
    rows = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    if not rows.fieldnames or "de" not in rows.fieldnames:
        raise FormatError("test set needs a header with a 'de' column", file=str(path), line=1)
    pairs = []
    for row in rows:
        number = rows.line_num
        if None in row:  # more fields than the header: a tab inside a sentence?
            raise FormatError(
                f"more than the header's {len(rows.fieldnames)} tab-separated fields",
                file=str(path),
                line=number,
            )
        de = (row.get("de") or "").strip()
        if not de:
            raise FormatError("empty 'de' field", file=str(path), line=number)
        pairs.append(
            TestPair(de, (row.get("en") or "").strip(), (row.get("en_approved") or "").strip())
        )
    if not pairs:
        raise FormatError("test set has no sentences (only a header)", file=str(path))
    return pairs


def evaluate_terms(
    pairs: Sequence[TestPair],
    engine: Engine,
    matcher: Any,
    *,
    num_hypotheses: int = 4,
    forbidden: Sequence[str] = (),
) -> EvalResult:
    """Translate every pair with term enforcement and count the verdicts.

    ``forbidden`` lists English terms that must appear in no output at all
    (whether or not their German term was in the sentence).
    """
    from transkit.enforce.find import find_term
    from transkit.pipeline import prepare_document, translate_documents

    documents: list[Document] = [
        prepare_document(f"pair-{i}", pair.de, matcher) for i, pair in enumerate(pairs, 1)
    ]
    translated = translate_documents(
        documents,
        engine,
        num_hypotheses=num_hypotheses,
        glossary=getattr(matcher, "glossary", None),
    )
    segments = tuple(seg for doc in translated for seg in doc.segments)
    methods: dict[str, int] = {}
    for seg in segments:
        methods[seg.method or "none"] = methods.get(seg.method or "none", 0) + 1
    required = sum(len(s.checks) for s in segments)
    satisfied = sum(c.satisfied for s in segments for c in s.checks)
    forbidden_outputs = sum(
        any(c.forbidden_found for c in s.checks)
        or any(find_term(s.target or "", bad) for bad in forbidden)
        for s in segments
    )
    from transkit.enforce.count import doubled_terms, tacked_on_terms
    from transkit.enforce.stages import STAGES

    stages = dict.fromkeys(STAGES, 0)
    for seg in segments:
        for check in seg.checks:
            if check.stage:
                stages[check.stage] = stages.get(check.stage, 0) + 1
    refs = [
        (doc.target_text.strip(), pair.en_approved)
        for doc, pair in zip(translated, pairs, strict=True)
        if pair.en_approved
    ]
    return EvalResult(
        sentences=len(pairs),
        sentences_with_terms=sum(1 for s in segments if s.checks),
        required=required,
        satisfied=satisfied,
        forbidden_outputs=forbidden_outputs,
        methods=dict(sorted(methods.items())),
        exact_matches=sum(out == ref for out, ref in refs),
        references=len(refs),
        segments=segments,
        stages=stages,
        doubled=sum(bool(doubled_terms(s)) for s in segments),
        tacked_on=sum(len(tacked_on_terms(s)) for s in segments),
    )
