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
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from transkit.errors import ModelError
from transkit.modelbin import check_model_bin

#: What zipfile raises for damaged archives (encrypted or oddly compressed members included).
ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError)

__all__ = [
    "MARIAN_FILES",
    "is_model_dir",
    "missing_files",
    "check_model_dir",
    "model_dir_files",
    "read_languages",
    "models_dir",
    "write_languages",
    "install_model_dir",
    "holds_model_dir",
    "replace_dir",
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
    """Whether ``path`` is meant as a Marian model directory: no Argos
    ``metadata.json`` (an Argos package keeps its model in ``model/``) and
    at least one of the Marian files, so a half-copied one is refused with
    the file it lacks rather than as "not an Argos package"."""
    if (path / "metadata.json").exists():
        return False
    names = (*MARIAN_FILES, *(name for group in _VOCABULARIES for name in group))
    return any((path / name).is_file() for name in names)


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


def model_dir_files(path: Path) -> dict[str, bytes]:
    """What a Marian engine loads, read into memory: the `MARIAN_FILES` and
    the vocabulary files there, keyed by name.  A cluster ships these to
    workers that cannot see the directory (``transkit.json`` and anything
    else a user keeps beside the model stay behind: they change no output)."""
    check_model_dir(path)
    vocabularies = {name for group in _VOCABULARIES for name in group}
    files: dict[str, bytes] = {}
    try:
        for name in sorted({*MARIAN_FILES, *vocabularies}):
            if name in MARIAN_FILES or (path / name).is_file():
                files[name] = (path / name).read_bytes()
    except OSError as err:
        raise ModelError(f"cannot read the model: {err}", file=str(path)) from None
    return files


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


def install_model_dir(source: Path, directory: Path | None = None) -> Path:
    """Install a Marian model directory, or a zip or tar archive of one, into
    transkit's model folder (`transkit.modeldir.models_dir`).

    Checked first (every file there, ``model.bin``'s structure), copied into a
    staging folder beside the destination and renamed into place, replacing
    an older copy of the same name; ``transkit.json`` records the family and
    the language pair (de->en).
    """
    from transkit.fileio import edit_lock, terminate_cleanly

    source = Path(source)
    root = directory or models_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=root, prefix=".install-"))
        try:
            if source.is_dir():
                check_model_dir(source)
                model = staging / source.resolve().name
                shutil.copytree(source, model)
            else:
                model = _unpack_model_archive(source, staging)
            try:
                check_model_dir(model)
            except ModelError as err:  # name what the user gave, not the staging copy
                raise ModelError(err.message, file=str(source)) from None
            check_model_bin(model / "model.bin", shown=str(source))
            from_code, to_code = read_languages(model)
            write_languages(model, from_code, to_code)
            final = root / model.name
            with edit_lock(final), terminate_cleanly():
                replace_dir(model, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as err:
        raise ModelError(f"cannot install ({err.strerror or err})", file=str(source)) from None
    return final


def _unpack_model_archive(archive: Path, staging: Path) -> Path:
    """Extract a zip or tar archive holding one Marian directory; return it."""
    import tarfile

    unpacked = staging / "unpacked"
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                _check_member_names(archive, zf.namelist())
                zf.extractall(unpacked)
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                tf.extractall(unpacked, filter="data")
        else:
            raise ModelError("not a model directory, zip or tar archive", file=str(archive))
    except (*ZIP_ERRORS, tarfile.TarError) as err:
        raise ModelError(f"cannot unpack ({err})", file=str(archive)) from None
    children = [c for c in unpacked.iterdir() if not c.name.startswith("__MACOSX")]
    if (unpacked / "model.bin").exists():
        model = staging / archive.name.split(".")[0]
        os.replace(unpacked, model)
        return model
    if len(children) != 1 or not children[0].is_dir():
        raise ModelError("an archive must hold exactly one model directory", file=str(archive))
    return children[0]


def _check_member_names(archive: Path, names: list[str]) -> None:
    for name in names:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts:
            raise ModelError(f"unsafe path in archive: {name}", file=str(archive))


def holds_model_dir(archive: Path) -> bool:
    """Whether an archive holds a Marian directory (no ``metadata.json``,
    a ``model.bin`` at its top or one level down) rather than an Argos package."""
    import tarfile

    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                names = zf.namelist()
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                names = tf.getnames()
        else:
            return False
    except (*ZIP_ERRORS, tarfile.TarError):
        return False
    parts = [PurePosixPath(n).parts for n in names]
    if any(p[-1:] == ("metadata.json",) and len(p) <= 2 for p in parts):
        return False
    return any(p[-1:] == ("model.bin",) and len(p) <= 2 for p in parts)


def replace_dir(new: Path, final: Path) -> None:
    """Put directory ``new`` at ``final``; an old ``final`` is moved aside first."""
    old = None
    if final.exists() or final.is_symlink():
        old = Path(tempfile.mkdtemp(dir=final.parent, prefix=".old-"))
        os.replace(final, old / "package")
    try:
        os.replace(new, final)
    except BaseException:
        if old is not None:
            os.replace(old / "package", final)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
