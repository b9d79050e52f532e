"""Which files a converted Marian directory needs (`transkit.modeldir`), without a model."""

from __future__ import annotations

from pathlib import Path

import pytest

from transkit.errors import ModelError
from transkit.modeldir import check_model_dir, is_model_dir, missing_files
from transkit.models import resolve_model

FULL = {"model.bin", "config.json", "source.spm", "target.spm", "shared_vocabulary.json"}


def test_a_shared_or_per_side_vocabulary_is_enough() -> None:
    assert missing_files(FULL) == []
    per_side = FULL - {"shared_vocabulary.json"} | {
        "source_vocabulary.json",
        "target_vocabulary.json",
    }
    assert missing_files(per_side) == []
    assert missing_files(FULL - {"shared_vocabulary.json"}) == ["shared_vocabulary.json"]
    half = FULL - {"shared_vocabulary.json"} | {"source_vocabulary.json"}
    assert missing_files(half) == ["target_vocabulary.json"]
    assert missing_files({"config.json"})[:2] == ["model.bin", "source.spm"]


def _fake(tmp_path: Path, names: set[str]) -> Path:
    folder = tmp_path / "opus"
    folder.mkdir()
    for name in names:
        (folder / name).write_text("{}" if name.endswith(".json") else "x", encoding="utf-8")
    return folder


@pytest.mark.parametrize("missing", sorted(FULL))
def test_each_missing_file_is_named_by_resolve_model(tmp_path: Path, missing: str) -> None:
    folder = _fake(tmp_path, FULL - {missing})
    assert is_model_dir(folder)
    with pytest.raises(ModelError) as err:
        resolve_model(str(folder))
    assert f"no {missing}" in err.value.one_line() and str(folder) in err.value.one_line()


def test_an_argos_package_is_not_taken_for_a_marian_directory(tmp_path: Path) -> None:
    folder = _fake(tmp_path, FULL | {"metadata.json"})
    assert not is_model_dir(folder)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not is_model_dir(empty)
    with pytest.raises(ModelError, match="not an Argos package"):
        resolve_model(str(empty))


def test_a_broken_config_is_refused(tmp_path: Path) -> None:
    folder = _fake(tmp_path, FULL)
    (folder / "config.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelError, match="unreadable config.json"):
        check_model_dir(folder)
