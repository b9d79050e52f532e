"""The cluster's parts that need no cluster: batch plan, journal, model digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from transkit.batch import plan_batches, translate_planned
from transkit.cluster.journal import Journal
from transkit.cluster.shipment import files_digest
from transkit.data import Segment

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
    rows = [("a.txt", 0, Segment(id="1", source="A", target="A1"))]
    assert journal.commit(rows) == 1
    assert journal.commit(rows + [("a.txt", 1, Segment(id="2", source="B", target="B"))]) == 1
    again = [("a.txt", 0, Segment(id="1", source="A", target="other"))]
    assert journal.commit(again) == 0  # a second delivery never replaces the first
    journal.set_fingerprint("f1")
    journal.close()
    reopened = Journal(path)
    assert reopened.fingerprint() == "f1"
    assert reopened.committed() == {("a.txt", 0), ("a.txt", 1)}
    assert reopened.segments_of("a.txt")[0].target == "A1"
    reopened.remove()
    assert not list(tmp_path.iterdir())


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
