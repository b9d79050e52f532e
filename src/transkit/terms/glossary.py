"""The loaded glossary: concepts, cross-row checks and loading from files and folders.

Loading checks everything and reports *every* problem as ``file:line:
message`` at once (`GlossaryError.problems`), because an editor fixing a
merge conflict wants the whole list, not one error per run.
"""

from __future__ import annotations

import gc
import os
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from transkit.data import TERM_STATUSES, GlossaryEntry
from transkit.errors import GlossaryError
from transkit.terms.tsv import STATUS_SET, Problem, parse_tsv


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


def fold_term(term: str) -> str:
    """Identity of a German term for duplicate checks: case-, space- and NFC-folded."""
    if term.isascii():
        return " ".join(term.lower().split())
    return " ".join(unicodedata.normalize("NFC", term).casefold().split())


def entry_location(entry: GlossaryEntry) -> str:
    return f"{entry.file}:{entry.line}"


def check_entries(entries: Sequence[GlossaryEntry]) -> list[Problem]:
    """Checks across rows: duplicates, conflicting targets, inconsistent concepts."""
    problems: list[Problem] = []
    seen_rows: dict[tuple[str, str, str], GlossaryEntry] = {}
    concept_file: dict[str, GlossaryEntry] = {}
    groups: dict[str, list[GlossaryEntry]] = {}
    folds = [fold_term(e.de) for e in entries]
    for e, folded in zip(entries, folds, strict=True):
        key = (e.id, folded, e.en)
        first = seen_rows.get(key)
        if first is not None:
            if first.status != e.status:
                message = (
                    f"conflicting targets: '{e.en}' is {e.status} here but "
                    f"{first.status} at {entry_location(first)}"
                )
            else:
                message = (
                    f"duplicate entry {e.id}: '{e.de}' -> '{e.en}' "
                    f"(first at {entry_location(first)})"
                )
            problems.append(Problem(e.file, e.line, message))
            continue
        seen_rows[key] = e
        home = concept_file.setdefault(e.id, e)
        if home.file != e.file:
            problems.append(
                Problem(
                    e.file,
                    e.line,
                    f"id '{e.id}' is also used in another file ({entry_location(home)}); "
                    "ids must be unique",
                )
            )
        groups.setdefault(e.id, []).append(e)

    preferred_of: dict[str, str] = {}
    for cid, rows in groups.items():
        if len(rows) == 1:  # fast path: most concepts have one row
            row = rows[0]
            if row.status == "preferred":
                preferred_of[cid] = row.en
            elif row.status in STATUS_SET:
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
            listing = ", ".join(f"'{r.en}' ({entry_location(r)})" for r in preferred)
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
                        f"{r.status} here but {other.status} at {entry_location(other)}",
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
                    f"{first.id} ({entry_location(first)})",
                )
            )
        else:
            problems.append(
                Problem(
                    e.file,
                    e.line,
                    f"duplicate German term '{e.de}': also in concept {first.id} "
                    f"({entry_location(first)})",
                )
            )
    return unique_problems(problems)


def unique_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Distinct problems in file and line order (the order an editor fixes them)."""
    return sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line))


# ------------------------------------------------------------------- loading


def read_glossary_bytes(path: Path) -> bytes:
    """The bytes of a glossary file, size-limited (``/dev/zero`` is no glossary)."""
    from transkit.errors import InputError
    from transkit.fileio import read_limited

    try:
        return read_limited(path)
    except InputError as err:
        raise GlossaryError(f"cannot read glossary: {err.message}", file=str(path)) from None


def collect_entries(
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
        parsed = parse_tsv(read_glossary_bytes(f), str(f))
        entries.extend(parsed.entries)
        problems.extend(parsed.problems)
        sources.append(GlossarySource(str(f), len(parsed.entries)))
    problems.extend(check_entries(entries))
    return entries, sources, problems


def raise_for_errors(problems: Sequence[Problem]) -> None:
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
        entries, sources, problems = collect_entries(paths)
        raise_for_errors(problems)
        return Glossary(tuple(entries), tuple(sources))


def load_glossary(path: str | os.PathLike[str]) -> Glossary:
    """Load one glossary file, or every ``*.tsv`` in a folder."""
    return load_glossaries([path])
