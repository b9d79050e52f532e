"""`transkit glossary lint`: every load problem plus the warnings an editor should see."""

from __future__ import annotations

import os
from collections.abc import Sequence

from transkit.data import GlossaryEntry
from transkit.terms.glossary import (
    Glossary,
    collect_entries,
    entry_location,
    fold_term,
    gc_paused,
    glossary_files,
    read_glossary_bytes,
    unique_problems,
)
from transkit.terms.tsv import Problem, is_skipped_line


def lint_glossary(
    paths: Sequence[str | os.PathLike[str]], *, near_threshold: float = 90.0
) -> list[Problem]:
    """Every load problem, plus warnings an editor should look at.

    Warnings: fields with stray whitespace; entries that never match their
    own German form (the matcher cannot find them); near-duplicate German
    terms in different concepts (rapidfuzz ratio >= ``near_threshold``, or the
    same form after inflection folding).
    """
    with gc_paused():  # ~1M small acyclic objects for 100,000 rows
        return _lint(paths, near_threshold)


def _lint(paths: Sequence[str | os.PathLike[str]], near_threshold: float) -> list[Problem]:
    from transkit.terms.match import TermMatcher, term_key  # lazy: the matcher pulls in ahocorasick

    entries, _sources, problems = collect_entries(paths)
    problems.extend(_whitespace_warnings(paths))
    problems.extend(_formula_warnings(entries))
    glossary = Glossary(tuple(entries), ())
    matcher = TermMatcher.from_glossary(glossary)
    for concept, de in _unmatched(glossary, matcher):
        row = next(r for r in concept.entries if r.de == de)
        problems.append(
            Problem(
                row.file,
                row.line,
                f"'{de}' ({concept.id}) never matches its own German form",
                "warning",
            )
        )
    problems.extend(_near_duplicates(glossary, term_key, near_threshold))
    return unique_problems(problems)


def _matches_itself(concept_id: str, de: str, found: Sequence, offset: int = 0) -> bool:
    return any(
        m.concept_id == concept_id and m.start == offset and m.end == offset + len(de)
        for m in found
    )


def _unmatched(glossary: Glossary, matcher) -> list[tuple]:  # type: ignore[no-untyped-def]
    """(concept, German term) pairs the matcher cannot find in the term itself.

    The terms are searched a few thousand at a time, joined by blank lines
    (a barrier no match crosses), which is what makes 100,000 rows quick;
    a term not found that way is searched again on its own, so the verdict
    is exactly that of searching each term by itself.
    """
    todo = [(concept, de) for concept in glossary.concepts() for de in concept.de]
    missing = []
    for start in range(0, len(todo), 2000):
        chunk = todo[start : start + 2000]
        offsets, pos = [], 0
        for _, de in chunk:
            offsets.append(pos)
            pos += len(de) + 2
        found = matcher.find("\n\n".join(de for _, de in chunk))
        by_start: dict[int, list] = {}
        for m in found:
            by_start.setdefault(m.start, []).append(m)
        for (concept, de), offset in zip(chunk, offsets, strict=True):
            near = by_start.get(offset, [])
            if _matches_itself(concept.id, de, near, offset):
                continue
            if not _matches_itself(concept.id, de, matcher.find(de)):
                missing.append((concept, de))
    return missing


#: Cell starts a spreadsheet runs as a formula (OWASP); as in `transkit.formats.termcsv`.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_warnings(entries: Sequence[GlossaryEntry]) -> list[Problem]:
    """Fields a spreadsheet would run as a formula (CSV injection)."""
    warnings = []
    for e in entries:
        for column in ("id", "de", "en", "pos", "domain", "note"):
            value = getattr(e, column)
            if value.startswith(_FORMULA_STARTS):
                warnings.append(
                    Problem(
                        e.file,
                        e.line,
                        f"{column} {value[:20]!r} starts with {value[0]!r}: a spreadsheet "
                        "would run it as a formula (CSV export writes it with a leading ')",
                        "warning",
                    )
                )
    return warnings


def _whitespace_warnings(paths: Sequence[str | os.PathLike[str]]) -> list[Problem]:
    warnings = []
    for p in paths:
        for f in glossary_files(p):
            for lineno, raw in enumerate(read_glossary_bytes(f).split(b"\n"), start=1):
                line = raw.decode("utf-8", "replace").rstrip("\r")
                if is_skipped_line(line):
                    continue
                if any(c != c.strip() for c in line.split("\t")):
                    warnings.append(
                        Problem(str(f), lineno, "field with leading or trailing spaces", "warning")
                    )
    return warnings


def _near_duplicates(glossary: Glossary, term_key, threshold: float) -> list[Problem]:

    firsts: list[tuple[str, str, GlossaryEntry]] = []
    for concept in glossary.concepts():
        for de in concept.de:
            row = next(r for r in concept.entries if r.de == de)
            firsts.append((fold_term(de), concept.id, row))
    warnings = []
    keys = {row.de: term_key(row.de) for _, _, row in firsts}
    by_key: dict[str, tuple[str, GlossaryEntry]] = {}
    for folded, cid, row in firsts:
        key = keys[row.de]
        other = by_key.setdefault(key, (cid, row))
        if other[0] != cid and fold_term(other[1].de) != folded:
            warnings.append(
                Problem(
                    row.file,
                    row.line,
                    f"near-duplicate: '{row.de}' ({cid}) "
                    f"and '{other[1].de}' ({other[0]}, {entry_location(other[1])}) match "
                    "the same inflected forms",
                    "warning",
                )
            )
    blocks: dict[str, list[tuple[str, str, GlossaryEntry]]] = {}
    for item in firsts:
        blocks.setdefault(item[0][:3], []).append(item)
    for block in blocks.values():
        for i, j, score in _similar_pairs([a for a, _, _ in block], threshold):
            a, cid_a, row_a = block[i]
            b, cid_b, row_b = block[j]
            if cid_a == cid_b or a == b or keys[row_a.de] == keys[row_b.de]:
                continue
            warnings.append(
                Problem(
                    row_b.file,
                    row_b.line,
                    f"near-duplicate: "
                    f"'{row_b.de}' ({cid_b}) resembles '{row_a.de}' "
                    f"({cid_a}, {entry_location(row_a)}; similarity {score:.0f})",
                    "warning",
                )
            )
    return warnings


def _similar_pairs(terms: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """Index pairs ``i < j`` whose rapidfuzz ratio is at least ``threshold``, in order.

    One C-level `rapidfuzz.process.cdist` per block instead of a Python loop
    over every pair: 100,000 glossary rows lint in seconds.
    """
    from rapidfuzz import fuzz

    if len(terms) < 2:
        return []
    if len(terms) < 64:
        return [
            (i, j, score)
            for i in range(len(terms))
            for j in range(i + 1, len(terms))
            if (score := fuzz.ratio(terms[i], terms[j], score_cutoff=threshold))
        ]
    import numpy
    from rapidfuzz import process

    pairs: list[tuple[int, int, float]] = []
    step = 2048  # rows per cdist call: bounds the score matrix to a few MB
    for start in range(0, len(terms), step):
        rows = terms[start : start + step]
        scores = process.cdist(
            rows, terms, scorer=fuzz.ratio, score_cutoff=threshold, dtype=numpy.uint8
        )
        for r, c in zip(*numpy.nonzero(scores), strict=True):
            i, j = start + int(r), int(c)
            if i < j:
                pairs.append((i, j, float(fuzz.ratio(terms[i], terms[j]))))
    pairs.sort(key=lambda p: (p[0], p[1]))
    return pairs
