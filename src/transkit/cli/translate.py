"""`transkit translate` and `transkit segment`: text in, English and CAT files out."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from transkit.cli.errors import user_errors
from transkit.cli.options import (
    EXIT_INPUT_ERRORS,
    EXIT_STRICT_TERMS,
    glossary_option,
    resolve_glossary_option,
    resolve_tm_option,
    tm_options,
)


# --------------------------------------------------------------------- translate
class _ProgressLines:
    """Progress for logs and CI: a line on stderr now and then, not a bar.

    With stderr not a terminal a long run would otherwise print nothing for
    minutes; every ``TRANSKIT_PROGRESS_SECONDS`` (default 30) one line says
    how far it is.  Runs shorter than that print nothing extra.
    """

    def __init__(self, total: int, every: float) -> None:
        self.total, self.every, self.done = total, every, 0

    def __enter__(self) -> _ProgressLines:
        import time

        self.started = self.last = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, steps: int) -> None:
        import time

        self.done += steps
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            share = f" ({100 * self.done // self.total}%)" if self.total else ""
            click.echo(
                f"transkit: translating: {self.done}/{self.total} segments{share}, "
                f"{now - self.started:.0f} s",
                err=True,
            )


def _progress_factory(quiet: bool):
    """A click progress bar on a terminal; `_ProgressLines` when stderr is not one."""
    if quiet:
        return None
    if not sys.stderr.isatty():
        import os

        try:
            every = float(os.environ.get("TRANSKIT_PROGRESS_SECONDS", "30"))
        except ValueError:
            every = 30.0
        return lambda total: _ProgressLines(total, max(0.0, every))

    def factory(total: int):
        return click.progressbar(
            length=total, label="translating", file=sys.stderr, show_pos=True, show_eta=True
        )

    return factory


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Directory for the output files.",
)
@click.option(
    "--model",
    help="Installed model name (de-en), an .argosmodel / package directory, or a Marian "
    "(OPUS-MT) CTranslate2 directory.",
)
@click.option("--beam-size", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option(
    "--n-best",
    "n_best",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Hypotheses searched for glossary terms (the beam widens to match).",
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
@tm_options
@click.option(
    "--tm-threshold",
    type=click.FloatRange(1, 100),
    default=75.0,
    show_default=True,
    help="Lowest fuzzy match score (1-100) that travels with a segment.",
)
@click.option(
    "--formats",
    default="txt,xliff,tmx,html",
    show_default=True,
    help="Which files to write: any of txt, xliff, tmx, html (review page), omegat (project).",
)
@click.option(
    "--xliff-version", type=click.Choice(["1.2", "2.1"]), default="1.2", show_default=True
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the per-segment term report as JSON.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="XLIFF input: replace existing targets too (default: keep them).",
)
@click.option("--strict", is_flag=True, help=f"Exit {EXIT_STRICT_TERMS} if any term failed.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary lines.")
@click.option(
    "--cluster",
    "cluster_address",
    metavar="auto|HOST:PORT",
    help="Translate on a Ray cluster (auto: the one this job runs in); needs transkit[cluster].",
)
@click.option("--resume", is_flag=True, help="--cluster: continue a crashed run from its journal.")
@click.option(
    "--workers",
    "cluster_workers",
    type=click.IntRange(1, 100000),
    default=None,
    help="--cluster: worker actors (default: one per CPU of the cluster).",
)
@click.option(
    "--model-transport",
    type=click.Choice(["object-store", "shared"]),
    default="object-store",
    show_default=True,
    help="--cluster: ship the model's bytes, or load it from a path every node sees.",
)
@click.option(
    "--attempts-log",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="--cluster: workers append a line per segment attempt here (shared storage).",
)
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
    tm_path: Path | None,
    no_tm: bool,
    tm_threshold: float,
    formats: str,
    xliff_version: str,
    report: Path | None,
    overwrite: bool,
    strict: bool,
    as_json: bool,
    quiet: bool,
    cluster_address: str | None,
    resume: bool,
    cluster_workers: int | None,
    model_transport: str,
    attempts_log: Path | None,
) -> None:
    """Translate German FILES to English (use - for stdin -> stdout).

    For seeds/x.txt it writes OUT/x.en.txt, OUT/x.de-en.xlf, OUT/x.de-en.tmx and
    the review page OUT/x.de-en.html (plus OUT/index.html for several files).
    An XLIFF from a CAT tool (.xlf, .xliff, .sdlxliff, .mqxliff) is pre-translated:
    OUT/<same name> gets its targets filled, inline codes kept.  A document
    (.docx, .odt, .html, .md) becomes OUT/x.en.docx (and so on) with its
    formatting, beside the XLIFF, TMX and review page; `transkit merge
    OUT/x.de-en.xlf` rebuilds it from the post-edited XLIFF.
    """
    from transkit.engine.argos import EngineOptions
    from transkit.pipeline import FORMATS, TranslateOptions
    from transkit.pretranslate import translate_any

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
            glossary_paths=resolve_glossary_option(glossaries, no_glossary),
            tm_path=resolve_tm_option(tm_path, no_tm),
            tm_threshold=tm_threshold,
            out_dir=out_dir,
            formats=chosen,
            xliff_version=xliff_version,
            hold_documents=report is not None,
        )
        claims = _claim_outputs(files, options, report)
        stdin_bytes = None
        if "-" in files:
            from transkit.text.reading import read_stdin_bytes

            stdin_bytes = read_stdin_bytes()
        if cluster_address is not None:
            run = _translate_on_cluster(
                list(files),
                options,
                cluster_address,
                resume,
                cluster_workers,
                model_transport,
                quiet,
                attempts_log,
            )
        else:
            if resume:
                raise click.UsageError("--resume continues a --cluster run; add --cluster")
            run = translate_any(
                list(files),
                options,
                overwrite=overwrite,
                stdin_text=stdin_bytes,
                progress_factory=_progress_factory(quiet),
                claims=claims,
            )
        if report is not None:
            from transkit.enforce.report import build_report
            from transkit.fileio import atomic_write_text

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


def _translate_on_cluster(
    files: list[str],
    options: Any,
    address: str,
    resume: bool,
    workers: int | None,
    transport: str,
    quiet: bool,
    attempts_log: Path | None = None,
) -> Any:
    """`transkit.cluster.run_cluster_translate` for text files (XLIFF input runs locally)."""
    from transkit.cluster.connect import ClusterUnavailable, check_address, require_ray
    from transkit.cluster.driver import ClusterOptions, run_cluster_translate
    from transkit.pretranslate import is_xliff_path

    check_address(address)
    require_ray()
    xliffs = [name for name in files if is_xliff_path(name)]
    if xliffs:
        raise ClusterUnavailable(
            f"--cluster translates text files; pre-translate XLIFF locally: {xliffs[0]}"
        )
    cluster = ClusterOptions(
        address=address,
        workers=workers,
        resume=resume,
        model_transport=transport,
        attempts_log=attempts_log.resolve() if attempts_log else None,
    )
    import warnings

    from transkit.cluster.connect import RAY_CLIENT_WARNING, ClusterWarning

    if address.strip().startswith("ray://"):
        click.echo(f"transkit: warning: {RAY_CLIENT_WARNING}", err=True)  # one line, not Python's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ClusterWarning)
        return run_cluster_translate(
            files, options, cluster, progress_factory=_progress_factory(quiet)
        )


def _claim_outputs(files: tuple[str, ...], options: Any, report: Path | None) -> Any:
    """The run's outputs, claimed before anything is written; ``--report`` checked first.

    A ``--report`` that is an input, or one of the files the run writes, is
    refused (one line, exit 1) before the model is even loaded.
    """
    from contextlib import suppress

    from transkit.errors import OutputError
    from transkit.fileio import OutputClaims, preflight
    from transkit.pretranslate import planned_outputs

    claims = OutputClaims([*files, *options.glossary_paths])
    if isinstance(options.tm_path, Path) and options.tm_path.is_dir():  # not a URL
        for tmx in options.tm_path.glob("*.tmx"):
            claims.add_input(tmx)
    if report is None:
        return claims
    for out, owner in planned_outputs(list(files), options).items():
        with suppress(OutputError):  # collisions between inputs are refused per file later
            claims.claim(out, owner=owner)
    claims.claim(report, owner="--report")
    preflight(report)
    return claims


def _print_summary(run: Any, *, err: bool) -> None:
    from transkit.enforce.report import stage_line

    if run.glossaries:
        used = ", ".join(f"{name} ({count} entries)" for name, count in run.glossaries)
        click.echo(f"glossary: {used}", err=err)
    else:
        click.echo("glossary: none", err=err)
    if run.model:
        click.echo(f"model: {run.model}", err=err)
    if run.memory:
        click.echo(f"memory: {run.memory}", err=err)
    for result in run.files:
        s = result.summary_figures()
        if s is None:
            continue
        segments = f"{s['segments']} segment{'' if s['segments'] == 1 else 's'}"
        line = (
            f"{result.path}: {segments}, {s['terms_required']} terms required, "
            f"{s['terms_satisfied']} satisfied, {s['terms_failed']} failed"
        )
        if s["terms_required"]:
            line += " (" + stage_line(s["stages"]) + ")"
        click.echo(line, err=err)
        if run.memory and result.document is not None:
            click.echo(f"  {_tm_line([result.document])}", err=err)
        meta = result.document.metadata if result.document is not None else {}
        if "document_format" in meta:
            click.echo(
                f"  {meta['document_format']}: {meta['xliff_filled']} paragraphs translated"
                + (
                    f", {meta['xliff_uncertain_codes']} with uncertain code placement"
                    if meta["xliff_uncertain_codes"] != "0"
                    else ""
                ),
                err=err,
            )
            for note in filter(None, meta.get("document_notes", "").split(" | ")):
                click.echo(f"  note: {note}", err=err)
        elif "xliff_filled" in meta:
            click.echo(
                f"  XLIFF: {meta['xliff_filled']} segments filled, {meta['xliff_kept']} kept, "
                f"{meta['xliff_locked']} locked, {meta['xliff_not_translatable']} not translatable"
                + (
                    f", {meta['xliff_uncertain_codes']} with uncertain code placement"
                    if meta["xliff_uncertain_codes"] != "0"
                    else ""
                ),
                err=err,
            )
        for out in result.outputs:
            click.echo(f"  wrote {out}", err=err)
    if run.memory and len(run.documents) > 1:
        click.echo(_tm_line(run.documents), err=err)
    if run.index:
        click.echo(f"wrote {run.index}", err=err)
    click.echo(f"{len(run.finished)} file(s) in {run.seconds:.2f} s", err=err)


def _tm_line(documents: Any) -> str:
    """Segments per memory match level and from MT, for the summary."""
    from transkit.tm.leverage import LEVEL_LABELS, tm_counts

    counts = tm_counts(documents)
    reused = [f"{counts[k]} {LEVEL_LABELS[k]}" for k in ("context", "exact")]
    fuzzy = counts["numbers"] + counts["fuzzy"]
    mt = fuzzy + counts["mt"]
    return (
        f"from memory: {', '.join(reused)}; machine-translated: {mt}"
        f" ({counts['fuzzy']} with a fuzzy match, {counts['numbers']} fuzzy with numbers fixed)"
    )


# --------------------------------------------------------------------- segment
@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--offsets", is_flag=True, help="Prefix each segment with its start:end offsets.")
def segment(files: tuple[str, ...], offsets: bool) -> None:
    """Print the sentences of FILES, one segment per line (- for stdin)."""
    from transkit.errors import InputError
    from transkit.text.reading import (
        STDIN_NAME,
        decode_document,
        read_document,
        read_stdin_bytes,
    )
    from transkit.text.segment import segment_spans

    errors = 0
    for name in files:
        try:
            if name == "-":
                text = decode_document(read_stdin_bytes(), STDIN_NAME)
            else:
                text = read_document(name)
            if not text.strip():
                shown = STDIN_NAME if name == "-" else name
                raise InputError("empty input, nothing to segment", file=shown)
        except InputError as err:
            click.echo(f"transkit: error: {err.one_line()}", err=True)
            errors += 1
            continue
        for start, end in segment_spans(text):
            piece = " ".join(text[start:end].split())
            click.echo(f"{start}:{end}\t{piece}" if offsets else piece)
    if errors:
        sys.exit(EXIT_INPUT_ERRORS)
