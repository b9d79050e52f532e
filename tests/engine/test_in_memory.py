"""An engine loaded from the package's bytes (as cluster workers get them) equals one from disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from transkit.engine.argos import ArgosEngine
from transkit.errors import ModelError
from transkit.models import package_files, resolve_model

MODEL = Path(__file__).resolve().parents[1] / "data" / "translate-de_en-tiny.argosmodel"
SOURCES = ["Die Regierung in Peking hat am Montag neue Exportkontrollen angekündigt.", "Hallo."]


def test_in_memory_files_translate_as_the_package_on_disk() -> None:
    package = resolve_model(str(MODEL))
    files = package_files(package)
    assert "model/model.bin" in files and "sentencepiece.model" in files
    from_disk = ArgosEngine(package).translate_batch(SOURCES, num_hypotheses=2)
    in_memory = ArgosEngine(package, files=files)
    assert in_memory.translate_batch(SOURCES, num_hypotheses=2) == from_disk
    assert in_memory.name == ArgosEngine(package).name


def test_in_memory_files_without_sentencepiece_are_a_model_error() -> None:
    package = resolve_model(str(MODEL))
    files = package_files(package)
    del files["sentencepiece.model"]
    with pytest.raises(ModelError, match="cannot load model"):
        ArgosEngine(package, files=files).tokenize("Hallo")


MARIAN = Path(__file__).resolve().parents[1] / "data" / "marian-de_en-tiny"


@pytest.mark.skipif(not MARIAN.exists(), reason="marian-de_en-tiny not built")
def test_a_marian_directory_in_memory_translates_and_aligns_as_on_disk(tmp_path: Path) -> None:
    from dataclasses import replace

    from transkit.engine.families import engine_of

    package = resolve_model(str(MARIAN))
    files = package_files(package)
    assert sorted(files) == sorted(
        ["config.json", "model.bin", "shared_vocabulary.json", "source.spm", "target.spm"]
    )
    from_disk = engine_of(package)
    # a path no file is read from: everything comes from the bytes
    elsewhere = replace(package, path=tmp_path / MARIAN.name)
    in_memory = engine_of(elsewhere, files=files)
    assert in_memory.name == from_disk.name and in_memory.family == "marian"
    assert in_memory.capabilities == from_disk.capabilities
    assert in_memory.translate_batch(SOURCES, num_hypotheses=2) == from_disk.translate_batch(
        SOURCES, num_hypotheses=2
    )
    prefix = ["The government"]
    assert in_memory.complete_batch(SOURCES[:1], prefix, num_hypotheses=2) == (
        from_disk.complete_batch(SOURCES[:1], prefix, num_hypotheses=2)
    )


@pytest.mark.skipif(not MARIAN.exists(), reason="marian-de_en-tiny not built")
@pytest.mark.parametrize("missing", ["target.spm", "shared_vocabulary.json"])
def test_marian_files_received_without_one_are_refused_naming_it(missing: str) -> None:
    from transkit.engine.families import engine_of

    package = resolve_model(str(MARIAN))
    files = package_files(package)
    del files[missing]
    with pytest.raises(ModelError, match=f"no {missing} in the files received"):
        engine_of(package, files=files)
