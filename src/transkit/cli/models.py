"""`transkit models list|install|remove`: Argos packages shared with argostranslate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from transkit.cli.errors import user_errors


# --------------------------------------------------------------------- models
@click.group()
def models() -> None:
    """List, install and remove Argos Translate models."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
def models_list(as_json: bool) -> None:
    """List installed models (shared with argostranslate)."""
    from transkit.models import installed_packages, packages_dir

    packages = installed_packages()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "code": p.code,
                        "name": p.path.name,
                        "from": p.from_code,
                        "to": p.to_code,
                        "version": p.package_version,
                        "path": str(p.path),
                    }
                    for p in packages
                ],
                indent=2,
            )
        )
        return
    click.echo(f"package directory: {packages_dir()}")
    if not packages:
        click.echo(
            "no models installed; run `transkit models install de en` "
            "or `transkit models install --from FILE.argosmodel`"
        )
        return
    for p in packages:
        click.echo(
            f"{p.path.name:<32} {p.from_code}->{p.to_code}  version {p.package_version or '?'}"
        )


@models.command("install")
@click.argument("codes", nargs=-1)
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Install a downloaded .argosmodel file (works offline).",
)
@click.option(
    "--index", "index", help="Package index URL (default: ARGOS_PACKAGE_INDEX or Argos's)."
)
def models_install(codes: tuple[str, ...], from_file: Path | None, index: str | None) -> None:
    """Install a model: `install de en` from the Argos index, or `--from FILE`."""
    from transkit import models as m

    with user_errors():
        if from_file is not None:
            if codes:
                raise click.UsageError("give either FROM TO or --from FILE, not both")
            package = m.install_from_file(from_file)
        else:
            if len(codes) != 2:
                raise click.UsageError(
                    "usage: transkit models install FROM TO  "
                    "(e.g. de en), or --from FILE.argosmodel"
                )
            package = _install_with_bar(m, codes[0], codes[1], index)
    click.echo(
        f"installed {package.path.name} ({package.from_code}->{package.to_code}, "
        f"version {package.package_version or '?'}) in {package.path.parent}"
    )


def _install_with_bar(m: Any, from_code: str, to_code: str, index: str | None) -> Any:
    show = sys.stderr.isatty()
    state: dict[str, Any] = {}

    def progress(done: int, total: int | None) -> None:
        if not show:
            return
        if "bar" not in state:
            state["bar"] = click.progressbar(
                length=total or 0, label="downloading", file=sys.stderr
            )
            state["bar"].__enter__()
            state["last"] = 0
        state["bar"].update(done - state["last"])
        state["last"] = done

    try:
        return m.install_from_index(from_code, to_code, url=index, progress=progress)
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


@models.command("remove")
@click.argument("code")
def models_remove(code: str) -> None:
    """Uninstall a model by name (translate-de_en) or language pair (de-en)."""
    from transkit.models import remove_package

    with user_errors():
        package = remove_package(code)
    click.echo(f"removed {package.path.name} from {package.path.parent}")
