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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transkit.engine.base import Capabilities
from transkit.engine.ct2 import CT2Engine, EngineOptions, alternatives_safe_flags
from transkit.errors import ModelError

__all__ = ["MarianEngine"]


class MarianEngine(CT2Engine):
    """An `Engine` over a CTranslate2 directory converted from Marian/OPUS-MT."""

    family = "marian"

    def __init__(self, model_dir: Path, options: EngineOptions | None = None) -> None:
        from transkit.modeldir import check_model_dir

        model_dir = Path(model_dir)
        check_model_dir(model_dir)
        super().__init__(model_dir, f"marian:{model_dir.name}", options)
        config = _read_config(model_dir)
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

        self._source_sp = sentencepiece.SentencePieceProcessor(
            model_file=str(self.model_dir / "source.spm")
        )
        self._target_sp = sentencepiece.SentencePieceProcessor(
            model_file=str(self.model_dir / "target.spm")
        )

    def tokenize(self, text: str) -> list[str]:
        """German pieces of ``text`` (``source.spm``), without the ``</s>``."""
        self._load()
        return list(self._source_sp.encode(text, out_type=str))

    def tokenize_target(self, text: str) -> list[str]:
        """English pieces of ``text`` (``target.spm``)."""
        self._load()
        return list(self._target_sp.encode(text, out_type=str))

    def detokenize(self, pieces: Sequence[str]) -> str:
        self._load()
        kept = [p for p in pieces if p != self.eos_token]
        return self._target_sp.decode_pieces(kept).replace("\u2581", " ").strip()


def _read_config(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"unreadable config.json ({err})", file=str(path)) from None
    return data if isinstance(data, dict) else {}
