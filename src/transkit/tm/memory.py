"""`TranslationMemory`: a folder of TMX files (the truth) and an index (a cache).

The TMX files in the folder (``./tm/`` of a project) are what the memory
*is*: text files that diff, merge and travel between CAT tools.  The index
(``.transkit-index.sqlite`` in the same folder, or in the user cache when
the folder is read-only) is rebuilt from them: whenever a TMX file's size or
modification time differs from what the index recorded, that file is
re-read.  Drop any TMX file into the folder and it is part of the memory.

Writers (``tm import``, ``merge``, ``tm remove``) hold an exclusive lock
(`transkit.tm.lock`) while they write a TMX file and update the index, so
any number of processes can write at once without losing a unit; readers
use SQLite's WAL snapshots and never wait.

* ``tm import`` writes each imported file's new units to its own TMX file
  here (``<name>.tmx``), keeping inline codes.
* ``merge`` appends approved segments to ``approved.tmx``.
* Duplicates are merged: a (source, target) pair that the memory holds with
  the same or a newer date is not stored again.  Among different targets
  for one source, the newest wins (`lookup` ranks it first).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transkit.errors import OutputError, TranskitError
from transkit.tm.damage import (
    IndexDamaged,
    discard_index_files,
    healing,
    index_failure,
    is_temp,
    write_failure,
)
from transkit.tm.lock import exclusive, try_exclusive
from transkit.tm.lookup import DEFAULT_THRESHOLD, rank_exact, rank_fuzzy
from transkit.tm.store import FileState, StoreStats, TMStore
from transkit.tm.tmxio import ImportCounts, TMXWriter, append_tus, iter_tmx, make_tu, tmx_date
from transkit.tm.units import TMMatch, TMUnit, normalize, pair_key

__all__ = [
    "APPROVED_FILE",
    "DEFAULT_THRESHOLD",
    "ImportResult",
    "TranslationMemory",
]

INDEX_NAME = ".transkit-index.sqlite"
LOCK_NAME = ".transkit.lock"
#: Where ``transkit merge`` puts approved segments.
APPROVED_FILE = "approved.tmx"
_CHUNK = 20_000


@dataclass(frozen=True)
class ImportResult:
    """What importing one TMX file did."""

    path: str
    stored_as: str | None
    added: int
    duplicates: int
    other_languages: int
    unapproved: int
    empty: int

    def summary(self) -> str:
        """One line for the terminal."""
        parts = [f"{self.added} units added"]
        if self.stored_as:
            parts[0] += f" as {self.stored_as}"
        for count, label in (
            (self.duplicates, "duplicates merged"),
            (self.other_languages, "in other languages skipped"),
            (self.unapproved, "unapproved (MT/new) skipped"),
            (self.empty, "empty skipped"),
        ):
            if count:
                parts.append(f"{count} {label}")
        return f"{self.path}: " + ", ".join(parts)


def _tmx_files(folder: Path) -> dict[str, os.stat_result]:
    if not folder.is_dir():
        return {}
    return {
        p.name: p.stat()
        for p in sorted(folder.iterdir())
        if p.suffix.lower() == ".tmx" and not p.name.startswith(".") and p.is_file()
    }


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK)


class TranslationMemory:
    """The project's memory: TMX files in ``folder``, searched through a `TMStore`."""

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        source_lang: str = "de",
        target_lang: str = "en",
        store: TMStore | None = None,
    ):
        self.folder = Path(folder)
        self.source_lang = source_lang
        self.target_lang = target_lang
        self._store = store
        self._healing_depth = 0
        self._swept = False
        if self.folder.exists() and not self.folder.is_dir():
            raise TranskitError(
                "translation memory must be a folder of TMX files", file=str(folder)
            )
        if self.folder.is_dir() and not _writable(self.folder):
            from platformdirs import user_cache_dir

            digest = hashlib.sha1(str(self.folder.resolve()).encode()).hexdigest()[:16]
            cache = Path(user_cache_dir("transkit")) / "tm" / digest
            self.index_path, self.lock_path = cache / INDEX_NAME, cache / LOCK_NAME
        else:
            self.index_path = self.folder / INDEX_NAME
            self.lock_path = self.folder / LOCK_NAME

    # ------------------------------------------------------------------ plumbing
    @property
    def store(self) -> TMStore:
        """The index, brought up to date with the TMX files first."""
        if self._store is None:
            from transkit.tm.sqlite import SQLiteStore

            self._sweep_temps()
            try:
                self._store = SQLiteStore(self.index_path)
            except (sqlite3.DatabaseError, IsADirectoryError, NotADirectoryError) as err:
                failure = index_failure(err, self.index_path)
                if not isinstance(failure, IndexDamaged):
                    raise failure from None
                self._discard_index(str(failure))
                self._store = SQLiteStore(self.index_path)
        return self._store

    def _discard_index(self, why: str) -> None:
        """Drop a damaged index (a cache); the next access rebuilds it from the TMX files."""
        if self._store is not None:
            with contextlib.suppress(Exception):
                self._store.close()
            self._store = None
        discard_index_files(self.index_path, why)

    def _sweep_temps(self) -> None:
        """Remove hidden temporary files a killed writer left, unless a writer is at work."""
        if self._swept or not self.folder.is_dir() or not _writable(self.folder):
            return
        self._swept = True
        if not any(is_temp(p.name) for p in self.folder.iterdir()):
            return
        with try_exclusive(self.lock_path) as locked:
            if locked:  # else a writer holds the lock: its temporary files are live
                self._remove_temps()

    def _remove_temps(self) -> None:
        """Remove writers' temporary files; only with the lock held (no writer is at work)."""
        self._swept = True
        for path in self.folder.iterdir():
            if is_temp(path.name):
                with contextlib.suppress(OSError):
                    path.unlink()

    def check_writable(self) -> None:
        """Refuse, before anything is written, a memory folder that takes no new file."""
        from transkit.fileio import preflight

        try:
            preflight(self.folder / APPROVED_FILE)
        except OutputError as err:
            raise OutputError(
                f"memory folder cannot be written ({err.message})", file=str(self.folder)
            ) from None

    def close(self) -> None:
        """Close the index."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[TMStore]:
        self.check_writable()
        self.folder.mkdir(parents=True, exist_ok=True)
        with exclusive(self.lock_path):
            self._remove_temps()
            self._sync_locked()
            yield self.store

    def _stale(self) -> bool:
        disk = _tmx_files(self.folder)
        known = self.store.file_states()
        if set(disk) != set(known):
            return True
        return any(
            (st.st_size, st.st_mtime_ns) != (known[n].size, known[n].mtime_ns)
            for n, st in disk.items()
        )

    @healing
    def refresh(self) -> bool:
        """Re-read TMX files that changed since they were indexed; True if any were."""
        if not self._stale():
            return False
        if not self.folder.is_dir():
            return False
        with exclusive(self.lock_path):
            return self._sync_locked()

    def _sync_locked(self) -> bool:
        store = self.store
        disk = _tmx_files(self.folder)
        known = store.file_states()
        changed = False
        for name in sorted(set(known) - set(disk)):
            store.drop_file(name)
            changed = True
        for name, st in disk.items():
            state = known.get(name)
            if state and (state.size, state.mtime_ns) == (st.st_size, st.st_mtime_ns):
                continue
            with store.transaction():
                store.drop_file(name)
                self._index_file(store, self.folder / name)
            changed = True
        return changed

    def _index_file(self, store: TMStore, path: Path) -> None:
        st = path.stat()
        chunk: list[TMUnit] = []
        for unit, _tu in iter_tmx(path, source_lang=self.source_lang, target_lang=self.target_lang):
            chunk.append(unit)
            if len(chunk) >= _CHUNK:
                store.add(path.name, chunk)
                chunk = []
        store.add(path.name, chunk)
        store.set_file_state(FileState(path.name, st.st_size, st.st_mtime_ns, 0))

    def _record(self, store: TMStore, path: Path, written: Path | None = None) -> None:
        st = (written or path).stat()
        store.set_file_state(FileState(path.name, st.st_size, st.st_mtime_ns, 0))

    # ------------------------------------------------------------------ writing
    def _destination(self, path: Path) -> Path:
        stem = path.name
        for suffix in (".tmx", ".TMX"):
            stem = stem.removesuffix(suffix)
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem).strip(".") or "memory"
        candidate = self.folder / f"{stem}.tmx"
        n = 2
        while candidate.exists() or candidate.name == APPROVED_FILE:
            candidate = self.folder / f"{stem}-{n}.tmx"
            n += 1
        return candidate

    @healing
    def import_tmx(self, path: str | os.PathLike[str]) -> ImportResult:
        """Add the approved de->en units of a TMX file (any version/encoding) to the memory."""
        import transkit

        source = Path(path)
        counts = ImportCounts()
        duplicates = 0
        with self._writing() as store:
            dest = self._destination(source)
            if source.resolve().parent == self.folder.resolve() and source.exists():
                raise TranskitError(
                    "already in the memory's folder (it is indexed as it is)", file=str(source)
                )
            try:
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{dest.name}.", suffix=".tmp")
            except OSError as err:
                raise write_failure(err, self.folder) from None
            try:
                with store.transaction():
                    with os.fdopen(fd, "wb") as handle:
                        with TMXWriter(
                            handle, source_lang=self.source_lang, tool_version=transkit.__version__
                        ) as writer:
                            seen: dict[int, str] = {}
                            fresh = not store.file_states()
                            batch: list[tuple[TMUnit, Any]] = []
                            units = iter_tmx(
                                source,
                                source_lang=self.source_lang,
                                target_lang=self.target_lang,
                                counts=counts,
                            )
                            for item in units:
                                batch.append(item)
                                if len(batch) >= _CHUNK:
                                    duplicates += self._import_batch(
                                        store, dest, batch, seen, writer, fresh
                                    )
                                    batch = []
                            duplicates += self._import_batch(
                                store, dest, batch, seen, writer, fresh
                            )
                        handle.flush()
                        os.fsync(handle.fileno())
                    if writer.written:
                        os.chmod(tmp, 0o644)
                        # the index records the file as it will be; renamed in once committed
                        self._record(store, dest, Path(tmp))
                if writer.written:
                    os.replace(tmp, dest)
            except OSError as err:
                raise write_failure(err, dest) from None
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        return ImportResult(
            path=str(source),
            stored_as=dest.name if writer.written else None,
            added=writer.written,
            duplicates=duplicates,
            other_languages=counts.other_languages,
            unapproved=counts.unapproved,
            empty=counts.empty,
        )

    @staticmethod
    def _import_batch(
        store: TMStore,
        dest: Path,
        batch: Sequence[tuple[TMUnit, Any]],
        seen: dict[int, str],
        writer: TMXWriter,
        fresh_store: bool = False,
    ) -> int:
        # Into an empty memory, everything stored so far is in ``seen`` already.
        stored = {} if fresh_store else store.pair_dates((u.source, u.target) for u, _ in batch)
        new: list[TMUnit] = []
        duplicates = 0
        for unit, tu in batch:
            key = pair_key(unit.source, unit.target)
            newest = max(stored.get(key, ""), seen.get(key, ""))
            if (key in stored or key in seen) and unit.date <= newest:
                duplicates += 1
                continue
            seen[key] = unit.date
            writer.write(tu)
            new.append(unit)
        store.add(dest.name, new)
        return duplicates

    @healing
    def add_units(self, units: Sequence[TMUnit]) -> int:
        """Store approved units (e.g. from ``transkit merge``) in ``approved.tmx``.

        A unit is skipped when its translation is already the newest one for
        its source; everything else is appended with today's date.
        """
        if not units:
            return 0
        with self._writing() as store:
            fresh: list[TMUnit] = []
            winners: dict[str, str] = {}
            for unit in units:
                src = normalize(unit.source)
                if src not in winners:
                    ranked = self.lookup_exact(unit.source, store=store)
                    winners[src] = ranked[0].target if ranked else ""
                if winners[src] == unit.target:
                    continue
                winners[src] = unit.target
                fresh.append(unit)
            if not fresh:
                return 0
            path = self.folder / APPROVED_FILE
            with store.transaction():
                append_tus(path, [make_tu(u) for u in fresh], source_lang=self.source_lang)
                store.add(path.name, fresh)
                self._record(store, path)
            return len(fresh)

    @healing
    def remove(self, source: str, target: str | None = None) -> int:
        """Delete the units with this source (and target) from the TMX files and the index."""
        from transkit.tm.tmxio import rewrite_without

        wanted = normalize(source)

        def matches(unit: TMUnit) -> bool:
            return normalize(unit.source) == wanted and (target is None or unit.target == target)

        with self._writing() as store:
            files = {u.file for u in store.exact(source) if target is None or u.target == target}
            removed = 0
            with store.transaction():
                for name in sorted(files):
                    path = self.folder / name
                    removed += rewrite_without(
                        path, matches, source_lang=self.source_lang, target_lang=self.target_lang
                    )
                store.remove(source, target)
                for name in sorted(files):
                    path = self.folder / name
                    if path.exists():
                        self._record(store, path)
                    else:
                        store.drop_file(name)
            return removed

    @healing
    def export(self, path: str | os.PathLike[str]) -> int:
        """Write every distinct unit (newest copy of each pair) to one TMX 1.4 file."""
        import transkit

        self.refresh()
        newest: dict[int, str] = {}
        for unit in self.store.units():
            key = pair_key(unit.source, unit.target)
            if unit.date >= newest.get(key, ""):
                newest[key] = unit.date
        from transkit.fileio import OutputClaims, open_output

        claims = OutputClaims(self.folder / name for name in _tmx_files(self.folder))
        claims.add_input(self.index_path)
        claims.claim(path)
        with (
            open_output(path) as handle,
            TMXWriter(
                handle, source_lang=self.source_lang, tool_version=transkit.__version__
            ) as writer,
        ):
            for name in _tmx_files(self.folder):
                for unit, tu in iter_tmx(
                    self.folder / name,
                    source_lang=self.source_lang,
                    target_lang=self.target_lang,
                ):
                    key = pair_key(unit.source, unit.target)
                    if key in newest and unit.date == newest[key]:
                        del newest[key]
                        writer.write(tu)
        return writer.written

    # ------------------------------------------------------------------ reading
    @healing
    def stats(self) -> StoreStats:
        """Units, distinct sources, files and index size."""
        self.refresh()
        return self.store.stats()

    def lookup_exact(
        self, source: str, prev: str = "", next_: str = "", *, store: TMStore | None = None
    ) -> list[TMMatch]:
        """Exact matches, one per distinct target: in-context first, then newest first."""
        return rank_exact((store or self.store).exact(source), prev, next_)

    def lookup_fuzzy(
        self, source: str, threshold: float = DEFAULT_THRESHOLD, limit: int = 5
    ) -> list[TMMatch]:
        """Fuzzy matches scoring at least ``threshold``, best first (exact ones excluded)."""
        return rank_fuzzy(self.store, source, threshold, limit)

    @healing
    def lookup(
        self,
        source: str,
        prev: str = "",
        next_: str = "",
        *,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 5,
    ) -> list[TMMatch]:
        """Best matches for one sentence: exact/in-context first, then fuzzy."""
        self.refresh()
        matches = self.lookup_exact(source, prev, next_)
        matches += self.lookup_fuzzy(source, threshold, limit)
        return matches[:limit]


def units_from_segments(
    documents: Iterable[Any],
    *,
    states: Sequence[str],
    date: str | None = None,
    accept: Callable[[Any], bool] | None = None,
) -> list[TMUnit]:
    """Approved segments of `transkit.data.Document`s as units with their neighbours' sources.

    ``accept`` can refuse more segments (e.g. units that kept their source).
    """
    date = date or tmx_date()
    units = []
    for doc in documents:
        segments = list(doc.segments)
        name = doc.metadata.get("original", doc.name) if hasattr(doc, "metadata") else doc.name
        for i, seg in enumerate(segments):
            if seg.state not in states or not (seg.target or "").strip() or not seg.source.strip():
                continue
            if accept is not None and not accept(seg):
                continue
            units.append(
                TMUnit(
                    source=seg.source,
                    target=seg.target,
                    source_lang=doc.source_lang,
                    target_lang=doc.target_lang,
                    date=date,
                    prev=segments[i - 1].source if i > 0 else "",
                    next=segments[i + 1].source if i + 1 < len(segments) else "",
                    origin=seg.origin or "",
                    document=name,
                    props=(("x-state", seg.state),),
                )
            )
    return units


def check_tmx(path: str | os.PathLike[str]) -> None:
    """Read a TMX file through once, so a malformed one fails before anything is written."""
    for _ in iter_tmx(path):
        pass
