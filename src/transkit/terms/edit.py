"""Glossary edits that keep the file reviewable.

`add_entries` and `remove_entries` rewrite a file atomically and leave every
line they do not touch byte-identical, so diffs stay reviewable.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from transkit.data import GlossaryEntry
from transkit.errors import GlossaryError
from transkit.fileio import atomic_write_bytes, edit_lock
from transkit.terms.glossary import check_entries, fold_term, raise_for_errors, read_glossary_bytes
from transkit.terms.tsv import COLUMNS, ParsedGlossary, Problem, format_row, parse_tsv


def new_concept_id(de: str, existing: Iterable[str]) -> str:
    """A readable, stable id from the German term: ``seltene Erden`` -> ``seltene-erden``."""
    ascii_form = (
        de.replace("ß", "ss")
        .replace("ä", "ae")
        .replace("ö", "oe")
        .replace("ü", "ue")
        .replace("Ä", "Ae")
        .replace("Ö", "Oe")
        .replace("Ü", "Ue")
    )
    ascii_form = unicodedata.normalize("NFKD", ascii_form).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_form.lower()).strip("-") or "term"
    taken = set(existing)
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def merge_plan(
    existing: Sequence[GlossaryEntry], incoming: Sequence[GlossaryEntry]
) -> tuple[list[GlossaryEntry], list[str], int]:
    """Which imported rows to add, which conflict (and why), how many are there already.

    A row whose German term is already in a concept joins that concept
    (same id); a row that is already there is skipped; a second preferred
    English term for a concept is skipped as a conflict.  New concepts keep
    their id when it is free, else get one from `new_concept_id`.
    """
    owner = {fold_term(e.de): e.id for e in existing}
    present = {(e.id, fold_term(e.de), e.en) for e in existing}
    preferred = {e.id: e.en for e in existing if e.status == "preferred"}
    ids = {e.id for e in existing}
    renamed: dict[str, str] = {}
    to_add: list[GlossaryEntry] = []
    skipped: list[str] = []
    already = 0
    for e in incoming:
        where = f"{e.file}:{e.line}: " if e.file and e.line else (f"{e.file}: " if e.file else "")
        cid = owner.get(fold_term(e.de)) or renamed.get(e.id)
        if cid is None:
            cid = e.id if e.id and e.id not in ids else new_concept_id(e.de, ids)
            renamed[e.id] = cid
            ids.add(cid)
        row = GlossaryEntry(
            cid,
            e.de,
            e.en,
            e.status or "preferred",
            e.pos,
            e.dnt,
            e.case_sensitive,
            e.domain,
            e.note,
        )
        key = (cid, fold_term(row.de), row.en)
        if key in present:
            already += 1
            continue
        if row.status == "preferred" and preferred.get(cid, row.en) != row.en:
            skipped.append(
                f"{where}'{e.de}' -> '{e.en}' conflicts with the preferred "
                f"'{preferred[cid]}' of {cid}; add it as admitted if wanted"
            )
            continue
        present.add(key)
        owner.setdefault(fold_term(row.de), cid)
        if row.status == "preferred":
            preferred[cid] = row.en
        to_add.append(row)
    return to_add, skipped, already


def _split_lines(body: bytes) -> list[bytes]:
    """Lines with their endings, split exactly as the parser numbers them."""
    parts = body.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _newline_of(lines: Sequence[bytes]) -> bytes:
    for line in lines:
        if line.endswith(b"\r\n"):
            return b"\r\n"
        if line.endswith(b"\n"):
            return b"\n"
    return os.linesep.encode() if os.linesep == "\r\n" else b"\n"


def _problem_set(problems: Iterable[Problem]) -> Counter[str]:
    """Problems without line numbers, to see what an edit introduces."""
    return Counter(re.sub(r":\d+\b", ":N", p.message) for p in problems if p.severity == "error")


def _validate_edit(path: Path, before: bytes, after: bytes) -> None:
    old = parse_tsv(before, str(path)) if before else ParsedGlossary([], [])
    new = parse_tsv(after, str(path))
    old_problems = old.problems + check_entries(old.entries)
    new_problems = new.problems + check_entries(new.entries)
    introduced = _problem_set(new_problems) - _problem_set(old_problems)
    if introduced:
        bad = [p for p in new_problems if re.sub(r":\d+\b", ":N", p.message) in introduced]
        raise_for_errors(bad)


def add_entries(path: str | os.PathLike[str], entries: Sequence[GlossaryEntry]) -> list[int]:
    """Add rows to a glossary file; return their line numbers.

    A row joins the end of its concept's block when the concept is already in
    the file, else the end of the file.  Every other line stays byte-identical;
    nothing is written if the result would have a new problem.  The file is
    locked (`transkit.fileio.edit_lock`) from reading to writing, so parallel
    edits never lose a row.
    """
    with edit_lock(path):
        return _add_entries(Path(path), entries)


def _add_entries(target: Path, entries: Sequence[GlossaryEntry]) -> list[int]:
    before = read_glossary_bytes(target) if target.exists() else b""
    bom = b"\xef\xbb\xbf" if before.startswith(b"\xef\xbb\xbf") else b""
    body = before[len(bom) :]
    parsed = parse_tsv(body, str(target)) if body else ParsedGlossary([], [], COLUMNS, 0)
    if body and not parsed.columns:
        raise_for_errors(parsed.problems)
    lines = _split_lines(body)
    newline = _newline_of(lines)
    if not lines:
        lines = [("\t".join(COLUMNS)).encode() + newline]
    elif not lines[-1].endswith(b"\n"):
        lines[-1] += newline
    last_of: dict[str, int] = {}
    for e in parsed.entries:
        last_of[e.id] = e.line  # 1-based line of the concept's last row
    inserted: list[tuple[int, bytes]] = []  # (after 1-based line, row)
    for entry in entries:
        row = format_row(entry, parsed.columns or COLUMNS).encode("utf-8") + newline
        after = last_of.get(entry.id, len(lines))
        inserted.append((after, row))
    # Rows for the same spot keep their input order.
    order = sorted(range(len(inserted)), key=lambda i: (inserted[i][0], i))
    result = list(lines)
    positions = [0] * len(inserted)
    for offset, i in enumerate(order):
        after, row = inserted[i]
        result.insert(after + offset, row)
        positions[i] = after + offset + 1
    data = bom + b"".join(result)
    _validate_edit(target, body, data[len(bom) :])
    atomic_write_bytes(target, data)
    return positions


def add_entry(path: str | os.PathLike[str], entry: GlossaryEntry) -> int:
    """Add one row (see `add_entries`); return its line number."""
    return add_entries(path, [entry])[0]


def remove_entries(
    path: str | os.PathLike[str], id_or_term: str, en: str | None = None
) -> list[GlossaryEntry]:
    """Remove the rows of a concept (by id) or of a German term; return them.

    With ``en`` only the row with that English term goes.  Comments and all
    other lines stay byte-identical; removing a concept's preferred term while
    its other rows stay is refused, since that would leave a broken concept.
    """
    with edit_lock(path):
        return _remove_entries(Path(path), id_or_term, en)


def _remove_entries(target: Path, id_or_term: str, en: str | None) -> list[GlossaryEntry]:
    data = read_glossary_bytes(target)
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    body = data[len(bom) :]
    parsed = parse_tsv(body, str(target))
    if not parsed.columns:
        raise_for_errors(parsed.problems)
    wanted = fold_term(id_or_term)
    doomed = [
        e
        for e in parsed.entries
        if (e.id == id_or_term or fold_term(e.de) == wanted) and (en is None or e.en == en)
    ]
    if not doomed:
        what = f"'{id_or_term}'" + (f" -> '{en}'" if en is not None else "")
        raise GlossaryError(f"no entry {what} in this glossary", file=str(target))
    lines = _split_lines(body)
    drop = {e.line for e in doomed}
    kept = [line for i, line in enumerate(lines, start=1) if i not in drop]
    result = bom + b"".join(kept)
    _validate_edit(target, body, result[len(bom) :])
    atomic_write_bytes(target, result)
    return doomed


def remove_entry(path: str | os.PathLike[str], id_or_term: str, en: str | None = None) -> int:
    """Remove rows (see `remove_entries`); return how many went."""
    return len(remove_entries(path, id_or_term, en))
