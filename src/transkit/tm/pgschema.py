"""The PostgreSQL memory's schema: tables, migrations, and the SQL of its word-feature index.

Fuzzy candidates come from ``tm_features``, one row per (feature, unit):
the features are the folder memory's (`transkit.tm.units.features`: word
beginnings and pairs of them), hashed by the server (``hashtext``), with
the unit's length beside them.  A B-tree on ``(feature, chars, unit_id)``
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
from collections.abc import Callable
from typing import Any

from transkit.tm.units import features

__all__ = [
    "FEATURE_SEPARATOR",
    "INDEXES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "candidates",
    "delete_features",
    "feature_text",
    "insert_staged",
]

#: A lookup reads the rarest features of the query until their postings pass this many
#: (and at least `MIN_FEATURES` of them): the cost of one lookup, whatever the memory's size.
POSTINGS_BUDGET = 40_000
#: The rarest features always read, however common.
MIN_FEATURES = 3

#: Joins a unit's features into one ``COPY`` field (features are ``\w`` runs and spaces).
FEATURE_SEPARATOR = "|"

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


def feature_text(norm: str) -> str:
    """A normalised source's distinct features as one field (the server hashes each)."""
    return FEATURE_SEPARATOR.join(dict.fromkeys(features(norm)))


def _backfill_features(conn: Any) -> None:
    """Schema 2 on a memory of schema 1: index the stored units' features."""
    conn.execute(
        "CREATE TEMP TABLE tm_backfill(unit_id bigint, chars integer, feats text) ON COMMIT DROP"
    )
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, chars, norm FROM tm_units WHERE id > %s ORDER BY id LIMIT 20000", (last,)
        ).fetchall()
        if not rows:
            break
        with conn.cursor().copy("COPY tm_backfill(unit_id, chars, feats) FROM STDIN") as copy:
            for unit_id, chars, norm in rows:
                copy.write_row((unit_id, chars, feature_text(norm)))
        last = rows[-1][0]
    _insert_features(conn, "SELECT unit_id, chars, feats FROM tm_backfill")
    conn.execute(INDEXES["tm_features_key"])


#: Migration ``n`` is ``MIGRATIONS[n - 1]``: SQL, then an optional step in Python.
MIGRATIONS: tuple[tuple[str, Callable[[Any], None] | None], ...] = (
    (_UNITS, None),
    (_FEATURES, _backfill_features),
)
#: The schema this code writes; a database with a higher version is refused.
SCHEMA_VERSION = len(MIGRATIONS)


def _insert_features(conn: Any, rows_sql: str) -> None:
    """Postings and feature counts for the ``(unit_id, chars, feats)`` rows ``rows_sql`` gives."""
    conn.execute(
        "WITH new AS ("
        "  INSERT INTO tm_features(feature, chars, unit_id)"
        f"  SELECT hashtext(f), r.chars, r.unit_id FROM ({rows_sql}) AS r,"
        f"         unnest(string_to_array(r.feats, '{FEATURE_SEPARATOR}')) AS f"
        "  RETURNING feature) "
        "INSERT INTO tm_feature_df(feature, df) SELECT feature, count(*) FROM new GROUP BY feature "
        "ON CONFLICT (feature) DO UPDATE SET df = tm_feature_df.df + EXCLUDED.df"
    )


def insert_staged(conn: Any, columns: str, *, merge: bool) -> int:
    """Move the rows staged in ``tm_import`` into the memory; return how many were stored.

    With ``merge``, per (source, target) pair only the newest staged copy
    is kept, and only when the memory does not hold that pair with the same
    or a newer date already.  Ids are given in file order.
    """
    chosen = (
        "SELECT DISTINCT ON (i.pair_key) i.seq FROM tm_import i"
        " WHERE NOT EXISTS (SELECT 1 FROM tm_units u"
        "                   WHERE u.pair_key = i.pair_key AND u.date >= i.date)"
        " ORDER BY i.pair_key, i.date DESC, i.seq"
        if merge
        else "SELECT seq FROM tm_import"
    )
    conn.execute(
        "CREATE TEMP TABLE tm_fresh ON COMMIT DROP AS "
        "SELECT nextval(pg_get_serial_sequence('tm_units', 'id')) AS id, seq "
        f"FROM (SELECT seq FROM ({chosen}) AS c ORDER BY seq) AS s"
    )
    added = conn.execute(
        f"INSERT INTO tm_units(id, {columns}) "
        f"SELECT f.id, {', '.join('i.' + c.strip() for c in columns.split(','))} "
        "FROM tm_fresh f JOIN tm_import i USING (seq) ORDER BY f.id"
    ).rowcount
    _insert_features(
        conn, "SELECT f.id AS unit_id, i.chars, i.feats FROM tm_fresh f JOIN tm_import i USING(seq)"
    )
    conn.execute("DROP TABLE tm_fresh, tm_import")  # a second load in one transaction stages anew
    return int(added)


def delete_features(conn: Any, gone: list[tuple[int, int, str]]) -> None:
    """Forget the postings of deleted units, given as ``(unit_id, chars, norm)``."""
    if not gone:
        return
    conn.execute(
        "WITH r AS ("
        "  SELECT hashtext(f) AS feature, g.chars, g.unit_id"
        "  FROM unnest(%s::bigint[], %s::integer[], %s::text[]) AS g(unit_id, chars, feats),"
        f"      unnest(string_to_array(g.feats, '{FEATURE_SEPARATOR}')) AS f),"
        " gone AS (DELETE FROM tm_features t USING r"
        "          WHERE t.feature = r.feature AND t.chars = r.chars AND t.unit_id = r.unit_id"
        "          RETURNING t.feature) "
        "UPDATE tm_feature_df d SET df = d.df - g.n "
        "FROM (SELECT feature, count(*) AS n FROM gone GROUP BY feature) AS g "
        "WHERE d.feature = g.feature",
        (
            [g[0] for g in gone],
            [g[1] for g in gone],
            [feature_text(g[2]) for g in gone],
        ),
    )


def candidates(conn: Any, norm: str, low: int, high: int, limit: int) -> list[tuple[int, str]]:
    """Ids and sources of up to ``limit`` units of ``low``-``high`` characters sharing rare words.

    The query's features are read rarest first (`POSTINGS_BUDGET`); units
    are ranked by the summed inverse document frequency of the features
    they share, so the units that share the rare words and word pairs come
    first - the exact score is computed above the store.
    """
    wanted = list(dict.fromkeys(features(norm)))
    if not wanted:
        return []
    rows = conn.execute(
        "SELECT q.feature, coalesce(d.df, 0), "
        "       (SELECT greatest(reltuples, 1) FROM pg_class WHERE oid = 'tm_units'::regclass) "
        "FROM (SELECT DISTINCT hashtext(f) AS feature FROM unnest(%s::text[]) AS f) AS q "
        "LEFT JOIN tm_feature_df d USING (feature)",
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
        "  SELECT t.unit_id, sum(q.w) AS score"
        "  FROM unnest(%s::integer[], %s::real[]) AS q(feature, w)"
        "  JOIN tm_features t ON t.feature = q.feature AND t.chars BETWEEN %s AND %s"
        "  GROUP BY t.unit_id ORDER BY score DESC, t.unit_id LIMIT %s) AS c "
        "JOIN tm_units u ON u.id = c.unit_id ORDER BY c.score DESC, c.unit_id",
        (chosen, weights, low, high, limit),
    ).fetchall()
    return [(int(r[0]), r[1]) for r in found]
