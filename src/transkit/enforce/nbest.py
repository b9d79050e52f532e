"""Stage 1, n-best: the highest-scoring hypothesis that already obeys the glossary.

The engine is asked for n hypotheses of every segment with enforceable
terms, in one batch; the best one that contains every required English term
(any approved variant, either number, capitalised at a sentence start) and
no forbidden one is taken.  A segment without such a hypothesis is marked
"failed" and keeps the hypothesis that obeys the most terms, for the later
stages.  Segments without terms get the engine's best hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from transkit.data import Hypothesis, Segment, TermCheck, TermMatch
from transkit.enforce.find import all_obeyed, check_terms, enforceable
from transkit.engine.base import Engine

__all__ = ["choose_hypothesis", "rerank"]


def choose_hypothesis(
    hypotheses: Sequence[Hypothesis],
    terms: Sequence[TermMatch],
    accept: Callable[[str, Sequence[TermMatch]], bool] | None = None,
) -> tuple[Hypothesis, tuple[TermCheck, ...]] | None:
    """The highest-scoring hypothesis that satisfies every term (and that
    ``accept`` accepts, e.g. no term doubled), or None."""
    for hyp in sorted(hypotheses, key=lambda h: h.score, reverse=True):
        checks = check_terms(hyp.text, terms)
        if all_obeyed(checks) and (accept is None or accept(hyp.text, terms)):
            return hyp, checks
    return None


def rerank(
    segments: Sequence[Segment],
    engine: Engine,
    *,
    num_hypotheses: int = 4,
    progress: Callable[[int], None] | None = None,
    accept: Callable[[str, Sequence[TermMatch]], bool] | None = None,
) -> list[Segment]:
    """Translate ``segments``; obey the glossary by choosing among n-best.

    Each returned segment records its checks (stage "nbest" for an obeyed
    term) and method: "nbest", "failed", or "none" when there was nothing to
    enforce.  ``accept`` is an extra test a hypothesis must pass.
    """
    with_terms = [any(enforceable(t) for t in s.terms) for s in segments]
    plain_idx = [i for i, flag in enumerate(with_terms) if not flag]
    term_idx = [i for i, flag in enumerate(with_terms) if flag]
    results: list[Segment | None] = [None] * len(segments)

    def report(done_plain: int, done_terms: int) -> None:
        if progress:
            progress(done_plain + done_terms)

    plain = (
        engine.translate_batch(
            [segments[i].source for i in plain_idx],
            num_hypotheses=1,
            **_progress_kw(engine, lambda k: report(k, 0)),
        )
        if plain_idx
        else []
    )
    for i, hyps in zip(plain_idx, plain, strict=True):
        results[i] = replace(
            segments[i], target=hyps[0].text if hyps else "", method="none", checks=()
        )

    nbest = (
        engine.translate_batch(
            [segments[i].source for i in term_idx],
            num_hypotheses=max(1, num_hypotheses),
            **_progress_kw(engine, lambda k: report(len(plain_idx), k)),
        )
        if term_idx
        else []
    )
    for i, hyps in zip(term_idx, nbest, strict=True):
        chosen = choose_hypothesis(hyps, segments[i].terms, accept)
        if chosen:
            hyp, checks = chosen
            checks = tuple(replace(c, stage="nbest") for c in checks)
            results[i] = replace(segments[i], target=hyp.text, checks=checks, method="nbest")
        else:
            results[i] = _most_obeyed(segments[i], hyps)
    origin = getattr(engine, "name", "engine")
    return [replace(s, origin=origin, state="mt") for s in results if s is not None]


def _most_obeyed(segment: Segment, hyps: Sequence[Hypothesis]) -> Segment:
    """The segment, "failed", with the best-scoring of the hypotheses that
    obey the most terms."""
    ranked = [h.text for h in sorted(hyps, key=lambda h: h.score, reverse=True)] or [""]
    target = max(
        ranked, key=lambda text: sum(c.satisfied for c in check_terms(text, segment.terms))
    )
    checks = tuple(
        replace(c, stage="nbest" if c.satisfied else "") for c in check_terms(target, segment.terms)
    )
    return replace(segment, target=target, checks=checks, method="failed")


def _progress_kw(engine: Engine, callback: Callable[[int], None]) -> dict[str, object]:
    """Pass ``progress`` only to engines that accept it."""
    import inspect

    try:
        params = inspect.signature(engine.translate_batch).parameters
    except (TypeError, ValueError):
        return {}
    return {"progress": callback} if "progress" in params else {}
