"""The cluster's parts that need no cluster: batch plan, journal, model digest."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from transkit.batch import plan_batches, translate_planned
from transkit.cluster.journal import Journal, encode_segment
from transkit.cluster.ledger import Ledger
from transkit.cluster.shipment import files_digest
from transkit.data import Document, Segment

MODEL = Path(__file__).resolve().parents[1] / "data" / "translate-de_en-tiny.argosmodel"


def _segments(sources: list[str]) -> list[Segment]:
    return [Segment(id=f"s{i}", source=s, leading=" " * i, start=i) for i, s in enumerate(sources)]


def test_plan_batches_sorts_by_length_and_translates_identical_sources_once() -> None:
    sources = ["Ein langer Satz hier.", "Kurz.", "Ein langer Satz hier.", "Mittel lang.", "Kurz."]
    batches, where = plan_batches(_segments(sources), size=2)
    flat = [key.source for batch in batches for key in batch]
    assert flat == ["Kurz.", "Mittel lang.", "Ein langer Satz hier."]
    assert [len(b) for b in batches] == [2, 1]
    placed = [i for places in where for positions in places.values() for i in positions]
    assert sorted(placed) == [0, 1, 2, 3, 4]
    done = Segment(id="x", source="Schon.", target="Already.")
    assert plan_batches([done], size=2) == ([], [])


def test_translate_planned_puts_each_translation_back_in_its_place() -> None:
    from transkit.engine.argos import engine_for

    segments = _segments(["Hallo.", "Die Welt.", "Hallo."])
    out = translate_planned(segments, engine_for(str(MODEL)))
    assert [s.id for s in out] == ["s0", "s1", "s2"]
    assert [s.leading for s in out] == ["", " ", "  "]
    assert out[0].target == out[2].target and out[0].target


def test_journal_commits_each_segment_once_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    rows = [("a.txt", 0, encode_segment(Segment(id="1", source="A", target="A1")))]
    assert journal.commit(rows) == 1
    second = ("a.txt", 1, encode_segment(Segment(id="2", source="B", target="B")))
    assert journal.commit(rows + [second]) == 1
    again = [("a.txt", 0, encode_segment(Segment(id="1", source="A", target="other")))]
    assert journal.commit(again) == 0  # a second delivery never replaces the first
    journal.set_fingerprint("f1")
    journal.close()
    reopened = Journal(path)
    assert reopened.fingerprint() == "f1"
    assert reopened.committed() == {("a.txt", 0), ("a.txt", 1)}
    assert reopened.segments_of("a.txt")[0].target == "A1"
    reopened.remove()
    assert not list(tmp_path.iterdir())


def _result_batch(numbers: list[int], batches: list[list[Segment]], bad: str = "") -> dict:
    """What a worker returns for planned batches ``numbers`` (``bad``: a source that failed)."""
    statuses, blobs = [], []
    for number in numbers:
        keys = batches[number]
        statuses.append(pickle.dumps(["error: boom" if k.source == bad else "ok" for k in keys]))
        done = [replace(k, target=k.source.upper()) for k in keys]
        blobs.append(pickle.dumps([encode_segment(s) for s in done]))
    return {"id": numbers, "statuses": statuses, "segments": blobs}


def test_ledger_commits_each_id_once_and_reports_failed_segments_by_id(tmp_path: Path) -> None:
    docs = [
        Document(name="a.txt", segments=tuple(_segments(["Eins.", "Zwei.", "Eins."]))),
        Document(name="b.txt", segments=tuple(_segments(["Drei lang.", "Vier."]))),
    ]
    batches, where = plan_batches([s for d in docs for s in d.segments], size=2)
    assert [[k.source for k in b] for b in batches] == [["Eins.", "Vier."], ["Zwei.", "Drei lang."]]
    journal = Journal(tmp_path / "j.sqlite")
    ledger = Ledger.plan(docs, batches, where, journal.committed())
    assert ledger.pending == {0, 1} and ledger.remaining == {"a.txt": 3, "b.txt": 2}
    assert ledger.take(journal, _result_batch([1], batches)) == (2, [])
    assert ledger.take(journal, _result_batch([1], batches)) == (0, [])  # delivered twice
    assert ledger.take(journal, _result_batch([0], batches, bad="Vier.")) == (2, ["a.txt"])
    assert not ledger.pending and ledger.errors == {("b.txt", 1): "error: boom"}
    assert journal.segments_of("a.txt")[2].target == "EINS."  # a repeat committed at each place
    assert ("b.txt", 1) not in journal.committed()
    line = ledger.failed_files()["b.txt"]
    assert "1 segment(s) failed" in line and "b.txt#2" in line and "boom" in line
    resumed = Ledger.plan(docs, batches, where, journal.committed())  # --resume
    assert resumed.pending == {0} and resumed.already_committed == 2
    assert resumed.pending_ids() == [("a.txt", 0), ("a.txt", 2), ("b.txt", 1)]
    journal.remove()


def test_files_digest_changes_with_any_byte_or_name() -> None:
    files = {"model/model.bin": b"abc", "sentencepiece.model": b"sp"}
    base = files_digest(files)
    assert files_digest(dict(reversed(list(files.items())))) == base
    assert files_digest({**files, "model/model.bin": b"abd"}) != base
    assert files_digest({"model/x.bin": b"abc", "sentencepiece.model": b"sp"}) != base


def test_a_damaged_model_is_refused_by_the_worker(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="Ray is not installed: pip install 'transkit[cluster]'")
    from transkit.cluster.shipment import ModelShipment
    from transkit.engine.argos import EngineOptions
    from transkit.errors import ModelError
    from transkit.models import resolve_model

    package = resolve_model(str(MODEL))
    shipment = ModelShipment(package=package, digest="0" * 64)  # read from the path
    with pytest.raises(ModelError, match="SHA-256"):
        shipment.load_engine(EngineOptions())
