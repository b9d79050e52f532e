"""The PostgreSQL memory's schema: tables, migrations, and the SQL of its word-feature index.

Fuzzy candidates come from ``tm_features``, one row per (feature, unit):
the features are the folder memory's (`transkit.tm.units.features`: word
beginnings and pairs of them), hashed to 32 bits (CRC-32: the same on every
client, a collision only adds a candidate), with the unit's length beside
them.  A B-tree on ``(feature, chars, unit_id)``
answers "units holding this feature, within this length window" by one
index-only range scan.  ``tm_feature_df`` counts the units per feature, so
a lookup reads the *rare* features of the query first and skips the common
ones (``der``, ``und``) that hold most of the memory - the idea of the
SQLite store's posting lists, inside the database.

Schema 1 used a ``pg_trgm`` GIN index instead; it walked the long posting
lists of common trigrams (seconds per lookup at a million units), so
schema 2 drops it and fills ``tm_features`` from the stored units.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Callable
from typing import Any

from transkit.tm.units import features

__all__ = [
    "INDEXES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "add_feature_counts",
    "candidates",
    "delete_features",
    "feature_hashes",
    "posting_lines",
]

#: A lookup reads the rarest features of the query until their postings pass this many
#: (and at least `MIN_FEATURES` of them): the cost of one lookup, whatever the memory's size.
POSTINGS_BUDGET = 40_000
#: The rarest features always read, however common.
MIN_FEATURES = 3

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
    CREATE TABLE tm_features(feature integer NOT NULL, chars integer NOT NULL,
                             unit_id bigint NOT NULL);
    CREATE TABLE tm_feature_df(feature integer PRIMARY KEY, df integer NOT NULL);
"""
#: The secondary indexes, dropped and built again around a big import.
INDEXES = {
    "tm_units_src": "CREATE INDEX tm_units_src ON tm_units(src_key)",
    "tm_units_pair": "CREATE INDEX tm_units_pair ON tm_units(pair_key)",
    "tm_units_file": "CREATE INDEX tm_units_file ON tm_units(file_id)",
    "tm_features_key": (
        "CREATE INDEX tm_features_key ON tm_features(feature, chars, unit_id) "
        "WITH (fillfactor = 95)"
    ),
}


def feature_hashes(norm: str) -> list[int]:
    """The distinct features of a normalised source as signed 32-bit CRCs (``integer``)."""
    return list({(zlib.crc32(f.encode()) ^ 0x80000000) - 0x80000000 for f in features(norm)})


def posting_lines(hashes: list[int], chars: int, unit_id: int) -> str:
    """``COPY tm_features(feature, chars, unit_id)`` text lines of one unit."""
    tail = f"\t{chars}\t{unit_id}\n"
    return tail.join(map(str, hashes)) + tail if hashes else ""


def add_feature_counts(conn: Any, counts: Counter[int]) -> None:
    """Add ``counts`` (feature -> units) to ``tm_feature_df``."""
    if not counts:
        return
    conn.execute("CREATE TEMP TABLE tm_df_new(feature integer, df integer) ON COMMIT DROP")
    with conn.cursor().copy("COPY tm_df_new(feature, df) FROM STDIN") as copy:
        copy.write("".join(f"{f}\t{n}\n" for f, n in counts.items()))
    conn.execute(
        "INSERT INTO tm_feature_df(feature, df) SELECT feature, df FROM tm_df_new "
        "ON CONFLICT (feature) DO UPDATE SET df = tm_feature_df.df + EXCLUDED.df"
    )
    conn.execute("DROP TABLE tm_df_new")


def _backfill_features(conn: Any) -> None:
    """Schema 2 on a memory of schema 1: index the stored units' features."""
    counts: Counter[int] = Counter()
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, chars, norm FROM tm_units WHERE id > %s ORDER BY id LIMIT 20000", (last,)
        ).fetchall()
        if not rows:
            break
        lines = []
        for unit_id, chars, norm in rows:
            hashes = feature_hashes(norm)
            counts.update(hashes)
            lines.append(posting_lines(hashes, chars, unit_id))
        with conn.cursor().copy("COPY tm_features(feature, chars, unit_id) FROM STDIN") as copy:
            copy.write("".join(lines))
        last = rows[-1][0]
    add_feature_counts(conn, counts)
    conn.execute(INDEXES["tm_features_key"])


#: Migration ``n`` is ``MIGRATIONS[n - 1]``: SQL, then an optional step in Python.
MIGRATIONS: tuple[tuple[str, Callable[[Any], None] | None], ...] = (
    (_UNITS, None),
    (_FEATURES, _backfill_features),
)
#: The schema this code writes; a database with a higher version is refused.
SCHEMA_VERSION = len(MIGRATIONS)


def drop_losers(conn: Any, first_id: int) -> list[tuple[int, int, str]]:
    """Delete the units from ``first_id`` on that lose to another copy of their pair.

    A new unit loses to a held copy of its (source, target) pair with the
    same or a newer date, and to a new copy with a newer date (the first in
    the file at the same date): per pair the newest copy stays, once.
    Returns the deleted ``(id, chars, norm)`` for `delete_features`.
    """
    return list(
        conn.execute(
            "DELETE FROM tm_units n WHERE n.id >= %(first)s AND EXISTS ("
            "  SELECT 1 FROM tm_units o WHERE o.pair_key = n.pair_key AND o.id <> n.id"
            "  AND (o.date > n.date OR (o.date = n.date AND (o.id < %(first)s OR o.id < n.id)))"
            ") RETURNING n.id, n.chars, n.norm",
            {"first": first_id},
        ).fetchall()
    )


def delete_features(conn: Any, gone: list[tuple[int, int, str]]) -> None:
    """Forget the postings of deleted units, given as ``(unit_id, chars, norm)``."""
    if not gone:
        return
    ids: list[int] = []
    chars: list[int] = []
    feats: list[int] = []
    counts: Counter[int] = Counter()
    for unit_id, length, norm in gone:
        hashes = feature_hashes(norm)
        counts.update(hashes)
        feats += hashes
        ids += [unit_id] * len(hashes)
        chars += [length] * len(hashes)
    conn.execute(
        "DELETE FROM tm_features t USING unnest(%s::integer[], %s::integer[], %s::bigint[]) "
        "AS g(feature, chars, unit_id) "
        "WHERE t.feature = g.feature AND t.chars = g.chars AND t.unit_id = g.unit_id",
        (feats, chars, ids),
    )
    conn.execute(
        "UPDATE tm_feature_df d SET df = d.df - g.n "
        "FROM unnest(%s::integer[], %s::integer[]) AS g(feature, n) WHERE d.feature = g.feature",
        (list(counts), list(counts.values())),
    )


def candidates(conn: Any, norm: str, low: int, high: int, limit: int) -> list[tuple[int, str]]:
    """Ids and sources of up to ``limit`` units of ``low``-``high`` characters sharing rare words.

    The query's features are read rarest first (`POSTINGS_BUDGET`); units
    are ranked by the summed inverse document frequency of the features
    they share, so the units that share the rare words and word pairs come
    first - the exact score is computed above the store.
    """
    wanted = feature_hashes(norm)
    if not wanted:
        return []
    rows = conn.execute(
        "SELECT d.feature, d.df, "
        "       (SELECT greatest(reltuples, 1) FROM pg_class WHERE oid = 'tm_units'::regclass) "
        "FROM tm_feature_df d WHERE d.feature = ANY(%s)",
        (wanted,),
    ).fetchall()
    held = sorted((int(df), int(feature), float(total)) for feature, df, total in rows if df > 0)
    chosen: list[int] = []
    weights: list[float] = []
    postings = 0
    for df, feature, total in held:
        if len(chosen) >= MIN_FEATURES and postings + df > POSTINGS_BUDGET:
            break
        chosen.append(feature)
        weights.append(math.log(1.0 + max(total, df) / df))
        postings += df
    if not chosen:
        return []
    found = conn.execute(
        "SELECT u.id, u.source FROM ("
        "  SELECT t.unit_id, sum(q.w) AS score, abs(t.chars - %s) AS off"
        "  FROM unnest(%s::integer[], %s::real[]) AS q(feature, w)"
        "  JOIN tm_features t ON t.feature = q.feature AND t.chars BETWEEN %s AND %s"
        "  GROUP BY t.unit_id, t.chars ORDER BY score DESC, off, t.unit_id LIMIT %s) AS c "
        "JOIN tm_units u ON u.id = c.unit_id ORDER BY c.score DESC, c.off, c.unit_id",
        (len(norm), chosen, weights, low, high, limit),
    ).fetchall()
    return [(int(r[0]), r[1]) for r in found]
