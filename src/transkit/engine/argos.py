"""Argos Translate packages run directly through CTranslate2 and SentencePiece.

This is what ``argostranslate.translate`` does at its core, without importing
it: that module pulls in stanza and torch (seconds of start-up) and its own
sentence splitter, which transkit replaces with `transkit.text.segment`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transkit.data import Hypothesis
from transkit.errors import ModelError
from transkit.models import ModelPackage

__all__ = ["ArgosEngine", "EngineOptions"]

#: CTranslate2 cuts source inputs at this many tokens by default.
CT2_MAX_INPUT_LENGTH = 1024


@dataclass(frozen=True)
class EngineOptions:
    """How to run the model; options map one to one to CLI flags."""

    beam_size: int = 4
    threads: int = 0  # 0: let CTranslate2 choose
    compute_type: str | None = None  # None: int8 on CPU, default elsewhere
    device: str = "cpu"
    max_batch_tokens: int = 4096
    max_input_tokens: int = 250  # longer segments are split at clause boundaries
    max_decoding_length: int = 512
    length_penalty: float = 0.2


class ArgosEngine:
    """An `Engine` over one unpacked Argos package (see `transkit.models`)."""

    def __init__(self, package: ModelPackage, options: EngineOptions | None = None) -> None:
        self.package = package
        self.options = options or EngineOptions()
        self.name = package.label
        self._translator: Any = None
        self._sp: Any = None
        self.max_input_tokens = min(self.options.max_input_tokens, CT2_MAX_INPUT_LENGTH - 2)

    # -- lazy resources -------------------------------------------------
    def _load(self) -> None:
        if self._translator is not None:
            return
        import ctranslate2
        import sentencepiece

        opts = self.options
        compute_type = opts.compute_type or ("int8" if opts.device == "cpu" else "default")
        try:
            self._translator = ctranslate2.Translator(
                str(self.package.path / "model"),
                device=opts.device,
                compute_type=compute_type,
                inter_threads=1,
                intra_threads=opts.threads,
            )
            self._sp = sentencepiece.SentencePieceProcessor(
                model_file=str(self.package.path / "sentencepiece.model")
            )
        except (RuntimeError, ValueError, OSError) as err:
            raise ModelError(f"cannot load model: {err}", file=str(self.package.path)) from None

    def tokenize(self, text: str) -> list[str]:
        """SentencePiece pieces of ``text`` (the engine's unit of length)."""
        self._load()
        return list(self._sp.encode(text, out_type=str))

    def detokenize(self, pieces: Sequence[str]) -> str:
        self._load()
        text = self._sp.decode_pieces(list(pieces)).replace("\u2581", " ")
        prefix = self.package.target_prefix
        if prefix and text.startswith(prefix):
            text = text[len(prefix) :]
        return text.strip()

    # -- the Engine interface -------------------------------------------
    def translate_batch(
        self,
        sources: Sequence[str],
        *,
        num_hypotheses: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> list[list[Hypothesis]]:
        """Translate all ``sources`` in length-sorted token batches.

        Over-long sources are split at clause boundaries into parts that fit
        the model, translated with everything else, and joined again, so
        nothing is cut off.  ``progress`` gets the number of sources done.
        """
        self._load()
        from transkit.text.segment import split_long

        parts_of: list[list[list[str]]] = []
        ends_of: list[list[str]] = []
        flat: list[list[str]] = []
        for text in sources:
            pieces = self.tokenize(text)
            if len(pieces) <= self.max_input_tokens:
                chunks = [pieces]
                ends = [""]
            else:
                spans = split_long(text, self.max_input_tokens, lambda s: len(self.tokenize(s)))
                chunks = [self.tokenize(text[a:b]) for a, b in spans]
                ends = [text[a:b].rstrip()[-1:] for a, b in spans]
                ends[-1] = ""
            parts_of.append(chunks)
            ends_of.append(ends)
            flat.extend(chunks)

        results = self._translate_tokens(flat, num_hypotheses, progress, parts_of)
        out: list[list[Hypothesis]] = []
        cursor = 0
        for chunks, ends in zip(parts_of, ends_of, strict=True):
            if not chunks or all(not c for c in chunks):
                out.append([Hypothesis("", 0.0)])
                cursor += len(chunks)
                continue
            per_part = results[cursor : cursor + len(chunks)]
            cursor += len(chunks)
            count = min(len(r) for r in per_part)
            hyps = []
            for i in range(count):
                text = " ".join(
                    _joinable(r[i][0], end)
                    for r, end in zip(per_part, ends, strict=True)
                    if r[i][0]
                )
                score = sum(r[i][1] for r in per_part)
                hyps.append(Hypothesis(text, score))
            out.append(hyps)
        return out

    def _translate_tokens(
        self,
        flat: list[list[str]],
        num_hypotheses: int,
        progress: Callable[[int], None] | None,
        parts_of: list[list[list[str]]],
    ) -> list[list[tuple[str, float]]]:
        opts = self.options
        order = sorted(range(len(flat)), key=lambda i: len(flat[i]))
        results: list[list[tuple[str, float]]] = [[] for _ in flat]
        # Which source each flat chunk belongs to, for progress reporting.
        owner = [i for i, chunks in enumerate(parts_of) for _ in chunks]
        done_sources: set[int] = set()
        remaining = [len(chunks) for chunks in parts_of]
        prefix = [self.package.target_prefix] if self.package.target_prefix else None
        step = 64
        for start in range(0, len(order), step):
            ids = [i for i in order[start : start + step] if flat[i]]
            if ids:
                batch = self._translator.translate_batch(
                    [flat[i] for i in ids],
                    target_prefix=[prefix for _ in ids] if prefix else None,
                    max_batch_size=opts.max_batch_tokens,
                    batch_type="tokens",
                    beam_size=max(num_hypotheses, opts.beam_size),
                    num_hypotheses=num_hypotheses,
                    length_penalty=opts.length_penalty,
                    max_decoding_length=_decoding_cap(
                        max(len(flat[i]) for i in ids), opts.max_decoding_length
                    ),
                    replace_unknowns=True,
                    return_scores=True,
                )
                for i, result in zip(ids, batch, strict=True):
                    results[i] = [
                        (self.detokenize(tokens), float(score))
                        for tokens, score in zip(result.hypotheses, result.scores, strict=True)
                    ]
            for i in order[start : start + step]:
                if not flat[i]:
                    results[i] = [("", 0.0)] * num_hypotheses
                remaining[owner[i]] -= 1
                if remaining[owner[i]] == 0:
                    done_sources.add(owner[i])
            if progress:
                progress(len(done_sources))
        return results


def _decoding_cap(longest_source: int, configured: int) -> int:
    """Bound decoding by the batch's longest source, so a degenerate repetition
    loop stops early instead of running to the configured maximum.

    English output rarely needs more than ~1.5x the German pieces; 3x + 16 is
    generous and never binds a sane translation.
    """
    return max(1, min(configured, 3 * longest_source + 16))


def _joinable(english: str, source_end: str) -> str:
    """End a part's English as its German part ended (``;`` ``,`` ``:``), not with a full stop.

    A model translating one clause of a split sentence tends to close it with
    a full stop; the joined sentence should keep the German clause marks.
    """
    if not source_end:
        return english
    body = english.rstrip()
    if body.endswith(".") and not body.endswith(".."):
        body = body[:-1]
    if source_end in ";:,–—-.!?" and not body.endswith(source_end):
        body += source_end
    return body


def engine_for(spec: str | None, options: EngineOptions | None = None) -> ArgosEngine:
    """Resolve ``--model`` and build the engine (the model loads on first use)."""
    from transkit.models import resolve_model

    package = resolve_model(spec)
    if (package.from_code, package.to_code) != ("de", "en"):
        raise ModelError(
            f"model translates {package.from_code}->{package.to_code}, not de->en",
            file=str(Path(package.path)),
        )
    return ArgosEngine(package, options)
