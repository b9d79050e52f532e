"""The one seam every way of running goes through: translate and enforce a
batch of segments.

The local run (`transkit.pipeline`), the server's batcher (`transkit.serve`)
and a cluster worker (`transkit.cluster`) all call `translate_segments`.  It
is a pure function of its inputs: segments (with their glossary terms already
matched), an engine, and the glossary's policy.  It reads and writes no file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from typing import Any

from transkit.data import Segment
from transkit.enforce.parts import join_parts, split_long_segments
from transkit.engine.base import Engine

__all__ = [
    "BATCH_SEGMENTS",
    "WINDOW_PARTS",
    "WINDOW_SEGMENTS",
    "plan_windows",
    "window_segments",
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
#: 256 sentences make engine batches of a few thousand tokens (CTranslate2's
#: own size is 4,096), so the plan costs little speed (docs/throughput.md),
#: and a cluster still commits in steps small enough to resume from.
BATCH_SEGMENTS = 256


def batch_segments() -> int:
    """The plan's batch size: `BATCH_SEGMENTS`, or ``TRANSKIT_BATCH_SEGMENTS``
    (the same for a run and the cluster run it is compared with; the cluster
    tests use small batches so that a worker dies between them)."""
    import os

    value = os.environ.get("TRANSKIT_BATCH_SEGMENTS", "")
    return int(value) if value.isdigit() and int(value) > 0 else BATCH_SEGMENTS


#: Parts translated and enforced at a time: each window is length-sorted
#: into token batches by the engine; much larger gains no speed (a window
#: is already hundreds of full batches) and holds more at once.
WINDOW_PARTS = 20_000


def dedup_key(segment: Segment) -> Segment:
    """What a translation depends on: the segment without its place in the document."""
    return replace(segment, id="", leading="", start=0, end=0)


#: Segments of a run planned together: the plan sorts and deduplicates
#: within windows of this many segments, in the run's order (files one
#: after another), so a run of any size can be read, translated and
#: written a window at a time (`transkit.stream`) with the same batches as
#: a run held whole.  Inputs of up to this many segments are one window
#: (the plan of a run held whole); 20,000 sentences are about 2.5 MB.
WINDOW_SEGMENTS = 20_000


def window_segments() -> int:
    """The plan's window: `WINDOW_SEGMENTS`, or ``TRANSKIT_WINDOW_SEGMENTS``
    (the tests use small windows to compare a windowed run with a whole one)."""
    import os

    value = os.environ.get("TRANSKIT_WINDOW_SEGMENTS", "")
    return int(value) if value.isdigit() and int(value) > 0 else WINDOW_SEGMENTS


def plan_windows(count: int, window: int | None = None) -> list[range]:
    """The positions of each window of a run of ``count`` segments."""
    window = window or window_segments()
    return [range(i, min(i + window, count)) for i in range(0, count, window)]


def plan_batches(
    segments: Sequence[Segment], size: int | None = None, window: int | None = None
) -> tuple[list[list[Segment]], list[dict[Segment, list[int]]]]:
    """The batches every runner translates, and for each, where its segments go.

    Per window of ``window`` segments (`plan_windows`): the unique segments
    without a target, sorted by length (then text), ``size`` to a batch.
    Identical sources in a window are translated once; the second list
    gives, per batch, each unique segment's positions in ``segments``.
    """
    size = size or batch_segments()
    batches: list[list[Segment]] = []
    places: list[dict[Segment, list[int]]] = []
    for positions in plan_windows(len(segments), window):
        where: dict[Segment, list[int]] = {}
        for i in positions:
            seg = segments[i]
            if seg.target is None:
                where.setdefault(dedup_key(seg), []).append(i)
        order = sorted(where, key=lambda key: (len(key.source), key.source))
        for start in range(0, len(order), size):
            batch = order[start : start + size]
            batches.append(batch)
            places.append({key: where[key] for key in batch})
    return batches, places


def place(result: Segment, original: Segment) -> Segment:
    """A deduplicated translation put back at one of its segments' places."""
    return replace(
        result, id=original.id, leading=original.leading, start=original.start, end=original.end
    )


def planned_parts(
    segments: Sequence[Segment], size: int | None = None, window: int | None = None
) -> int:
    """How many units of progress `translate_planned` reports for ``segments``."""
    batches, _ = plan_batches(segments, size, window)
    return sum(pending_parts(batch) for batch in batches)


def translate_planned(
    segments: Sequence[Segment],
    engine: Engine,
    *,
    glossary: Any | None = None,
    num_hypotheses: int = 4,
    progress: Callable[[int], None] | None = None,
    batch_segments: int | None = None,
    window: int | None = None,
) -> list[Segment]:
    """`translate_segments` over the batches of `plan_batches`, results put back in place.

    The local pipeline runs this (on a whole run, or a window at a time);
    a cluster sends the same batches to its workers, so all produce the
    same bytes.
    """
    batches, places = plan_batches(segments, batch_segments, window)
    out = list(segments)
    done = 0
    for batch, where in zip(batches, places, strict=True):

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

    One per distinct segment still to translate, or more for an over-long
    one (see `split_long_segments`); segments that already have a target,
    and repeats of one already counted, count 0.
    """
    return len(split_long_segments(_distinct_waiting(segments)[1])[0])


#: What differs between two occurrences of one sentence.
_OCCURRENCE = frozenset({"id", "leading", "start", "end"})
_SAME = tuple(f.name for f in fields(Segment) if f.name not in _OCCURRENCE)


def _occurrence_free(segment: Segment) -> tuple[Any, ...]:
    """Everything of the segment but where it occurs (a tuple: cheaper than `replace`)."""
    return tuple(getattr(segment, name) for name in _SAME)


def _distinct_waiting(segments: Sequence[Segment]) -> tuple[list[int], list[Segment], list[int]]:
    """The segments still to translate, each distinct one once.

    Returns the indices of the waiting segments, the distinct ones (first
    occurrence kept) and, for each waiting segment, the index of its
    distinct one: a sentence repeated in a run (a boilerplate line, a
    heading on every page) is translated and enforced once.
    """
    pending = [i for i, seg in enumerate(segments) if seg.target is None]
    first: dict[tuple[Any, ...], int] = {}
    distinct: list[Segment] = []
    copy_of: list[int] = []
    for i in pending:
        key = _occurrence_free(segments[i])
        if key not in first:
            first[key] = len(distinct)
            distinct.append(segments[i])
        copy_of.append(first[key])
    return pending, distinct, copy_of


def translate_segments(
    segments: Sequence[Segment],
    engine: Engine,
    *,
    glossary: Any | None = None,
    num_hypotheses: int = 4,
    progress: Callable[[int], None] | None = None,
    window: int = WINDOW_PARTS,
) -> list[Segment]:
    """Translate every segment without a target and enforce its terms.

    Segments that already have a target (a translation-memory hit) come back
    unchanged; a segment repeated in ``segments`` is translated once.
    ``glossary`` (the `Glossary` the terms were matched with) tells
    enforcement the deprecated renderings and every forbidden term.
    ``progress`` gets the number of parts done so far (see `pending_parts`),
    counting on across the windows of ``window`` parts that are enforced at
    a time.
    The result has one segment per input, in order; QA annotation of whole
    documents is the caller's (`transkit.enforce.report.annotate`).
    """
    from transkit.enforce.stages import TermPolicy, enforce_terms
    from transkit.terms.suggest import DEFAULT_DICTIONARY
    from transkit.text.typography import english_quotes, match_initial_case

    pending, waiting, copy_of = _distinct_waiting(segments)
    parts, owners = split_long_segments(waiting)  # progress counts these parts
    dictionary = (
        DEFAULT_DICTIONARY if glossary is not None and DEFAULT_DICTIONARY.exists() else None
    )
    policy = TermPolicy.from_glossary(glossary)
    enforced: list[Segment] = []
    # In windows: what the engine and enforcement hold at once (pieces,
    # n-best lists, drafts) is bounded by the window, not the input.
    for start in range(0, len(parts), window):
        enforced += enforce_terms(
            parts[start : start + window],
            engine,
            num_hypotheses=num_hypotheses,
            progress=_offset(progress, start),
            policy=policy,
            dictionary=dictionary,
        )
    finished = [
        replace(s, target=english_quotes(match_initial_case(s.source, s.target or "")))
        for s in join_parts(waiting, enforced, owners)
    ]
    translated = list(segments)
    for i, k in zip(pending, copy_of, strict=True):
        seg = segments[i]
        translated[i] = (
            finished[k]
            if seg is waiting[k]
            else replace(finished[k], id=seg.id, leading=seg.leading, start=seg.start, end=seg.end)
        )
    return translated


def _offset(
    progress: Callable[[int], None] | None, done_before: int
) -> Callable[[int], None] | None:
    """``progress`` for a window: counts go on from the windows before it."""
    if progress is None or not done_before:
        return progress
    return lambda done: progress(done_before + done)
