"""The Argos family: Argos Translate packages run through the CTranslate2 core.

This is what ``argostranslate.translate`` does at its core, without importing
it: that module pulls in stanza and torch (seconds of start-up) and its own
sentence splitter, which transkit replaces with `transkit.text.segment`.  An
Argos package has one SentencePiece model for both languages and, for some
multilingual packages, a target language token (``target_prefix``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from transkit.engine.base import Capabilities
from transkit.engine.ct2 import CT2Engine, EngineOptions, alternatives_safe_flags
from transkit.models import ModelPackage

__all__ = ["ArgosEngine", "EngineOptions"]


class ArgosEngine(CT2Engine):
    """An `Engine` over one unpacked Argos package (see `transkit.models`)."""

    family = "argos"

    def __init__(
        self,
        package: ModelPackage,
        options: EngineOptions | None = None,
        *,
        files: Mapping[str, bytes] | None = None,
    ) -> None:
        """``files`` holds the package's files in memory (``model/model.bin``,
        ``model/...``, ``sentencepiece.model``; see `transkit.models.package_files`),
        as a cluster worker receives them; the package path then only names it."""
        model_files = None
        if files is not None:
            model_files = {
                name[len("model/") :]: data
                for name, data in files.items()
                if name.startswith("model/")
            }
        super().__init__(package.path / "model", package.label, options, model_files=model_files)
        self._in_memory = dict(files) if files is not None else None
        self.package = package
        self.target_lang = [package.target_prefix] if package.target_prefix else []
        self._sp: Any = None

    @property
    def model_path(self) -> Path:
        return self.package.path

    def _family_capabilities(self, flags: dict[str, int]) -> Capabilities:
        """Argos packages (OpenNMT-py conversions) start the decoder from
        ``<s>``, so a forced prefix may go in one step, unless model.bin says
        otherwise (the flag, not the family, decides)."""
        return Capabilities(
            one_step_prefix=alternatives_safe_flags(flags),
            alignment_heads=int(flags.get("alignment_heads", 1)),
        )

    def _load_tokenizers(self) -> None:
        import sentencepiece

        if self._in_memory is not None:  # everything from memory, or a ModelError
            self._sp = sentencepiece.SentencePieceProcessor(
                model_proto=self._in_memory["sentencepiece.model"]
            )
        else:
            self._sp = sentencepiece.SentencePieceProcessor(
                model_file=str(self.package.path / "sentencepiece.model")
            )

    def tokenize(self, text: str) -> list[str]:
        """SentencePiece pieces of ``text`` (the engine's unit of length)."""
        self._load()
        return list(self._sp.encode(text, out_type=str))

    def tokenize_many(self, texts: Sequence[str]) -> list[list[str]]:
        """Pieces of each text in one SentencePiece call (its loop is C++)."""
        self._load()
        return list(self._sp.encode(list(texts), out_type=str)) if texts else []

    def detokenize(self, pieces: Sequence[str]) -> str:
        self._load()
        text = self._sp.decode_pieces(list(pieces)).replace("\u2581", " ")
        prefix = self.package.target_prefix
        if prefix and text.startswith(prefix):
            text = text[len(prefix) :]
        return text.strip()


def __getattr__(name: str) -> object:
    """``engine_for`` as callers of the Argos-only engine import it; it lives
    in `transkit.engine.families` (above both families) and is looked up at
    call time, so this family does not depend on the other one."""
    if name == "engine_for":
        import importlib

        return importlib.import_module("transkit.engine.families").engine_for
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
