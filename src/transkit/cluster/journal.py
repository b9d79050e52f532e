"""The run's journal: one SQLite row per committed segment, keyed by (file, index).

Ray gives at least once: a batch lost with its node runs again, and a batch
may come back twice.  The driver commits every result with ``INSERT OR
IGNORE``, so a segment is in the journal once however often it arrived;
progress counts rows, and ``--resume`` after a crashed driver sends only
what the journal lacks.  The journal lies next to the outputs and is
removed when the run has written everything.

Rows hold the translated `Segment` pickled by the worker, stored as the
bytes arrived (the driver neither unpickles nor re-pickles a result to
commit it) and without its place in the document: the driver puts it back
at each of its places when it assembles a finished file.  The journal is
this run's own file, written and read by the same driver, never exchanged.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from transkit.data import Segment
from transkit.errors import OutputError

__all__ = ["JOURNAL_NAME", "Journal", "encode_segment"]

JOURNAL_NAME = ".transkit-cluster.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (
    file TEXT NOT NULL,
    idx INTEGER NOT NULL,
    segment BLOB NOT NULL,
    PRIMARY KEY (file, idx)
);
"""
# A rowid table, not WITHOUT ROWID: results arrive in batch order, scattered
# over (file, idx); with the blobs in the key's B-tree every commit rewrote
# pages all over it (SQLite advises WITHOUT ROWID only for rows well under
# a page's twentieth).  Here blobs are appended in rowid order and only the
# small (file, idx) index takes the scattered inserts.


def encode_segment(segment: Segment) -> bytes:
    """A segment as the journal stores it (and as a worker sends it back)."""
    return pickle.dumps(segment, protocol=pickle.HIGHEST_PROTOCOL)


class Journal:
    """The committed segments of one cluster run (one SQLite file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as err:
            raise OutputError(f"cannot open the run journal: {err}", file=str(path)) from None

    def fingerprint(self) -> str | None:
        """The fingerprint of the run that made this journal (None: a new journal)."""
        row = self._db.execute("SELECT value FROM run WHERE key = 'fingerprint'").fetchone()
        return None if row is None else str(row[0])

    def set_fingerprint(self, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO run VALUES ('fingerprint', ?)", (value,))

    def commit(self, rows: Iterable[tuple[str, int, bytes]]) -> int:
        """Insert the rows (file, index, `encode_segment` bytes) not yet there, in one
        transaction; how many were new."""
        before = self._db.total_changes
        try:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR IGNORE INTO segments VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except sqlite3.Error as err:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise OutputError(
                f"cannot commit to the run journal: {err}", file=str(self.path)
            ) from None
        return self._db.total_changes - before

    def committed(self) -> set[tuple[str, int]]:
        """Every (file, index) in the journal."""
        return {(str(f), int(i)) for f, i in self._db.execute("SELECT file, idx FROM segments")}

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM segments").fetchone()[0])

    def segments_of(self, file: str) -> dict[int, Segment]:
        """The committed segments of ``file`` by index (as translated: not yet placed)."""
        rows = self._db.execute("SELECT idx, segment FROM segments WHERE file = ?", (file,))
        return {int(i): pickle.loads(blob) for i, blob in rows}

    def close(self) -> None:
        self._db.close()

    def remove(self) -> None:
        """Close and delete the journal (and SQLite's -wal/-shm files): the run is complete."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
