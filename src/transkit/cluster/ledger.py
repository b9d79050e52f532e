"""The driver's per-segment path: a worker's result batch into the journal.

This is the one loop whose cost grows with the segments *and* runs on the
driver alone, so it does as little as it can per segment: the plan's
positions are resolved to segment ids once, up front (no hashing of
segments per result), and a result is committed as the bytes the worker
pickled (no unpickling, placing and re-pickling; the driver places each
segment when it assembles a finished file).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from transkit.cluster.journal import Journal
from transkit.cluster.worker import STATUS_OK
from transkit.data import Document, Segment

__all__ = ["Ledger"]

SegmentId = tuple[str, int]


@dataclass
class Ledger:
    """Which planned batches are still out, what each file still lacks, what failed."""

    ids: list[list[list[SegmentId]]]  # per batch number, per unique segment: its ids
    pending: set[int] = field(default_factory=set)
    remaining: dict[str, int] = field(default_factory=dict)  # ids each file still waits for
    errors: dict[SegmentId, str] = field(default_factory=dict)  # id -> the worker's status
    already_committed: int = 0  # ids found in the journal when the run began

    @classmethod
    def plan(
        cls,
        documents: Sequence[Document],
        batches: Sequence[Sequence[Segment]],
        where: Sequence[dict[Segment, list[int]]],
        committed: set[SegmentId],
    ) -> Ledger:
        """The ledger of `transkit.batch.plan_batches`' batches over ``documents``.

        A batch is committed in one transaction, so a batch all of whose
        ids are in the journal (``committed``) is done; any other is pending.
        """
        flat = [(doc.name, i) for doc in documents for i in range(len(doc.segments))]
        ledger = cls(
            ids=[
                [[flat[i] for i in where[number][key]] for key in batch]
                for number, batch in enumerate(batches)
            ]
        )
        ledger.remaining = {doc.name: 0 for doc in documents}
        for number, per_key in enumerate(ledger.ids):
            ids = [x for places in per_key for x in places]
            if all(x in committed for x in ids):
                ledger.already_committed += len(ids)
                continue
            ledger.pending.add(number)
            for name, _ in ids:
                ledger.remaining[name] += 1
        return ledger

    def pending_ids(self) -> list[SegmentId]:
        """The ids of every batch still out, in plan order."""
        return [x for n in sorted(self.pending) for places in self.ids[n] for x in places]

    def take(self, journal: Journal, batch: dict[str, Any]) -> tuple[int, list[str]]:
        """Commit one result batch (``{id, statuses, segments}`` columns, one row per
        planned batch); returns how many ids were new, and the files now complete.

        A batch delivered twice (Ray's at-least-once) is skipped; a segment
        whose status is not `STATUS_OK` is recorded in `errors`, not committed.
        """
        rows: list[tuple[str, int, bytes]] = []
        for number, statuses, blobs in zip(
            batch["id"], batch["statuses"], batch["segments"], strict=True
        ):
            number = int(number)
            if number not in self.pending:
                continue  # delivered twice
            self.pending.discard(number)
            for places, status, blob in zip(
                self.ids[number], pickle.loads(statuses), pickle.loads(blobs), strict=True
            ):
                if status == STATUS_OK:
                    rows += [(name, index, blob) for name, index in places]
                else:
                    for place in places:
                        self.errors[place] = str(status)
                        self.remaining[place[0]] -= 1
        new = journal.commit(rows) if rows else 0
        for name, _, _ in rows:
            self.remaining[name] -= 1
        return new, self._complete(name for name, _, _ in rows)

    def _complete(self, names: Iterable[str]) -> list[str]:
        return [name for name in dict.fromkeys(names) if self.remaining[name] == 0]

    def failed_files(self) -> dict[str, str]:
        """One line per file with failed segments, listing their ids (1-based, as in XLIFF)."""
        by_file: dict[str, list[tuple[int, str]]] = {}
        for (name, index), status in sorted(self.errors.items()):
            by_file.setdefault(name, []).append((index, status))
        lines = {}
        for name, failures in by_file.items():
            listed = ", ".join(f"{name}#{index + 1}" for index, _ in failures[:20])
            more = f" and {len(failures) - 20} more" if len(failures) > 20 else ""
            lines[name] = (
                f"{name}: {len(failures)} segment(s) failed on the cluster: {listed}{more} "
                f"(first: {failures[0][1]}); the rest is committed, --resume retries these"
            )
        return lines
