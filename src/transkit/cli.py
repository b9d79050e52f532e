"""The transkit command line: parses options, calls the library, prints."""

from __future__ import annotations

import click

from transkit import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="transkit")
def main() -> None:
    """Offline German->English translation that obeys your glossary."""
