"""The PostgreSQL memory's schema: tables, migrations, and its word-feature postings.

Fuzzy candidates come from ``tm_features``, one row per (feature, unit):
the features are the folder memory's (`transkit.tm.units.features`: word
beginnings and pairs of them), hashed to 32 bits (CRC-32: the same on every
client; a collision only adds a candidate).  Each unit's feature count is
kept beside its length in ``tm_units``.  Lookups read the posting lists
through `transkit.tm.pgpostings` and rank them as the SQLite index does.
``tm_meta`` counts deletions, so the lookup caches know when to start over.

Schema 1 used a ``pg_trgm`` GIN index instead; it walked the long posting
lists of common trigrams (seconds per lookup at a million units), so
schema 2 drops it and fills ``tm_features`` from the stored units.
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
    "bump_deletes",
    "delete_features",
    "drop_losers",
    "feature_hashes",
    "posting_lines",
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
    CREATE TABLE tm_features(feature integer NOT NULL, unit_id bigint NOT NULL);
    CREATE TABLE tm_meta(key text PRIMARY KEY, value bigint NOT NULL);
    INSERT INTO tm_meta VALUES ('deletes', 0);
"""
#: The secondary indexes, dropped and built again around a big import.
INDEXES = {
    "tm_units_src": "CREATE INDEX tm_units_src ON tm_units(src_key)",
    "tm_units_pair": "CREATE INDEX tm_units_pair ON tm_units(pair_key)",
    "tm_units_file": "CREATE INDEX tm_units_file ON tm_units(file_id)",
    "tm_features_key": (
        "CREATE INDEX tm_features_key ON tm_features(feature, unit_id) WITH (fillfactor = 95)"
    ),
}


def feature_hashes(norm: str) -> list[int]:
    """The distinct features of a normalised source as signed 32-bit CRCs (``integer``)."""
    return list({(zlib.crc32(f.encode()) ^ 0x80000000) - 0x80000000 for f in features(norm)})


def posting_lines(hashes: list[int], unit_id: int) -> str:
    """``COPY tm_features(feature, unit_id)`` text lines of one unit."""
    tail = f"\t{unit_id}\n"
    return tail.join(map(str, hashes)) + tail if hashes else ""


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
        lines, counts = [], []
        for unit_id, norm in rows:
            hashes = feature_hashes(norm)
            lines.append(posting_lines(hashes, unit_id))
            counts.append(f"{unit_id}\t{len(hashes)}\n")
        with conn.cursor().copy("COPY tm_features(feature, unit_id) FROM STDIN") as copy:
            copy.write("".join(lines))
        with conn.cursor().copy("COPY tm_nfeat(id, nfeat) FROM STDIN") as copy:
            copy.write("".join(counts))
        last = rows[-1][0]
    conn.execute("UPDATE tm_units u SET nfeat = n.nfeat FROM tm_nfeat n WHERE u.id = n.id")
    conn.execute(INDEXES["tm_features_key"])


#: Migration ``n`` is ``MIGRATIONS[n - 1]``: SQL, then an optional step in Python.
MIGRATIONS: tuple[tuple[str, Callable[[Any], None] | None], ...] = (
    (_UNITS, None),
    (_FEATURES, _backfill_features),
)
#: The schema this code writes; a database with a higher version is refused.
SCHEMA_VERSION = len(MIGRATIONS)


def drop_losers(conn: Any, first_id: int) -> list[tuple[int, str]]:
    """Delete the units from ``first_id`` on that lose to another copy of their pair.

    A new unit loses to a held copy of its (source, target) pair with the
    same or a newer date, and to a new copy with a newer date (the first in
    the file at the same date): per pair the newest copy stays, once.
    Returns the deleted ``(id, norm)`` for `delete_features`.
    """
    return list(
        conn.execute(
            "DELETE FROM tm_units n WHERE n.id >= %(first)s AND EXISTS ("
            "  SELECT 1 FROM tm_units o WHERE o.pair_key = n.pair_key AND o.id <> n.id"
            "  AND (o.date > n.date OR (o.date = n.date AND (o.id < %(first)s OR o.id < n.id)))"
            ") RETURNING n.id, n.norm",
            {"first": first_id},
        ).fetchall()
    )


def delete_features(conn: Any, gone: list[tuple[int, str]]) -> None:
    """Forget the postings of deleted units, given as ``(unit_id, norm)``."""
    ids: list[int] = []
    feats: list[int] = []
    for unit_id, norm in gone:
        hashes = feature_hashes(norm)
        feats += hashes
        ids += [unit_id] * len(hashes)
    if feats:
        conn.execute(
            "DELETE FROM tm_features t USING unnest(%s::integer[], %s::bigint[]) "
            "AS g(feature, unit_id) WHERE t.feature = g.feature AND t.unit_id = g.unit_id",
            (feats, ids),
        )


def bump_deletes(conn: Any) -> None:
    """Tell the lookup caches of every process that units were deleted."""
    conn.execute("UPDATE tm_meta SET value = value + 1 WHERE key = 'deletes'")
