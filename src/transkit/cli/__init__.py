"""The transkit command line: parses options, calls the library, prints.

Every library error (`transkit.errors.TranskitError`) becomes one line on
stderr and a non-zero exit code; the logic lives in the library modules,
which are imported inside the commands so ``transkit --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from transkit import __version__
from transkit.cli_errors import user_errors

#: Exit codes, documented in the README (2, no model, comes from ModelMissingError).
EXIT_INPUT_ERRORS = 1
EXIT_STRICT_TERMS = 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="transkit")
def main() -> None:
    """Offline German->English translation that obeys your glossary.

    Translate with `transkit translate FILE...`; install a model first with
    `transkit models install de en` (or `--from FILE.argosmodel` offline).
    """


#: ``--glossary PATH``, shared by the commands that apply a glossary.
glossary_option = click.option(
    "--glossary",
    "glossaries",
    multiple=True,
    type=click.Path(),
    help="Glossary TSV file or folder (repeatable; default ./glossary/).",
)


# --------------------------------------------------------------------- translate
def _progress_factory(quiet: bool):
    """A click progress bar on stderr, only when stderr is a terminal."""
    if quiet or not sys.stderr.isatty():
        return None

    def factory(total: int):
        return click.progressbar(
            length=total, label="translating", file=sys.stderr, show_pos=True, show_eta=True
        )

    return factory


def _resolve_glossaries(paths: tuple[str, ...], no_glossary: bool) -> tuple[Path, ...]:
    from transkit.glossary import resolve_glossary_paths

    return tuple(resolve_glossary_paths(list(paths), no_glossary, Path.cwd()))


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Directory for the output files.",
)
@click.option("--model", help="Installed model code (de-en) or an .argosmodel / package directory.")
@click.option("--beam-size", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option(
    "--n-best",
    "n_best",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Hypotheses searched for glossary terms.",
)
@click.option(
    "--threads",
    type=click.IntRange(0, 256),
    default=0,
    help="CPU threads (0: CTranslate2 decides).",
)
@click.option(
    "--compute-type", default=None, help="CTranslate2 compute type (default int8 on CPU)."
)
@click.option(
    "--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu", show_default=True
)
@glossary_option
@click.option("--no-glossary", is_flag=True, help="Do not use any glossary.")
@click.option(
    "--formats",
    default="txt,xliff,tmx",
    show_default=True,
    help="Which files to write: any of txt, xliff, tmx.",
)
@click.option(
    "--xliff-version", type=click.Choice(["1.2", "2.1"]), default="1.2", show_default=True
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the per-segment term report as JSON.",
)
@click.option("--strict", is_flag=True, help=f"Exit {EXIT_STRICT_TERMS} if any term failed.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary lines.")
def translate(
    files: tuple[str, ...],
    out_dir: Path,
    model: str | None,
    beam_size: int,
    n_best: int,
    threads: int,
    compute_type: str | None,
    device: str,
    glossaries: tuple[str, ...],
    no_glossary: bool,
    formats: str,
    xliff_version: str,
    report: Path | None,
    strict: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Translate German FILES to English (use - for stdin -> stdout).

    For seeds/x.txt it writes OUT/x.en.txt, OUT/x.de-en.xlf and OUT/x.de-en.tmx.
    """
    from transkit.engine.argos import EngineOptions
    from transkit.pipeline import FORMATS, TranslateOptions, run_translate

    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}",
            param_hint="--formats",
        )
    with user_errors():
        options = TranslateOptions(
            model=model,
            engine=EngineOptions(
                beam_size=beam_size, threads=threads, compute_type=compute_type, device=device
            ),
            num_hypotheses=n_best,
            glossary_paths=_resolve_glossaries(glossaries, no_glossary),
            out_dir=out_dir,
            formats=chosen,
            xliff_version=xliff_version,
        )
        stdin_text = None
        if "-" in files:
            stdin_text = click.get_text_stream("stdin").read()
        run = run_translate(
            list(files), options, stdin_text=stdin_text, progress_factory=_progress_factory(quiet)
        )
        if report is not None:
            from transkit.fileio import atomic_write_text
            from transkit.qa import build_report

            data = build_report(run.documents, glossaries=run.glossaries, model=run.model)
            atomic_write_text(report, json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    to_stdout = "-" not in files
    for result in run.files:
        if result.path == "-" and result.document is not None:
            click.echo(result.document.target_text, nl=False)
    if as_json:
        click.echo(json.dumps(run.summary(), ensure_ascii=False, indent=2), err=not to_stdout)
    elif not quiet:
        _print_summary(run, err=not to_stdout)
    for result in run.failed:
        click.echo(f"transkit: error: {result.error}", err=True)
    if run.failed:
        sys.exit(EXIT_INPUT_ERRORS)
    summary = run.summary()
    if strict and summary["terms_failed"]:
        click.echo(
            f"transkit: {summary['terms_failed']} glossary term(s) failed (--strict)", err=True
        )
        sys.exit(EXIT_STRICT_TERMS)


_METHOD_LABELS = {"nbest": "by n-best", "protected": "by protection", "failed": "flagged"}


def _print_summary(run: Any, *, err: bool) -> None:
    from transkit.qa import document_summary

    if run.glossaries:
        used = ", ".join(f"{name} ({count} entries)" for name, count in run.glossaries)
        click.echo(f"glossary: {used}", err=err)
    else:
        click.echo("glossary: none", err=err)
    if run.model:
        click.echo(f"model: {run.model}", err=err)
    for result in run.files:
        if result.document is None:
            continue
        s = document_summary(result.document)
        segments = f"{s['segments']} segment{'' if s['segments'] == 1 else 's'}"
        line = (
            f"{result.path}: {segments}, {s['terms_required']} terms required, "
            f"{s['terms_satisfied']} satisfied, {s['terms_failed']} failed"
        )
        methods = [
            f"{_METHOD_LABELS.get(k, k)} {v}" for k, v in s["methods"].items() if k != "none"
        ]
        if methods:
            line += " (" + ", ".join(methods) + ")"
        click.echo(line, err=err)
        for out in result.outputs:
            click.echo(f"  wrote {out}", err=err)
    click.echo(f"{len(run.documents)} file(s) in {run.seconds:.2f} s", err=err)


# --------------------------------------------------------------------- segment
@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--offsets", is_flag=True, help="Prefix each segment with its start:end offsets.")
def segment(files: tuple[str, ...], offsets: bool) -> None:
    """Print the sentences of FILES, one segment per line (- for stdin)."""
    from transkit.errors import InputError
    from transkit.reading import read_document
    from transkit.segment import segment_spans

    errors = 0
    for name in files:
        try:
            text = click.get_text_stream("stdin").read() if name == "-" else read_document(name)
            if not text.strip():
                raise InputError("empty input, nothing to segment", file="<stdin>")
        except InputError as err:
            click.echo(f"transkit: error: {err.one_line()}", err=True)
            errors += 1
            continue
        for start, end in segment_spans(text):
            piece = " ".join(text[start:end].split())
            click.echo(f"{start}:{end}\t{piece}" if offsets else piece)
    if errors:
        sys.exit(EXIT_INPUT_ERRORS)


# --------------------------------------------------------------------- models
@main.group()
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


# --------------------------------------------------------------------- qa
@main.command()
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--failed", is_flag=True, help="Show only failed term checks.")
def qa(report: Path, failed: bool) -> None:
    """Show a --report JSON file as a readable table of every term check."""
    from transkit.errors import InputError
    from transkit.qa import load_report, render_table

    with user_errors():
        try:
            text = report.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("no such file", file=str(report)) from None
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"cannot read ({err})", file=str(report)) from None
        data = load_report(text, str(report))
    click.echo(render_table(data, failed_only=failed), nl=False)


# --------------------------------------------------------------------- eval
@main.command("eval")
@click.argument("testset", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--model", help="Installed model code or an .argosmodel / package directory.")
@glossary_option
@click.option("--n-best", "n_best", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_(
    testset: Path, model: str | None, glossaries: tuple[str, ...], n_best: int, as_json: bool
) -> None:
    """Measure glossary compliance on a held-out TSV (columns de[, en_approved]).

    Prints the term success rate (satisfied / required), outputs with
    forbidden terms, and how often n-best re-ranking alone was enough.
    """
    from transkit.engine.argos import engine_for
    from transkit.evaluate import evaluate_terms, read_test_set
    from transkit.glossary import load_glossaries
    from transkit.termmatch import TermMatcher

    with user_errors():
        paths = _resolve_glossaries(glossaries, False)
        if not paths:
            raise click.UsageError("eval needs a glossary: --glossary PATH or ./glossary/")
        pairs = read_test_set(testset)
        loaded = load_glossaries(list(paths))
        forbidden = sorted({bad for c in loaded.concepts() for bad in c.forbidden})
        result = evaluate_terms(
            pairs,
            engine_for(model),
            TermMatcher.from_glossary(loaded),
            num_hypotheses=n_best,
            forbidden=forbidden,
        )
    figures = result.as_dict()
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    m = figures["methods"]
    click.echo(f"sentences: {figures['sentences']} ({figures['sentences_with_terms']} with terms)")
    click.echo(
        f"terms: {figures['terms_satisfied']}/{figures['terms_required']} satisfied, "
        f"success rate {figures['success_rate']:.4f}"
    )
    click.echo(f"outputs with forbidden terms: {figures['outputs_with_forbidden_terms']}")
    click.echo(
        f"methods: n-best {m.get('nbest', 0)}, protected {m.get('protected', 0)}, "
        f"failed {m.get('failed', 0)} (n-best alone enough for "
        f"{figures['nbest_share']:.1%})"
    )
    if figures["references"]:
        click.echo(
            f"exact match with approved reference: {figures['exact_match_with_approved_reference']}"
            f"/{figures['references']}"
        )


def _register_optional_commands() -> None:
    """Attach the glossary and merge commands defined in their own modules."""
    from transkit.cli_glossary import glossary
    from transkit.cli_merge import merge

    main.add_command(glossary)
    main.add_command(merge)


_register_optional_commands()
