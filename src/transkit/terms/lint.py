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
    from transkit.terms.match import TermMatcher, term_key  # lazy: the matcher pulls in ahocorasick

    entries, _sources, problems = collect_entries(paths)
    problems.extend(_whitespace_warnings(paths))
    glossary = Glossary(tuple(entries), ())
    matcher = TermMatcher.from_glossary(glossary)
    for concept in glossary.concepts():
        for de in concept.de:
            found = matcher.find(de)
            if not any(
                m.concept_id == concept.id and m.start == 0 and m.end == len(de) for m in found
            ):
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
    from rapidfuzz import fuzz

    firsts: list[tuple[str, str, GlossaryEntry]] = []
    for concept in glossary.concepts():
        for de in concept.de:
            row = next(r for r in concept.entries if r.de == de)
            firsts.append((fold_term(de), concept.id, row))
    warnings = []
    by_key: dict[str, tuple[str, GlossaryEntry]] = {}
    for folded, cid, row in firsts:
        key = term_key(row.de)
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
        for i, (a, cid_a, row_a) in enumerate(block):
            for b, cid_b, row_b in block[i + 1 :]:
                if cid_a == cid_b or a == b or term_key(row_a.de) == term_key(row_b.de):
                    continue
                score = fuzz.ratio(a, b, score_cutoff=threshold)
                if score:
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
