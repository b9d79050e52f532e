"""The PostgreSQL memory's schema: tables, migrations, and its word-feature postings.

Fuzzy candidates come from ``tm_postings``: per feature (the folder
memory's, `transkit.tm.units.features`: word beginnings and pairs of them,
hashed to 32 bits with CRC-32 - the same on every client; a collision only
adds a candidate) the ids of the units holding it, packed as little-endian
``uint32`` in a ``bytea``, one row per feature per write (like the SQLite
index's posting BLOBs).  Each unit's feature count is kept beside its
length in ``tm_units``.  Lookups read the lists through
`transkit.tm.pgpostings` and rank them as the SQLite index does.  Deleted
units leave their ids in the lists (lookups skip ids without a unit);
``tm_meta`` counts deletions, so the lookup caches know to start over.

Schema 1 used a ``pg_trgm`` GIN index instead; it walked the long posting
lists of common trigrams (seconds per lookup at a million units), so
schema 2 drops it and fills ``tm_postings`` from the stored units.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from transkit.tm.units import features

__all__ = [
    "INDEXES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Postings",
    "bump_deletes",
    "drop_losers",
    "feature_hashes",
]

_UNITS = """
    CREATE TABLE tm_files(
        id serial PRIMARY KEY, name text UNIQUE NOT NULL,
        size bigint NOT NULL DEFAULT -1, mtime_ns bigint NOT NULL DEFAULT -1,
        units integer NOT NULL DEFAULT 0);
    CREATE TABLE tm_units(
        id bigserial PRIMARY KEY,
        file_id integer NOT NULL REFERENCES tm_files(id) ON DELETE CASCADE,
        src_key bigint NOT NULL, pair_key bigint NOT NULL, ctx_key bigint NOT NULL,
        norm text NOT NULL, chars integer NOT NULL,
        source text NOT NULL, target text NOT NULL,
        source_lang text NOT NULL, target_lang text NOT NULL,
        date text NOT NULL, prev text NOT NULL, next text NOT NULL,
        origin text NOT NULL, document text NOT NULL, props text,
        approved boolean NOT NULL DEFAULT true,
        tu bytea);
    CREATE INDEX tm_units_src ON tm_units(src_key);
    CREATE INDEX tm_units_pair ON tm_units(pair_key);
    CREATE INDEX tm_units_file ON tm_units(file_id);
"""
_FEATURES = """
    DROP INDEX IF EXISTS tm_units_trgm;
    ALTER TABLE tm_units ADD COLUMN nfeat smallint NOT NULL DEFAULT 0;
    CREATE TABLE tm_postings(feature integer NOT NULL, ids bytea NOT NULL);
    ALTER TABLE tm_postings ALTER COLUMN ids SET STORAGE EXTERNAL;
    CREATE TABLE tm_meta(key text PRIMARY KEY, value bigint NOT NULL);
    INSERT INTO tm_meta VALUES ('deletes', 0);
"""
#: The secondary indexes, dropped and built again around a big import.
INDEXES = {
    "tm_units_src": "CREATE INDEX tm_units_src ON tm_units(src_key)",
    "tm_units_pair": "CREATE INDEX tm_units_pair ON tm_units(pair_key)",
    "tm_units_file": "CREATE INDEX tm_units_file ON tm_units(file_id)",
    "tm_postings_feature": "CREATE INDEX tm_postings_feature ON tm_postings(feature)",
}


def feature_hashes(norm: str) -> list[int]:
    """The distinct features of a normalised source as signed 32-bit CRCs (``integer``)."""
    return list({(zlib.crc32(f.encode()) ^ 0x80000000) - 0x80000000 for f in features(norm)})


class Postings:
    """Unit ids by feature, collected for one ``COPY`` of ``tm_postings`` rows."""

    def __init__(self) -> None:
        self.ids: dict[int, list[int]] = {}

    def add(self, unit_id: int, hashes: list[int]) -> None:
        ids = self.ids
        for feature in hashes:
            found = ids.get(feature)
            if found is None:
                ids[feature] = [unit_id]
            else:
                found.append(unit_id)

    def copy_to(self, conn: Any) -> None:
        """Write one row per feature and start again."""
        import numpy as np

        if not self.ids:
            return
        with conn.cursor().copy("COPY tm_postings(feature, ids) FROM STDIN") as copy:
            for feature, ids in self.ids.items():
                copy.write_row((feature, np.asarray(ids, dtype="<u4").tobytes()))
        self.ids = {}


def _backfill_features(conn: Any) -> None:
    """Schema 2 on a memory of schema 1: index the stored units' features."""
    conn.execute("CREATE TEMP TABLE tm_nfeat(id bigint, nfeat smallint) ON COMMIT DROP")
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, norm FROM tm_units WHERE id > %s ORDER BY id LIMIT 20000", (last,)
        ).fetchall()
        if not rows:
            break
        postings = Postings()
        counts = []
        for unit_id, norm in rows:
            hashes = feature_hashes(norm)
            postings.add(unit_id, hashes)
            counts.append(f"{unit_id}\t{len(hashes)}\n")
        postings.copy_to(conn)
        with conn.cursor().copy("COPY tm_nfeat(id, nfeat) FROM STDIN") as copy:
            copy.write("".join(counts))
        last = rows[-1][0]
    conn.execute("UPDATE tm_units u SET nfeat = n.nfeat FROM tm_nfeat n WHERE u.id = n.id")
    conn.execute(INDEXES["tm_postings_feature"])


#: Migration ``n`` is ``MIGRATIONS[n - 1]``: SQL, then an optional step in Python.
MIGRATIONS: tuple[tuple[str, Callable[[Any], None] | None], ...] = (
    (_UNITS, None),
    (_FEATURES, _backfill_features),
)
#: The schema this code writes; a database with a higher version is refused.
SCHEMA_VERSION = len(MIGRATIONS)


def drop_losers(conn: Any, first_id: int) -> int:
    """Delete the units from ``first_id`` on that lose to another copy of their pair.

    A new unit loses to a held copy of its (source, target) pair with the
    same or a newer date, and to a new copy with a newer date (the first in
    the file at the same date): per pair the newest copy stays, once.
    Returns how many were deleted (their ids stay in the posting lists, skipped).
    """
    return int(
        conn.execute(
            "DELETE FROM tm_units n WHERE n.id >= %(first)s AND EXISTS ("
            "  SELECT 1 FROM tm_units o WHERE o.pair_key = n.pair_key AND o.id <> n.id"
            "  AND (o.date > n.date OR (o.date = n.date AND (o.id < %(first)s OR o.id < n.id)))"
            ")",
            {"first": first_id},
        ).rowcount
    )


def bump_deletes(conn: Any) -> None:
    """Tell the lookup caches of every process that units were deleted."""
    conn.execute("UPDATE tm_meta SET value = value + 1 WHERE key = 'deletes'")
