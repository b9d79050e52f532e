"""The one seam every way of running goes through: translate and enforce a
batch of segments.

The local run (`transkit.pipeline`), the server's batcher (`transkit.serve`)
and a cluster worker (`transkit.cluster`) all call `translate_segments`.  It
is a pure function of its inputs: segments (with their glossary terms already
matched), an engine, and the glossary's policy.  It reads and writes no file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from transkit.data import Segment
from transkit.enforce.parts import join_parts, split_long_segments
from transkit.engine.base import Engine

__all__ = [
    "BATCH_SEGMENTS",
    "dedup_key",
    "plan_batches",
    "planned_parts",
    "translate_planned",
    "translate_segments",
    "pending_parts",
]

#: Unique segments per `translate_segments` call in `translate_planned`.  The
#: engine's scores depend (in the last digits) on which sentences share a
#: batch, and enforcement acts on scores, so a run is reproducible only if
#: every way of running forms the same batches: the local run and a cluster.
BATCH_SEGMENTS = 32


def dedup_key(segment: Segment) -> Segment:
    """What a translation depends on: the segment without its place in the document."""
    return replace(segment, id="", leading="", start=0, end=0)


def plan_batches(
    segments: Sequence[Segment], size: int = BATCH_SEGMENTS
) -> tuple[list[list[Segment]], dict[Segment, list[int]]]:
    """The batches every runner translates: unique segments without a target,
    sorted by length (then text), ``size`` to a batch; and each unique
    segment's positions in ``segments``.  Identical sources are translated once."""
    where: dict[Segment, list[int]] = {}
    for i, seg in enumerate(segments):
        if seg.target is None:
            where.setdefault(dedup_key(seg), []).append(i)
    order = sorted(where, key=lambda key: (len(key.source), key.source))
    return [order[i : i + size] for i in range(0, len(order), size)], where


def place(result: Segment, original: Segment) -> Segment:
    """A deduplicated translation put back at one of its segments' places."""
    return replace(
        result, id=original.id, leading=original.leading, start=original.start, end=original.end
    )


def planned_parts(segments: Sequence[Segment], size: int = BATCH_SEGMENTS) -> int:
    """How many units of progress `translate_planned` reports for ``segments``."""
    batches, _ = plan_batches(segments, size)
    return sum(pending_parts(batch) for batch in batches)


def translate_planned(
    segments: Sequence[Segment],
    engine: Engine,
    *,
    glossary: Any | None = None,
    num_hypotheses: int = 4,
    progress: Callable[[int], None] | None = None,
    batch_segments: int = BATCH_SEGMENTS,
) -> list[Segment]:
    """`translate_segments` over the batches of `plan_batches`, results put back in place.

    The local pipeline runs this; a cluster sends the same batches to its
    workers, so both produce the same bytes.
    """
    batches, where = plan_batches(segments, batch_segments)
    out = list(segments)
    done = 0
    for batch in batches:

        def tick(n: int, base: int = done) -> None:
            if progress is not None:
                progress(base + n)

        results = translate_segments(
            batch, engine, glossary=glossary, num_hypotheses=num_hypotheses, progress=tick
        )
        done += pending_parts(batch)
        for key, result in zip(batch, results, strict=True):
            for i in where[key]:
                out[i] = place(result, segments[i])
    return out


def pending_parts(segments: Sequence[Segment]) -> int:
    """How many units of progress `translate_segments` reports for ``segments``.

    One per segment still to translate, or more for an over-long one (see
    `split_long_segments`); segments that already have a target count 0.
    """
    waiting = [s for s in segments if s.target is None]
    return len(split_long_segments(waiting)[0])


def translate_segments(
    segments: Sequence[Segment],
    engine: Engine,
    *,
    glossary: Any | None = None,
    num_hypotheses: int = 4,
    progress: Callable[[int], None] | None = None,
) -> list[Segment]:
    """Translate every segment without a target and enforce its terms.

    Segments that already have a target (a translation-memory hit) come back
    unchanged.  ``glossary`` (the `Glossary` the terms were matched with)
    tells enforcement the deprecated renderings and every forbidden term.
    ``progress`` gets the number of parts done so far (see `pending_parts`).
    The result has one segment per input, in order; QA annotation of whole
    documents is the caller's (`transkit.enforce.report.annotate`).
    """
    from transkit.enforce.stages import TermPolicy, enforce_terms
    from transkit.terms.suggest import DEFAULT_DICTIONARY
    from transkit.text.typography import english_quotes, match_initial_case

    pending = [i for i, seg in enumerate(segments) if seg.target is None]
    waiting = [segments[i] for i in pending]
    parts, owners = split_long_segments(waiting)  # progress counts these parts
    dictionary = (
        DEFAULT_DICTIONARY if glossary is not None and DEFAULT_DICTIONARY.exists() else None
    )
    done = join_parts(
        waiting,
        enforce_terms(
            parts,
            engine,
            num_hypotheses=num_hypotheses,
            progress=progress,
            policy=TermPolicy.from_glossary(glossary),
            dictionary=dictionary,
        ),
        owners,
    )
    translated = list(segments)
    for i, s in zip(pending, done, strict=True):
        translated[i] = replace(
            s, target=english_quotes(match_initial_case(s.source, s.target or ""))
        )
    return translated
