"""``transkit merge``: a post-edited XLIFF back to English text (and into a TM).

Registered on the main group in `transkit.cli` with ``main.add_command(merge)``.
"""

from __future__ import annotations

from pathlib import Path

import click

from transkit.cli.errors import user_errors
from transkit.cli.options import resolve_tm_option, tm_options

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
@tm_options
def merge(
    xliff: Path, out: Path | None, tmx: Path | None, tm_path: Path | None, no_tm: bool
) -> None:
    """Rebuild the English document from a post-edited XLIFF (1.2 or 2.x).

    Untranslated segments keep their German source; segments still in MT
    state are used as they are and counted in the summary.  Approved
    segments (translated, final, signed-off) go into the translation memory
    (./tm/, created if missing; --no-tm to skip).
    """
    from transkit.merge import merge_xliff

    with user_errors():
        memory = resolve_tm_option(tm_path, no_tm, create=True)
        result = merge_xliff(xliff, out=out, tmx=tmx, memory=memory)
    for counts in result.documents:
        click.echo(counts.summary())
    if result.tmx is not None:
        click.echo(f"{result.tmx}: {result.tmx_added} approved segments added")
    if result.memory is not None:
        click.echo(f"memory {result.memory}: {result.memory_added} approved segments stored")
