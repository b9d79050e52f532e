"""``transkit tm``: the project's translation memory (import, export, stats, lookup, remove).

The memory is a folder of TMX files, ``./tm/`` by default (``--tm PATH``;
see `transkit.tm.memory`), or a PostgreSQL database (``--tm postgresql://...``
or ``$TRANSKIT_TM_URL``; see `transkit.tm.pgmemory`).  Registered on the
main group in `transkit.cli`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import click

from transkit.cli.errors import user_errors

__all__ = ["tm"]

_tm_path = click.option(
    "--tm",
    "tm_spec",
    default=None,
    help="Translation memory: a folder of TMX files or a postgresql:// URL "
    "(default: $TRANSKIT_TM_URL, else ./tm).",
)


def _spec(tm_spec: str | None) -> Path | str:
    """``--tm``, else ``$TRANSKIT_TM_URL``, else ./tm: a URL (checked) or a folder Path."""
    import os

    from transkit.tm.spec import ENV_URL, memory_url

    spec = tm_spec if tm_spec is not None else os.environ.get(ENV_URL) or "tm"
    url = memory_url(spec)
    return url if url is not None else Path(spec)


def _label(tm_path: Path | str) -> str:
    from transkit.tm.spec import redact_url

    return redact_url(tm_path) if isinstance(tm_path, str) else str(tm_path)


def _open(tm_path: Path | str, *, must_exist: bool) -> Any:
    from transkit.errors import TranskitError
    from transkit.tm.memory import TranslationMemory
    from transkit.tm.spec import open_memory

    if isinstance(tm_path, str):
        return open_memory(tm_path)
    if tm_path.exists() and not tm_path.is_dir():
        raise TranskitError("translation memory must be a folder of TMX files", file=str(tm_path))
    if must_exist and not tm_path.is_dir():
        raise TranskitError(
            "no translation memory here (create one with `transkit tm import FILE.tmx` "
            "or `transkit merge`)",
            file=str(tm_path),
        )
    return TranslationMemory(tm_path)


@click.group("tm")
def tm() -> None:
    """The translation memory: approved translations reused before MT.

    It lives in ./tm/ as TMX files (the truth, diffable, what CAT tools
    exchange); a SQLite index beside them is rebuilt when a file changes.
    A team shares one in PostgreSQL: --tm postgresql://user@host/db (or
    $TRANSKIT_TM_URL); there the database is the truth and TMX comes in
    and goes out.
    """


@tm.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@_tm_path
def import_(files: tuple[Path, ...], tm_spec: str | None) -> None:
    """Add the German->English units of TMX FILES (1.1-1.4, any encoding) to the memory.

    Units in other languages and unapproved MT are skipped; duplicates are
    merged (the newest translation of a sentence wins).
    """
    from transkit.errors import TranskitError
    from transkit.tm.memory import check_tmx

    with user_errors():
        tm_path = _spec(tm_spec)
        if len(files) > 1:  # every file well-formed before any is stored (one is atomic)
            for path in files:
                check_tmx(path)
        created = isinstance(tm_path, Path) and not tm_path.exists()
        try:
            with _open(tm_path, must_exist=False) as memory:
                for path in files:
                    click.echo(memory.import_tmx(path).summary())
        except TranskitError:
            if created and isinstance(tm_path, Path) and not any(tm_path.glob("*.tmx")):
                shutil.rmtree(tm_path, ignore_errors=True)  # leave no empty memory behind
            raise


@tm.command("export")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@_tm_path
def export(output: Path, tm_spec: str | None) -> None:
    """Write the whole memory to one TMX 1.4 file (each translation once)."""
    with user_errors(), _open(_spec(tm_spec), must_exist=True) as memory:
        count = memory.export(output)
    click.echo(f"{output}: {count} units")


@tm.command("stats")
@_tm_path
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(tm_spec: str | None, as_json: bool) -> None:
    """Units, distinct sentences and files in the memory."""
    with user_errors():
        tm_path = _spec(tm_spec)
        with _open(tm_path, must_exist=True) as memory:
            result = memory.stats()
    data = {
        "memory": _label(tm_path),
        "units": result.units,
        "sources": result.sources,
        "files": [{"file": f.name, "units": f.units} for f in result.files],
        "index_bytes": result.bytes,
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{_label(tm_path)}: {result.units} units, {result.sources} distinct source sentences, "
        f"{len(result.files)} TMX file(s), index {result.bytes / 1e6:.1f} MB"
    )
    for f in result.files:
        click.echo(f"  {f.name}: {f.units} units")


@tm.command("lookup")
@click.argument("sentence")
@_tm_path
@click.option(
    "--threshold",
    type=click.FloatRange(1, 100),
    default=75.0,
    show_default=True,
    help="Lowest fuzzy score shown.",
)
@click.option(
    "--limit", type=click.IntRange(1, 100), default=5, show_default=True, help="Most matches shown."
)
@click.option("--prev", default="", help="The previous sentence (for in-context matches).")
@click.option("--next", "next_", default="", help="The next sentence (for in-context matches).")
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
def lookup(
    sentence: str,
    tm_spec: str | None,
    threshold: float,
    limit: int,
    prev: str,
    next_: str,
    as_json: bool,
) -> None:
    """Show the memory's best matches for a German SENTENCE, with scores."""
    with user_errors(), _open(_spec(tm_spec), must_exist=True) as memory:
        matches = memory.lookup(sentence, prev, next_, threshold=threshold, limit=limit)
    if as_json:
        records = [
            {
                "score": m.score,
                "level": m.level,
                "source": m.unit.source,
                "target": m.target,
                "stored_target": m.unit.target,
                "date": m.unit.date,
                "file": m.unit.file,
                "origin": m.unit.origin,
            }
            for m in matches
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not matches:
        click.echo(f"no match at or above {threshold:g}")
        return
    for m in matches:
        click.echo(f"{m.score:5.1f}  {m.level:<8} {m.unit.source}")
        click.echo(f"{'':15}{m.target}  [{m.unit.file} {m.unit.date}]")


@tm.command("remove")
@click.argument("sentence")
@click.option("--target", default=None, help="Remove only this translation of the sentence.")
@_tm_path
def remove(sentence: str, target: str | None, tm_spec: str | None) -> None:
    """Remove a German SENTENCE (or one translation of it) from the memory."""
    from transkit.errors import TranskitError

    with user_errors():
        tm_path = _spec(tm_spec)
        with _open(tm_path, must_exist=True) as memory:
            count = memory.remove(sentence, target)
        if not count:
            what = "this sentence" if target is None else "this translation of the sentence"
            raise TranskitError(f"no unit with {what}", file=_label(tm_path))
    click.echo(f"{count} unit(s) removed")
