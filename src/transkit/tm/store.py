"""The one small interface every memory index implements.

`TranslationMemory` (TMX files in a folder) keeps its searchable copy in a
`transkit.tm.sqlite.SQLiteStore`, a local cache file; a team's memory
(`transkit.tm.pgmemory.PostgresMemory`) keeps its units in a
`transkit.tm.postgres.PostgresStore`.  A store
only stores and finds candidates: scoring, ranking and match levels are
done above it (`transkit.tm.lookup`), so every store ranks alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from transkit.tm.units import TMUnit

__all__ = ["FileState", "StoreStats", "TMStore", "unit_from_row"]


def unit_from_row(row: Sequence[Any], file: str = "") -> TMUnit:
    """A unit from a row of both stores' unit columns (source ... props, props as JSON)."""
    props = tuple(tuple(p) for p in json.loads(row[9])) if row[9] else ()
    return TMUnit(
        source=row[0],
        target=row[1],
        source_lang=row[2],
        target_lang=row[3],
        date=row[4],
        prev=row[5],
        next=row[6],
        origin=row[7],
        document=row[8],
        props=props,  # type: ignore[arg-type]
        file=file,
    )


@dataclass(frozen=True)
class FileState:
    """What the store last indexed of one TMX file: enough to see it changed."""

    name: str
    size: int
    mtime_ns: int
    units: int


@dataclass(frozen=True)
class StoreStats:
    """Counts for ``transkit tm stats``."""

    units: int
    sources: int
    files: tuple[FileState, ...]
    bytes: int


class TMStore(Protocol):
    """Units grouped by the TMX file they come from; exact and candidate lookup."""

    def add(self, file: str, units: Sequence[TMUnit]) -> int:
        """Store ``units`` as part of ``file``; return how many were stored."""
        ...

    def drop_file(self, file: str) -> int:
        """Forget every unit of ``file`` (and its state); return how many."""
        ...

    def file_states(self) -> dict[str, FileState]:
        """The indexed state of every file, by name."""
        ...

    def set_file_state(self, state: FileState) -> None:
        """Record that ``state.name`` is indexed as it is now on disk."""
        ...

    def exact(self, source: str) -> list[TMUnit]:
        """Units whose normalised source equals ``source``'s (any order)."""
        ...

    def candidates(self, source: str, limit: int, min_score: float = 0.0) -> list[tuple[int, str]]:
        """Ids and sources of up to ``limit`` units likely to be the most similar to ``source``.

        Units that cannot reach ``min_score`` (e.g. by length) may be left out.
        """
        ...

    def get(self, ids: Sequence[int]) -> list[tuple[int, TMUnit]]:
        """``(id, unit)`` for the ids `candidates` gave, in that order (gone ones skipped)."""
        ...

    def pair_dates(self, pairs: Iterable[tuple[str, str]]) -> dict[int, str]:
        """For the stored ones among (source, target) ``pairs``: `pair_key` -> newest date."""
        ...

    def remove(self, source: str, target: str | None = None) -> dict[str, int]:
        """Delete units with ``source`` (and ``target``); return counts per file."""
        ...

    def units(self, file: str | None = None) -> Iterator[TMUnit]:
        """Every unit (of one file), in storage order."""
        ...

    def stats(self) -> StoreStats:
        """Counts for ``transkit tm stats``."""
        ...

    def transaction(self) -> object:
        """A context manager: what is added inside it is committed together."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...
