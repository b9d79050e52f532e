"""Server glossaries: DeepL entries in, transkit TSV on disk, the deployment's terms win."""

from __future__ import annotations

from pathlib import Path

import pytest

from transkit.data import GlossaryEntry
from transkit.serve.errors import ApiError
from transkit.serve.glossaries import GlossaryStore, Terminology, parse_entries
from transkit.terms.glossary import Glossary, load_glossary


def _glossary(*rows: tuple[str, str, str, str]) -> Glossary:
    return Glossary(tuple(GlossaryEntry(id=i, de=de, en=en, status=st) for i, de, en, st in rows))


def test_entries_from_tsv_and_csv_and_their_errors() -> None:
    assert parse_entries("Peking\tBeijing\n\nRegel\trule\n", "tsv") == [
        ("Peking", "Beijing"),
        ("Regel", "rule"),
    ]
    assert parse_entries('"Regel, neu",new rule,de,en\n', "csv") == [("Regel, neu", "new rule")]
    for data, fmt in (("Peking\n", "tsv"), ("a\tb\na\tc\n", "tsv"), ("", "tsv"), ("a\tb", "xls")):
        with pytest.raises(ApiError) as err:
            parse_entries(data, fmt)
        assert err.value.status == 400


def test_store_writes_transkit_tsv_and_deletes(tmp_path: Path) -> None:
    store = GlossaryStore(tmp_path / "glossaries")
    info = store.create("team", "de", "en", [("Regierung", "cabinet"), ("Regel", "rule")])
    tsv = tmp_path / "glossaries" / f"{info['glossary_id']}.tsv"
    loaded = load_glossary(tsv)  # the file is an ordinary transkit glossary
    assert [(e.de, e.en, e.status) for e in loaded.entries] == [
        ("Regierung", "cabinet", "preferred"),
        ("Regel", "rule", "preferred"),
    ]
    assert store.entries(info["glossary_id"]) == [("Regierung", "cabinet"), ("Regel", "rule")]
    assert [g["name"] for g in store.all()] == ["team"]
    store.delete(info["glossary_id"])
    assert not tsv.exists() and store.all() == []
    with pytest.raises(ApiError) as err:
        store.info(info["glossary_id"])
    assert err.value.status == 404
    with pytest.raises(ApiError):
        store.info("../../etc/passwd")  # ids are UUIDs, never paths


def test_deployment_wins_and_forbidden_terms_are_scrubbed() -> None:
    base = Terminology.build(
        _glossary(("c1", "Peking", "Beijing", "preferred"), ("c1", "Peking", "Peking", "forbidden"))
    )
    merged = base.with_entries(
        _glossary(("d1", "Peking", "Peking", "preferred"), ("d2", "Regel", "rule", "preferred"))
    )
    by_de = {(e.de, e.en, e.status) for e in merged.glossary.entries}
    assert ("Peking", "Peking", "preferred") not in by_de  # the request's entry lost
    assert ("Regel", "rule", "preferred") in by_de  # a new German term is added
    assert merged.scrub("Peking said: peking duck.") == "Beijing said: Beijing duck."
    assert merged.scrub("Pekingese") == "Pekingese"  # whole words only
