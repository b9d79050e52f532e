"""A CTranslate2 ``model.bin`` checked without loading it, so a damaged file is refused."""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

from transkit.errors import ModelError

__all__ = ["check_model_bin", "model_bin_scalars"]


#: CTranslate2 data type ids (include/ctranslate2/types.h) and their item sizes.
_CT2_ITEM_SIZES = {0: 4, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2}
#: int8, int16, int32.
_CT2_INT_TYPES = frozenset({1, 2, 3})


def _ct2_binary_version() -> int:
    """The newest model.bin format the installed CTranslate2 reads (4.x: 6).

    Read as text: importing ``ctranslate2.specs`` pulls in torch (seconds).
    """
    import re

    try:
        import ctranslate2  # the compiled core only

        source = (Path(ctranslate2.__file__).parent / "specs" / "model_spec.py").read_text("utf-8")
        found = re.search(r"^CURRENT_BINARY_VERSION\s*=\s*(\d+)", source, re.M)
        return int(found.group(1)) if found else 6
    except (OSError, ValueError, ImportError):
        return 6


def check_model_bin(
    path: Path | bytes, *, shown: str | None = None, scalars: dict[str, int] | None = None
) -> None:
    """Walk the structure of a CTranslate2 ``model.bin`` without loading it.

    Checks the format version against the installed CTranslate2, then (for
    format 4 and later, the one every current converter writes) that every
    variable's name, shape, type and size add up to exactly the file's
    length.  A damaged or foreign file is a `ModelError` naming it, at
    install time rather than as an engine error at the first translation.
    ``scalars``, when given, receives the integer scalar variables (the
    spec's flags, such as ``decoder/start_from_zero_embedding``).  ``path``
    may also be the file's bytes (a model shipped to a cluster worker).
    """

    where = shown or ("<model.bin in memory>" if isinstance(path, bytes) else str(path))

    def bad(why: str) -> ModelError:
        return ModelError(f"model/model.bin is not a usable CTranslate2 model ({why})", file=where)

    try:
        size = len(path) if isinstance(path, bytes) else path.stat().st_size
        with io.BytesIO(path) if isinstance(path, bytes) else path.open("rb") as f:

            def take(n: int) -> bytes:
                data = f.read(n)
                if len(data) != n:
                    raise bad("truncated")
                return data

            def string() -> str:
                (length,) = struct.unpack("<H", take(2))
                raw = take(length)
                if not length or raw[-1:] != b"\0":
                    raise bad("malformed name")
                try:
                    text = raw[:-1].decode("utf-8")
                except UnicodeDecodeError:
                    raise bad("malformed name") from None
                if not text.isprintable():
                    raise bad("malformed name")
                return text

            (version,) = struct.unpack("<I", take(4))
            newest = _ct2_binary_version()
            if version < 1 or version > newest:
                raise bad(
                    f"format version {version}; the installed CTranslate2 reads 1 to {newest}"
                )
            if version >= 2:
                string()
                take(4)  # spec revision
            if version < 4:
                return  # older layouts: the version check is what can be done cheaply
            (count,) = struct.unpack("<I", take(4))
            if count == 0:
                raise bad("no variables")
            for _ in range(count):
                name = string()
                (rank,) = take(1)
                dims = struct.unpack(f"<{rank}I", take(4 * rank)) if rank else ()
                (type_id,) = take(1)
                (num_bytes,) = struct.unpack("<I", take(4))
                item = _CT2_ITEM_SIZES.get(type_id)
                if item is None:
                    raise bad(f"unknown data type {type_id}")
                elements = 1
                for d in dims:
                    elements *= d
                if elements * item != num_bytes or f.tell() + num_bytes > size:
                    raise bad("variable sizes do not match the file")
                if scalars is not None and not dims and type_id in _CT2_INT_TYPES:
                    scalars[name] = int.from_bytes(take(num_bytes), "little", signed=True)
                else:
                    f.seek(num_bytes, os.SEEK_CUR)
            (aliases,) = struct.unpack("<I", take(4))
            for _ in range(aliases):
                string()
                string()
            if f.tell() != size:
                raise bad("unexpected data after the variables")
    except OSError as err:
        why = err.strerror or err
        raise ModelError(f"cannot read model/model.bin ({why})", file=where) from None
    except struct.error:
        raise bad("truncated") from None


def model_bin_scalars(path: Path | bytes) -> dict[str, int]:
    """The integer scalar variables of a ``model.bin`` (the spec's flags), read
    from its headers without loading the weights; empty for older formats."""
    found: dict[str, int] = {}
    check_model_bin(path, scalars=found)
    return found
