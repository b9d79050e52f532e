"""One execution of Ray Data over the segments still to translate.

``map_batches`` with `SegmentWorker` on a fixed pool of actors: the
documented pattern for batch inference with a model per worker.  Ray's
defaults keep a lost batch from being lost: actors restart and their tasks
retry without limit.  The settings that would drop data stay off:
``max_errored_blocks`` is 0, and only a bounded number of workers may die
while loading the model before the execution fails.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from transkit.cluster.shipment import ModelShipment
from transkit.engine.argos import EngineOptions

__all__ = ["result_batches", "worker_count"]


def worker_count(requested: int | None, cpus_per_worker: float) -> int:
    """The pool size: as asked, or one actor per ``cpus_per_worker`` CPUs of the cluster."""
    if requested:
        return requested
    import ray

    cpus = float(ray.cluster_resources().get("CPU", 1.0))
    return max(1, int(cpus // cpus_per_worker))


def result_batches(
    rows: Sequence[dict[str, Any]],
    shipment: ModelShipment,
    engine: EngineOptions,
    *,
    glossary: Any,
    num_hypotheses: int,
    workers: int,
    cpus_per_worker: float,
    load_retries: int,
    attempts_log: str | None,
) -> Iterator[dict[str, Any]]:
    """Yield the workers' result batches (``{id, status, segment, worker}``) as they finish.

    Each row is one planned batch (`transkit.batch.plan_batches`: unique
    segments of similar length), so a worker translates exactly the batches
    a local run does.  Raises what Ray raises when the execution
    fails (e.g. every retry of a worker died while loading).
    """
    import ray
    import ray.data

    from transkit.cluster.worker import SegmentWorker

    logging.getLogger("ray.data").setLevel(logging.WARNING)
    context = ray.data.DataContext.get_current()
    context.max_errored_blocks = 0
    context.max_consecutive_actor_init_deaths = load_retries
    context.enable_progress_bars = False
    if engine.threads == 0:  # a worker uses the CPUs it was given, not the whole node
        engine = replace(engine, threads=max(1, int(cpus_per_worker)))
    dataset = ray.data.from_items(list(rows), override_num_blocks=max(1, len(rows)))
    translated = dataset.map_batches(
        SegmentWorker,
        batch_size=1,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=cpus_per_worker,
        fn_constructor_kwargs={
            "shipment": shipment,
            "engine_options": engine,
            "glossary": glossary,
            "num_hypotheses": num_hypotheses,
            "attempts_log": attempts_log,
        },
    )
    yield from translated.iter_batches(batch_size=None, batch_format="numpy")
