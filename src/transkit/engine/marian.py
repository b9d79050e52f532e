"""The Marian family: OPUS-MT models converted to CTranslate2.

How it differs from an Argos package, and what this module does about it:

- two SentencePiece models, ``source.spm`` for the German and ``target.spm``
  for the English (forced prefixes and alignment targets are cut with the
  English one);
- a vocabulary file instead of an ``.argosmodel`` (CTranslate2 reads it);
- ``</s>``: Marian was trained with it closing every source, and the
  Transformers converter does not tell CTranslate2 to add it
  (``add_source_eos`` is false in ``config.json``), so it is appended here,
  and its attention column is dropped before alignment;
- a decoder that starts from a zero embedding (``model.bin`` flag
  ``decoder/start_from_zero_embedding``), which CTranslate2's one-step
  alternatives mode misreads: completions keep beam search (the flag decides,
  `transkit.engine.ct2.alternatives_safe_flags`);
- attention with no alignment head: alignment pools the averaged
  cross-attention of the last layer, like for a small Argos model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from transkit.engine.base import Capabilities
from transkit.engine.ct2 import CT2Engine, EngineOptions, alternatives_safe_flags
from transkit.errors import ModelError

__all__ = ["MarianEngine"]


class MarianEngine(CT2Engine):
    """An `Engine` over a CTranslate2 directory converted from Marian/OPUS-MT."""

    family = "marian"

    def __init__(
        self,
        model_dir: Path,
        options: EngineOptions | None = None,
        *,
        files: Mapping[str, bytes] | None = None,
    ) -> None:
        """``files`` holds the directory's files in memory, by name (see
        `transkit.modeldir.model_dir_files`), as a cluster worker receives
        them; ``model_dir`` then only names the model."""
        from transkit.modeldir import check_model_dir, missing_files

        model_dir = Path(model_dir)
        if files is None:
            check_model_dir(model_dir)
        else:
            missing = missing_files(set(files))
            if missing:
                raise ModelError(
                    f"not a Marian model directory: no {missing[0]} in the files received",
                    file=str(model_dir),
                )
        # CTranslate2 gets its own files; the SentencePiece models load from memory.
        model_files = (
            None
            if files is None
            else {k: v for k, v in files.items() if k not in _SENTENCEPIECE_FILES}
        )
        super().__init__(model_dir, f"marian:{model_dir.name}", options, model_files=model_files)
        self._spm_bytes = None if files is None else {k: files[k] for k in _SENTENCEPIECE_FILES}
        config = _read_config(model_dir, None if files is None else files["config.json"])
        self.eos_token = str(config.get("eos_token", "</s>"))
        self.unk_token = str(config.get("unk_token", "<unk>"))
        # CTranslate2 adds it itself when the config says so.
        self.source_suffix = [] if config.get("add_source_eos") else [self.eos_token]
        self._source_sp: Any = None
        self._target_sp: Any = None

    def _family_capabilities(self, flags: dict[str, int]) -> Capabilities:
        return Capabilities(
            one_step_prefix=alternatives_safe_flags(flags),
            alignment_heads=int(flags.get("alignment_heads", 1)),
            source_eos=bool(self.source_suffix),
        )

    def _load_tokenizers(self) -> None:
        import sentencepiece

        def load(name: str) -> Any:
            if self._spm_bytes is not None:
                return sentencepiece.SentencePieceProcessor(model_proto=self._spm_bytes[name])
            return sentencepiece.SentencePieceProcessor(model_file=str(self.model_dir / name))

        self._source_sp = load("source.spm")
        self._target_sp = load("target.spm")

    def tokenize(self, text: str) -> list[str]:
        """German pieces of ``text`` (``source.spm``), without the ``</s>``."""
        self._load()
        return list(self._source_sp.encode(text, out_type=str))

    def tokenize_many(self, texts: Sequence[str]) -> list[list[str]]:
        """German pieces of each text in one SentencePiece call (its loop is C++)."""
        self._load()
        return list(self._source_sp.encode(list(texts), out_type=str)) if texts else []

    def tokenize_target(self, text: str) -> list[str]:
        """English pieces of ``text`` (``target.spm``)."""
        self._load()
        return list(self._target_sp.encode(text, out_type=str))

    def detokenize(self, pieces: Sequence[str]) -> str:
        self._load()
        kept = [p for p in pieces if p != self.eos_token]
        return self._target_sp.decode_pieces(kept).replace("\u2581", " ").strip()


#: The two SentencePiece models: loaded by transkit, not by CTranslate2.
_SENTENCEPIECE_FILES = ("source.spm", "target.spm")


def _read_config(model_dir: Path, data_bytes: bytes | None = None) -> dict[str, Any]:
    """``config.json`` from disk, or from the bytes a worker received."""
    path = model_dir / "config.json"
    try:
        text = data_bytes.decode("utf-8") if data_bytes is not None else path.read_text("utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as err:
        raise ModelError(f"unreadable config.json ({err})", file=str(path)) from None
    return data if isinstance(data, dict) else {}
