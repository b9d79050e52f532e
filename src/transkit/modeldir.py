"""CTranslate2 model directories converted from Marian / OPUS-MT.

What ``ct2-transformers-converter --model Helsinki-NLP/opus-mt-de-en
--copy_files source.spm target.spm`` writes: ``model.bin``, ``config.json``,
the vocabulary (``shared_vocabulary.json`` when both sides share one, as
OPUS-MT does, else ``source_vocabulary.json`` and ``target_vocabulary.json``;
CTranslate2 before 3.0 wrote ``.txt`` files), and the two SentencePiece
models the converter was told to copy.  Such a directory carries no language
codes; transkit reads them from an optional ``transkit.json`` (which
``transkit models install`` writes) and takes de->en otherwise.

Installed Marian models live in transkit's own folder, not in argostranslate's
package directory: argostranslate reads every folder there as an Argos
package and fails on one without ``metadata.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from transkit.errors import ModelError

__all__ = [
    "MARIAN_FILES",
    "is_model_dir",
    "missing_files",
    "check_model_dir",
    "read_languages",
    "models_dir",
    "write_languages",
]

#: Files every converted Marian directory needs, besides a vocabulary.
MARIAN_FILES = ("model.bin", "config.json", "source.spm", "target.spm")
#: A vocabulary: one shared file, or one per side (JSON since CTranslate2 3.0).
_VOCABULARIES = (
    ("shared_vocabulary.json",),
    ("source_vocabulary.json", "target_vocabulary.json"),
    ("shared_vocabulary.txt",),
    ("source_vocabulary.txt", "target_vocabulary.txt"),
)
LANGUAGES_FILE = "transkit.json"


def is_model_dir(path: Path) -> bool:
    """Whether ``path`` looks like a CTranslate2 model directory (not an Argos
    package, which keeps its model in ``model/`` beside ``metadata.json``)."""
    return (path / "model.bin").is_file() and not (path / "metadata.json").exists()


def missing_files(names: set[str]) -> list[str]:
    """What a Marian directory holding files ``names`` lacks, in order."""
    missing = [name for name in MARIAN_FILES if name not in names]
    if not any(all(v in names for v in group) for group in _VOCABULARIES):
        has_source = "source_vocabulary.json" in names or "source_vocabulary.txt" in names
        missing.append("target_vocabulary.json" if has_source else "shared_vocabulary.json")
    return missing


def check_model_dir(path: Path) -> None:
    """Refuse a Marian directory that lacks a file, naming the first missing
    one, so a half-copied conversion fails when it is loaded, not at the
    first sentence."""
    if not path.is_dir():
        raise ModelError("no such model directory", file=str(path))
    names = {child.name for child in path.iterdir() if child.is_file()}
    missing = missing_files(names)
    if missing:
        hint = (
            " (convert with --copy_files source.spm target.spm)"
            if missing[0].endswith(".spm")
            else ""
        )
        raise ModelError(f"not a Marian model directory: no {missing[0]}{hint}", file=str(path))
    config_path = path / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"unreadable config.json ({err})", file=str(config_path)) from None
    if not isinstance(config, dict):
        raise ModelError("config.json is not an object", file=str(config_path))


def read_languages(path: Path) -> tuple[str, str]:
    """(from, to) codes recorded in ``transkit.json``; de->en without one."""
    try:
        data = json.loads((path / LANGUAGES_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "de", "en"
    except (OSError, ValueError) as err:
        raise ModelError(f"unreadable {LANGUAGES_FILE} ({err})", file=str(path)) from None
    if not isinstance(data, dict):
        raise ModelError(f"{LANGUAGES_FILE} is not an object", file=str(path))
    return str(data.get("from_code", "de")), str(data.get("to_code", "en"))


def write_languages(path: Path, from_code: str, to_code: str) -> None:
    """Record the language pair of an installed directory (atomically)."""
    from transkit.fileio import atomic_write_text

    text = json.dumps({"family": "marian", "from_code": from_code, "to_code": to_code})
    atomic_write_text(path / LANGUAGES_FILE, text + "\n")


def models_dir() -> Path:
    """Where transkit installs Marian models (``TRANSKIT_MODELS_DIR`` overrides)."""
    override = os.environ.get("TRANSKIT_MODELS_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("transkit")) / "models"
