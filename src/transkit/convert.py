"""`transkit models convert`: a Hugging Face Marian model into a CTranslate2 directory.

A thin wrapper over CTranslate2's own converter (what
``ct2-transformers-converter --model HF_DIR --copy_files source.spm
target.spm`` runs), so the files are exactly what a user's own conversion
gives; what is added is the checking: the input is a Marian model with both
SentencePiece files, the extra is installed, and the output lands whole or
not at all.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from transkit.errors import ModelError
from transkit.models import ModelPackage, read_model_dir

__all__ = ["convert_marian", "MARIAN_EXTRA"]

MARIAN_EXTRA = "pip install 'transkit[marian]'"


def _converter():  # noqa: ANN202 (ctranslate2's class, imported lazily)
    """CTranslate2's Transformers converter, or a ModelError naming what is missing."""
    missing = []
    for module in ("transformers", "torch"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ModelError(
            f"converting a Marian model needs {' and '.join(missing)} (the marian extra): "
            f"{MARIAN_EXTRA}"
        )
    from ctranslate2.converters import TransformersConverter

    return TransformersConverter


def convert_marian(
    hf_dir: Path, out: Path, *, quantization: str = "int8", force: bool = False
) -> ModelPackage:
    """Convert ``hf_dir`` (a downloaded ``Helsinki-NLP/opus-mt-*`` folder) into ``out``."""
    hf_dir, out = Path(hf_dir), Path(out)
    config_path = hf_dir / "config.json"
    if not hf_dir.is_dir():
        raise ModelError("no such Hugging Face model directory", file=str(hf_dir))
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError("not a Hugging Face model: no config.json", file=str(hf_dir)) from None
    except (OSError, ValueError) as err:
        raise ModelError(f"unreadable config.json ({err})", file=str(config_path)) from None
    kind = config.get("model_type") if isinstance(config, dict) else None
    if kind != "marian":
        raise ModelError(f"not a Marian model (model_type {kind!r})", file=str(config_path))
    for name in ("source.spm", "target.spm", "vocab.json"):
        if not (hf_dir / name).is_file():
            raise ModelError(f"not a complete Marian model: no {name}", file=str(hf_dir))
    if out.exists() and not force:
        raise ModelError("already exists (pass --force to replace it)", file=str(out))
    converter = _converter()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=".convert-"))
    try:
        try:
            converter(str(hf_dir), copy_files=["source.spm", "target.spm"]).convert(
                str(staging / "model"), quantization=quantization, force=True
            )
        except (ValueError, RuntimeError, OSError, KeyError) as err:
            why = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ModelError(f"conversion failed: {why}", file=str(hf_dir)) from None
        from transkit.modeldir import replace_dir

        replace_dir(staging / "model", out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_model_dir(out)
