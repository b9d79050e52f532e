"""Glossaries as CSV/TSV: the shapes DeepL and OmegaT read, and a lossless table.

Dialects:

``deepl``
    DeepL glossary entries: ``source,target`` per line, no header (a ``.tsv``,
    ``.tab`` or ``.txt`` path is written tab-separated, which DeepL also accepts).  DeepL allows
    one target per source, so only *preferred* English terms are exported
    (do-not-translate entries as ``Term,Term``); admitted, deprecated and
    forbidden terms cannot be expressed and are left out.  Entries DeepL
    would reject (empty, leading/trailing whitespace, control characters,
    over 1024 UTF-8 bytes) and second targets for a source are left out and
    described in ``problems``.  Reading accepts DeepL's own exports too
    (``source,target,source_lang,target_lang[,relevance]``).
``omegat``
    An OmegaT glossary (``.txt``/``.utf8``): UTF-8, ``source<TAB>target<TAB>
    comment`` with no quoting; lines starting with ``#`` are comments.  The
    preferred English term comes first, admitted ones follow; deprecated and
    forbidden terms are left out (OmegaT would offer them for insertion).
    The comment column carries the note.
``csv`` / ``tsv``
    Every `GlossaryEntry` field under a header row (``id,de,en,status,pos,
    dnt,case_sensitive,domain,note``): lossless.  Reading also takes ``;``
    as the separator (German Excel), any column order, and missing optional
    columns.

Importing ``deepl``/``omegat`` gives each German term a stable id (its slug,
e.g. ``exportkontrolle``); its first English term is *preferred* and further
ones *admitted*; ``dnt`` is set where English equals German.  All readers
take UTF-8 with or without a BOM and UTF-16 with a BOM (Excel's "Unicode
text"), and report bad rows as ``FILE:LINE: ...``.

Quoted (comma) files and the lossless ``tsv`` are opened in spreadsheets, so
a cell starting with ``= + - @``, tab or CR is written with a leading
apostrophe (OWASP's CSV-injection advice) and read back without it; the
unquoted tab files for OmegaT and DeepL are tool input and stay verbatim.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import fields

from transkit.data import TERM_STATUSES, GlossaryEntry
from transkit.errors import FormatError
from transkit.fileio import atomic_write_text

__all__ = [
    "COLUMNS",
    "DIALECTS",
    "FORMULA_STARTS",
    "guard_formula",
    "read_term_csv",
    "term_slug",
    "unguard_formula",
    "write_term_csv",
]

DIALECTS = ("deepl", "omegat", "csv", "tsv")

#: Columns of the lossless ``csv``/``tsv`` dialects, in order.
COLUMNS = tuple(f.name for f in fields(GlossaryEntry) if f.name not in {"file", "line"})

_TRUE = {"yes", "y", "true", "1", "x", "ja", "j"}
_FALSE = {"no", "n", "false", "0", "", "nein"}
#: C0 and C1 controls and Unicode line/paragraph separators (DeepL rejects them).
_DEEPL_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_DEEPL_MAX_BYTES = 1024
_GERMAN_LETTERS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def term_slug(term: str) -> str:
    """A stable ASCII id for a term: ``"Außenpolitik"`` -> ``"aussenpolitik"``.

    >>> term_slug("Vereinigte Staaten")
    'vereinigte-staaten'
    """
    text = term.translate(_GERMAN_LETTERS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "t-" + hashlib.sha1(term.encode("utf-8")).hexdigest()[:8]


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown glossary CSV dialect {dialect!r}; expected one of {DIALECTS}")


def _where(entry: GlossaryEntry) -> str:
    if entry.file:
        return f"{entry.file}:{entry.line}: " if entry.line else f"{entry.file}: "
    return f"concept {entry.id}: "


#: What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(cell: str) -> str:
    """``=SUM(A1)`` -> ``'=SUM(A1)``: a spreadsheet shows it as text, never runs it.

    OWASP's advice for CSV files: a cell that starts with ``= + - @``, a tab
    or a carriage return gets a leading apostrophe (and is quoted by the CSV
    writer when needed).  `unguard_formula` undoes it on import; a cell that
    already starts with apostrophes before such a character gets one more, so
    the round trip is exact.
    """
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def unguard_formula(cell: str) -> str:
    """Undo `guard_formula` (a cell written by transkit, or by anyone following OWASP)."""
    guarded = cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS)
    return cell[1:] if guarded else cell


def _csv_text(
    rows: Sequence[Sequence[str]], delimiter: str, *, quoting: int, lineterminator: str
) -> str:
    """CSV text; quoted dialects (the ones spreadsheets open) get `guard_formula`."""
    out = io.StringIO()
    if quoting != csv.QUOTE_NONE:
        rows = [[guard_formula(cell) for cell in row] for row in rows]
    if quoting == csv.QUOTE_NONE:
        writer = csv.writer(
            out,
            delimiter=delimiter,
            quoting=quoting,
            quotechar=None,
            escapechar=None,
            lineterminator=lineterminator,
        )
    else:
        writer = csv.writer(
            out, delimiter=delimiter, quoting=quoting, lineterminator=lineterminator
        )
    writer.writerows(rows)
    return out.getvalue()


# --------------------------------------------------------------- writing
def _deepl_problem(term: str) -> str | None:
    if not term:
        return "is empty"
    if term != term.strip():
        return "has leading or trailing whitespace"
    if _DEEPL_BAD.search(term):
        return "contains a control character or line break"
    if len(term.encode("utf-8")) > _DEEPL_MAX_BYTES:
        return f"is longer than {_DEEPL_MAX_BYTES} UTF-8 bytes"
    return None


def _deepl_rows(entries: Sequence[GlossaryEntry], problems: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    chosen: dict[str, str] = {}
    for entry in entries:
        if entry.status != "preferred":
            continue
        target = entry.de if entry.dnt and not entry.en else entry.en
        bad = next(
            (
                f"{label} {term!r} {why}"
                for label, term in (("source", entry.de), ("target", target))
                if (why := _deepl_problem(term))
            ),
            None,
        )
        if bad:
            problems.append(f"{_where(entry)}not exported to DeepL: {bad}")
            continue
        if entry.de in chosen:
            if chosen[entry.de] != target:
                problems.append(
                    f"{_where(entry)}not exported to DeepL: {entry.de!r} already maps to "
                    f"{chosen[entry.de]!r} (DeepL allows one target per source)"
                )
            continue
        chosen[entry.de] = target
        rows.append([entry.de, target])
    return rows


def _omegat_rows(entries: Sequence[GlossaryEntry], problems: list[str]) -> list[list[str]]:
    by_source: dict[str, list[GlossaryEntry]] = {}
    for entry in entries:
        if entry.status in {"preferred", "admitted"}:
            by_source.setdefault(entry.de, []).append(entry)
    rows: list[list[str]] = []
    for source, group in by_source.items():
        if source.startswith("#") or any(c in source for c in "\t\r\n") or not source.strip():
            problems.append(
                f"{_where(group[0])}not exported to OmegaT: source {source!r} is empty, "
                "starts with '#' or contains a tab or line break"
            )
            continue
        group = sorted(group, key=lambda e: e.status != "preferred")  # stable
        seen: set[str] = set()
        for entry in group:
            if entry.en in seen:
                continue
            seen.add(entry.en)
            if any(c in entry.en for c in "\t\r\n") or not entry.en.strip():
                problems.append(
                    f"{_where(entry)}not exported to OmegaT: target {entry.en!r} is empty "
                    "or contains a tab or line break"
                )
                continue
            comment = " ".join(entry.note.replace("\t", " ").splitlines())
            rows.append([source, entry.en, comment] if comment else [source, entry.en])
    return rows


def _full_rows(entries: Sequence[GlossaryEntry]) -> list[list[str]]:
    rows = [list(COLUMNS)]
    for entry in entries:
        row = []
        for name in COLUMNS:
            value = getattr(entry, name)
            row.append(("yes" if value else "no") if isinstance(value, bool) else value)
        rows.append(row)
    return rows


def write_term_csv(
    entries: Sequence[GlossaryEntry],
    path: str | os.PathLike[str],
    dialect: str,
    *,
    problems: list[str] | None = None,
) -> int:
    """Write ``entries`` in ``dialect`` to ``path``, atomically; return how many rows.

    Entries the dialect cannot carry are left out (DeepL and OmegaT have no
    escape for a tab or line break in a term, nor a place for forbidden
    terms); when ``problems`` is a list, each left-out entry the user might
    not expect to lose (a term with a tab or line break, a DeepL rejection, a
    second DeepL target) is described there.  The count returned is the
    number of entries actually written, so a caller can say how many were not.
    """
    _check_dialect(dialect)
    notes: list[str] = []
    rows: list[list[str]]
    if dialect == "deepl":
        tab = os.fspath(path).lower().endswith((".tsv", ".tab", ".txt"))
        rows = _deepl_rows(entries, notes)
        text = _csv_text(
            rows,
            "\t" if tab else ",",
            quoting=csv.QUOTE_NONE if tab else csv.QUOTE_MINIMAL,
            lineterminator="\n",
        )
    elif dialect == "omegat":
        rows = _omegat_rows(entries, notes)
        text = _csv_text(rows, "\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
    else:
        # CRLF so that a field holding a bare CR or LF is always quoted.
        rows = _full_rows(entries)[1:]
        text = _csv_text(
            [list(COLUMNS), *rows],
            "," if dialect == "csv" else "\t",
            quoting=csv.QUOTE_MINIMAL,
            lineterminator="\r\n",
        )
    atomic_write_text(path, text)
    if problems is not None:
        problems.extend(notes)
    return len(rows)


# --------------------------------------------------------------- reading
def _decode(path: str | os.PathLike[str]) -> str:
    from transkit.errors import InputError
    from transkit.fileio import read_limited

    name = os.fspath(path)
    try:
        data = read_limited(name)
    except InputError as err:
        raise FormatError(f"cannot read glossary file: {err.message}", file=name) from None
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise FormatError(
            f"not {encoding.replace('-sig', '').upper()} text (byte {data[err.start]:#04x}); "
            "save it as UTF-8 (Excel: 'CSV UTF-8')",
            file=name,
            line=line,
        ) from err


def _records(text: str, delimiter: str, quoting: int, name: str):
    """Yield (first line number, fields) per CSV record, skipping blank lines."""
    if quoting == csv.QUOTE_NONE:
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, quotechar=None
        )
    else:
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, strict=True
        )
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise FormatError(f"malformed CSV: {err}", file=name, line=reader.line_num) from err
        line, start = start, reader.line_num + 1
        if not any(field.strip() for field in record):
            continue
        if quoting != csv.QUOTE_NONE:
            record = [unguard_formula(field) for field in record]
        yield line, record


class _IdMaker:
    """Stable ids for imported terms: one per German term, slug-based, unique."""

    def __init__(self) -> None:
        self.by_term: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, de: str) -> str:
        if de not in self.by_term:
            base = term_slug(de)
            new, n = base, 2
            while new in self.used:
                new = f"{base}-{n}"
                n += 1
            self.used.add(new)
            self.by_term[de] = new
        return self.by_term[de]


def _pairs_to_entries(pairs, name: str, problems: list[str] | None) -> list[GlossaryEntry]:
    """(line, de, en, note) tuples -> entries: first target preferred, others admitted."""
    ids = _IdMaker()
    seen: set[tuple[str, str]] = set()
    count: dict[str, int] = {}
    entries: list[GlossaryEntry] = []
    for line, de, en, note in pairs:
        if (de, en) in seen:
            if problems is not None:
                problems.append(f"{name}:{line}: duplicate entry {de!r} -> {en!r} skipped")
            continue
        seen.add((de, en))
        status = "preferred" if count.get(de, 0) == 0 else "admitted"
        count[de] = count.get(de, 0) + 1
        entries.append(
            GlossaryEntry(
                id=ids(de),
                de=de,
                en=en,
                status=status,
                dnt=de == en,
                note=note,
                file=name,
                line=line,
            )
        )
    return entries


def _require(value: str, what: str, name: str, line: int) -> str:
    value = value.strip()
    if not value:
        raise FormatError(f"empty {what} term", file=name, line=line)
    return value


def _read_deepl(text: str, name: str, problems) -> list[GlossaryEntry]:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    tab = "\t" in first
    pairs = []
    for line, record in _records(
        text, "\t" if tab else ",", csv.QUOTE_NONE if tab else csv.QUOTE_MINIMAL, name
    ):
        if len(record) not in (2, 4, 5):
            raise FormatError(
                f"expected 'source,target' (optionally ',source_lang,target_lang'), "
                f"found {len(record)} fields",
                file=name,
                line=line,
            )
        if len(record) >= 4:
            langs = (record[2].strip().lower(), record[3].strip().lower())
            if not (langs[0].startswith("de") and langs[1].startswith("en")):
                raise FormatError(
                    f"this DeepL glossary is {record[2]}->{record[3]}, not German->English",
                    file=name,
                    line=line,
                )
        pairs.append(
            (
                line,
                _require(record[0], "source", name, line),
                _require(record[1], "target", name, line),
                "",
            )
        )
    return _pairs_to_entries(pairs, name, problems)


def _read_omegat(text: str, name: str, problems) -> list[GlossaryEntry]:
    pairs = []
    for line, record in _records(text, "\t", csv.QUOTE_NONE, name):
        if record[0].lstrip().startswith("#"):
            continue
        if len(record) < 2:
            raise FormatError(
                "expected 'source<TAB>target[<TAB>comment]', found no tab", file=name, line=line
            )
        comment = record[2].strip() if len(record) > 2 else ""
        pairs.append(
            (
                line,
                _require(record[0], "source", name, line),
                _require(record[1], "target", name, line),
                comment,
            )
        )
    return _pairs_to_entries(pairs, name, problems)


def _bool(value: str, column: str, name: str, line: int) -> bool:
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise FormatError(f"{column}: expected yes or no, found {value!r}", file=name, line=line)


def _read_full(text: str, name: str, dialect: str) -> list[GlossaryEntry]:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = "\t" if dialect == "tsv" else ","
    if dialect == "csv" and first.count(";") > first.count(","):
        delimiter = ";"  # German Excel
    records = _records(text, delimiter, csv.QUOTE_MINIMAL, name)
    try:
        header_line, header = next(records)
    except StopIteration:
        return []
    columns = [h.strip().lower().replace("-", "_").replace(" ", "_") for h in header]
    unknown = [h for h in columns if h not in COLUMNS]
    if unknown or "de" not in columns or "en" not in columns:
        raise FormatError(
            f"header must name the columns {', '.join(COLUMNS)} (de and en required); "
            + (f"unknown: {', '.join(unknown)}" if unknown else "de or en missing"),
            file=name,
            line=header_line,
        )
    ids = _IdMaker()
    entries = []
    for line, record in records:
        if len(record) != len(columns):
            raise FormatError(
                f"expected {len(columns)} fields, found {len(record)}", file=name, line=line
            )
        values = dict(zip(columns, record, strict=True))
        if not values["de"].strip() or not values["en"].strip():
            raise FormatError("empty de or en term", file=name, line=line)
        status = values.get("status", "").strip() or "preferred"
        if status not in TERM_STATUSES:
            raise FormatError(
                f"status {status!r} is not one of {', '.join(TERM_STATUSES)}",
                file=name,
                line=line,
            )
        entries.append(
            GlossaryEntry(
                id=values.get("id") or ids(values["de"]),
                de=values["de"],
                en=values["en"],
                status=status,
                pos=values.get("pos", ""),
                dnt=_bool(values.get("dnt", ""), "dnt", name, line),
                case_sensitive=_bool(
                    values.get("case_sensitive", ""), "case_sensitive", name, line
                ),
                domain=values.get("domain", ""),
                note=values.get("note", ""),
                file=name,
                line=line,
            )
        )
    return entries


def read_term_csv(
    path: str | os.PathLike[str],
    dialect: str,
    *,
    problems: list[str] | None = None,
) -> list[GlossaryEntry]:
    """Read glossary rows from a ``dialect`` file (see the module docstring).

    Raises `FormatError` naming the file and line of the first bad row;
    duplicate pairs in DeepL/OmegaT files are skipped and, when ``problems``
    is a list, described there.
    """
    _check_dialect(dialect)
    name = os.fspath(path)
    text = _decode(path)
    if dialect == "deepl":
        return _read_deepl(text, name, problems)
    if dialect == "omegat":
        return _read_omegat(text, name, problems)
    return _read_full(text, name, dialect)
