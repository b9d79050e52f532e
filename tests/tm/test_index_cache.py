"""The index is a cache in every code path; TMX files are rewritten in their own conventions.

Damaged indexes (garbage, zeroed, truncated, a folder in their place) are
rebuilt without being asked and give the same lookups; hostile TMX files
give one `TranskitError`, never another exception; a full disk or a
read-only folder is one error naming the place, with the memory consistent;
killed writers' temporary files are swept by the next command.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hostile_fs import leftovers, read_only, small_disk
from transkit.errors import OutputError, TranskitError
from transkit.tm.memory import INDEX_NAME, TranslationMemory

HEAD = (
    '<tmx version="1.4"><header srclang="de" segtype="sentence" o-tmf="x" adminlang="en" '
    'datatype="plaintext" creationtool="x" creationtoolversion="1"/>\n<body>\n'
)
SENTENCES = [
    ("Der Hund schläft.", "The dog sleeps."),
    ("Die Katze frisst.", "The cat eats."),
    ("Der Preis stieg um 5 Prozent.", "The price rose by 5 percent."),
    ("Wir liefern morgen.", "We deliver tomorrow."),
]


def tu(de: str, en: str) -> str:
    return (
        f'<tu><tuv xml:lang="de"><seg>{de}</seg></tuv>'
        f'<tuv xml:lang="en"><seg>{en}</seg></tuv></tu>\n'
    )


def plain_tmx(path: Path, pairs: list[tuple[str, str]] = SENTENCES) -> Path:
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + HEAD
        + "".join(tu(*p) for p in pairs)
        + "</body></tmx>\n",
        encoding="utf-8",
    )
    return path


def lookups(tm: TranslationMemory) -> list[list[tuple[str, str, float]]]:
    """Every sentence's matches (level, target, score), and a fuzzy one."""
    queries = [de for de, _ in SENTENCES] + ["Der Preis stieg um 7 Prozent."]
    return [[(m.level, m.target, m.score) for m in tm.lookup(q)] for q in queries]


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage": lambda p: p.write_bytes(random.Random(1).randbytes(9000)),
    "zeroed": lambda p: p.write_bytes(bytes(p.stat().st_size or 8192)),
    "truncated": lambda p: os.truncate(p, max(512, p.stat().st_size // 3)),
    "empty": lambda p: p.write_bytes(b""),
    "folder": lambda p: (p.unlink(), p.mkdir(), (p / "stuff").write_text("x")),
}


def _damage(tm: TranslationMemory, how: str) -> None:
    tm.close()
    index = tm.folder / INDEX_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    DAMAGE[how](index)


OPERATIONS: dict[str, Callable[[TranslationMemory, Path], object]] = {
    "lookup": lambda tm, tmp: tm.lookup("Der Hund schläft."),
    "stats": lambda tm, tmp: tm.stats(),
    "export": lambda tm, tmp: tm.export(tmp / "export.tmx"),
    "import": lambda tm, tmp: tm.import_tmx(plain_tmx(tmp / "more.tmx", [("Ja.", "Yes.")])),
    "remove": lambda tm, tmp: tm.remove("Wir liefern morgen."),
    "exact": lambda tm, tmp: tm.lookup_exact("Der Hund schläft."),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_index_is_rebuilt_with_the_same_lookups(
    tmp_path: Path, how: str, operation: str, caplog: pytest.LogCaptureFixture
) -> None:
    tm = TranslationMemory(tmp_path / "tm")
    tm.import_tmx(plain_tmx(tmp_path / "client.tmx"))
    before = lookups(tm)
    _damage(tm, how)
    with caplog.at_level(logging.WARNING, logger="transkit.tm"):
        OPERATIONS[operation](tm, tmp_path)
    notes = [r.getMessage() for r in caplog.records if "damaged index" in r.getMessage()]
    if how == "empty":  # an empty file is a new index, like a deleted one: no note needed
        assert notes == []
    else:
        assert len(notes) == 1 and "rebuilt from the TMX files" in notes[0], notes
        assert "\n" not in notes[0]
    after = lookups(tm)
    if operation == "remove":
        assert after[3] == [] and after[:3] == before[:3]
    else:
        assert after == before
    tm.close()


def test_damage_under_a_second_process_is_rebuilt_too(tmp_path: Path) -> None:
    """Via the command: one note on stderr, the same lookup, exit 0."""
    tm = TranslationMemory(tmp_path / "tm")
    tm.import_tmx(plain_tmx(tmp_path / "client.tmx"))
    _damage(tm, "garbage")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "transkit", "tm", "lookup", "Der Hund schläft.", "--tm", "tm"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "The dog sleeps." in done.stdout
    assert done.stderr.count("\n") == 1 and "damaged index" in done.stderr


# -- hostile TMX ---------------------------------------------------------------
HOSTILE = [
    b"",
    b"\x00" * 100,
    b"<tmx",
    b'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<tmx version="1.4"><header srclang="de"/><body>' + tu("&x;", "b").encode() + b"</body></tmx>",
    b'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
    b'&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;'
    b'&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;'
    b'&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>'
    b'<tmx version="1.4"><header srclang="de"/><body>' + tu("&g;", "b").encode() + b"</body></tmx>",
    (HEAD + tu("<hi>" * 3000 + "tief" + "</hi>" * 3000, "deep") + "</body></tmx>").encode(),
    (HEAD + "<tu><tuv><seg>x</seg></tuv></tu></body></tmx>").encode(),
    ("<?xml version='1.0' encoding='UTF-16'?>" + HEAD + tu("Ä", "A") + "</body></tmx>").encode(
        "utf-16"
    ),
]


def _consistent(tm: TranslationMemory) -> None:
    """Every unit the index holds is in a TMX file on disk, and no temp file is left."""
    stats = tm.stats()
    on_disk = {p.name for p in tm.folder.glob("*.tmx")}
    assert {f.name for f in stats.files} == on_disk
    assert leftovers(tm.folder) == []
    for path in tm.folder.glob("*.tmx"):
        etree.parse(str(path), etree.XMLParser(resolve_entities=False, load_dtd=False))


@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_tmx_is_refused_in_one_line_or_read(tmp_path: Path, data: bytes) -> None:
    tm = TranslationMemory(tmp_path / "tm")
    tm.import_tmx(plain_tmx(tmp_path / "client.tmx"))
    (tmp_path / "h.tmx").write_bytes(data)
    try:
        tm.import_tmx(tmp_path / "h.tmx")
    except TranskitError as err:
        assert "h.tmx" in err.one_line() and "\n" not in err.one_line()
    _consistent(tm)
    assert lookups(tm)[0][0][1] == "The dog sleeps."
    tm.close()


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 2000), junk=st.binary(max_size=40), where=st.integers(0, 2000))
def test_mangled_tmx_never_breaks_the_memory(
    tmp_path_factory: pytest.TempPathFactory, cut: int, junk: bytes, where: int
) -> None:
    tmp = tmp_path_factory.mktemp("mangled")
    good = plain_tmx(tmp / "good.tmx").read_bytes()
    bad = good[:where] + junk + good[where:cut] if cut > where else good[:cut] + junk
    (tmp / "bad.tmx").write_bytes(bad)
    tm = TranslationMemory(tmp / "tm")
    with contextlib.suppress(TranskitError):
        tm.import_tmx(tmp / "bad.tmx")
    _consistent(tm)
    tm.close()


def test_internal_entities_are_kept_well_formed_and_indexed(tmp_path: Path) -> None:
    source = tmp_path / "ent.tmx"
    source.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx [ <!ENTITY co "ACME GmbH"> ]>\n'
        + HEAD
        + tu("Willkommen bei &co;.", "Welcome to &co;.")
        + "</body></tmx>\n",
        encoding="utf-8",
    )
    tm = TranslationMemory(tmp_path / "tm")
    tm.import_tmx(source)
    stored = (tm.folder / "ent.tmx").read_bytes()
    etree.fromstring(stored)  # well-formed on its own
    assert b"ACME GmbH" in stored and b"&co;" not in stored
    assert tm.lookup("Willkommen bei ACME GmbH.")[0].target == "Welcome to ACME GmbH."
    tm.close()
    (tm.folder / INDEX_NAME).unlink()
    again = TranslationMemory(tmp_path / "tm")
    assert again.stats().units == 1
    again.close()


# -- one rewrite in the file's own conventions ------------------------------------
def test_remove_keeps_encoding_doctype_comments_and_links(tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "client.tmx"
    shared.parent.mkdir()
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE tmx [ <!ENTITY co "ACME"> ]>\n'
        + HEAD
        + "<!-- keep me -->\n"
        + tu("Bei &co;.", "At &co;.")
        + tu(*SENTENCES[0])
        + "</body></tmx>\n"
    )
    shared.write_text(text, encoding="utf-16")
    folder = tmp_path / "tm"
    folder.mkdir()
    (folder / "client.tmx").symlink_to(shared)
    tm = TranslationMemory(folder)
    assert tm.remove(SENTENCES[0][0]) == 1
    assert (folder / "client.tmx").is_symlink()
    raw = shared.read_bytes()
    assert raw.startswith(b"\xff\xfe")  # still UTF-16 with its byte order mark
    body = raw.decode("utf-16")
    assert "<!DOCTYPE tmx" in body and "<!-- keep me -->" in body
    assert SENTENCES[0][0] not in body and "ACME" in body
    etree.fromstring(raw)
    assert tm.lookup(SENTENCES[0][0]) == []
    assert tm.lookup("Bei ACME.")[0].target == "At ACME."
    tm.close()


# -- full disk, read-only folder, killed writers ----------------------------------
def test_disk_full_during_import_is_one_error_and_the_memory_stays_whole(
    tmp_path: Path,
) -> None:
    big = [
        (f"Satz Nummer {i} über etwas.", f"Sentence number {i} about something.")
        for i in range(3000)
    ]
    source = plain_tmx(tmp_path / "big.tmx", big)
    with small_disk(tmp_path / "disk", "700k") as disk:
        tm = TranslationMemory(disk / "tm")
        tm.import_tmx(plain_tmx(tmp_path / "client.tmx"))
        with pytest.raises(OutputError, match=r"disk full") as caught:
            tm.import_tmx(source)
        assert "\n" not in caught.value.one_line()
        tm.close()
        again = TranslationMemory(disk / "tm")
        assert not (disk / "tm" / "big.tmx").exists()
        _consistent(again)
        assert lookups(again)[0][0][1] == "The dog sleeps."
        again.close()


def test_read_only_memory_is_refused_naming_the_folder(tmp_path: Path) -> None:
    tm = TranslationMemory(tmp_path / "tm")
    tm.import_tmx(plain_tmx(tmp_path / "client.tmx"))
    tm.close()
    with read_only(tmp_path / "tm"):
        ro = TranslationMemory(tmp_path / "tm")
        with pytest.raises(OutputError, match=r"tm: memory folder cannot be written"):
            ro.import_tmx(plain_tmx(tmp_path / "more.tmx", [("Ja.", "Yes.")]))
        with pytest.raises(OutputError, match=r"tm: memory folder cannot be written"):
            ro.remove(SENTENCES[0][0])
        assert ro.lookup(SENTENCES[0][0])[0].target == SENTENCES[0][1]
        ro.close()


def test_stale_temp_files_are_swept_unless_a_writer_is_at_work(tmp_path: Path) -> None:
    from transkit.tm.lock import exclusive

    tm = TranslationMemory(tmp_path / "tm")
    tm.import_tmx(plain_tmx(tmp_path / "client.tmx"))
    tm.close()
    stale = tmp_path / "tm" / ".big.tmx.abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    with exclusive(tmp_path / "tm" / ".transkit.lock"):  # a live writer: keep its file
        busy = TranslationMemory(tmp_path / "tm")
        busy.lookup_exact("x")
        busy.close()
    assert stale.exists()
    reader = TranslationMemory(tmp_path / "tm")
    reader.stats()
    reader.close()
    assert not stale.exists()


KILLER = """
import sys
from transkit.tm.memory import TranslationMemory
TranslationMemory(sys.argv[1]).import_tmx(sys.argv[2])
"""


def test_kill_9_at_random_moments_of_an_import(tmp_path: Path) -> None:
    big = [(f"Satz {i} über den Preis.", f"Sentence {i} about the price.") for i in range(20000)]
    source = plain_tmx(tmp_path / "big.tmx", big)
    folder = tmp_path / "tm"
    TranslationMemory(folder).import_tmx(plain_tmx(tmp_path / "client.tmx"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    rng = random.Random(7)
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", KILLER, str(folder), str(source)], env=env)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        tm = TranslationMemory(folder)
        _consistent(tm)  # opening the memory swept what the killed writer left
        assert lookups(tm)[0][0][1] == "The dog sleeps."
        counted = tm.stats()
        for state in counted.files:
            assert state.units == len(etree.parse(str(folder / state.name)).findall(".//tu"))
        tm.close()
        for extra in folder.glob("big*.tmx"):
            extra.unlink()  # try again from the same start


WRITER = """
import sys
from transkit.tm.memory import TranslationMemory
from transkit.tm.units import TMUnit
tm = TranslationMemory(sys.argv[1])
tag = sys.argv[2]
for i in range(int(sys.argv[3])):
    tm.add_units([TMUnit(f"Satz {tag} {i}.", f"Sentence {tag} {i}.", date="20240101T000000Z")])
"""


def test_concurrent_writers_and_a_killed_one_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "tm"
    TranslationMemory(folder).import_tmx(plain_tmx(tmp_path / "client.tmx"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = {
        tag: subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), tag, "5000" if tag == "victim" else "25"],
            env=env,
        )
        for tag in ("a", "b", "c", "victim")
    }
    time.sleep(1.5)
    procs["victim"].send_signal(signal.SIGKILL)
    for tag, proc in procs.items():
        assert proc.wait(120) == (-signal.SIGKILL if tag == "victim" else 0), tag
    tm = TranslationMemory(folder)
    _consistent(tm)
    for tag in ("a", "b", "c"):
        for i in range(25):
            assert tm.lookup_exact(f"Satz {tag} {i}.")[0].target == f"Sentence {tag} {i}."
    tm.close()
