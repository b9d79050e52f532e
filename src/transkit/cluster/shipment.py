"""How the model reaches the workers, and the check that it arrived intact.

A `CTranslate2.Translator` cannot be pickled, so workers load the model
themselves: from a path every node sees (shared storage), or from the
package's bytes put once into Ray's object store.  Either way the worker
hashes what it got and refuses a model whose SHA-256 differs from the
driver's, so every segment of a run comes from the same model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transkit.engine.ct2 import CT2Engine, EngineOptions
from transkit.errors import ModelError
from transkit.models import ModelPackage, package_files, read_package

__all__ = ["TRANSPORTS", "ModelShipment", "files_digest", "ship_model"]

#: ``object-store``: the bytes travel through Ray; ``shared``: every node reads the path.
TRANSPORTS = ("object-store", "shared")


def files_digest(files: Mapping[str, bytes]) -> str:
    """SHA-256 over the package's files, names and lengths included (order-independent)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelShipment:
    """What a worker needs to load the driver's model, and the digest to check it by."""

    package: ModelPackage
    digest: str
    files_ref: Any = None  # a Ray ObjectRef of the files, or None: read ``package.path``

    def load_engine(self, options: EngineOptions) -> CT2Engine:
        """The engine, its model loaded now (not at the first batch), after the digest check."""
        import ray

        if self.files_ref is not None:
            files = ray.get(self.files_ref)
        else:
            files = package_files(read_package(Path(self.package.path)))
        got = files_digest(files)
        if got != self.digest:
            raise ModelError(
                f"model arrived damaged or different: SHA-256 {got[:12]}... "
                f"!= {self.digest[:12]}... sent by the driver",
                file=str(self.package.path),
            )
        from transkit.engine.families import engine_of

        engine = engine_of(self.package, options, files=files)  # either family
        engine.tokenize("Hallo")  # loads CTranslate2 and SentencePiece
        return engine


def ship_model(package: ModelPackage, transport: str) -> ModelShipment:
    """Hash the package and, for ``object-store``, put its files into the object store once."""
    import ray

    if transport not in TRANSPORTS:
        raise ModelError(f"unknown model transport {transport!r}; choose {', '.join(TRANSPORTS)}")
    files = package_files(package)
    digest = files_digest(files)
    ref = ray.put(files) if transport == "object-store" else None
    return ModelShipment(package=package, digest=digest, files_ref=ref)
