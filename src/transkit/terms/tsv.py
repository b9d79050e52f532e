"""Glossary TSV files: parsing rows into `GlossaryEntry` objects and formatting rows back.

A glossary file is UTF-8 TSV with a header line; ``#`` comment lines and blank
lines are allowed anywhere and survive every edit.  Each data row is one
(German term, English term) pair; rows sharing ``id`` form one concept with
exactly one preferred English term (see ``glossary/README.md``).  Parsing
reports *every* problem as a `Problem` with ``file:line``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from transkit.data import TERM_STATUSES, GlossaryEntry

#: Columns in the order new files get them.  Files may order them freely.
COLUMNS = ("id", "de", "en", "status", "pos", "dnt", "case", "domain", "note")
#: Columns a header must have.
REQUIRED_COLUMNS = ("id", "de", "en", "status")
#: TBX-Basic ``partOfSpeech`` picklist, so TBX import/export is lossless.
PARTS_OF_SPEECH = ("noun", "properNoun", "verb", "adjective", "adverb", "other")

_YES = {"yes": True, "no": False, "": False}
_CASE = {"sensitive": True, "insensitive": False, "": False}
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\([tnr\\])")


# --------------------------------------------------------------------- types


@dataclass(frozen=True)
class Problem:
    """One finding of the loader or of lint, printed as ``file:line: message``."""

    file: str
    line: int
    message: str
    severity: str = "error"  # "error" (loading fails) or "warning" (lint only)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        kind = "warning: " if self.severity == "warning" else ""
        return " ".join(f"{where}{kind}{self.message}".splitlines())  # one line, even for a CR


# ------------------------------------------------------------------- parsing


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], value)


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def is_skipped_line(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


@dataclass
class ParsedGlossary:
    """A parsed file: its entries, problems and layout (for editing)."""

    entries: list[GlossaryEntry]
    problems: list[Problem]
    columns: tuple[str, ...] = ()
    header_line: int = 0


def parse_glossary_bytes(data: bytes, file: str) -> tuple[list[GlossaryEntry], list[Problem]]:
    """Entries and per-row problems of one glossary file's bytes (no cross checks)."""
    parsed = parse_tsv(data, file)
    return parsed.entries, parsed.problems


def _decoded_lines(data: bytes, file: str, problems: list[Problem]) -> list[str | None]:
    """Lines of ``data`` (None where a line is not UTF-8, with a problem for it)."""
    try:
        return list(data.decode("utf-8").split("\n"))
    except UnicodeDecodeError:
        pass
    lines: list[str | None] = []
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            problems.append(
                Problem(
                    file,
                    lineno,
                    f"bad encoding: not UTF-8 (byte {raw[err.start]:#04x} "
                    f"at column {err.start + 1})",
                )
            )
            lines.append(None)
    return lines


def parse_tsv(data: bytes, file: str) -> ParsedGlossary:
    entries: list[GlossaryEntry] = []
    problems: list[Problem] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    columns: tuple[str, ...] = ()
    header_line = 0
    positions: tuple[int, ...] = ()
    ncols = 0
    for lineno, line in enumerate(_decoded_lines(data, file, problems), start=1):
        if line is None:
            continue
        if line.endswith("\r"):
            line = line[:-1]
        if not line or line[0] == "#" or (line[0] in " \t\f\v" and is_skipped_line(line)):
            continue
        if "\x00" in line:
            problems.append(Problem(file, lineno, "bad encoding: NUL byte (binary file?)"))
            continue
        if not columns:
            columns, header_problems = _parse_header(line, file, lineno)
            problems.extend(header_problems)
            if not columns:
                return ParsedGlossary(entries, problems)
            header_line = lineno
            positions = tuple(columns.index(c) if c in columns else -1 for c in COLUMNS)
            ncols = len(columns)
            continue
        cells = line.split("\t")
        if len(cells) != ncols:
            if len(cells) > ncols and not any(c.strip() for c in cells[ncols:]):
                cells = cells[:ncols]  # trailing empty fields
            elif len(cells) < ncols and not set(columns[len(cells) :]) & set(REQUIRED_COLUMNS):
                cells = cells + [""] * (ncols - len(cells))  # optional trailing fields left out
            else:
                problems.append(
                    Problem(
                        file, lineno, f"expected {ncols} tab-separated fields, found {len(cells)}"
                    )
                )
                continue
        if positions == _IDENTITY:
            values = cells
            if " " in line and (
                line[0] == " " or line[-1] == " " or " \t" in line or "\t " in line
            ):
                values = [v.strip() for v in values]
        else:
            values = [cells[i].strip() if i >= 0 else "" for i in positions]
        if "\\" in line:
            values = [_unescape(v) for v in values]
        entry = _row_entry(values, file, lineno, problems)
        if entry is not None:
            entries.append(entry)
    if not columns:
        problems.append(Problem(file, 1, "no header line (expected: " + "\t".join(COLUMNS) + ")"))
    return ParsedGlossary(entries, problems, columns, header_line)


def _parse_header(line: str, file: str, lineno: int) -> tuple[tuple[str, ...], list[Problem]]:
    names = tuple(c.strip().lower() for c in line.split("\t"))
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(
            Problem(
                file,
                lineno,
                f"header lacks column(s) {', '.join(missing)} (expected: "
                + "\t".join(COLUMNS)
                + ")",
            )
        )
        return (), problems
    unknown = [c for c in names if c not in COLUMNS]
    if unknown:
        problems.append(Problem(file, lineno, f"unknown column(s) {', '.join(unknown)}"))
    dupes = [c for c, n in Counter(names).items() if n > 1]
    if dupes:
        problems.append(Problem(file, lineno, f"repeated column(s) {', '.join(dupes)}"))
    return names, problems


_IDENTITY = tuple(range(len(COLUMNS)))
STATUS_SET = frozenset(TERM_STATUSES)
_POS_SET = frozenset(PARTS_OF_SPEECH)


def _row_entry(
    values: list[str], file: str, lineno: int, problems: list[Problem]
) -> GlossaryEntry | None:
    """Validate one row's values (in `COLUMNS` order); the entry, or None if unusable."""
    ident, de, en, status, pos, dnt_text, case_text, domain, note = values
    dnt = _YES.get(dnt_text)
    case_sensitive = _CASE.get(case_text)
    if (
        ident
        and de
        and en
        and status in STATUS_SET
        and (not pos or pos in _POS_SET)
        and dnt is not None
        and case_sensitive is not None
        and (not dnt or en == de)
    ):
        return GlossaryEntry(
            ident, de, en, status, pos, dnt, case_sensitive, domain, note, file, lineno
        )
    # Slow path: say everything that is wrong with the row.
    for name, value in (("id", ident), ("de", de), ("status", status)):
        if not value:
            problems.append(Problem(file, lineno, f"empty field '{name}'"))
    if status and status not in STATUS_SET:
        problems.append(
            Problem(file, lineno, f"unknown status '{status}' (use {', '.join(TERM_STATUSES)})")
        )
    if dnt is None:
        dnt = _YES.get(dnt_text.lower())
        if dnt is None:
            problems.append(Problem(file, lineno, f"dnt must be yes or no, not '{dnt_text}'"))
    if case_sensitive is None:
        case_sensitive = _CASE.get(case_text.lower())
        if case_sensitive is None:
            problems.append(
                Problem(file, lineno, f"case must be sensitive or insensitive, not '{case_text}'")
            )
    if pos and pos not in _POS_SET:
        problems.append(
            Problem(
                file, lineno, f"unknown part of speech '{pos}' (use {', '.join(PARTS_OF_SPEECH)})"
            )
        )
    if not en:
        if dnt:
            en = de
        else:
            problems.append(
                Problem(file, lineno, "empty field 'en' (leave it empty only with dnt=yes)")
            )
    if dnt and en and de and en != de:
        problems.append(
            Problem(file, lineno, f"dnt=yes but English '{en}' differs from German '{de}'")
        )
    if not ident or not de:
        return None
    return GlossaryEntry(
        ident, de, en, status, pos, bool(dnt), bool(case_sensitive), domain, note, file, lineno
    )


# ------------------------------------------------------------------- editing


def format_row(entry: GlossaryEntry, columns: Sequence[str] = COLUMNS) -> str:
    """One TSV line (no line break) for ``entry`` in a file with ``columns``."""
    values = {
        "id": entry.id,
        "de": entry.de,
        "en": entry.en,
        "status": entry.status,
        "pos": entry.pos,
        "dnt": "yes" if entry.dnt else "no",
        "case": "sensitive" if entry.case_sensitive else "insensitive",
        "domain": entry.domain,
        "note": entry.note,
    }
    return "\t".join(_escape(values.get(c, "")) for c in columns)
