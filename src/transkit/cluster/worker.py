"""The worker: a Ray Data callable class that translates batches of segments.

`__init__` runs once per worker process: it loads the model (see
`transkit.cluster.shipment`) and keeps the glossary.  Each call translates
one batch with `transkit.batch.translate_segments`, the same pure step the
local run uses.  A batch that raises is retried segment by segment, so one
bad segment comes back as an error status instead of killing the job.
"""

from __future__ import annotations

import os
import pickle
from typing import Any

from transkit.cluster.journal import encode_segment
from transkit.cluster.shipment import ModelShipment
from transkit.engine.argos import EngineOptions

__all__ = ["SegmentWorker", "STATUS_OK"]

STATUS_OK = "ok"


class SegmentWorker:
    """Translate-and-enforce for Ray Data's ``map_batches`` (an actor per worker)."""

    def __init__(
        self,
        shipment: ModelShipment,
        engine_options: EngineOptions,
        glossary: Any,
        num_hypotheses: int,
        attempts_log: str | None = None,
    ) -> None:
        self.attempts_log = attempts_log
        self.worker = f"{os.uname().nodename}:{os.getpid()}"
        self._log("load", ())
        self.engine = shipment.load_engine(engine_options)
        self.glossary = glossary
        self.num_hypotheses = num_hypotheses
        self._log("ready", ())

    def _log(self, event: str, ids: Any) -> None:
        """One line per event and segment id, appended (``O_APPEND``) to the attempts log.

        The log is how a test (or an operator) sees retries: results of a
        batch lost with its node never reach the driver, these lines do.
        """
        if not self.attempts_log:
            return
        lines = [f"{self.worker}\t{event}\t{i}\n" for i in ids] or [f"{self.worker}\t{event}\t\n"]
        fd = os.open(self.attempts_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, "".join(lines).encode("utf-8"))
        finally:
            os.close(fd)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Rows of ``{id, sources, segments}`` (one planned batch each) in;
        ``{id, statuses, segments, worker}`` out (lists pickled; ``segments`` a list
        of `transkit.cluster.journal.encode_segment` bytes, one per segment)."""
        out: dict[str, list[Any]] = {"id": [], "statuses": [], "segments": [], "worker": []}
        for number, blob in zip(batch["id"], batch["segments"], strict=True):
            segments = pickle.loads(blob)
            self._log("attempt", [f"{int(number)}:{k}" for k in range(len(segments))])
            statuses, done = self._translate(segments)
            out["id"].append(int(number))
            out["statuses"].append(pickle.dumps(statuses))
            # each segment pickled on its own: the driver commits these bytes as they are
            out["segments"].append(pickle.dumps([encode_segment(seg) for seg in done]))
            out["worker"].append(self.worker)
        return out

    def _translate(self, segments: list[Any]) -> tuple[list[str], list[Any]]:
        """The batch through `translate_segments`; if it raises, segment by segment."""
        from transkit.batch import translate_segments

        def run(batch: list[Any]) -> list[Any]:
            return translate_segments(
                batch, self.engine, glossary=self.glossary, num_hypotheses=self.num_hypotheses
            )

        try:
            return [STATUS_OK] * len(segments), run(segments)
        except Exception:  # noqa: BLE001 - isolate the bad segment below
            pass
        statuses, done = [], []
        for seg in segments:
            try:
                done.extend(run([seg]))
                statuses.append(STATUS_OK)
            except Exception as err:  # noqa: BLE001 - returned as this segment's status
                statuses.append(f"error: {type(err).__name__}: {err}".splitlines()[0])
                done.append(seg)
        return statuses, done
