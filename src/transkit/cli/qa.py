"""`transkit qa` (read a term report) and `transkit eval` (measure glossary compliance)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from transkit.cli.errors import user_errors
from transkit.cli.options import glossary_option, resolve_glossary_option


# --------------------------------------------------------------------- qa
@click.command()
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--failed", is_flag=True, help="Show only failed term checks.")
def qa(report: Path, failed: bool) -> None:
    """Show a --report JSON file as a readable table of every term check."""
    from transkit.enforce.report import load_report, render_table
    from transkit.errors import InputError
    from transkit.fileio import read_limited

    with user_errors():
        try:
            text = read_limited(report).decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(f"not UTF-8 ({err.reason})", file=str(report)) from None
        data = load_report(text, str(report))
    click.echo(render_table(data, failed_only=failed), nl=False)


# --------------------------------------------------------------------- eval
@click.command("eval")
@click.argument("testset", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--model", help="Installed model code or an .argosmodel / package directory.")
@glossary_option
@click.option("--n-best", "n_best", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_(
    testset: Path, model: str | None, glossaries: tuple[str, ...], n_best: int, as_json: bool
) -> None:
    """Measure glossary compliance on a held-out TSV (columns de[, en_approved]).

    Prints the term success rate (satisfied / required), outputs with
    forbidden terms, terms per enforcement stage (n-best, protected,
    substituted, re-decoded, flagged), doubled and tacked-on terms.
    """
    from transkit.engine.argos import engine_for
    from transkit.evaluate import evaluate_terms, read_test_set
    from transkit.terms.glossary import load_glossaries
    from transkit.terms.match import TermMatcher

    with user_errors():
        paths = resolve_glossary_option(glossaries, False)
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
    from transkit.enforce.report import stage_line

    m = figures["methods"]
    click.echo(f"sentences: {figures['sentences']} ({figures['sentences_with_terms']} with terms)")
    rate = figures["success_rate"]
    click.echo(
        f"terms: {figures['terms_satisfied']}/{figures['terms_required']} satisfied, "
        + (
            f"success rate {rate:.4f}"
            if rate is not None
            else "success rate n/a (no glossary term occurs in the test set)"
        )
    )
    click.echo(f"outputs with forbidden terms: {figures['outputs_with_forbidden_terms']}")
    click.echo(f"terms by stage: {stage_line(figures['stages'])}")
    click.echo(
        f"segments by method: n-best {m.get('nbest', 0)}, protected {m.get('protected', 0)}, "
        f"substituted {m.get('substituted', 0)}, re-decoded {m.get('redecoded', 0)}, "
        f"failed {m.get('failed', 0)} (n-best alone enough for {figures['nbest_share']:.1%})"
    )
    click.echo(
        f"segments with a doubled term: {figures['segments_with_doubled_terms']}; "
        f"re-decoded terms tacked onto a sentence end: {figures['terms_tacked_on']}"
    )
    if figures["references"]:
        click.echo(
            f"exact match with approved reference: {figures['exact_match_with_approved_reference']}"
            f"/{figures['references']}"
        )
