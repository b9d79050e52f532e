"""The PostgreSQL memory's posting lists, kept in this process and ranked as the SQLite index does.

The database holds packed unit ids per feature in ``tm_postings``; a lookup
needs the whole posting list of each of its features, ranked by the Dice
coefficient of feature sets (`transkit.tm.featurerank`), which takes numpy
milliseconds in memory and seconds as SQL over common words.  So each
process keeps the lists it has read, with each unit's feature count and
length, and brings them up to date before every lookup with one query:
units are only appended (ids grow under the writers' lock, so the units
above the highest id seen are all that is new), and a counter in
``tm_meta`` that every deletion bumps drops the cache.  Per-unit counts and
lengths are read with binary ``COPY`` (no per-row Python objects).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from transkit.tm.featurerank import best_by_features
from transkit.tm.pgschema import feature_hashes

__all__ = ["CACHE_BYTES", "PostingCache"]

#: Posting lists kept decoded in memory across lookups (bytes).
CACHE_BYTES = 256 << 20
#: More new units than this since the last lookup: reread lists instead of extending them.
DELTA_LIMIT = 20_000
_HEADER = 19  # PGCOPY signature, flags, header extension length
_TRAILER = 2


def _binary_rows(conn: Any, query: Any, dtype: Any) -> Any:
    """The rows of ``COPY (query) TO STDOUT (FORMAT BINARY)`` as a numpy record array."""
    import numpy as np

    with conn.cursor().copy(query) as copy:
        data = b"".join(bytes(chunk) for chunk in copy)
    if len(data) <= _HEADER + _TRAILER:
        return np.zeros(0, dtype=dtype)
    return np.frombuffer(data[_HEADER:-_TRAILER], dtype=dtype)


def _info_dtype() -> Any:
    import numpy as np

    return np.dtype(
        [
            ("n", ">i2"),
            ("l1", ">i4"),
            ("id", ">i8"),
            ("l2", ">i4"),
            ("chars", ">i4"),
            ("l3", ">i4"),
            ("nfeat", ">i2"),
        ]
    )


class PostingCache:
    """Per-unit feature counts and lengths, and posting lists by feature, for one database."""

    def __init__(self) -> None:
        import numpy as np

        self._lock = threading.Lock()
        self._deletes: int | None = None
        self._max_id = 0
        self._nfeat = np.zeros(1, dtype=np.uint8)
        self._chars = np.zeros(1, dtype=np.uint16)
        self._lists: OrderedDict[int, Any] = OrderedDict()
        self._bytes = 0

    def candidates(self, conn: Any, norm: str, min_score: float, limit: int) -> list[int]:
        """Ids of the ``limit`` units whose features overlap ``norm``'s most (Dice)."""
        wanted = feature_hashes(norm)
        if not wanted:
            return []
        with self._lock:
            self._refresh(conn)
            arrays = [a for a in self._arrays(conn, wanted) if len(a)]
            return best_by_features(
                arrays, len(wanted), self._nfeat, self._chars, len(norm), min_score, limit
            )

    # ------------------------------------------------------------------ keeping up
    def _refresh(self, conn: Any) -> None:
        deletes, max_id = conn.execute(
            "SELECT (SELECT value FROM tm_meta WHERE key = 'deletes'), "
            "(SELECT coalesce(max(id), 0) FROM tm_units)"
        ).fetchone()
        max_id = int(max_id)
        if deletes != self._deletes:
            self._clear()
            self._deletes = deletes
            self._max_id = 0
        if max_id <= self._max_id:
            return
        if max_id - self._max_id > DELTA_LIMIT or not self._lists:
            self._lists.clear()
            self._bytes = 0
            self._load_info(conn, self._max_id, max_id)
        else:
            self._extend(conn, max_id)
        self._max_id = max_id

    def _clear(self) -> None:
        import numpy as np

        self._lists.clear()
        self._bytes = 0
        self._nfeat = np.zeros(1, dtype=np.uint8)
        self._chars = np.zeros(1, dtype=np.uint16)

    def _grow(self, max_id: int) -> None:
        import numpy as np

        if max_id < len(self._nfeat):
            return
        size = max(max_id + 1, int(len(self._nfeat) * 1.25) + DELTA_LIMIT)
        for name in ("_nfeat", "_chars"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _set_info(self, ids: Any, chars: Any, nfeat: Any) -> None:
        import numpy as np

        self._nfeat[ids] = np.minimum(nfeat, 255)
        self._chars[ids] = np.minimum(chars, 65535)

    def _load_info(self, conn: Any, above: int, upto: int) -> None:
        from psycopg import sql

        self._grow(upto)
        rows = _binary_rows(
            conn,
            sql.SQL(
                "COPY (SELECT id, chars, nfeat FROM tm_units WHERE id > {} AND id <= {}) "
                "TO STDOUT (FORMAT BINARY)"
            ).format(sql.Literal(above), sql.Literal(upto)),
            _info_dtype(),
        )
        self._set_info(rows["id"].astype("i8"), rows["chars"], rows["nfeat"])

    def _extend(self, conn: Any, upto: int) -> None:
        """Add the few units stored since the last lookup to the info and the cached lists."""
        import numpy as np

        rows = conn.execute(
            "SELECT id, chars, nfeat, norm FROM tm_units WHERE id > %s AND id <= %s ORDER BY id",
            (self._max_id, upto),
        ).fetchall()
        self._grow(upto)
        added: dict[int, list[int]] = {}
        for unit_id, chars, nfeat, norm in rows:
            self._set_info(unit_id, chars, nfeat)
            for feature in feature_hashes(norm):
                if feature in self._lists:
                    added.setdefault(feature, []).append(unit_id)
        for feature, ids in added.items():
            old = self._lists[feature]
            self._lists[feature] = np.concatenate([old, np.asarray(ids, dtype=np.intp)])
            self._bytes += len(ids) * 8

    def _arrays(self, conn: Any, wanted: Sequence[int]) -> list[Any]:
        """The posting arrays of ``wanted`` (read once, then from the cache)."""
        import numpy as np

        missing = [f for f in wanted if f not in self._lists]
        if missing:
            parts: dict[int, list[bytes]] = {}
            for feature, ids in conn.execute(
                "SELECT feature, ids FROM tm_postings WHERE feature = ANY(%s)", (missing,)
            ):
                parts.setdefault(int(feature), []).append(bytes(ids))
            for feature in missing:
                array = np.frombuffer(b"".join(parts.get(feature, ())), dtype="<u4")
                array = array[array <= self._max_id].astype(np.intp)  # newer: not seen yet
                self._lists[feature] = array
                self._bytes += array.nbytes
        arrays = []
        for feature in wanted:
            self._lists.move_to_end(feature)
            arrays.append(self._lists[feature])
        while self._bytes > CACHE_BYTES and len(self._lists) > len(wanted):
            _, old = self._lists.popitem(last=False)
            self._bytes -= old.nbytes
        return arrays
