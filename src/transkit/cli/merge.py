"""``transkit merge``: a post-edited XLIFF back to English text (and into a TM).

Registered on the main group in `transkit.cli` with ``main.add_command(merge)``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from transkit.cli.errors import user_errors
from transkit.cli.options import (
    EXIT_STRICT_TERMS,
    glossary_option,
    resolve_glossary_option,
    resolve_tm_option,
    tm_options,
)

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
@click.option(
    "--source-lang",
    default="de",
    show_default=True,
    help="Source language the XLIFF must have (BCP 47 range: de matches de-DE).",
)
@click.option(
    "--target-lang",
    default="en",
    show_default=True,
    help="Target language the XLIFF must have (BCP 47 range: en matches en-US).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (writing nothing) if any unit kept its source or the XLIFF has problems.",
)
@glossary_option
@click.option("--no-glossary", is_flag=True, help="Do not re-check glossary terms.")
@click.option(
    "--strict-terms",
    is_flag=True,
    help=f"Exit {EXIT_STRICT_TERMS} if a final target misses a glossary term (text still written).",
)
@tm_options
def merge(
    xliff: Path,
    out: Path | None,
    tmx: Path | None,
    source_lang: str,
    target_lang: str,
    strict: bool,
    glossaries: tuple[str, ...],
    no_glossary: bool,
    strict_terms: bool,
    tm_path: Path | None,
    no_tm: bool,
) -> None:
    """Rebuild the target document from a post-edited XLIFF (1.0-1.2 or 2.0-2.2).

    As in a CAT tool, a unit with no or an empty target, or marked
    translate="no", keeps its source text; such units are counted and listed
    (on stderr), as are problems in the file (duplicate ids, deleted units,
    an edited source).  --strict makes either an error.  Segments still in
    MT state are used as they are and counted in the summary.  The final
    targets are checked against the glossary again and every failed term is
    listed (the text is written as the translator left it).  Approved
    segments (translated, final, signed-off) go into the translation memory
    (./tm/, created if missing; --no-tm to skip).
    """
    from transkit.merge import merge_xliff

    with user_errors():
        memory = resolve_tm_option(tm_path, no_tm, create=True)
        result = merge_xliff(
            xliff,
            out=out,
            tmx=tmx,
            source_lang=source_lang,
            target_lang=target_lang,
            strict=strict,
            glossary_paths=resolve_glossary_option(glossaries, no_glossary),
            memory=memory,
        )
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    for counts in result.documents:
        for unit_id, reason in counts.kept:
            click.echo(f"source kept: {counts.output}: unit {unit_id!r} ({reason})", err=True)
        click.echo(counts.summary())
    for failure in result.failures:
        click.echo(f"  term failed: {failure}")
    if result.tmx is not None:
        click.echo(f"{result.tmx}: {result.tmx_added} approved segments added")
    if result.memory is not None:
        click.echo(f"memory {result.memory}: {result.memory_added} approved segments stored")
    if strict_terms and result.failures:
        click.echo(
            f"transkit: {len(result.failures)} glossary term(s) failed (--strict-terms)", err=True
        )
        sys.exit(EXIT_STRICT_TERMS)
