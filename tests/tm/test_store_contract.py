"""The same contract over both memories: a TMX folder (SQLite index) and PostgreSQL.

Every test runs twice, once per store; the PostgreSQL runs use a throwaway
server (tests/pgcluster.py) and skip, saying why, without PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from transkit.tm.memory import TranslationMemory
from transkit.tm.spec import open_memory
from transkit.tm.tmxio import TMXWriter, make_tu
from transkit.tm.units import TMUnit

KINDS = ["folder", "postgresql"]


def write_tmx(path: Path, units: list[TMUnit]) -> Path:
    with path.open("wb") as handle, TMXWriter(handle) as writer:
        for unit in units:
            writer.write(make_tu(unit))
    return path


def U(source: str, target: str, date: str = "20240101T000000Z", **kw: str) -> TMUnit:
    return TMUnit(source, target, date=date, **kw)


def _spec(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "folder":
        return str(tmp_path / "tm")
    return request.getfixturevalue("pg_url")


@pytest.fixture(params=KINDS)
def memory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    tm = open_memory(_spec(request.param, tmp_path, request))
    yield tm
    tm.close()


def test_import_then_exact(memory: Any, tmp_path: Path) -> None:
    src = write_tmx(tmp_path / "client.tmx", [U("Der Preis stieg.", "The price rose.")])
    result = memory.import_tmx(src)
    assert (result.added, result.stored_as, result.duplicates) == (1, "client.tmx", 0)
    [match] = memory.lookup("Der  Preis stieg.")
    assert (match.level, match.score, match.target) == ("exact", 100.0, "The price rose.")
    assert match.unit.file == "client.tmx" and match.origin == "tm:client.tmx"


def test_duplicates_merge_and_newest_wins(memory: Any, tmp_path: Path) -> None:
    first = write_tmx(
        tmp_path / "a.tmx",
        [
            U("Peking ist groß.", "Peking is big.", "20200101T000000Z"),
            U("Peking ist groß.", "Peking is big.", "20200101T000000Z"),
        ],
    )
    assert memory.import_tmx(first).duplicates == 1
    again = memory.import_tmx(first)
    assert (again.added, again.duplicates, again.stored_as) == (0, 2, None)
    newer = write_tmx(
        tmp_path / "b.tmx", [U("Peking ist groß.", "Beijing is big.", "20230101T000000Z")]
    )
    memory.import_tmx(newer)
    assert [m.target for m in memory.lookup_exact("Peking ist groß.")] == [
        "Beijing is big.",
        "Peking is big.",
    ]
    memory.add_units([U("Peking ist groß.", "Peking is big.", "20250101T000000Z")])
    assert memory.lookup_exact("Peking ist groß.")[0].target == "Peking is big."
    assert memory.add_units([U("Peking ist groß.", "Peking is big.", "20260101T000000Z")]) == 0


def test_in_context_exact_ranks_first(memory: Any) -> None:
    memory.add_units(
        [
            U("Das ist gut.", "That is good.", "20240101T000000Z", prev="Wir bauen.", next="Ende."),
            U("Das ist gut.", "This is fine.", "20250101T000000Z"),
        ]
    )
    assert memory.lookup_exact("Das ist gut.")[0].target == "This is fine."
    ctx = memory.lookup_exact("Das ist gut.", "Wir bauen.", "Ende.")
    assert (ctx[0].level, ctx[0].target) == ("context", "That is good.")


def test_fuzzy_threshold_and_numbers(memory: Any) -> None:
    memory.add_units(
        [
            U(
                "Der Preis stieg im Jahr 2024 um 5 Prozent.",
                "In 2024, the price rose by 5 percent.",
            ),
            U("Die Regierung plant neue Zölle gegen China.", "The government plans new tariffs."),
        ]
    )
    [m] = memory.lookup("Der Preis stieg im Jahr 2025 um 7 Prozent.")
    assert m.level == "numbers" and m.target == "In 2025, the price rose by 7 percent."
    [f] = memory.lookup("Die Regierung plante neue Zölle gegen Japan.")
    assert f.level == "fuzzy" and 75 <= f.score < 100
    assert memory.lookup("Die Regierung plante neue Zölle gegen Japan.", threshold=95) == []
    assert memory.lookup("Etwas ganz anderes steht hier.") == []
    assert memory.lookup("!!!") == []


def test_remove_and_stats(memory: Any, tmp_path: Path) -> None:
    memory.import_tmx(write_tmx(tmp_path / "a.tmx", [U("Eins.", "One."), U("Zwei.", "Two.")]))
    memory.add_units([U("Eins.", "One!", "20250101T000000Z")])
    assert memory.stats().units == 3
    assert memory.remove("Eins.", "One.") == 1
    assert [m.target for m in memory.lookup_exact("Eins.")] == ["One!"]
    assert memory.remove("Eins.") == 1
    assert memory.remove("Eins.") == 0
    stats = memory.stats()
    assert (stats.units, stats.sources) == (1, 1)


def test_export_writes_each_pair_once_with_inline_codes(
    memory: Any, tmp_path: Path, xmlcheck
) -> None:
    memory.import_tmx(write_tmx(tmp_path / "a.tmx", [U("Eins.", "One.", "20200101T000000Z")]))
    memory.import_tmx(write_tmx(tmp_path / "b.tmx", [U("Eins.", "One.", "20240101T000000Z")]))
    coded = tmp_path / "c.tmx"
    coded.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="de" '
        'creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" '
        'datatype="plaintext"/><body><tu creationdate="20240101T000000Z">'
        '<tuv xml:lang="de"><seg>Klicken Sie <bpt i="1">&lt;b&gt;</bpt>hier<ept i="1">'
        '&lt;/b&gt;</ept>.</seg></tuv><tuv xml:lang="en"><seg>Click <bpt i="1">&lt;b&gt;'
        '</bpt>here<ept i="1">&lt;/b&gt;</ept>.</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    memory.import_tmx(coded)
    out = tmp_path / "export.tmx"
    assert memory.export(out) == 2
    xmlcheck(out)
    tus = list(etree.parse(str(out)).getroot().iter("tu"))
    dates = sorted(tu.get("creationdate") for tu in tus)
    assert dates == ["20240101T000000Z", "20240101T000000Z"]
    assert len(list(etree.parse(str(out)).getroot().iter("bpt"))) == 2  # codes kept


def test_a_malformed_tmx_stores_nothing(memory: Any, tmp_path: Path) -> None:
    good = [U(f"Satz {i} ist gut.", f"Sentence {i} is good.") for i in range(50)]
    path = write_tmx(tmp_path / "bad.tmx", good)
    path.write_bytes(path.read_bytes().replace(b"</body>", b"<tu><tuv>"))
    from transkit.errors import FormatError

    with pytest.raises(FormatError, match="bad.tmx"):
        memory.import_tmx(path)
    assert memory.stats().units == 0


def _sentences(rng: random.Random, n: int) -> list[str]:
    words = [
        "der",
        "die",
        "das",
        "Preis",
        "Regierung",
        "stieg",
        "plant",
        "neue",
        "Zölle",
        "gegen",
        "China",
        "Japan",
        "Markt",
        "Bank",
        "Zinsen",
        "heute",
        "morgen",
        "schnell",
        "langsam",
        "sehr",
        "hoch",
        "niedrig",
        "im",
        "Jahr",
        "um",
        "Prozent",
        "und",
        "oder",
    ]
    return [
        " ".join(rng.choice(words) for _ in range(rng.randint(4, 12))).capitalize() + "."
        for _ in range(n)
    ]


def test_both_stores_rank_alike(tmp_path: Path, pg_url: str) -> None:
    """Same units in, same matches out (level, score, target), query by query."""
    rng = random.Random(5)
    sources = list(dict.fromkeys(_sentences(rng, 400)))
    units = [U(s, f"EN {i}", f"2024{1 + i % 9:02d}01T000000Z") for i, s in enumerate(sources)]
    path = write_tmx(tmp_path / "m.tmx", units)
    folder = TranslationMemory(tmp_path / "tm")
    server = open_memory(pg_url)
    try:
        folder.import_tmx(path)
        server.import_tmx(path)
        queries = _sentences(random.Random(9), 60) + [s[:-1] + "!" for s in sources[:40]]
        same = found = 0
        for query in queries:
            a = [(m.level, m.score, m.target) for m in folder.lookup(query, threshold=60)]
            b = [(m.level, m.score, m.target) for m in server.lookup(query, threshold=60)]
            same += a[:1] == b[:1]
            found += bool(a)
        assert found >= 0.5 * len(queries)  # the comparison is about real matches
        assert same >= 0.95 * len(queries), f"{same}/{len(queries)} top matches agree"
    finally:
        folder.close()
        server.close()
