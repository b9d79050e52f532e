"""Options and exit codes shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

#: Exit codes, documented in the README (2, no model, comes from ModelMissingError).
EXIT_INPUT_ERRORS = 1
EXIT_STRICT_TERMS = 3


#: ``--glossary PATH``, shared by the commands that apply a glossary.
glossary_option = click.option(
    "--glossary",
    "glossaries",
    multiple=True,
    type=click.Path(),
    help="Glossary TSV file or folder (repeatable; default ./glossary/).",
)


def resolve_glossary_option(paths: tuple[str, ...], no_glossary: bool) -> tuple[Path, ...]:
    from transkit.terms.glossary import resolve_glossary_paths

    return tuple(resolve_glossary_paths(list(paths), no_glossary, Path.cwd()))
