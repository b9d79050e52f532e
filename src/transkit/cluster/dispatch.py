"""One execution of Ray Data over the segments still to translate.

``map_batches`` with `SegmentWorker` on a fixed pool of actors: the
documented pattern for batch inference with a model per worker.  Ray's
defaults keep a lost batch from being lost: actors restart and their tasks
retry without limit.  The settings that would drop data stay off:
``max_errored_blocks`` is 0, and only a bounded number of workers may die
while loading the model before the execution fails.

Over Ray Client (``ray://``) Ray Data cannot execute in the client process
(Ray 2.60: its streaming executor needs a core worker), so the execution
runs in a `Relay` actor inside the cluster, and the driver pulls the result
batches from it: the same execution, one hop further.
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
    """Yield the workers' result batches (``{id, statuses, segments, worker}``) as they finish.

    Each row is one planned batch (`transkit.batch.plan_batches`: unique
    segments of similar length), so a worker translates exactly the batches
    a local run does.  Raises what Ray raises when the execution
    fails (e.g. every retry of a worker died while loading).
    """
    settings = {
        "shipment": shipment,
        "engine": engine,
        "glossary": glossary,
        "num_hypotheses": num_hypotheses,
        "workers": workers,
        "cpus_per_worker": cpus_per_worker,
        "load_retries": load_retries,
        "attempts_log": attempts_log,
    }
    if not _over_ray_client():
        yield from _execute(list(rows), **settings)
        return
    import ray

    relay = ray.remote(num_cpus=0, max_restarts=0)(Relay).remote(list(rows), settings)
    try:
        while True:
            batches = ray.get(relay.next.remote())
            if batches is None:
                return
            yield from batches
    finally:
        ray.kill(relay)


def _over_ray_client() -> bool:
    """Whether this process reaches the cluster through Ray Client (``ray://``)."""
    import ray

    return bool(ray.util.client.ray.is_connected())


class Relay:
    """The execution inside the cluster, for a driver on Ray Client: it hands out
    result batches as they finish, a few per call."""

    def __init__(self, rows: list[dict[str, Any]], settings: dict[str, Any]) -> None:
        self._batches = _execute(rows, **settings)

    def next(self, most: int = 8) -> list[dict[str, Any]] | None:
        """Up to ``most`` result batches (waiting for the first); None when all came."""
        out = []
        for batch in self._batches:
            out.append(batch)
            if len(out) >= most:
                break
        return out or None


def _execute(
    rows: list[dict[str, Any]],
    *,
    shipment: ModelShipment,
    engine: EngineOptions,
    glossary: Any,
    num_hypotheses: int,
    workers: int,
    cpus_per_worker: float,
    load_retries: int,
    attempts_log: str | None,
) -> Iterator[dict[str, Any]]:
    """`map_batches` with `SegmentWorker` over ``rows``, in this process."""
    import ray
    import ray.data

    from transkit.cluster.worker import SegmentWorker

    _quiet_console()
    context = ray.data.DataContext.get_current()
    context.max_errored_blocks = 0
    context.max_consecutive_actor_init_deaths = load_retries
    context.enable_progress_bars = False
    if engine.threads == 0:  # a worker uses the CPUs it was given, not the whole node
        engine = replace(engine, threads=max(1, int(cpus_per_worker)))
    dataset = ray.data.from_items(rows, override_num_blocks=max(1, len(rows)))
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


def _quiet_console() -> None:
    """Ray Data's console handler prints stack traces of a failed execution; the
    driver reports the failure in one line instead.  Ray Data's own log file
    (``ray-data.log`` in the session folder) still gets everything."""
    for handler in logging.getLogger("ray.data").handlers:
        if type(handler).__name__ != "SessionFileHandler":
            handler.setLevel(logging.CRITICAL)
