"""The distributed executor: corpora spread over a Ray cluster.

It sits above the pipeline's pure translate-and-enforce step
(`transkit.batch.translate_segments`), which each worker calls on its batch.
The local run needs nothing from here, and nothing here is imported unless
``--cluster`` is asked for.

* `transkit.cluster.connect`: joining a cluster (``auto``, ``HOST:PORT``,
  ``ray://``), and the one-line message when Ray is not installed.
* `transkit.cluster.shipment`: how the model reaches workers (a shared path,
  or its bytes through the object store), checked by SHA-256 on arrival.
* `transkit.cluster.worker`: the Ray Data callable class; loads the model once.
* `transkit.cluster.journal`: the SQLite journal that turns Ray's
  at-least-once into exactly once, and makes ``--resume`` possible.
* `transkit.cluster.driver`: reads, segments, matches and deduplicates, sends
  length-sorted batches, commits results, writes each file once it is complete.
"""

__all__ = ["ClusterOptions", "run_cluster_translate"]


def __getattr__(name: str) -> object:
    """`ClusterOptions` and `run_cluster_translate`, imported on first use (no Ray at import)."""
    if name in __all__:
        from transkit.cluster import driver

        return getattr(driver, name)
    raise AttributeError(name)
