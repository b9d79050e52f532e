"""`PostgresMemory`: a team's memory in PostgreSQL, with the folder memory's methods.

The database is the truth; TMX is what comes in (``import_tmx``, approved
segments from ``merge`` via ``add_units``) and goes out (``export``).  It
answers lookups through the same ranking as the folder memory
(`transkit.tm.lookup`), so both return the same matches for the same units.
Errors from the server (unreachable, wrong password, connection dropped)
become one-line `transkit.errors.TranskitError`s naming the URL without its
password.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from transkit.tm.lookup import DEFAULT_THRESHOLD, rank_exact, rank_fuzzy
from transkit.tm.memory import APPROVED_FILE, ImportResult
from transkit.tm.store import StoreStats
from transkit.tm.tmxio import ImportCounts, TMXWriter, iter_tmx
from transkit.tm.units import TMMatch, TMUnit, normalize
from transkit.tm.urls import redact_url

__all__ = ["PostgresMemory"]


def _collection(path: Path) -> str:
    """The name units imported from ``path`` are kept under (``client.tmx``)."""
    stem = path.name
    for suffix in (".tmx", ".TMX"):
        stem = stem.removesuffix(suffix)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem).strip(".") or "memory"
    return f"{stem}.tmx"


class PostgresMemory:
    """A translation memory in the PostgreSQL database at ``url``."""

    def __init__(
        self,
        url: str,
        *,
        source_lang: str = "de",
        target_lang: str = "en",
        pool_size: int = 0,
    ):
        from transkit.tm.postgres import PostgresStore

        self.url = url
        self.label = redact_url(url)
        self.source_lang = source_lang
        self.target_lang = target_lang
        self._store: PostgresStore | None = PostgresStore(
            url, label=self.label, pool_size=pool_size
        )

    def __str__(self) -> str:
        return self.label

    # ------------------------------------------------------------------ plumbing
    @property
    def store(self) -> Any:
        """The `transkit.tm.postgres.PostgresStore` (raises once closed)."""
        if self._store is None:
            raise ValueError("memory is closed")
        return self._store

    def close(self) -> None:
        """Close the connection (or pool)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> PostgresMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _server_errors(self) -> Iterator[None]:
        """Turn psycopg errors (a dropped connection, a server gone) into one line."""
        import psycopg

        try:
            yield
        except psycopg.Error as err:
            raise self.store.connection_error(err) from None

    def refresh(self) -> bool:
        """Nothing to re-read: the database is the memory (kept for the folder's API)."""
        return False

    # ------------------------------------------------------------------ writing
    def import_tmx(self, path: str | os.PathLike[str]) -> ImportResult:
        """Add the approved de->en units of a TMX file, merging duplicates, in one transaction."""
        source = Path(path)
        counts = ImportCounts()
        name = _collection(source)
        items = iter_tmx(
            source, source_lang=self.source_lang, target_lang=self.target_lang, counts=counts
        )
        with self._server_errors():
            added, duplicates = self.store.import_units(name, items)
        return ImportResult(
            path=str(source),
            stored_as=name if added else None,
            added=added,
            duplicates=duplicates,
            other_languages=counts.other_languages,
            unapproved=counts.unapproved,
            empty=counts.empty,
        )

    def add_units(self, units: Sequence[TMUnit]) -> int:
        """Store approved units (from ``transkit merge``) under ``approved.tmx``.

        A unit is skipped when its translation is already the newest one for
        its source (checked inside the writers' lock, so concurrent merges agree).
        """
        if not units:
            return 0
        store = self.store
        with self._server_errors(), store.transaction():
            fresh: list[TMUnit] = []
            winners: dict[str, str] = {}
            for unit in units:
                src = normalize(unit.source)
                if src not in winners:
                    ranked = rank_exact(store.exact(unit.source))
                    winners[src] = ranked[0].target if ranked else ""
                if winners[src] == unit.target:
                    continue
                winners[src] = unit.target
                fresh.append(unit)
            store.add(APPROVED_FILE, fresh)
        return len(fresh)

    def remove(self, source: str, target: str | None = None) -> int:
        """Delete the units with this source (and target)."""
        with self._server_errors():
            return sum(self.store.remove(source, target).values())

    def export(self, path: str | os.PathLike[str]) -> int:
        """Write every distinct unit (newest copy of each pair) to one TMX 1.4 file, atomically."""
        import transkit

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle, self._server_errors():
                with TMXWriter(
                    handle, source_lang=self.source_lang, tool_version=transkit.__version__
                ) as writer:
                    for tu in self.store.newest_tus():
                        writer.write(tu)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return writer.written

    # ------------------------------------------------------------------ reading
    def stats(self) -> StoreStats:
        """Units, distinct sources, collections and the tables' size."""
        with self._server_errors():
            return self.store.stats()

    def lookup_exact(self, source: str, prev: str = "", next_: str = "") -> list[TMMatch]:
        """Exact matches, one per distinct target: in-context first, then newest first."""
        with self._server_errors():
            return rank_exact(self.store.exact(source), prev, next_)

    def lookup_fuzzy(
        self, source: str, threshold: float = DEFAULT_THRESHOLD, limit: int = 5
    ) -> list[TMMatch]:
        """Fuzzy matches scoring at least ``threshold``, best first (exact ones excluded)."""
        with self._server_errors():
            return rank_fuzzy(self.store, source, threshold, limit)

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
        matches = self.lookup_exact(source, prev, next_)
        matches += self.lookup_fuzzy(source, threshold, limit)
        return matches[:limit]
