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
