"""A Ray worker setup hook that makes one segment fail, for the bad-segment test.

Given as ``worker_process_setup_hook`` in a job's runtime environment, it
runs in every worker process of the job before any task: the pipeline's
step (`transkit.batch.translate_segments`, which `SegmentWorker` looks up at
each call) then raises for any batch holding a segment with `POISON` in
its source, as an engine that refuses a sentence would.  Nothing of
transkit's own code knows about it.
"""

from __future__ import annotations

from typing import Any

POISON = "vergiftet"


def install() -> None:
    import transkit.batch as batch

    real = batch.translate_segments

    def translate_segments(segments: Any, engine: Any, **options: Any) -> Any:
        for segment in segments:
            if POISON in segment.source:
                raise RuntimeError(f"the engine refuses this sentence: {segment.source!r}")
        return real(segments, engine, **options)

    batch.translate_segments = translate_segments  # type: ignore[assignment]
