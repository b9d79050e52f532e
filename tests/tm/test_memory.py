"""The project memory: TMX folder as truth, index as cache, dedupe, lookup, concurrency."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from lxml import etree

from transkit.data import Document, Segment
from transkit.errors import FormatError, TranskitError
from transkit.tm.memory import APPROVED_FILE, TranslationMemory, units_from_segments
from transkit.tm.tmxio import TMXWriter, iter_tmx, make_tu
from transkit.tm.units import TMUnit

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def write_tmx(path: Path, units: list[TMUnit]) -> Path:
    with path.open("wb") as handle, TMXWriter(handle) as writer:
        for unit in units:
            writer.write(make_tu(unit))
    return path


def U(source: str, target: str, date: str = "20240101T000000Z", **kw: str) -> TMUnit:
    return TMUnit(source, target, date=date, **kw)


@pytest.fixture
def memory(tmp_path: Path) -> TranslationMemory:
    tm = TranslationMemory(tmp_path / "tm")
    yield tm
    tm.close()


def test_import_stores_a_tmx_file_and_finds_exact(
    memory: TranslationMemory, tmp_path: Path
) -> None:
    src = write_tmx(tmp_path / "client.tmx", [U("Der Preis stieg.", "The price rose.")])
    result = memory.import_tmx(src)
    assert (result.added, result.stored_as) == (1, "client.tmx")
    assert (memory.folder / "client.tmx").is_file()
    [match] = memory.lookup("Der  Preis stieg.")
    assert (match.level, match.score, match.target) == ("exact", 100.0, "The price rose.")
    assert match.unit.file == "client.tmx"


def test_duplicates_merge_and_newest_wins(memory: TranslationMemory, tmp_path: Path) -> None:
    first = write_tmx(
        tmp_path / "a.tmx",
        [
            U("Peking ist groß.", "Peking is big.", "20200101T000000Z"),
            U("Peking ist groß.", "Peking is big.", "20200101T000000Z"),  # exact duplicate
        ],
    )
    assert memory.import_tmx(first).duplicates == 1
    again = memory.import_tmx(first)
    assert (again.added, again.duplicates, again.stored_as) == (0, 2, None)
    newer = write_tmx(
        tmp_path / "b.tmx", [U("Peking ist groß.", "Beijing is big.", "20230101T000000Z")]
    )
    memory.import_tmx(newer)
    matches = memory.lookup_exact("Peking ist groß.")
    assert [m.target for m in matches] == ["Beijing is big.", "Peking is big."]
    # an older copy of the loser does not bring it back; a newer approval does
    memory.add_units([U("Peking ist groß.", "Peking is big.", "20250101T000000Z")])
    assert memory.lookup_exact("Peking ist groß.")[0].target == "Peking is big."


def test_in_context_exact_ranks_first(memory: TranslationMemory) -> None:
    memory.add_units(
        [
            U("Das ist gut.", "That is good.", "20240101T000000Z", prev="Wir bauen.", next="Ende."),
            U("Das ist gut.", "This is fine.", "20250101T000000Z"),
        ]
    )
    plain = memory.lookup_exact("Das ist gut.")
    assert [m.level for m in plain] == ["exact", "exact"]
    assert plain[0].target == "This is fine."  # newest
    ctx = memory.lookup_exact("Das ist gut.", "Wir bauen.", "Ende.")
    assert (ctx[0].level, ctx[0].target) == ("context", "That is good.")


def test_fuzzy_threshold_and_numbers(memory: TranslationMemory) -> None:
    memory.add_units(
        [
            U(
                "Der Preis stieg im Jahr 2024 um 5 Prozent.",
                "In 2024, the price rose by 5 percent.",
            ),
            U(
                "Die Regierung plant neue Zölle gegen China.",
                "The government plans new tariffs on China.",
            ),
        ]
    )
    [m] = memory.lookup("Der Preis stieg im Jahr 2025 um 7 Prozent.")
    assert m.level == "numbers" and m.target == "In 2025, the price rose by 7 percent."
    assert 75 <= m.score < 100
    [f] = memory.lookup("Die Regierung plante neue Zölle gegen Japan.")
    assert f.level == "fuzzy" and f.target == "The government plans new tariffs on China."
    assert memory.lookup("Die Regierung plante neue Zölle gegen Japan.", threshold=95) == []
    assert memory.lookup("Etwas ganz anderes steht hier.") == []


def test_index_is_a_cache_of_the_tmx_files(memory: TranslationMemory, tmp_path: Path) -> None:
    memory.add_units([U("Eins.", "One.")])
    memory.close()
    # a TMX file dropped into the folder is picked up
    write_tmx(memory.folder / "dropped.tmx", [U("Zwei.", "Two.")])
    assert memory.lookup("Zwei.")[0].target == "Two."
    # editing a file by hand is picked up; the index file can be deleted at any time
    path = memory.folder / "dropped.tmx"
    path.write_text(path.read_text(encoding="utf-8").replace("Two.", "Two!"), encoding="utf-8")
    assert memory.lookup("Zwei.")[0].target == "Two!"
    memory.close()
    for index in memory.folder.glob(".transkit-index.sqlite*"):
        index.unlink()
    assert memory.lookup("Eins.")[0].target == "One."
    assert memory.stats().units == 2
    # a deleted file's units are gone
    path.unlink()
    assert memory.lookup("Zwei.") == []


def test_remove_rewrites_the_files(memory: TranslationMemory, tmp_path: Path) -> None:
    memory.import_tmx(write_tmx(tmp_path / "a.tmx", [U("Eins.", "One."), U("Zwei.", "Two.")]))
    memory.add_units([U("Eins.", "One!", "20250101T000000Z")])
    assert memory.remove("Eins.", "One.") == 1
    assert [m.target for m in memory.lookup_exact("Eins.")] == ["One!"]
    assert memory.remove("Eins.") == 1
    assert memory.lookup("Eins.") == []
    assert not (memory.folder / APPROVED_FILE).exists()  # left empty: deleted
    assert [u.source for u, _ in iter_tmx(memory.folder / "a.tmx")] == ["Zwei."]
    assert memory.stats().units == 1


def test_export_writes_each_pair_once(memory: TranslationMemory, tmp_path: Path, xmlcheck) -> None:
    memory.import_tmx(write_tmx(tmp_path / "a.tmx", [U("Eins.", "One.", "20200101T000000Z")]))
    memory.import_tmx(write_tmx(tmp_path / "b.tmx", [U("Eins.", "One.", "20240101T000000Z")]))
    out = tmp_path / "export.tmx"
    assert memory.export(out) == 1
    xmlcheck(out)
    [tu] = etree.parse(str(out)).getroot().iter("tu")
    assert tu.get("creationdate") == "20240101T000000Z"


def test_units_from_segments_keeps_approved_with_context() -> None:
    segs = (
        Segment(id="1", source="A.", target="A!", state="final"),
        Segment(id="2", source="B.", target="B!", state="mt"),
        Segment(id="3", source="C.", target="C!", state="translated"),
    )
    units = units_from_segments(
        [Document(name="d.txt", segments=segs)], states=("translated", "final")
    )
    assert [(u.source, u.prev, u.next) for u in units] == [("A.", "", "B."), ("C.", "B.", "")]
    assert all(u.document == "d.txt" and u.date for u in units)


def test_bad_memory_paths(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(TranskitError, match="folder"):
        TranslationMemory(tmp_path / "file")
    tm = TranslationMemory(tmp_path / "tm")
    bad = tmp_path / "bad.tmx"
    bad.write_text("<tmx><header/><body><tu>")
    with pytest.raises(FormatError, match="bad.tmx"):
        tm.import_tmx(bad)
    assert not list((tmp_path / "tm").glob("*.tmx"))  # nothing half-written
    tm.close()


def test_read_only_folder_keeps_its_index_in_the_cache(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "tm"
    folder.mkdir()
    write_tmx(folder / "a.tmx", [U("Eins.", "One.")])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("transkit.tm.memory._writable", lambda path: False)
    tm = TranslationMemory(folder)
    assert tm.lookup("Eins.")[0].target == "One."
    assert (tmp_path / "cache") in tm.index_path.parents
    assert not list(folder.glob(".transkit*"))
    tm.close()


def _worker(args: tuple[str, int]) -> int:
    folder, worker = args
    tm = TranslationMemory(folder)
    added = 0
    for i in range(3):
        src = Path(folder).parent / f"w{worker}-{i}.tmx"
        write_tmx(
            src, [U(f"Import {worker} {i} {k}.", f"Import {worker} {i} {k}!") for k in range(30)]
        )
        added += tm.import_tmx(src).added
        added += tm.add_units(
            [U(f"Merge {worker} {i} {k}.", f"Merge {worker} {i} {k}!") for k in range(5)]
        )
    tm.close()
    return added


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "tm"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        added = sum(pool.map(_worker, [(str(folder), w) for w in range(4)]))
    assert added == 4 * 3 * 35
    in_files = {(u.source, u.target) for p in folder.glob("*.tmx") for u, _ in iter_tmx(p)}
    tm = TranslationMemory(folder)
    assert not tm.refresh()  # the index already matched the files
    indexed = {(u.source, u.target) for u in tm.store.units()}
    assert in_files == indexed and len(indexed) == added
    tm.close()
