"""`transkit models list|install|remove|convert`: Argos packages shared with
argostranslate, and Marian/OPUS-MT models converted to CTranslate2."""

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
    """List, install, remove and convert translation models (Argos, Marian)."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
def models_list(as_json: bool) -> None:
    """List installed models (shared with argostranslate)."""
    from transkit.modeldir import models_dir
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
                        "family": p.family,
                        "path": str(p.path),
                    }
                    for p in packages
                ],
                indent=2,
            )
        )
        return
    click.echo(f"package directory: {packages_dir()}")
    click.echo(f"Marian models: {models_dir()}")
    if not packages:
        click.echo(
            "no models installed; run `transkit models install de en` "
            "or `transkit models install --from FILE.argosmodel`"
        )
        return
    for p in packages:
        click.echo(
            f"{p.path.name:<32} {p.family:<7} {p.from_code}->{p.to_code}  "
            f"version {p.package_version or '?'}"
        )


@models.command("install")
@click.argument("codes", nargs=-1)
@click.option(
    "--from",
    "from_file",
    type=click.Path(path_type=Path),
    help="Install a downloaded .argosmodel file, or a Marian/OPUS-MT CTranslate2 "
    "model directory or a zip/tar archive of one (works offline).",
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
        f"installed {package.path.name} ({package.family}, {package.from_code}->"
        f"{package.to_code}, version {package.package_version or '?'}) in {package.path.parent}"
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


@models.command("convert")
@click.argument("hf_dir", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--quantization",
    default="int8",
    show_default=True,
    help="Weight type of the converted model (CTranslate2's --quantization).",
)
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
def models_convert(hf_dir: Path, out: Path, quantization: str, force: bool) -> None:
    """Convert a downloaded Hugging Face Marian model (OPUS-MT) for transkit.

    Runs CTranslate2's own converter, as `ct2-transformers-converter --model
    HF_DIR --output_dir OUT --copy_files source.spm target.spm` does; needs
    the `marian` extra (transformers, torch).
    """
    from transkit.convert import convert_marian

    with user_errors():
        package = convert_marian(hf_dir, out, quantization=quantization, force=force)
    click.echo(
        f"converted {hf_dir} into {package.path} ({package.family}); "
        f"use it with --model {package.path} or `transkit models install --from {package.path}`"
    )
