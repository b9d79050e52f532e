"""The SQLite index: bulk and small additions, delta folding, stale ids, reset on schema change."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import transkit.tm.sqlite as sqlite_store
from transkit.tm.sqlite import SQLiteStore
from transkit.tm.store import FileState
from transkit.tm.units import TMUnit


def units(prefix: str, n: int) -> list[TMUnit]:
    return [
        TMUnit(f"{prefix} Satz Nummer {i} über Zölle.", f"{prefix} sentence {i}.") for i in range(n)
    ]


def found(store: SQLiteStore, query: str) -> list[str]:
    """Candidate sources (numbers fold to 0 in the index, so numbered units tie)."""
    return [source for _, source in store.candidates(query, 100, 75)]


def test_bulk_and_delta_additions_are_both_searched(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sqlite_store, "BULK", 50)
    store = SQLiteStore(tmp_path / "i.sqlite")
    store.add("a.tmx", units("Erster", 60))  # bulk: posting BLOBs
    store.add("b.tmx", units("Zweiter", 3))  # small: delta rows
    assert store._db.execute("SELECT count(*) FROM delta").fetchone()[0] > 0
    assert "Erster Satz Nummer 7 über Zölle." in found(store, "Erster Satz Nummer 7 über Zölle!")
    assert "Zweiter Satz Nummer 2 über Zölle." in found(store, "Zweiter Satz Nummer 2 über Zölle!")
    [(unit_id, unit)] = store.get([store.candidates("Zweiter Satz Nummer 2 über Zölle.", 1)[0][0]])
    assert unit.file == "b.tmx" and unit.target.startswith("Zweiter sentence ")
    store.close()


def test_delta_is_folded_into_postings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sqlite_store, "DELTA_LIMIT", 20)
    store = SQLiteStore(tmp_path / "i.sqlite")
    for i in range(4):
        store.add("a.tmx", units(f"Teil{i}", 3))
    assert store._db.execute("SELECT count(*) FROM delta").fetchone()[0] < 20
    assert "Teil2 Satz Nummer 1 über Zölle." in found(store, "Teil2 Satz Nummer 1 über Zölle!")
    store.close()


def test_dropped_units_are_not_found_and_stale_ids_get_rebuilt(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "i.sqlite")
    store.add("a.tmx", units("Alt", 2500))
    store.add("b.tmx", units("Neu", 10))
    store.set_file_state(FileState("a.tmx", 1, 1, 0))
    assert store.file_states()["a.tmx"].units == 2500
    assert store.drop_file("a.tmx") == 2500
    # more than a quarter stale: posting lists rebuilt from the live units
    assert store._meta("stale") == 0
    assert all(
        source.startswith("Neu")
        for _, source in store.candidates("Alt Satz Nummer 5 über Zölle.", 20)
    )
    assert store.remove("Neu Satz Nummer 3 über Zölle.") == {"b.tmx": 1}
    assert store.exact("Neu Satz Nummer 3 über Zölle.") == []
    assert store.stats().units == 9
    store.close()


def test_a_stale_schema_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    store = SQLiteStore(path)
    store.add("a.tmx", units("X", 3))
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='old' WHERE key='schema'")
    store = SQLiteStore(path)
    assert store.stats().units == 0 and store.file_states() == {}
    store.close()


@pytest.mark.parametrize("query", ["", "!!!", "   "])
def test_queries_without_words(tmp_path: Path, query: str) -> None:
    store = SQLiteStore(tmp_path / "i.sqlite")
    store.add("a.tmx", units("X", 3))
    assert store.candidates(query, 5) == []
    store.close()
