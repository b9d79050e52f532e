"""``transkit glossary ...``: list, edit, lint, check, import, export, suggest.

Commands parse options, call one function in `transkit.terms.glossary`,
`transkit.terms.match`, `transkit.formats` or `transkit.terms.suggest`, and print.
Library errors become one line (`transkit.cli.errors`); ``lint`` exits 1
when it finds anything.  Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from transkit.cli.errors import user_errors

__all__ = ["glossary", "IMPORT_FORMATS", "EXPORT_FORMATS"]

#: Formats for import/export; "auto" picks by file extension.
IMPORT_FORMATS = ("auto", "tbx", "deepl", "omegat", "csv", "tsv")
EXPORT_FORMATS = IMPORT_FORMATS

F = TypeVar("F", bound=Callable[..., Any])


def _glossary_option(func: F) -> F:
    return click.option(
        "--glossary",
        "glossary_paths",
        multiple=True,
        type=click.Path(dir_okay=True, file_okay=True),
        help="Glossary TSV file or folder (repeatable; default ./glossary/).",
    )(func)


def _files(paths: Sequence[str]) -> list[Path]:
    from transkit.errors import GlossaryError
    from transkit.terms.glossary import resolve_glossary_paths

    files = resolve_glossary_paths(list(paths), False, Path.cwd())
    if not files:
        raise GlossaryError("no glossary: ./glossary/ does not exist; name one with --glossary")
    return files


def _load(paths: Sequence[str]):
    from transkit.terms.glossary import load_glossaries

    return load_glossaries(_files(paths))


def _format_for(path: str, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    suffix = Path(path).suffix.lower()
    by_suffix = {
        ".tbx": "tbx",
        ".xml": "tbx",
        ".csv": "csv",
        ".tsv": "tsv",
        ".txt": "omegat",
        ".utf8": "omegat",
    }
    if suffix not in by_suffix:
        raise click.UsageError(f"cannot tell the format of {path}; use --format")
    return by_suffix[suffix]


def _edit_target(paths: Sequence[str], concept_id: str | None = None) -> Path:
    """The one file an edit goes to: the file holding the concept, or the only file."""
    from transkit.errors import GlossaryError
    from transkit.terms.tsv import parse_glossary_bytes

    explicit = [Path(p) for p in paths if not Path(p).is_dir()]
    if len(paths) == 1 and explicit:
        return explicit[0]
    files = _files(paths)
    if concept_id is not None:
        for f in files:
            entries, _ = parse_glossary_bytes(f.read_bytes(), str(f))
            if any(e.id == concept_id for e in entries):
                return f
    if len(files) == 1:
        return files[0]
    raise GlossaryError(f"{len(files)} glossary files; name the one to edit with --glossary FILE")


@click.group()
def glossary() -> None:
    """Maintain glossaries: TSV files in ./glossary/ that editors curate in git."""


@glossary.command("list")
@click.option("--filter", "pattern", default="", help="Only rows containing this text.")
@click.option("--status", type=click.Choice(["preferred", "admitted", "deprecated", "forbidden"]))
@click.option("--domain", default="", help="Only rows of this domain.")
@_glossary_option
def list_command(
    pattern: str, status: str | None, domain: str, glossary_paths: tuple[str, ...]
) -> None:
    """List glossary rows (id, German, English, status, domain)."""
    with user_errors():
        loaded = _load(glossary_paths)
    needle = pattern.casefold()
    shown = 0
    for e in loaded.entries:
        text = "\t".join((e.id, e.de, e.en, e.status, e.domain, e.note)).casefold()
        if needle and needle not in text:
            continue
        if status and e.status != status:
            continue
        if domain and e.domain != domain:
            continue
        flags = " dnt" if e.dnt else ""
        flags += " case-sensitive" if e.case_sensitive else ""
        click.echo(f"{e.id}\t{e.de}\t{e.en}\t{e.status}{flags}\t{e.domain}")
        shown += 1
    click.echo(f"{shown} of {len(loaded)} entries; {loaded.summary()}", err=True)


@glossary.command("add")
@click.argument("de")
@click.argument("en", required=False)
@click.option(
    "--id",
    "concept_id",
    help="Concept id (default: the concept that has DE, else one made from DE).",
)
@click.option(
    "--status",
    default="preferred",
    show_default=True,
    type=click.Choice(["preferred", "admitted", "deprecated", "forbidden"]),
)
@click.option("--pos", default="", help="noun, properNoun, verb, adjective, adverb or other.")
@click.option("--dnt", is_flag=True, help="Do not translate: English equals German.")
@click.option("--case-sensitive", is_flag=True, help="Match the German only in this case.")
@click.option("--domain", default="")
@click.option("--note", default="")
@_glossary_option
def add_command(
    de: str,
    en: str | None,
    concept_id: str | None,
    status: str,
    pos: str,
    dnt: bool,
    case_sensitive: bool,
    domain: str,
    note: str,
    glossary_paths: tuple[str, ...],
) -> None:
    """Add DE -> EN (EN defaults to DE with --dnt)."""
    from transkit.data import GlossaryEntry
    from transkit.fileio import edit_lock
    from transkit.terms.edit import add_entry, new_concept_id
    from transkit.terms.tsv import parse_glossary_bytes

    if en is None and not dnt:
        raise click.UsageError("give the English term, or --dnt")
    english = de if en is None else en
    with user_errors():
        target = _edit_target(glossary_paths, concept_id)
        with edit_lock(target):  # the id is chosen from what the file holds now
            existing = (
                parse_glossary_bytes(target.read_bytes(), str(target))[0] if target.exists() else []
            )
            if concept_id is None:
                folded = de.casefold()
                concept_id = next((e.id for e in existing if e.de.casefold() == folded), None)
                concept_id = concept_id or new_concept_id(de, (e.id for e in existing))
            entry = GlossaryEntry(
                concept_id, de, english, status, pos, dnt, case_sensitive, domain, note
            )
            line = add_entry(target, entry)
    click.echo(f"added {concept_id}: {de} -> {english} ({status}) at {target}:{line}")


@glossary.command("remove")
@click.argument("id_or_term")
@click.option("--en", help="Only the row with this English term.")
@_glossary_option
def remove_command(id_or_term: str, en: str | None, glossary_paths: tuple[str, ...]) -> None:
    """Remove a concept (by id) or a German term's rows."""
    from transkit.errors import GlossaryError
    from transkit.terms.edit import remove_entries
    from transkit.terms.tsv import parse_glossary_bytes

    with user_errors():
        files = _files(glossary_paths)
        folded = id_or_term.casefold()
        holders = [
            f
            for f in files
            if any(
                e.id == id_or_term or e.de.casefold() == folded
                for e in parse_glossary_bytes(f.read_bytes(), str(f))[0]
            )
        ]
        if not holders:
            raise GlossaryError(f"no entry '{id_or_term}' in " + ", ".join(map(str, files)))
        if len(holders) > 1:
            raise GlossaryError(
                f"'{id_or_term}' is in several files ("
                + ", ".join(map(str, holders))
                + "); name one with --glossary"
            )
        removed = remove_entries(holders[0], id_or_term, en)
    for e in removed:
        click.echo(f"removed {e.id}: {e.de} -> {e.en} ({e.status}) from {e.file}:{e.line}")


@glossary.command("lint")
@_glossary_option
def lint_command(glossary_paths: tuple[str, ...]) -> None:
    """Check glossaries: load errors, unmatchable terms, near-duplicates."""
    from transkit.terms.lint import lint_glossary

    with user_errors():
        files = _files(glossary_paths)
        problems = lint_glossary(files)
    for p in problems:
        click.echo(str(p))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    names = ", ".join(map(str, files))
    if problems:
        click.echo(f"{errors} error(s), {warnings} warning(s) in {names}", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {names}", err=True)


def _read_text(path: str) -> str:
    from transkit.text.reading import read_document

    return read_document(path)


@glossary.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_glossary_option
def check_command(file: str, as_json: bool, glossary_paths: tuple[str, ...]) -> None:
    """List the glossary terms FILE contains, and in which forms."""
    from transkit.terms.match import TermMatcher

    with user_errors():
        loaded = _load(glossary_paths)
        text = _read_text(file)
    matches = TermMatcher.from_glossary(loaded).find(text)
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    from bisect import bisect_right

    groups: dict[str, list[dict[str, Any]]] = {}
    first: dict[str, Any] = {}
    for m in matches:
        line = bisect_right(line_starts, m.start)
        groups.setdefault(m.concept_id, []).append(
            {
                "found": m.found,
                "kind": m.kind,
                "line": line,
                "column": m.start - line_starts[line - 1] + 1,
                "start": m.start,
                "end": m.end,
            }
        )
        first.setdefault(m.concept_id, m)
    if as_json:
        report = [
            {
                "concept_id": cid,
                "term": first[cid].term,
                "required": list(first[cid].required),
                "forbidden": list(first[cid].forbidden),
                "dnt": first[cid].dnt,
                "occurrences": occ,
            }
            for cid, occ in groups.items()
        ]
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for cid, occ in groups.items():
        m = first[cid]
        english = " | ".join(m.required) or "?"
        click.echo(f"{m.term} -> {english}  [{cid}]  {len(occ)}x")
        forms: dict[tuple[str, str], list[int]] = {}
        for o in occ:
            forms.setdefault((o["found"], o["kind"]), []).append(o["line"])
        for (found, kind), lines in forms.items():
            where = ", ".join(str(n) for n in lines)
            click.echo(f"    {found}  ({kind}; line{'s' if len(lines) > 1 else ''} {where})")
    click.echo(f"{len(matches)} occurrences of {len(groups)} concepts in {file}", err=True)


@glossary.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(IMPORT_FORMATS), default="auto", show_default=True
)
@_glossary_option
def import_command(file: str, fmt: str, glossary_paths: tuple[str, ...]) -> None:
    """Add the terms of a TBX, CSV or TSV file to a glossary."""
    from transkit.fileio import edit_lock
    from transkit.terms.edit import add_entries, merge_plan
    from transkit.terms.tsv import parse_glossary_bytes

    kind = _format_for(file, fmt)
    notes: list[str] = []
    with user_errors():
        if kind == "tbx":
            from transkit.formats.tbx import read_tbx

            incoming = read_tbx(file, problems=notes)
        else:
            from transkit.formats.termcsv import read_term_csv

            incoming = read_term_csv(file, kind, problems=notes)
        target = _edit_target(glossary_paths)
        with edit_lock(target):
            existing = (
                parse_glossary_bytes(target.read_bytes(), str(target))[0] if target.exists() else []
            )
            to_add, skipped, already = merge_plan(existing, incoming)
            if to_add:
                add_entries(target, to_add)
    for note in notes + skipped:
        click.echo(f"skipped: {note}", err=True)
    click.echo(
        f"imported {len(to_add)} of {len(incoming)} entries from {file} into {target} "
        f"({already} already there, {len(notes) + len(skipped)} skipped)"
    )


@glossary.command("export")
@click.argument("output", type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="auto", show_default=True
)
@click.option(
    "--tbx-version",
    type=click.Choice(["3", "2008"]),
    default="3",
    show_default=True,
    help="TBX-Basic edition: 3 = ISO 30042:2019 (<tbx>); 2008 = ISO 30042:2008 (<martif>), "
    "for OmegaT 3.6 and translate-toolkit.",
)
@_glossary_option
def export_command(
    output: str, fmt: str, tbx_version: str, glossary_paths: tuple[str, ...]
) -> None:
    """Write the glossary as TBX-Basic, or CSV/TSV for DeepL or OmegaT."""
    kind = _format_for(output, fmt)
    notes: list[str] = []
    with user_errors():
        loaded = _load(glossary_paths)
        from transkit.fileio import OutputClaims, preflight

        # Exporting onto a glossary being read would drop its comments and layout.
        claims = OutputClaims(source.path for source in loaded.files)
        for path in _files(glossary_paths):
            claims.add_input(path)
        claims.claim(output)
        preflight(output)
        if kind == "tbx":
            if tbx_version == "2008":
                from transkit.formats.tbx2008 import write_tbx2008 as write_tbx
            else:
                from transkit.formats.tbx import write_tbx

            write_tbx(loaded.entries, output)
            written = len(loaded)
        else:
            from transkit.formats.termcsv import write_term_csv

            written = write_term_csv(loaded.entries, output, kind, problems=notes)
    for note in notes:
        click.echo(f"left out: {note}", err=True)
    what = f"tbx {tbx_version}" if kind == "tbx" else kind
    left = len(loaded) - written
    tail = f"; {left} of {len(loaded)} left out (the format cannot hold them)" if left > 0 else ""
    click.echo(f"exported {written} entries ({what}) to {output}{tail}")


@glossary.command("suggest")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--dictionary",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("/usr/share/trans/de-en"),
    show_default=True,
    help="German-English dictionary in the trans-de-en format.",
)
@_glossary_option
def suggest_command(
    file: str, limit: int, as_json: bool, dictionary: Path, glossary_paths: tuple[str, ...]
) -> None:
    """List candidate terms in a German FILE that the glossary lacks.

    With Debian's trans-de-en dictionary installed, each candidate gets its
    English equivalents and their subject labels.
    """
    from transkit.terms.glossary import Glossary, load_glossaries, resolve_glossary_paths
    from transkit.terms.suggest import dictionary_available, suggest_terms

    with user_errors():
        text = _read_text(file)
        paths = resolve_glossary_paths(list(glossary_paths), False, Path.cwd())
        loaded = load_glossaries(paths) if paths else Glossary()
        candidates = suggest_terms(text, loaded, limit=limit, dictionary=dictionary)
    if not dictionary_available(dictionary):
        click.echo(
            f"note: no German-English dictionary at {dictionary}, so no English candidates; "
            "install Debian's trans-de-en (apt-get install trans-de-en)",
            err=True,
        )
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "term": c.term,
                        "count": c.count,
                        "kind": c.kind,
                        "english": [list(pair) for pair in c.english],
                    }
                    for c in candidates
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for c in candidates:
        english = "; ".join(
            en + (f" {labels}" if labels.startswith("[") else f" [{labels}]" if labels else "")
            for en, labels in c.english[:3]
        )
        click.echo(f"{c.count}\t{c.kind}\t{c.term}\t{english}")
    click.echo(f"{len(candidates)} candidate(s) not in the glossary", err=True)
