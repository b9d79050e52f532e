"""`PostgresStore`: the memory's units in a PostgreSQL database (psycopg 3), shared by a team.

Where `transkit.tm.sqlite.SQLiteStore` is a rebuildable cache beside TMX
files, this store *is* the memory: TMX comes in (``tm import``, ``merge``)
and goes out (``tm export``).  Each unit keeps its ``<tu>`` as TMX bytes, so
inline codes and properties travel through unchanged.

* exact lookup: a B-tree index on a 64-bit key of the normalised source
  (`transkit.tm.units.source_key`), checked against the normalised text;
* fuzzy candidates: a ``pg_trgm`` GIN index on the normalised source finds
  units sharing enough trigrams, longest-common-trigram first; scoring and
  ranking are done above the store (`transkit.tm.lookup`) with rapidfuzz,
  exactly as for the SQLite store;
* writes run in one transaction holding a transaction-level advisory lock,
  so any number of writers (processes, machines) serialise and lose nothing,
  while readers never wait; an import is ``COPY`` into a temporary table and
  one ``INSERT ... SELECT`` that merges duplicates, so a dropped connection
  leaves nothing half-imported;
* the schema carries a version (``schema_version``); migrations run on first
  use and a database newer than this code is refused.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from transkit.errors import TranskitError
from transkit.tm import pgschema
from transkit.tm.pgpostings import PostingCache
from transkit.tm.pgschema import INDEXES, MIGRATIONS, SCHEMA_VERSION
from transkit.tm.store import FileState, StoreStats, unit_from_row
from transkit.tm.units import (
    TMUnit,
    context_key,
    normalize,
    normalized_key,
    pair_key,
    source_key,
)

__all__ = ["SCHEMA_VERSION", "PostgresStore", "StoreConnectionError"]

#: Key of the advisory lock every write transaction holds (any 64-bit constant).
WRITE_LOCK = 0x7472616E736B6974  # "transkit"
#: Rows per page when streaming units out.
PAGE = 20_000
#: A load of more than `CHUNK` units into a memory of fewer units than this builds the
#: indexes once instead of updating them row by row (readers wait for that load).
REBUILD_AT = 50_000
#: After storing this many units, the tables are analysed (the planner must know).
ANALYZE_AT = 20_000

_UNIT_COLUMNS = (
    "source, target, source_lang, target_lang, date, prev, next, origin, document, props"
)
_COPY_COLUMNS = (
    "file_id, src_key, pair_key, ctx_key, norm, chars, "
    "source, target, source_lang, target_lang, date, prev, next, origin, document, props, tu, "
    "nfeat"
)
#: Units copied per ``COPY`` round.
CHUNK = 20_000
#: Posting lists are written (one row per feature) after this many units.
POSTINGS_EVERY = 100_000


class StoreConnectionError(TranskitError):
    """The database cannot be reached, refuses the login, or dropped the connection."""


def unit_row(
    unit_id: int, file_id: int, unit: TMUnit, norm: str, tu: bytes | None, nfeat: int
) -> tuple[Any, ...]:
    """The ``COPY`` row of one unit (``id`` and `_COPY_COLUMNS`)."""
    return (
        unit_id,
        file_id,
        normalized_key(norm),
        pair_key(unit.source, unit.target),
        context_key(unit.prev, unit.next) if unit.prev or unit.next else 0,
        norm,
        len(norm),
        unit.source,
        unit.target,
        unit.source_lang,
        unit.target_lang,
        unit.date,
        unit.prev,
        unit.next,
        unit.origin,
        unit.document,
        json.dumps(unit.props, ensure_ascii=False) if unit.props else None,
        tu,
        nfeat,
    )


def _tu_bytes(unit: TMUnit) -> bytes:
    from lxml import etree

    from transkit.tm.tmxio import make_tu

    return etree.tostring(make_tu(unit), encoding="UTF-8")


class PostgresStore:
    """A `transkit.tm.store.TMStore` in a PostgreSQL database named by a URL.

    ``pool_size`` > 0 uses a ``psycopg_pool.ConnectionPool`` (threads of a
    server each borrow a connection); otherwise one connection is kept.
    ``label`` is the URL without its password, for messages.
    """

    def __init__(self, url: str, *, label: str = "", pool_size: int = 0, connect_timeout: int = 10):
        import psycopg

        self.url = url
        self.label = label or url
        self._local = threading.local()
        self._pool: Any = None
        self._db: Any = None
        self._names: dict[int, str] = {}
        self._postings = PostingCache()
        kwargs = {"autocommit": True, "connect_timeout": connect_timeout}
        try:
            # One direct connection first: its error says why (the pool's only times out).
            first = psycopg.connect(url, **kwargs)
        except psycopg.Error as err:
            raise self.connection_error(err) from None
        if pool_size > 0:
            from psycopg_pool import ConnectionPool

            first.close()
            self._pool = ConnectionPool(
                url, min_size=1, max_size=pool_size, kwargs=kwargs, open=False
            )
            self._pool.open(wait=True, timeout=connect_timeout)
        else:
            self._db = first
        try:
            self._migrate()
        except psycopg.Error as err:
            self.close()
            raise self.connection_error(err) from None

    def connection_error(self, err: Exception) -> StoreConnectionError:
        """One line naming the server (without password) and libpq's reason."""
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]
        reason = lines[0] if lines else type(err).__name__
        for line in lines:  # libpq puts the server's FATAL on a later line
            if "FATAL:" in line or "failed:" in line:
                reason = line
        if self.url in reason:
            reason = reason.replace(self.url, self.label)
        return StoreConnectionError(f"translation memory database: {reason}", file=self.label)

    # ------------------------------------------------------------------ connections
    @contextlib.contextmanager
    def _conn(self) -> Iterator[Any]:
        """The connection of the running transaction, else a pooled or the single one."""
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
        elif self._pool is not None:
            with self._pool.connection() as conn:
                yield conn
        else:
            yield self._db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction holding the writers' lock (nested uses join the outer one)."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._conn() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def _migrate(self) -> None:
        with self._conn() as conn:
            found = conn.execute("SELECT to_regclass('schema_version')").fetchone()[0]
            if found is not None:
                current = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
                if current == SCHEMA_VERSION:
                    return
        with self.transaction(), self._conn() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version(version integer NOT NULL)")
            current = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
            if current > SCHEMA_VERSION:
                raise TranskitError(
                    f"memory schema version {current} is newer than this transkit knows "
                    f"({SCHEMA_VERSION}); upgrade transkit",
                    file=self.label,
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                sql, step = MIGRATIONS[version - 1]
                conn.execute(sql)
                if step is not None:
                    step(conn)
                conn.execute("INSERT INTO schema_version VALUES (%s)", (version,))

    def schema_version(self) -> int:
        """The schema version the database holds."""
        with self._conn() as conn:
            return int(conn.execute("SELECT max(version) FROM schema_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection (or the pool)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._db is not None:
            self._db.close()
            self._db = None

    # ------------------------------------------------------------------ files
    def file_states(self) -> dict[str, FileState]:
        """Every collection of units (``<name>.tmx`` it was imported from), by name."""
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT f.name, f.size, f.mtime_ns, count(u.id) FROM tm_files f "
                "LEFT JOIN tm_units u ON u.file_id = f.id GROUP BY f.id"
            ).fetchall()
        return {r[0]: FileState(r[0], r[1], r[2], r[3]) for r in rows}

    def file_id(self, name: str) -> int:
        """The id of a collection, created when new (inside a write transaction)."""
        with self._conn() as conn:
            row = conn.execute(
                "INSERT INTO tm_files(name) VALUES (%s) ON CONFLICT (name) "
                "DO UPDATE SET name = EXCLUDED.name RETURNING id",
                (name,),
            ).fetchone()
        return int(row[0])

    def set_file_state(self, state: FileState) -> None:
        """Record a collection's size and date (a database has no files to watch)."""
        with self.transaction(), self._conn() as conn:
            file_id = self.file_id(state.name)
            conn.execute(
                "UPDATE tm_files SET size=%s, mtime_ns=%s, "
                "units=(SELECT count(*) FROM tm_units WHERE file_id=%s) WHERE id=%s",
                (state.size, state.mtime_ns, file_id, file_id),
            )

    def drop_file(self, file: str) -> int:
        """Delete a collection and its units."""
        with self.transaction(), self._conn() as conn:
            row = conn.execute("SELECT id FROM tm_files WHERE name=%s", (file,)).fetchone()
            if not row:
                return 0
            gone = conn.execute("DELETE FROM tm_units WHERE file_id=%s", (row[0],)).rowcount
            pgschema.bump_deletes(conn)
            conn.execute("DELETE FROM tm_files WHERE id=%s", (row[0],))
            self._names.pop(int(row[0]), None)
            return int(gone)

    # ------------------------------------------------------------------ writing
    def add(self, file: str, units: Sequence[TMUnit]) -> int:
        """Store ``units`` under ``file`` (``COPY``, no de-duplication)."""
        if not units:
            return 0
        return self._store(file, ((u, _tu_bytes(u)) for u in units), merge=False)[0]

    def import_units(self, file: str, items: Iterable[tuple[TMUnit, bytes]]) -> tuple[int, int]:
        """Merge ``(unit, <tu> bytes)`` into ``file``; return (added, duplicates).

        Per (source, target) pair the newest copy is kept - and only when the
        memory does not hold that pair with the same or a newer date already.
        """
        return self._store(file, items, merge=True)

    def _store(
        self, file: str, items: Iterable[tuple[TMUnit, bytes]], *, merge: bool
    ) -> tuple[int, int]:
        """``COPY`` the units and their postings in, then (``merge``) drop the losing copies.

        The rows go straight into their tables, a chunk of units and then
        their postings at a time, with ids given here (the writers' lock
        keeps the id sequence to this transaction).  All in one transaction:
        an error or a dropped connection stores nothing.  A load bigger than
        the memory drops the indexes and builds them once at the end (one
        sort beats a million index insertions).
        """
        outer = getattr(self._local, "conn", None) is not None
        with self.transaction(), self._conn() as conn:
            file_id = self.file_id(file)
            first = int(conn.execute("SELECT nextval('tm_units_id_seq')").fetchone()[0])
            held = conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM tm_units LIMIT {REBUILD_AT}) AS h"
            ).fetchone()[0]
            items = iter(items)
            chunk = list(itertools.islice(items, CHUNK))
            rebuild = len(chunk) == CHUNK and held < REBUILD_AT
            if rebuild:  # a big load into a small memory: build the indexes once, after
                conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
                conn.execute(f"DROP INDEX {', '.join(INDEXES)}")
            next_id = first
            cursor = conn.cursor()
            postings = pgschema.Postings()
            postings_from = first
            while chunk:
                with cursor.copy(f"COPY tm_units(id, {_COPY_COLUMNS}) FROM STDIN") as copy:
                    for unit, tu in chunk:
                        norm = normalize(unit.source)
                        hashes = pgschema.feature_hashes(norm)
                        postings.add(next_id, hashes)
                        copy.write_row(unit_row(next_id, file_id, unit, norm, tu, len(hashes)))
                        next_id += 1
                chunk = list(itertools.islice(items, CHUNK))
                if not chunk or next_id - postings_from >= POSTINGS_EVERY:
                    postings.copy_to(conn)  # fewer, longer rows: fewer to read per lookup
                    postings_from = next_id
            total = next_id - first
            if not total:
                return 0, 0
            conn.execute("SELECT setval('tm_units_id_seq', %s)", (next_id - 1,))
            lost = pgschema.drop_losers(conn, first) if merge else 0
            if rebuild:
                for create in INDEXES.values():
                    conn.execute(create)
            conn.execute(
                "UPDATE tm_files SET units=(SELECT count(*) FROM tm_units WHERE file_id=%s) "
                "WHERE id=%s",
                (file_id, file_id),
            )
        added = total - lost
        if added >= ANALYZE_AT and not outer:
            with self._conn() as conn:  # the planner must know the new size
                conn.execute("ANALYZE tm_units, tm_postings")
        return added, lost

    # ------------------------------------------------------------------ reading
    def _file_name(self, conn: Any, file_id: int) -> str:
        name = self._names.get(file_id)
        if name is None:
            row = conn.execute("SELECT name FROM tm_files WHERE id=%s", (file_id,)).fetchone()
            name = self._names[file_id] = row[0] if row else ""
        return name

    def exact(self, source: str) -> list[TMUnit]:
        """Units whose normalised source is the query's (an index lookup on its key)."""
        norm = normalize(source)
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT file_id, {_UNIT_COLUMNS} FROM tm_units WHERE src_key=%s AND norm=%s",
                (normalized_key(norm), norm),
            ).fetchall()
            return [unit_from_row(r[1:], self._file_name(conn, r[0])) for r in rows]

    def candidates(self, source: str, limit: int, min_score: float = 0.0) -> list[tuple[int, str]]:
        """Ids and sources of the ``limit`` units whose features overlap ``source``'s most.

        Ranked as the SQLite store ranks them (`transkit.tm.featurerank`), from
        posting lists this process keeps (`transkit.tm.pgpostings`).
        """
        norm = normalize(source)
        with self._conn() as conn:
            order = self._postings.candidates(conn, norm, min_score, limit)
            if not order:
                return []
            rows = conn.execute(
                "SELECT id, source FROM tm_units WHERE id = ANY(%s)", (order,)
            ).fetchall()
        found = dict(rows)
        return [(i, found[i]) for i in order if i in found]

    def get(self, ids: Sequence[int]) -> list[tuple[int, TMUnit]]:
        """``(id, unit)`` by id, in the order given (ids of deleted units are skipped)."""
        if not ids:
            return []
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT id, file_id, {_UNIT_COLUMNS} FROM tm_units WHERE id = ANY(%s)",
                (list(ids),),
            ).fetchall()
            found = {r[0]: unit_from_row(r[2:], self._file_name(conn, r[1])) for r in rows}
        return [(i, found[i]) for i in ids if i in found]

    def pair_dates(self, pairs: Iterable[tuple[str, str]]) -> dict[int, str]:
        """`pair_key` -> newest stored date, for the given pairs that are stored."""
        keys = list({pair_key(s, t) for s, t in pairs})
        if not keys:
            return {}
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT pair_key, max(date) FROM tm_units WHERE pair_key = ANY(%s) "
                "GROUP BY pair_key",
                (keys,),
            ).fetchall()
        return {int(k): d for k, d in rows}

    def remove(self, source: str, target: str | None = None) -> dict[str, int]:
        """Delete the units with ``source`` (and ``target``); return how many per collection."""
        norm = normalize(source)
        removed: dict[str, int] = {}
        with self.transaction(), self._conn() as conn:
            query = "DELETE FROM tm_units WHERE src_key=%s AND norm=%s"
            params: tuple[Any, ...] = (source_key(source), norm)
            if target is not None:
                query += " AND target=%s"
                params += (target,)
            rows = conn.execute(query + " RETURNING file_id", params).fetchall()
            if rows:
                pgschema.bump_deletes(conn)
            for file_id, *_ in rows:
                name = self._file_name(conn, file_id)
                removed[name] = removed.get(name, 0) + 1
        return removed

    def units(self, file: str | None = None) -> Iterator[TMUnit]:
        """All units (of one collection), oldest first, read a page at a time."""
        last = 0
        where = "" if file is None else "AND file_id=(SELECT id FROM tm_files WHERE name=%s) "
        while True:
            params: tuple[Any, ...] = (last,) if file is None else (last, file)
            with self._conn() as conn:
                rows = conn.execute(
                    f"SELECT id, file_id, {_UNIT_COLUMNS} FROM tm_units WHERE id > %s {where}"
                    f"ORDER BY id LIMIT {PAGE}",
                    params,
                ).fetchall()
                page = [unit_from_row(r[2:], self._file_name(conn, r[1])) for r in rows]
            yield from page
            if len(rows) < PAGE:
                return
            last = rows[-1][0]

    def newest_tus(self) -> Iterator[bytes]:
        """The ``<tu>`` of the newest copy of every (source, target) pair, oldest first."""
        with self._conn() as conn, conn.transaction():
            cursor = conn.cursor(name="transkit_export")
            cursor.itersize = PAGE
            cursor.execute(
                "SELECT tu FROM tm_units WHERE id IN ("
                "  SELECT DISTINCT ON (pair_key) id FROM tm_units"
                "  ORDER BY pair_key, date DESC, id) ORDER BY id"
            )
            for (tu,) in cursor:
                yield bytes(tu)
            cursor.close()

    def stats(self) -> StoreStats:
        """Units, distinct sources, collections and the tables' size on the server."""
        with self._conn() as conn:
            units, sources = conn.execute(
                "SELECT count(*), count(DISTINCT src_key) FROM tm_units"
            ).fetchone()
            size = conn.execute(
                "SELECT pg_total_relation_size('tm_units') + pg_total_relation_size('tm_files')"
            ).fetchone()[0]
        files = tuple(sorted(self.file_states().values(), key=lambda f: f.name))
        return StoreStats(units=int(units), sources=int(sources), files=files, bytes=int(size))
