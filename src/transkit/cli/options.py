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


#: ``--tm PATH|URL`` / ``--no-tm``, shared by the commands that use the translation memory.
def tm_options(func):  # type: ignore[no-untyped-def]
    """Add ``--tm PATH|URL`` and ``--no-tm`` to a command."""
    func = click.option("--no-tm", is_flag=True, help="Do not use the translation memory.")(func)
    return click.option(
        "--tm",
        "tm_path",
        help="Translation memory: a folder of TMX files (default ./tm/ when it exists) or a "
        "postgresql:// URL (default $TRANSKIT_TM_URL).",
    )(func)


def resolve_tm_option(
    tm_path: str | Path | None, no_tm: bool, *, create: bool = False
) -> Path | str | None:
    """The memory to use: ``--tm`` (folder or URL), else ``$TRANSKIT_TM_URL``, else ./tm/.

    A URL comes back as a string (its scheme checked, exit 2 when unknown), a
    folder as a Path; None means no memory (./tm/ absent and not ``create``).
    """
    import os

    from transkit.errors import TranskitError
    from transkit.tm.spec import ENV_URL, memory_url

    if no_tm:
        if tm_path is not None:
            raise click.UsageError("--tm and --no-tm cannot be used together")
        return None
    if tm_path is None and os.environ.get(ENV_URL):
        tm_path = os.environ[ENV_URL]
    if tm_path is not None:
        url = memory_url(tm_path)
        if url is not None:
            return url
        tm_path = Path(tm_path)
        if tm_path.exists() and not tm_path.is_dir():
            raise TranskitError(
                "translation memory must be a folder of TMX files", file=str(tm_path)
            )
        if not tm_path.exists() and not create:
            raise TranskitError("translation memory folder not found", file=str(tm_path))
        return tm_path
    default = Path("tm")
    return default if default.is_dir() or create else None
