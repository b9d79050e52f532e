"""Glossaries: TSV files that editors curate in git, loaded into one `Glossary`.

A glossary file is UTF-8 TSV with a header line; ``#`` comment lines and blank
lines are allowed anywhere and survive every edit.  Each data row is one
(German term, English term) pair; rows sharing ``id`` form one concept with
exactly one preferred English term (see ``glossary/README.md``).

Loading checks everything and reports *every* problem as ``file:line:
message`` at once (`GlossaryError.problems`), because an editor fixing a
merge conflict wants the whole list, not one error per run.  Edits
(`add_entries`, `remove_entries`) rewrite the file atomically and leave every
line they do not touch byte-identical, so diffs stay reviewable.
"""

from __future__ import annotations

import gc
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from transkit.data import TERM_STATUSES, GlossaryEntry
from transkit.errors import GlossaryError
from transkit.fileio import atomic_write_bytes

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "PARTS_OF_SPEECH",
    "Problem",
    "Concept",
    "GlossarySource",
    "Glossary",
    "glossary_files",
    "default_glossary_paths",
    "resolve_glossary_paths",
    "parse_glossary_bytes",
    "check_entries",
    "gc_paused",
    "load_glossary",
    "load_glossaries",
    "lint_glossary",
    "format_row",
    "new_concept_id",
    "merge_plan",
    "add_entries",
    "add_entry",
    "remove_entries",
    "remove_entry",
]

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
        return f"{where}{kind}{self.message}"


class Concept(NamedTuple):
    """All rows that share one id: German terms and English terms by status.

    A named tuple rather than a dataclass: a 100,000-entry glossary builds
    100,000 of them, and tuples are several times cheaper to create.
    """

    id: str
    de: tuple[str, ...]
    preferred: str
    admitted: tuple[str, ...] = ()
    deprecated: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    dnt: bool = False
    case_sensitive: bool = False
    pos: str = ""
    domain: str = ""
    note: str = ""
    entries: tuple[GlossaryEntry, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        """English terms that satisfy the concept: preferred first, then admitted."""
        if not self.admitted:
            return (self.preferred,) if self.preferred else ()
        return tuple(dict.fromkeys(t for t in (self.preferred, *self.admitted) if t))


class GlossarySource(NamedTuple):
    """A glossary file that was used, and how many entries (rows) it holds."""

    path: str
    entries: int

    def __str__(self) -> str:
        return f"{self.path} ({self.entries} entries)"


@dataclass(frozen=True)
class Glossary:
    """Loaded glossary rows plus their concepts.  Treat it as immutable."""

    entries: tuple[GlossaryEntry, ...] = ()
    files: tuple[GlossarySource, ...] = ()
    _concepts: dict[str, Concept] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_concepts", _build_concepts(self.entries))

    def __len__(self) -> int:
        return len(self.entries)

    def concepts(self) -> tuple[Concept, ...]:
        """Concepts in the order their first row appears."""
        return tuple(self._concepts.values())

    def concept(self, concept_id: str) -> Concept:
        """The concept with this id (KeyError if there is none)."""
        return self._concepts[concept_id]

    def summary(self) -> str:
        """One line for run summaries: which files, how many entries."""
        if not self.files:
            return "no glossary"
        files = ", ".join(str(f) for f in self.files)
        return f"{len(self.entries)} entries, {len(self._concepts)} concepts from {files}"


def _build_concepts(entries: Iterable[GlossaryEntry]) -> dict[str, Concept]:
    groups: dict[str, list[GlossaryEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.id, []).append(entry)
    concepts = {}
    for cid, rows in groups.items():
        if len(rows) == 1 and rows[0].status in ("preferred", "admitted"):
            row = rows[0]
            concepts[cid] = Concept(
                cid,
                (row.de,),
                row.en,
                (),
                (),
                (),
                row.dnt,
                row.case_sensitive,
                row.pos,
                row.domain,
                row.note,
                (row,),
            )
            continue
        by_status: dict[str, list[str]] = {s: [] for s in TERM_STATUSES}
        for row in rows:
            if row.status in by_status and row.en not in by_status[row.status]:
                by_status[row.status].append(row.en)
        preferred = (by_status["preferred"] or by_status["admitted"] or [""])[0]
        head = next((r for r in rows if r.status == "preferred"), rows[0])
        concepts[cid] = Concept(
            id=cid,
            de=tuple(dict.fromkeys(r.de for r in rows)),
            preferred=preferred,
            admitted=tuple(t for t in by_status["admitted"] if t != preferred),
            deprecated=tuple(by_status["deprecated"]),
            forbidden=tuple(by_status["forbidden"]),
            dnt=head.dnt,
            case_sensitive=any(r.case_sensitive for r in rows),
            pos=next((r.pos for r in rows if r.pos), ""),
            domain=next((r.domain for r in rows if r.domain), ""),
            note=head.note,
            entries=tuple(rows),
        )
    return concepts


# --------------------------------------------------------------------- paths


def glossary_files(path: str | os.PathLike[str]) -> list[Path]:
    """A file itself, or every ``*.tsv`` in a folder (sorted by name)."""
    p = Path(path)
    if p.is_dir():
        files = sorted(q for q in p.glob("*.tsv") if q.is_file())
        if not files:
            raise GlossaryError("folder holds no *.tsv glossary files", file=str(p))
        return files
    if not p.exists():
        raise GlossaryError("no such glossary file or folder", file=str(p))
    return [p]


def default_glossary_paths(cwd: str | os.PathLike[str] | None = None) -> list[Path]:
    """``./glossary/`` when that folder exists, else nothing."""
    folder = Path(cwd if cwd is not None else ".") / "glossary"
    if folder.is_dir() and any(folder.glob("*.tsv")):
        return [folder]
    return []


def resolve_glossary_paths(
    paths: Sequence[str | os.PathLike[str]] = (),
    no_glossary: bool = False,
    cwd: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """The glossary files a command uses (``--glossary``/``--no-glossary``).

    ``--no-glossary`` wins over nothing else: combining it with ``--glossary``
    is an error.  Without options, ``./glossary/`` applies when it exists.
    """
    if no_glossary and paths:
        raise GlossaryError("--glossary and --no-glossary contradict each other")
    if no_glossary:
        return []
    base = Path(cwd) if cwd is not None else None
    given = [Path(p) if base is None or Path(p).is_absolute() else base / p for p in paths]
    roots = given or default_glossary_paths(cwd)
    files: list[Path] = []
    for root in roots:
        for f in glossary_files(root):
            if f not in files:
                files.append(f)
    return files


# ------------------------------------------------------------------- parsing


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], value)


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _is_skipped(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


@dataclass
class _Parsed:
    """A parsed file: its entries, problems and layout (for editing)."""

    entries: list[GlossaryEntry]
    problems: list[Problem]
    columns: tuple[str, ...] = ()
    header_line: int = 0


def parse_glossary_bytes(data: bytes, file: str) -> tuple[list[GlossaryEntry], list[Problem]]:
    """Entries and per-row problems of one glossary file's bytes (no cross checks)."""
    parsed = _parse(data, file)
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


def _parse(data: bytes, file: str) -> _Parsed:
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
        if not line or line[0] == "#" or (line[0] in " \t\f\v" and _is_skipped(line)):
            continue
        if "\x00" in line:
            problems.append(Problem(file, lineno, "bad encoding: NUL byte (binary file?)"))
            continue
        if not columns:
            columns, header_problems = _parse_header(line, file, lineno)
            problems.extend(header_problems)
            if not columns:
                return _Parsed(entries, problems)
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
    return _Parsed(entries, problems, columns, header_line)


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
_STATUS_SET = frozenset(TERM_STATUSES)
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
        and status in _STATUS_SET
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
    if status and status not in _STATUS_SET:
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


def _fold(term: str) -> str:
    """Identity of a German term for duplicate checks: case-, space- and NFC-folded."""
    if term.isascii():
        return " ".join(term.lower().split())
    return " ".join(unicodedata.normalize("NFC", term).casefold().split())


def _at(entry: GlossaryEntry) -> str:
    return f"{entry.file}:{entry.line}"


def check_entries(entries: Sequence[GlossaryEntry]) -> list[Problem]:
    """Checks across rows: duplicates, conflicting targets, inconsistent concepts."""
    problems: list[Problem] = []
    seen_rows: dict[tuple[str, str, str], GlossaryEntry] = {}
    concept_file: dict[str, GlossaryEntry] = {}
    groups: dict[str, list[GlossaryEntry]] = {}
    folds = [_fold(e.de) for e in entries]
    for e, folded in zip(entries, folds, strict=True):
        key = (e.id, folded, e.en)
        first = seen_rows.get(key)
        if first is not None:
            if first.status != e.status:
                message = (
                    f"conflicting targets: '{e.en}' is {e.status} here but "
                    f"{first.status} at {_at(first)}"
                )
            else:
                message = f"duplicate entry {e.id}: '{e.de}' -> '{e.en}' (first at {_at(first)})"
            problems.append(Problem(e.file, e.line, message))
            continue
        seen_rows[key] = e
        home = concept_file.setdefault(e.id, e)
        if home.file != e.file:
            problems.append(
                Problem(
                    e.file,
                    e.line,
                    f"id '{e.id}' is also used in another file ({_at(home)}); ids must be unique",
                )
            )
        groups.setdefault(e.id, []).append(e)

    preferred_of: dict[str, str] = {}
    for cid, rows in groups.items():
        if len(rows) == 1:  # fast path: most concepts have one row
            row = rows[0]
            if row.status == "preferred":
                preferred_of[cid] = row.en
            elif row.status in _STATUS_SET:
                problems.append(
                    Problem(row.file, row.line, f"concept {cid} has no preferred English term")
                )
            continue
        preferred = [r for r in rows if r.status == "preferred"]
        names = list(dict.fromkeys(r.en for r in preferred))
        if not preferred and all(r.status in TERM_STATUSES for r in rows):
            problems.append(
                Problem(rows[0].file, rows[0].line, f"concept {cid} has no preferred English term")
            )
        elif len(names) > 1:
            listing = ", ".join(f"'{r.en}' ({_at(r)})" for r in preferred)
            problems.append(
                Problem(
                    preferred[1].file,
                    preferred[1].line,
                    f"conflicting targets: concept {cid} has several "
                    f"preferred English terms: {listing}",
                )
            )
        if names:
            preferred_of[cid] = names[0]
        status_of: dict[str, GlossaryEntry] = {}
        for r in rows:
            other = status_of.setdefault(r.en, r)
            if other.status != r.status and other.de == r.de:
                problems.append(
                    Problem(
                        r.file,
                        r.line,
                        f"conflicting targets: '{r.en}' is "
                        f"{r.status} here but {other.status} at {_at(other)}",
                    )
                )
        for de in {r.de for r in rows}:
            if len({r.case_sensitive for r in rows if r.de == de}) > 1:
                problems.append(
                    Problem(
                        rows[-1].file,
                        rows[-1].line,
                        f"concept {cid} rows for '{de}' disagree on 'case'",
                    )
                )
        for column in ("pos", "domain"):
            if len({getattr(r, column) for r in rows} - {""}) > 1:
                problems.append(
                    Problem(
                        rows[-1].file, rows[-1].line, f"concept {cid} rows disagree on '{column}'"
                    )
                )

    owner: dict[str, GlossaryEntry] = {}
    for e, folded in zip(entries, folds, strict=True):
        first = owner.setdefault(folded, e)
        if first.id == e.id:
            continue
        mine, theirs = preferred_of.get(e.id, ""), preferred_of.get(first.id, "")
        if mine and theirs and mine != theirs:
            problems.append(
                Problem(
                    e.file,
                    e.line,
                    f"conflicting targets: German '{e.de}' is "
                    f"'{mine}' in concept {e.id} but '{theirs}' in concept "
                    f"{first.id} ({_at(first)})",
                )
            )
        else:
            problems.append(
                Problem(
                    e.file,
                    e.line,
                    f"duplicate German term '{e.de}': also in concept {first.id} ({_at(first)})",
                )
            )
    return _unique(problems)


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    """Distinct problems in file and line order (the order an editor fixes them)."""
    return sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line))


# ------------------------------------------------------------------- loading


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise GlossaryError(f"cannot read glossary: {err.strerror}", file=str(path)) from None


def _collect(
    paths: Sequence[str | os.PathLike[str]],
) -> tuple[list[GlossaryEntry], list[GlossarySource], list[Problem]]:
    entries: list[GlossaryEntry] = []
    sources: list[GlossarySource] = []
    problems: list[Problem] = []
    files: list[Path] = []
    for p in paths:
        for f in glossary_files(p):
            if f not in files:
                files.append(f)
    for f in files:
        parsed = _parse(_read_bytes(f), str(f))
        entries.extend(parsed.entries)
        problems.extend(parsed.problems)
        sources.append(GlossarySource(str(f), len(parsed.entries)))
    problems.extend(check_entries(entries))
    return entries, sources, problems


def _raise_for(problems: Sequence[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        return
    first = errors[0]
    more = len(errors) - 1
    suffix = (
        f" (and {more} more problem{'s' if more > 1 else ''}; see `transkit glossary lint`)"
        if more
        else ""
    )
    raise GlossaryError(
        first.message + suffix,
        file=first.file,
        line=first.line or None,
        problems=[str(p) for p in errors],
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Loading 100,000 rows allocates ~1M objects and none of them form cycles;
    without this, generation-0 collections keep rescanning them (~30% of the
    load time).  The previous state is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_glossaries(paths: Sequence[str | os.PathLike[str]]) -> Glossary:
    """Load files and folders into one glossary; raise listing every problem."""
    with gc_paused():
        entries, sources, problems = _collect(paths)
        _raise_for(problems)
        return Glossary(tuple(entries), tuple(sources))


def load_glossary(path: str | os.PathLike[str]) -> Glossary:
    """Load one glossary file, or every ``*.tsv`` in a folder."""
    return load_glossaries([path])


def lint_glossary(
    paths: Sequence[str | os.PathLike[str]], *, near_threshold: float = 90.0
) -> list[Problem]:
    """Every load problem, plus warnings an editor should look at.

    Warnings: fields with stray whitespace; entries that never match their
    own German form (the matcher cannot find them); near-duplicate German
    terms in different concepts (rapidfuzz ratio >= ``near_threshold``, or the
    same form after inflection folding).
    """
    from transkit.termmatch import TermMatcher, term_key

    entries, _sources, problems = _collect(paths)
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
    return _unique(problems)


def _whitespace_warnings(paths: Sequence[str | os.PathLike[str]]) -> list[Problem]:
    warnings = []
    for p in paths:
        for f in glossary_files(p):
            for lineno, raw in enumerate(_read_bytes(f).split(b"\n"), start=1):
                line = raw.decode("utf-8", "replace").rstrip("\r")
                if _is_skipped(line):
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
            firsts.append((_fold(de), concept.id, row))
    warnings = []
    by_key: dict[str, tuple[str, GlossaryEntry]] = {}
    for folded, cid, row in firsts:
        key = term_key(row.de)
        other = by_key.setdefault(key, (cid, row))
        if other[0] != cid and _fold(other[1].de) != folded:
            warnings.append(
                Problem(
                    row.file,
                    row.line,
                    f"near-duplicate: '{row.de}' ({cid}) "
                    f"and '{other[1].de}' ({other[0]}, {_at(other[1])}) match "
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
                            f"({cid_a}, {_at(row_a)}; similarity {score:.0f})",
                            "warning",
                        )
                    )
    return warnings


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
    owner = {_fold(e.de): e.id for e in existing}
    present = {(e.id, _fold(e.de), e.en) for e in existing}
    preferred = {e.id: e.en for e in existing if e.status == "preferred"}
    ids = {e.id for e in existing}
    renamed: dict[str, str] = {}
    to_add: list[GlossaryEntry] = []
    skipped: list[str] = []
    already = 0
    for e in incoming:
        where = f"{e.file}:{e.line}: " if e.file and e.line else (f"{e.file}: " if e.file else "")
        cid = owner.get(_fold(e.de)) or renamed.get(e.id)
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
        key = (cid, _fold(row.de), row.en)
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
        owner.setdefault(_fold(row.de), cid)
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
    old = _parse(before, str(path)) if before else _Parsed([], [])
    new = _parse(after, str(path))
    old_problems = old.problems + check_entries(old.entries)
    new_problems = new.problems + check_entries(new.entries)
    introduced = _problem_set(new_problems) - _problem_set(old_problems)
    if introduced:
        bad = [p for p in new_problems if re.sub(r":\d+\b", ":N", p.message) in introduced]
        _raise_for(bad)


def add_entries(path: str | os.PathLike[str], entries: Sequence[GlossaryEntry]) -> list[int]:
    """Add rows to a glossary file; return their line numbers.

    A row joins the end of its concept's block when the concept is already in
    the file, else the end of the file.  Every other line stays byte-identical;
    nothing is written if the result would have a new problem.
    """
    target = Path(path)
    before = _read_bytes(target) if target.exists() else b""
    bom = b"\xef\xbb\xbf" if before.startswith(b"\xef\xbb\xbf") else b""
    body = before[len(bom) :]
    parsed = _parse(body, str(target)) if body else _Parsed([], [], COLUMNS, 0)
    if body and not parsed.columns:
        _raise_for(parsed.problems)
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
    target = Path(path)
    data = _read_bytes(target)
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    body = data[len(bom) :]
    parsed = _parse(body, str(target))
    if not parsed.columns:
        _raise_for(parsed.problems)
    wanted = _fold(id_or_term)
    doomed = [
        e
        for e in parsed.entries
        if (e.id == id_or_term or _fold(e.de) == wanted) and (en is None or e.en == en)
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
