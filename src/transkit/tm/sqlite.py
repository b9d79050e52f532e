"""`SQLiteStore`: the memory's local index, one SQLite file (standard library ``sqlite3``).

Why not FTS5: candidate search must rank units by how many of the query's
words and word pairs they share.  FTS5's ``bm25`` over an OR query visits
every row that holds any query word, which for everyday German words
(``der``, ``die``, ``und``) is most of a million units - seconds per lookup.
Here each feature (`transkit.tm.units.features`) has a posting list of unit
ids stored as one packed ``uint32`` BLOB; a lookup reads the query's
posting lists, weights each by its inverse document frequency (rare words
count most) and adds them up with ``numpy.bincount`` - tens of milliseconds
for a million units.  The best-ranked few hundred are then scored exactly
with rapidfuzz above the store.

Bulk additions (imports) are collected in memory and merged into the
posting BLOBs at commit; small additions (a merged XLIFF) go to a ``delta``
table that lookups read too and that is folded into the BLOBs when it grows.
Deleted units leave stale ids in posting lists, which lookups skip; the
lists are rebuilt when stale ids pass a quarter of the index.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from transkit.tm.featurerank import best_by_features
from transkit.tm.store import FileState, StoreStats, unit_from_row
from transkit.tm.units import (
    TMUnit,
    context_key,
    features,
    normalize,
    normalized_key,
    pair_key,
    source_key,
)

__all__ = ["SQLiteStore"]

SCHEMA_VERSION = "tm-2"
#: Additions of at least this many units go straight into the posting BLOBs.
BULK = 2000
#: Fold the delta table into the BLOBs when it holds this many rows.
DELTA_LIMIT = 200_000
#: Posting lists kept decoded in memory across lookups (bytes).
CACHE_BYTES = 256 << 20
#: Per-unit feature counts and lengths are stored in BLOBs of this many ids.
INFO_CHUNK = 65536

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files(
    id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, units INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS units(
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, src_key INTEGER NOT NULL,
    ctx_key INTEGER NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, date TEXT NOT NULL,
    prev TEXT NOT NULL, next TEXT NOT NULL, origin TEXT NOT NULL,
    document TEXT NOT NULL, props TEXT);
CREATE INDEX IF NOT EXISTS units_src ON units(src_key);
CREATE INDEX IF NOT EXISTS units_file ON units(file_id);
CREATE TABLE IF NOT EXISTS postings(feature TEXT PRIMARY KEY, ids BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unitinfo(
    chunk INTEGER PRIMARY KEY, nfeat BLOB NOT NULL, chars BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS delta(feature TEXT NOT NULL, unit_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS delta_feature ON delta(feature);
"""

_UNIT_COLUMNS = (
    "source, target, source_lang, target_lang, date, prev, next, origin, document, props"
)


class _Postings:
    """Feature -> unit-id pairs collected in memory, grouped by feature on flush."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}
        self.fids = array("I")
        self.uids = array("I")

    def add(self, unit_id: int, feats: Iterable[str]) -> None:
        names = self.names
        fids = self.fids
        for feature in feats:
            fid = names.get(feature)
            if fid is None:
                fid = names[feature] = len(names)
            fids.append(fid)
        self.uids.extend([unit_id] * (len(fids) - len(self.uids)))

    def groups(self) -> Iterator[tuple[str, Any]]:
        """``(feature, sorted unit ids)`` per feature; the pairs are freed as they go."""
        import numpy as np

        if not self.fids:
            return
        # One sort of (feature << 32 | unit) keys: half the memory of argsort + gathers.
        keys = np.frombuffer(self.fids, dtype=np.uint32).astype(np.uint64) << np.uint64(32)
        keys |= np.frombuffer(self.uids, dtype=np.uint32)
        self.fids, self.uids = array("I"), array("I")
        keys.sort()
        fids = (keys >> np.uint64(32)).astype(np.uint32)
        cuts = np.flatnonzero(np.diff(fids)) + 1
        starts = np.concatenate(([0], cuts)).tolist()
        ends = np.concatenate((cuts, [len(fids)])).tolist()
        first = fids[starts].tolist()
        del fids
        names = list(self.names)
        for fid, start, end in zip(first, starts, ends, strict=True):
            yield names[fid], keys[start:end].astype(np.uint32)


class SQLiteStore:
    """A `transkit.tm.store.TMStore` in one SQLite file (a rebuildable cache)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=120, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA temp_store=MEMORY")
        self._db.execute("PRAGMA cache_size=-65536")
        self._check_size()
        version = None
        with contextlib.suppress(sqlite3.OperationalError):
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            version = row[0] if row else None
        if version != SCHEMA_VERSION:
            self._reset()
        self._bulk: _Postings | None = None
        self._file_names: dict[int, str] = {}
        self._depth = 0
        self._info: tuple[int, Any, Any] | None = None
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._cache_bytes = 0
        self._cache_version = -1

    # ------------------------------------------------------------------ admin
    def _check_size(self) -> None:
        """Refuse a truncated file: SQLite would only notice at the first missing page."""
        wal = Path(f"{self.path}-wal")
        if wal.exists() and wal.stat().st_size:
            return  # pages may live in the write-ahead log
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        size = self._db.execute("PRAGMA page_size").fetchone()[0]
        if pages * size > self.path.stat().st_size:
            self._db.close()
            raise sqlite3.DatabaseError("index file truncated")

    def _reset(self) -> None:
        drops = "".join(
            f"DROP TABLE IF EXISTS {t};"
            for t in ("meta", "files", "units", "postings", "unitinfo", "delta")
        )
        self._db.executescript(
            f"BEGIN IMMEDIATE;{drops}{_SCHEMA}"
            f"INSERT INTO meta VALUES ('schema', '{SCHEMA_VERSION}');"
            "INSERT INTO meta VALUES ('next_id', '1');"
            "INSERT INTO meta VALUES ('stale', '0');"
            "INSERT INTO meta VALUES ('version', '0');"
            "COMMIT;"
        )

    def _meta(self, key: str) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return int(row[0]) if row else 0

    def _set_meta(self, key: str, value: int) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside is committed at once (nested uses join the outer one)."""
        self._depth += 1
        if self._depth == 1:
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            if self._depth == 1:
                self._flush_bulk()
                self._maybe_compact()
                self._set_meta("version", self._meta("version") + 1)
                self._db.execute("COMMIT")
        except BaseException:
            if self._depth == 1:
                self._bulk = None
                # SQLite ends a transaction itself on some errors (disk full): then
                # a ROLLBACK would fail and hide the real error.
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
            raise
        finally:
            self._depth -= 1

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    # ------------------------------------------------------------------ files
    def file_states(self) -> dict[str, FileState]:
        """The indexed state of every TMX file, by name."""
        rows = self._db.execute("SELECT name, size, mtime_ns, units FROM files")
        return {r[0]: FileState(*r) for r in rows}

    def _file_id(self, name: str) -> int:
        row = self._db.execute("SELECT id FROM files WHERE name=?", (name,)).fetchone()
        if row:
            return int(row[0])
        cur = self._db.execute(
            "INSERT INTO files(name, size, mtime_ns, units) VALUES (?, -1, -1, 0)", (name,)
        )
        return int(cur.lastrowid or 0)

    def set_file_state(self, state: FileState) -> None:
        """Record the on-disk state that the indexed units of ``state.name`` reflect."""
        with self.transaction():
            file_id = self._file_id(state.name)
            count = self._db.execute(
                "SELECT count(*) FROM units WHERE file_id=?", (file_id,)
            ).fetchone()[0]
            self._db.execute(
                "UPDATE files SET size=?, mtime_ns=?, units=? WHERE id=?",
                (state.size, state.mtime_ns, count, file_id),
            )

    def drop_file(self, file: str) -> int:
        """Forget a file's units; their ids stay in posting lists until a rebuild."""
        with self.transaction():
            row = self._db.execute("SELECT id FROM files WHERE name=?", (file,)).fetchone()
            if not row:
                return 0
            gone = self._db.execute("DELETE FROM units WHERE file_id=?", (row[0],)).rowcount
            self._db.execute("DELETE FROM files WHERE id=?", (row[0],))
            self._set_meta("stale", self._meta("stale") + gone)
            self._file_names.pop(int(row[0]), None)
            return int(gone)

    # ------------------------------------------------------------------ writing
    def add(self, file: str, units: Sequence[TMUnit]) -> int:
        """Store ``units`` as belonging to ``file``."""
        if not units:
            return 0
        with self.transaction():
            file_id = self._file_id(file)
            first = self._meta("next_id")
            norms = [normalize(u.source) for u in units]
            rows = [
                (
                    first + i,
                    file_id,
                    normalized_key(norm),
                    context_key(u.prev, u.next) if u.prev or u.next else 0,
                    u.source,
                    u.target,
                    u.source_lang,
                    u.target_lang,
                    u.date,
                    u.prev,
                    u.next,
                    u.origin,
                    u.document,
                    json.dumps(u.props, ensure_ascii=False) if u.props else None,
                )
                for i, (u, norm) in enumerate(zip(units, norms, strict=True))
            ]
            self._db.executemany(
                f"INSERT INTO units(id, file_id, src_key, ctx_key, {_UNIT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._set_meta("next_id", first + len(units))
            feats = [dict.fromkeys(features(norm)) for norm in norms]
            self._store_info(first, [len(n) for n in norms], [len(f) for f in feats])
            if len(units) >= BULK or self._bulk is not None:
                if self._bulk is None:
                    self._bulk = _Postings()
                for i, unit_feats in enumerate(feats):
                    self._bulk.add(first + i, unit_feats)
            else:
                self._db.executemany(
                    "INSERT INTO delta VALUES (?, ?)",
                    [(f, first + i) for i, unit_feats in enumerate(feats) for f in unit_feats],
                )
            return len(units)

    def _flush_bulk(self) -> None:
        bulk, self._bulk = self._bulk, None
        if bulk is None:
            return
        self._merge_postings(bulk)

    def _merge_postings(self, bulk: _Postings) -> None:
        import numpy as np

        db = self._db
        empty = db.execute("SELECT 1 FROM postings LIMIT 1").fetchone() is None
        batch: list[tuple[str, bytes]] = []
        for feature, ids in bulk.groups():
            if not empty:
                old = db.execute("SELECT ids FROM postings WHERE feature=?", (feature,)).fetchone()
                if old:
                    ids = np.concatenate((np.frombuffer(old[0], dtype=np.uint32), ids))
            batch.append((feature, ids.astype(np.uint32).tobytes()))
            if len(batch) >= 10000:
                db.executemany("INSERT OR REPLACE INTO postings VALUES (?, ?)", batch)
                batch = []
        db.executemany("INSERT OR REPLACE INTO postings VALUES (?, ?)", batch)

    def _maybe_compact(self) -> None:
        live = self._db.execute("SELECT count(*) FROM units").fetchone()[0]
        stale = self._meta("stale")
        if stale > 1000 and stale > live // 4:
            self._rebuild_postings()
            return
        if self._db.execute("SELECT count(*) FROM delta").fetchone()[0] >= DELTA_LIMIT:
            bulk = _Postings()
            rows = self._db.execute("SELECT feature, unit_id FROM delta ORDER BY rowid")
            for feature, unit_id in rows:
                fid = bulk.names.setdefault(feature, len(bulk.names))
                bulk.fids.append(fid)
                bulk.uids.append(unit_id)
            self._db.execute("DELETE FROM delta")
            self._merge_postings(bulk)

    def _rebuild_postings(self) -> None:
        self._db.execute("DELETE FROM postings")
        self._db.execute("DELETE FROM delta")
        bulk = _Postings()
        for unit_id, source in self._db.execute("SELECT id, source FROM units ORDER BY id"):
            bulk.add(unit_id, dict.fromkeys(features(source)))
        self._merge_postings(bulk)
        self._set_meta("stale", 0)

    # ------------------------------------------------------------------ reading
    def _file_name(self, file_id: int) -> str:
        name = self._file_names.get(file_id)
        if name is None:
            row = self._db.execute("SELECT name FROM files WHERE id=?", (file_id,)).fetchone()
            name = self._file_names[file_id] = row[0] if row else ""
        return name

    def exact(self, source: str) -> list[TMUnit]:
        """Units whose normalised source is the query's."""
        wanted = normalize(source)
        rows = self._db.execute(
            f"SELECT file_id, {_UNIT_COLUMNS} FROM units WHERE src_key=?", (source_key(source),)
        ).fetchall()
        return [
            unit_from_row(r[1:], self._file_name(r[0])) for r in rows if normalize(r[1]) == wanted
        ]

    def _unit_info(self) -> tuple[Any, Any]:
        """Per-unit feature counts and lengths (arrays by id), cached until the index changes."""
        import numpy as np

        version = self._meta("version")
        if self._info is None or self._info[0] != version:
            total = self._meta("next_id")
            nfeat = np.zeros(total + INFO_CHUNK, dtype=np.uint8)
            chars = np.zeros(total + INFO_CHUNK, dtype=np.uint16)
            for chunk, nf, ch in self._db.execute("SELECT chunk, nfeat, chars FROM unitinfo"):
                start = chunk * INFO_CHUNK
                nfeat[start : start + INFO_CHUNK] = np.frombuffer(nf, dtype=np.uint8)
                chars[start : start + INFO_CHUNK] = np.frombuffer(ch, dtype=np.uint16)
            self._info = (version, nfeat, chars)
        return self._info[1], self._info[2]

    def _store_info(self, first: int, lengths: Sequence[int], counts: Sequence[int]) -> None:
        import numpy as np

        last = first + len(lengths)
        for chunk in range(first // INFO_CHUNK, (last - 1) // INFO_CHUNK + 1):
            row = self._db.execute(
                "SELECT nfeat, chars FROM unitinfo WHERE chunk=?", (chunk,)
            ).fetchone()
            if row:
                nfeat = np.frombuffer(row[0], dtype=np.uint8).copy()
                chars = np.frombuffer(row[1], dtype=np.uint16).copy()
            else:
                nfeat = np.zeros(INFO_CHUNK, dtype=np.uint8)
                chars = np.zeros(INFO_CHUNK, dtype=np.uint16)
            lo, hi = max(first, chunk * INFO_CHUNK), min(last, (chunk + 1) * INFO_CHUNK)
            off = lo - chunk * INFO_CHUNK
            nfeat[off : off + hi - lo] = np.minimum(counts[lo - first : hi - first], 255)
            chars[off : off + hi - lo] = np.minimum(lengths[lo - first : hi - first], 65535)
            self._db.execute(
                "INSERT OR REPLACE INTO unitinfo VALUES (?, ?, ?)",
                (chunk, nfeat.tobytes(), chars.tobytes()),
            )

    def _postings(self, wanted: Sequence[str], version: int) -> list[Any]:
        """Posting arrays of the features (a byte-bounded cache spans lookups)."""
        import numpy as np

        if self._cache_version != version:
            self._cache.clear()
            self._cache_bytes = 0
            self._cache_version = version
        cache = self._cache
        missing = [f for f in wanted if f not in cache]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found = dict(
                self._db.execute(
                    f"SELECT feature, ids FROM postings WHERE feature IN ({marks})", chunk
                )
            )
            for feature in chunk:
                # kept as native ints: scattering them costs half of uint32
                array = np.frombuffer(found.get(feature, b""), dtype=np.uint32).astype(np.intp)
                cache[feature] = array
                self._cache_bytes += array.nbytes
        arrays = []
        for feature in wanted:
            cache.move_to_end(feature)
            if len(cache[feature]):
                arrays.append(cache[feature])
        while self._cache_bytes > CACHE_BYTES and len(cache) > len(wanted):
            _, old = cache.popitem(last=False)
            self._cache_bytes -= old.nbytes
        for start in range(0, len(wanted), 500):
            chunk = list(wanted[start : start + 500])
            marks = ",".join("?" * len(chunk))
            delta: dict[str, list[int]] = {}
            for feature, unit_id in self._db.execute(
                f"SELECT feature, unit_id FROM delta WHERE feature IN ({marks})", chunk
            ):
                delta.setdefault(feature, []).append(unit_id)
            # one array per feature: ids are unique within each
            arrays.extend(np.asarray(ids, dtype=np.intp) for ids in delta.values())
        return arrays

    def candidates(self, source: str, limit: int, min_score: float = 0.0) -> list[tuple[int, str]]:
        """Ids and sources of the ``limit`` units whose features overlap ``source``'s most.

        Ranked by the Dice coefficient of the feature sets; units sharing
        under a fifth of the query's features, or too much shorter or longer
        to reach ``min_score`` (a ``fuzz.ratio`` score), are left out.
        """

        norm = normalize(source)
        wanted = list(dict.fromkeys(features(norm)))
        if not wanted:
            return []
        nfeat, chars = self._unit_info()
        arrays = self._postings(wanted, self._info[0] if self._info else 0)
        if not arrays:
            return []
        order = best_by_features(arrays, len(wanted), nfeat, chars, len(norm), min_score, limit)
        if not order:
            return []
        found: dict[int, str] = {}
        for start in range(0, len(order), 500):
            chunk = order[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                self._db.execute(f"SELECT id, source FROM units WHERE id IN ({marks})", chunk)
            )
        return [(i, found[i]) for i in order if i in found]

    def get(self, ids: Sequence[int]) -> list[tuple[int, TMUnit]]:
        """``(id, unit)`` by id, in the order given (ids of deleted units are skipped)."""
        order = {unit_id: i for i, unit_id in enumerate(ids)}
        found: list[tuple[int, int, TMUnit]] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT id, file_id, {_UNIT_COLUMNS} FROM units WHERE id IN ({marks})", chunk
            ):
                found.append(
                    (order[row[0]], row[0], unit_from_row(row[2:], self._file_name(row[1])))
                )
        found.sort(key=lambda item: item[0])
        return [(unit_id, unit) for _, unit_id, unit in found]

    def pair_dates(self, pairs: Iterable[tuple[str, str]]) -> dict[int, str]:
        """`pair_key` -> newest stored date, for the given pairs that are stored."""
        if self._db.execute("SELECT 1 FROM units LIMIT 1").fetchone() is None:
            return {}
        keys: dict[int, set[int]] = {}
        for source, target in pairs:
            keys.setdefault(source_key(source), set()).add(pair_key(source, target))
        found: dict[int, str] = {}
        src_keys = list(keys)
        for start in range(0, len(src_keys), 500):
            chunk = src_keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for skey, source, target, date in self._db.execute(
                f"SELECT src_key, source, target, date FROM units WHERE src_key IN ({marks})",
                chunk,
            ):
                key = pair_key(source, target)
                if key in keys.get(skey, ()) and date >= found.get(key, ""):
                    found[key] = date
        return found

    def remove(self, source: str, target: str | None = None) -> dict[str, int]:
        """Delete the units with ``source`` (and ``target``); return how many per file."""
        wanted = normalize(source)
        removed: dict[str, int] = {}
        with self.transaction():
            rows = self._db.execute(
                "SELECT id, file_id, source, target FROM units WHERE src_key=?",
                (source_key(source),),
            ).fetchall()
            gone = [
                (r[0], r[1])
                for r in rows
                if normalize(r[2]) == wanted and (target is None or r[3] == target)
            ]
            self._db.executemany("DELETE FROM units WHERE id=?", [(g[0],) for g in gone])
            for _, file_id in gone:
                name = self._file_name(file_id)
                removed[name] = removed.get(name, 0) + 1
            self._set_meta("stale", self._meta("stale") + len(gone))
        return removed

    def units(self, file: str | None = None) -> Iterator[TMUnit]:
        """All units (of one file), oldest id first."""
        if file is None:
            rows = self._db.execute(f"SELECT file_id, {_UNIT_COLUMNS} FROM units ORDER BY id")
        else:
            rows = self._db.execute(
                f"SELECT file_id, {_UNIT_COLUMNS} FROM units WHERE file_id="
                "(SELECT id FROM files WHERE name=?) ORDER BY id",
                (file,),
            )
        for row in rows:
            yield unit_from_row(row[1:], self._file_name(row[0]))

    def stats(self) -> StoreStats:
        """Units, distinct sources, files and the index size on disk."""
        units = self._db.execute("SELECT count(*) FROM units").fetchone()[0]
        sources = self._db.execute("SELECT count(DISTINCT src_key) FROM units").fetchone()[0]
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        files = tuple(sorted(self.file_states().values(), key=lambda f: f.name))
        return StoreStats(units=units, sources=sources, files=files, bytes=size)
