"""Which engine family runs a model: decided by what is on disk.

An Argos package (``metadata.json`` and ``model/``) runs on `ArgosEngine`, a
CTranslate2 directory converted from Marian/OPUS-MT (``model.bin``,
``config.json``, ``source.spm``, ``target.spm``, a vocabulary) on
`MarianEngine`; `transkit.models.resolve_model` reads either and says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from transkit.engine.argos import ArgosEngine
from transkit.engine.ct2 import CT2Engine, EngineOptions
from transkit.engine.marian import MarianEngine
from transkit.errors import ModelError

if TYPE_CHECKING:
    from transkit.models import ModelPackage

__all__ = ["engine_for", "engine_of", "FAMILIES"]

#: The families transkit runs, by the name `transkit.models.ModelPackage.family` gives.
FAMILIES = ("argos", "marian")


def engine_for(spec: str | None, options: EngineOptions | None = None) -> CT2Engine:
    """Resolve ``--model`` and build its family's engine.

    The files are checked now (a Marian directory missing ``target.spm`` is
    refused here); the weights load on first use.
    """
    from transkit.models import resolve_model

    package = resolve_model(spec)
    if (package.from_code, package.to_code) != ("de", "en"):
        raise ModelError(
            f"model translates {package.from_code}->{package.to_code}, not de->en",
            file=str(Path(package.path)),
        )
    return engine_of(package, options)


def engine_of(
    package: ModelPackage,
    options: EngineOptions | None = None,
    *,
    files: Mapping[str, bytes] | None = None,
) -> CT2Engine:
    """The engine of an already resolved package, of any language pair (the
    server runs several; the cluster's workers get ``files``, the package's
    bytes from `transkit.models.package_files`, instead of reading its path)."""
    if package.family == "marian":
        return MarianEngine(package.path, options, files=files)
    return ArgosEngine(package, options, files=files)
