"""``transkit review``: the bilingual review page of a (post-edited) XLIFF.

Registered on the main group in `transkit.cli`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from transkit.cli.errors import user_errors
from transkit.cli.options import EXIT_STRICT_TERMS, glossary_option, resolve_glossary_option

__all__ = ["review"]


@click.command("review")
@click.argument("xliff", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Page to write (default: x.de-en.xlf -> x.de-en.html next to it). With several "
    "documents in the XLIFF this is their index; the pages go beside it.",
)
@glossary_option
@click.option("--no-glossary", is_flag=True, help="Do not check any glossary term.")
@click.option("--strict", is_flag=True, help=f"Exit {EXIT_STRICT_TERMS} if any term failed.")
def review(
    xliff: Path, out: Path | None, glossaries: tuple[str, ...], no_glossary: bool, strict: bool
) -> None:
    """Render the review page of an XLIFF (1.2 or 2.x) after post-editing.

    The page shows the current targets, with every glossary term checked
    again on them: German and English side by side, terms highlighted and
    linked, failed terms flagged, and a filter for flagged segments.
    """
    from transkit.enforce.recheck import term_failures
    from transkit.review.workflow import review_summary, review_xliff

    with user_errors():
        result = review_xliff(
            xliff, out=out, glossary_paths=resolve_glossary_option(glossaries, no_glossary)
        )
    for line in review_summary(result):
        click.echo(line)
    failures = term_failures(result.documents)
    if strict and failures:
        click.echo(f"transkit: {len(failures)} glossary term(s) failed (--strict)", err=True)
        sys.exit(EXIT_STRICT_TERMS)
