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

__all__ = ["translate_segments", "pending_parts"]


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
