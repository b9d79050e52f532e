"""``transkit merge``: a post-edited XLIFF back to English text (and into a TM).

Registered on the main group in `transkit.cli` with ``main.add_command(merge)``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from transkit.cli.errors import user_errors
from transkit.cli.options import EXIT_STRICT_TERMS, glossary_option, resolve_glossary_option

__all__ = ["merge"]


@click.command("merge")
@click.argument("xliff", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="English text to write (default: x.de-en.xlf -> x.en.txt next to it).",
)
@click.option(
    "--tmx",
    "tmx",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TMX memory to add the approved segments to (created if missing).",
)
@glossary_option
@click.option("--no-glossary", is_flag=True, help="Do not re-check glossary terms.")
@click.option("--strict", is_flag=True, help=f"Exit {EXIT_STRICT_TERMS} if any term failed.")
def merge(
    xliff: Path,
    out: Path | None,
    tmx: Path | None,
    glossaries: tuple[str, ...],
    no_glossary: bool,
    strict: bool,
) -> None:
    """Rebuild the English document from a post-edited XLIFF (1.2 or 2.x).

    Untranslated segments keep their German source; segments still in MT
    state are used as they are and counted in the summary.  The final
    targets are checked against the glossary again and every failed term
    is listed (the text is written as the translator left it).
    """
    from transkit.merge import merge_xliff

    with user_errors():
        paths = resolve_glossary_option(glossaries, no_glossary)
        result = merge_xliff(xliff, out=out, tmx=tmx, glossary_paths=paths)
    for counts in result.documents:
        click.echo(counts.summary())
    for failure in result.failures:
        click.echo(f"  term failed: {failure}")
    if result.tmx is not None:
        click.echo(f"{result.tmx}: {result.tmx_added} approved segments added")
    if strict and result.failures:
        click.echo(f"transkit: {len(result.failures)} glossary term(s) failed (--strict)", err=True)
        sys.exit(EXIT_STRICT_TERMS)
