"""The PostgreSQL memory: schema versions, many writers, a dropped connection, login errors."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from transkit.errors import TranskitError
from transkit.tm.spec import MemorySpecError, memory_url, open_memory
from transkit.tm.tmxio import TMXWriter, make_tu
from transkit.tm.units import TMUnit
from transkit.tm.urls import redact_url


def write_tmx(path: Path, units: list[TMUnit]) -> Path:
    with path.open("wb") as handle, TMXWriter(handle) as writer:
        for unit in units:
            writer.write(make_tu(unit))
    return path


def U(source: str, target: str, date: str = "20240101T000000Z") -> TMUnit:
    return TMUnit(source, target, date=date)


def test_urls_and_schemes() -> None:
    assert memory_url("tm") is None and memory_url("C:\\tm") is None
    assert memory_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert memory_url("postgres://u@h/db") == "postgres://u@h/db"
    with pytest.raises(MemorySpecError, match="unknown translation memory URL scheme 'mysql://'"):
        memory_url("mysql://u:secret@h/db")
    assert MemorySpecError.exit_code == 2
    assert redact_url("postgresql://u:s3cret@h:5/db") == "postgresql://u:***@h:5/db"
    assert "s3cret" not in redact_url("postgresql://u@h/db?password=s3cret&sslmode=require")


def test_schema_version_is_migrated_and_a_newer_one_refused(pg_url: str) -> None:
    import psycopg

    from transkit.tm.postgres import SCHEMA_VERSION

    with open_memory(pg_url) as memory:
        assert memory.store.schema_version() == SCHEMA_VERSION
        memory.add_units([U("Eins.", "One.")])
    with open_memory(pg_url) as memory:  # a second opening migrates nothing, keeps the units
        assert memory.stats().units == 1
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(TranskitError, match="newer than this transkit knows") as err:
        open_memory(pg_url)
    assert "transkit-test-pw" not in str(err.value)


def test_unreachable_and_wrong_password_name_the_url_without_password(pg_cluster) -> None:
    bad = pg_cluster.url(password="wrong-pw-123")
    with pytest.raises(TranskitError) as err:
        open_memory(bad)
    message = err.value.one_line()
    assert "password authentication failed" in message
    assert "wrong-pw-123" not in message and f":{pg_cluster.port}/" in message
    assert err.value.exit_code == 1 and "\n" not in message
    with socket_closed() as port:
        url = f"postgresql://transkit:wrong-pw-123@127.0.0.1:{port}/x?connect_timeout=5"
        with pytest.raises(TranskitError) as err:
            open_memory(url)
    message = err.value.one_line()
    assert "refused" in message.lower() and "wrong-pw-123" not in message
    assert message.startswith(f"postgresql://transkit:***@127.0.0.1:{port}/x")


class socket_closed:
    """A loopback port nobody listens on (bound then closed)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None


def _writer(args: tuple[str, str, int]) -> int:
    url, folder, worker = args
    added = 0
    with open_memory(url) as memory:
        for i in range(3):
            src = Path(folder) / f"w{worker}-{i}.tmx"
            # every worker also imports one shared unit: stored once, the others merge it
            shared = [U("Geteilt ist gut.", "Shared is good.")]
            units = [U(f"Import {worker} {i} {k}.", f"Import {worker} {i} {k}!") for k in range(40)]
            write_tmx(src, units + shared)
            added += memory.import_tmx(src).added
            added += memory.add_units(
                [U(f"Merge {worker} {i} {k}.", f"Merge {worker} {i} {k}!") for k in range(5)]
            )
    return added


def test_eight_writers_at_once_lose_nothing(pg_url: str, tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        added = sum(pool.map(_writer, [(pg_url, str(tmp_path), w) for w in range(8)]))
    assert added == 8 * 3 * 45 + 1
    with open_memory(pg_url) as memory:
        stored = {(u.source, u.target) for u in memory.store.units()}
        assert len(stored) == added == memory.stats().units
        for w in range(8):
            assert (f"Import {w} 2 39.", f"Import {w} 2 39!") in stored
            assert (f"Merge {w} 1 4.", f"Merge {w} 1 4!") in stored


def test_a_dropped_connection_mid_import_leaves_nothing(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    from transkit.tm.postgres import WRITE_LOCK

    units = [U(f"Satz Nummer {i} über Zölle.", f"Sentence {i} on tariffs.") for i in range(60000)]
    path = write_tmx(tmp_path / "big.tmx", units)
    memory = open_memory(pg_url)
    memory.add_units([U("Schon da.", "Already there.")])
    killed: list[int] = []

    def kill_the_importer() -> None:
        deadline = time.monotonic() + 120
        with psycopg.connect(pg_url, autocommit=True) as admin:
            while time.monotonic() < deadline and not killed:
                # the importer holds the writers' advisory lock from its first row to commit
                row = admin.execute(
                    "SELECT pid FROM pg_locks WHERE locktype='advisory' AND granted AND "
                    "((classid::bigint << 32) | objid::bigint) = %s",
                    (WRITE_LOCK,),
                ).fetchone()
                if row:
                    time.sleep(0.3)  # well inside the COPY
                    admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                    killed.append(row[0])
                time.sleep(0.02)

    killer = threading.Thread(target=kill_the_importer)
    killer.start()
    try:
        with pytest.raises(TranskitError) as err:
            memory.import_tmx(path)
    finally:
        killer.join()
        memory.close()
    assert killed, "the import finished before it could be interrupted"
    assert "transkit-test-pw" not in err.value.one_line()
    with open_memory(pg_url) as memory:
        assert memory.stats().units == 1  # nothing of the import, the earlier unit kept
        assert memory.lookup("Satz Nummer 7 über Zölle.") == []
        assert memory.import_tmx(path).added == 60000  # and it can simply be run again


def test_a_pooled_memory_serves_threads(pg_url: str) -> None:
    with open_memory(pg_url) as memory:
        memory.add_units(
            [U(f"Thread Satz {i} ist hier.", f"Thread sentence {i}.") for i in range(50)]
        )
    results: list[int] = []
    with open_memory(pg_url, pool_size=4) as pooled:

        def ask(i: int) -> None:
            for k in range(20):
                hits = pooled.lookup(f"Thread Satz {(i + k) % 50} ist hier.")
                results.append(hits[0].score == 100.0)

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 160 and all(results)


def _postings(url: str) -> tuple[int, int]:
    """(ids in tm_postings, sum of the units' feature counts)."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT coalesce(sum(length(ids)), 0) / 4 FROM tm_postings").fetchone()[
            0
        ]
        df = conn.execute("SELECT coalesce(sum(nfeat), 0) FROM tm_units").fetchone()[0]
    return int(rows), int(df)


def test_a_schema_1_memory_gets_its_feature_index(pg_url: str) -> None:
    """A memory of schema 1 (the pg_trgm index) is indexed on first use and finds fuzzy matches."""
    import psycopg

    from transkit.tm.pgschema import MIGRATIONS
    from transkit.tm.postgres import unit_row
    from transkit.tm.units import normalize

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_version(version integer NOT NULL)")
        conn.execute(MIGRATIONS[0][0])
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.execute("INSERT INTO tm_files(name) VALUES ('old.tmx')")
        unit = U("Der alte Speicher kennt diesen langen Satz schon.", "The old memory knows it.")
        row = unit_row(1, 1, unit, normalize(unit.source), None, 0)[:-1]  # no nfeat yet
        conn.execute(
            "INSERT INTO tm_units(id, file_id, src_key, pair_key, ctx_key, norm, chars, source, "
            "target, source_lang, target_lang, date, prev, next, origin, document, props, tu) "
            f"VALUES ({', '.join(['%s'] * len(row))})",
            row,
        )
    with open_memory(pg_url) as memory:
        assert memory.store.schema_version() == 2
        [match] = memory.lookup_fuzzy("Der alte Speicher kennt diesen kurzen Satz schon.")
        assert match.target == "The old memory knows it." and 75 <= match.score < 100
    rows, df = _postings(pg_url)
    assert rows == df > 0


def test_a_warm_lookup_cache_sees_other_writers(pg_url: str) -> None:
    """Units merged or removed through another connection show in the next lookup."""
    near = [U(f"Der Bericht {w} über Zölle und Steuern kam heute.", f"Report {w}.") for w in "AB"]
    with open_memory(pg_url) as reader, open_memory(pg_url) as writer:
        writer.add_units(near[:1])
        query = "Der Bericht C über Zölle und Steuern kam gestern."
        assert [m.target for m in reader.lookup_fuzzy(query)] == ["Report A."]
        writer.add_units(near[1:])  # appended: the reader's cached lists are extended
        assert sorted(m.target for m in reader.lookup_fuzzy(query)) == ["Report A.", "Report B."]
        assert writer.remove(near[0].source) == 1  # a deletion: the reader starts over
        assert [m.target for m in reader.lookup_fuzzy(query)] == ["Report B."]
        assert writer.store.drop_file("approved.tmx") == 1
        assert reader.lookup_fuzzy(query) == []
    rows, nfeat = _postings(pg_url)
    assert rows > 0 and nfeat == 0  # deleted units' ids stay in the lists, skipped


def test_a_big_import_keeps_the_newest_copy_across_chunks(pg_url: str, tmp_path: Path) -> None:
    """Duplicates more than one COPY round apart merge like neighbours."""
    from transkit.tm.postgres import CHUNK

    units = [U(f"Eintrag {i} im großen Speicher.", f"Entry {i}.") for i in range(CHUNK + 500)]
    units[CHUNK + 10] = U("Eintrag 5 im großen Speicher.", "Entry 5.", date="20250101T000000Z")
    units[CHUNK + 11] = U("Eintrag 6 im großen Speicher.", "Entry 6.", date="20230101T000000Z")
    path = write_tmx(tmp_path / "big.tmx", units)
    with open_memory(pg_url) as memory:
        result = memory.import_tmx(path)
        assert (result.added, result.duplicates) == (CHUNK + 498, 2)
        [five] = memory.lookup_exact("Eintrag 5 im großen Speicher.")
        [six] = memory.lookup_exact("Eintrag 6 im großen Speicher.")
        assert (five.unit.date, six.unit.date) == ("20250101T000000Z", "20240101T000000Z")
        assert memory.import_tmx(path).added == 0  # held already, same dates
        [near] = memory.lookup_fuzzy("Eintrag 7 im grossen Speicher.", limit=1)
        assert near.unit.source == "Eintrag 7 im großen Speicher." and 75 <= near.score < 100
