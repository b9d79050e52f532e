"""The transkit command line: parses options, calls the library, prints.

One module per command group (`translate`, `models`, `qa`, `glossary`,
`merge`, `review`, `tm`, `serve`); this module only builds the ``transkit`` group and attaches
them.
Every library error (`transkit.errors.TranskitError`) becomes one line on
stderr and a non-zero exit code (`transkit.cli.errors`); the library modules
are imported inside the commands so ``transkit --help`` stays fast.
"""

from __future__ import annotations

import click

from transkit import __version__
from transkit.cli.glossary import glossary
from transkit.cli.merge import merge
from transkit.cli.models import models
from transkit.cli.qa import eval_, qa
from transkit.cli.review import review
from transkit.cli.serve import api_key, serve
from transkit.cli.tm import tm
from transkit.cli.translate import segment, translate

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="transkit")
def main() -> None:
    """Offline German->English translation that obeys your glossary.

    Translate with `transkit translate FILE...`; install a model first with
    `transkit models install de en` (or `--from FILE.argosmodel` offline).
    """


for _command in (
    translate,
    segment,
    models,
    qa,
    eval_,
    glossary,
    merge,
    review,
    tm,
    serve,
    api_key,
):
    main.add_command(_command)
