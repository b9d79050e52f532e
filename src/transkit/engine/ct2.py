"""The CTranslate2 core every engine family shares.

Batching, n-best, ``target_prefix`` completion (with the choice between
CTranslate2's one-step alternatives mode and beam search), attention and
word alignment, decoding caps, and the attention kept between enforcement
stages.  A family (`transkit.engine.argos`, `transkit.engine.marian`) only
says how to find its model, how to tokenise and detokenise, and which
special pieces frame a sentence; what it can do is its `Capabilities`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transkit.data import Hypothesis
from transkit.engine.base import Capabilities
from transkit.engine.batching import completion_cap, decoding_cap, token_batches
from transkit.errors import ModelError

if TYPE_CHECKING:
    from transkit.engine.align import WordAlignment

__all__ = ["CT2Engine", "EngineOptions", "Capabilities", "token_batches"]


_CLOSING = frozenset(".,;:!?)]}\u201d\u2019\"'")

#: Hypotheses whose attention is kept for alignment (oldest dropped first).
ATTENTION_CACHE = 2048

#: CTranslate2 cuts source inputs at this many tokens by default.
CT2_MAX_INPUT_LENGTH = 1024


@dataclass(frozen=True)
class EngineOptions:
    """How to run the model; options map one to one to CLI flags."""

    beam_size: int = 4
    threads: int = 0  # 0: let CTranslate2 choose
    #: Batches one loaded model decodes at once (CTranslate2 ``inter_threads``),
    #: each on ``threads`` threads; `CT2Engine.replica` hands out the others.
    inter_threads: int = 1
    compute_type: str | None = None  # None: int8 on CPU, default elsewhere
    device: str = "cpu"
    max_batch_tokens: int = 4096
    max_input_tokens: int = 250  # longer segments are split at clause boundaries
    max_decoding_length: int = 512
    length_penalty: float = 0.2


class CT2Engine:
    """An `Engine` over one CTranslate2 translation model directory.

    Subclasses set the tokenisers in `_load_tokenizers` and override
    `tokenize`, `tokenize_target` and `detokenize`; ``source_suffix`` holds
    pieces appended to every source (Marian's ``</s>``) and ``target_lang``
    pieces that start every target (a language token), both outside what
    callers see.
    """

    family = "ct2"

    def __init__(
        self,
        model_dir: Path,
        name: str,
        options: EngineOptions | None = None,
        *,
        model_files: Mapping[str, bytes] | None = None,
    ) -> None:
        """``model_files`` holds the CTranslate2 model directory's files in
        memory (``model.bin``, ``config.json``, vocabularies), as a cluster
        worker receives them; ``model_dir`` then only names the model."""
        self.model_dir = Path(model_dir)
        self._model_files = dict(model_files) if model_files is not None else None
        self.options = options or EngineOptions()
        self.name = name
        self.source_suffix: list[str] = []
        self.target_lang: list[str] = []
        self._translator: Any = None
        self._capabilities: Capabilities | None = None
        # (source pieces, hypothesis text) -> (target pieces, attention rows), oldest first.
        self._attention: dict[tuple[tuple[str, ...], str], tuple[list[str], Any]] = {}
        self._latest: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        # (source, target) -> its word alignment, oldest first: repair asks
        # for the same pairs at several stages.
        self._aligned: dict[tuple[str, str], WordAlignment] = {}
        self.max_input_tokens = min(self.options.max_input_tokens, CT2_MAX_INPUT_LENGTH - 2)

    # -- what the family provides ------------------------------------------
    def _load_tokenizers(self) -> None:
        """Load the family's tokenisers (called once, with the translator)."""

    def tokenize(self, text: str) -> list[str]:
        """Source pieces of ``text`` (the engine's unit of length)."""
        raise NotImplementedError

    def tokenize_target(self, text: str) -> list[str]:
        """Target pieces of ``text`` (for forced prefixes and alignment)."""
        return self.tokenize(text)

    def tokenize_many(self, texts: Sequence[str]) -> list[list[str]]:
        """Source pieces of each text; a family may do it in one call."""
        return [self.tokenize(text) for text in texts]

    def detokenize(self, pieces: Sequence[str]) -> str:
        """English text of target pieces."""
        raise NotImplementedError

    def _family_capabilities(self, flags: dict[str, int]) -> Capabilities:
        """What this family can do, given the model's ``model.bin`` flags."""
        return Capabilities(
            one_step_prefix=alternatives_safe_flags(flags),
            alignment_heads=int(flags.get("alignment_heads", 1)),
        )

    # -- lazy resources -------------------------------------------------
    @property
    def capabilities(self) -> Capabilities:
        """What the engine can do, read from the model's files (not its weights)."""
        if self._capabilities is None:
            from transkit.modelbin import model_bin_scalars

            files = self._model_files
            try:
                flags = model_bin_scalars(
                    files["model.bin"]
                    if files and "model.bin" in files
                    else self.model_dir / "model.bin"
                )
            except ModelError:
                flags = {}
            self._capabilities = self._family_capabilities(flags)
        return self._capabilities

    @property
    def _alternatives(self) -> bool:
        """Whether completions use CTranslate2's one-step alternatives mode."""
        return self.capabilities.one_step_prefix

    def _load(self) -> None:
        if self._translator is not None:
            return
        import ctranslate2

        opts = self.options
        compute_type = opts.compute_type or ("int8" if opts.device == "cpu" else "default")
        try:
            translator = ctranslate2.Translator(
                str(self.model_dir),
                device=opts.device,
                compute_type=compute_type,
                inter_threads=max(1, opts.inter_threads),
                intra_threads=opts.threads,
                files=self._model_files,
            )
            self._load_tokenizers()
        except (RuntimeError, ValueError, OSError, KeyError) as err:
            raise ModelError(f"cannot load model: {err}", file=str(self.model_path)) from None
        self._translator = translator

    def replica(self) -> CT2Engine:
        """Another engine over the same loaded model, with caches of its own.

        CTranslate2 runs up to ``inter_threads`` calls on one translator at
        once, sharing its weights; each replica is used by one thread (the
        attention caches are not shared), so a server runs that many batches
        side by side for the memory of one model.
        """
        import copy

        self._load()
        twin = copy.copy(self)
        twin._attention = {}
        twin._latest = {}
        twin._aligned = {}
        return twin

    @property
    def model_path(self) -> Path:
        """What the user named (the package or model directory), for messages."""
        return self.model_dir

    def _source(self, pieces: Sequence[str]) -> list[str]:
        """The pieces CTranslate2 gets for a source: the family's suffix appended."""
        return [*pieces, *self.source_suffix]

    def _rows(self, rows: Any, width: int) -> list[Any]:
        """Attention rows cut to the ``width`` source pieces callers know
        (the columns of ``source_suffix`` dropped)."""
        if not self.source_suffix:
            return list(rows)
        return [row[:width] for row in rows]

    def _remember(
        self, source: Sequence[str], text: str, pieces: Sequence[str], attention: Any
    ) -> None:
        """Keep a hypothesis' attention, so `align_batch` needs no second decode.

        Each row is stored as a compact ``array('f')`` (CTranslate2 returns
        nested lists of Python floats, about eight times larger); the oldest
        entries go first.  ``attention`` may be `_LazyRows`: the rows of an
        n-best hypothesis are read from CTranslate2's result only when
        alignment asks for them (most never are, and reading every one was
        the larger part of the n-best pass's Python time).  No numpy: the
        translate path must not pay for importing it.
        """
        if not isinstance(attention, _LazyRows):
            attention = _compact(attention, len(source))
        cache = self._attention
        if len(cache) >= ATTENTION_CACHE:
            cache.pop(next(iter(cache)))
        key = (tuple(source), text)
        cache[key] = (list(pieces), attention)
        self._latest[key[0]] = key
        if len(self._latest) >= ATTENTION_CACHE:
            self._latest.pop(next(iter(self._latest)))

    def forget(self) -> None:
        """Drop the kept attention and alignments (benchmarks measure cold runs)."""
        self._attention.clear()
        self._latest.clear()
        self._aligned.clear()

    # -- the Engine interface -------------------------------------------
    def translate_batch(
        self,
        sources: Sequence[str],
        *,
        num_hypotheses: int = 1,
        progress: Callable[[int], None] | None = None,
        max_length: int | None = None,
    ) -> list[list[Hypothesis]]:
        """Translate all ``sources`` in length-sorted token batches.

        Over-long sources are split at clause boundaries into parts that fit
        the model, translated with everything else, and joined again, so
        nothing is cut off.  ``progress`` gets the number of sources done.
        ``max_length`` caps the output in pieces (for short inputs such as a
        glossary term alone, where a small model may babble on).
        """
        self._load()
        from transkit.text.segment import split_long

        parts_of: list[list[list[str]]] = []
        ends_of: list[list[str]] = []
        flat: list[list[str]] = []
        for text, pieces in zip(sources, self.tokenize_many(sources), strict=True):
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

        results = self._translate_tokens(flat, num_hypotheses, progress, parts_of, max_length)
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

    def complete_batch(
        self, sources: Sequence[str], prefixes: Sequence[str], *, num_hypotheses: int = 1
    ) -> list[list[Hypothesis]]:
        """Translate each source with the English forced to start with its prefix.

        CTranslate2's ``target_prefix`` feeds the prefix pieces to the decoder
        and decoding continues from there.  Where the model allows it
        (`Capabilities.one_step_prefix`), in CTranslate2's alternatives mode: the
        prefix goes through the decoder in one step instead of one step per
        piece (in beam search a forced prefix costs as much as free text,
        CTranslate2 issue 1689), and the ``num_hypotheses`` most likely next
        pieces are each finished greedily, so the completions differ right
        after the prefix (one that stops dead has an alternative that goes
        on).  Otherwise beam search as wide as the hypotheses asked for (not
        ``--beam-size``: the width is what a completion costs).  The
        returned text is the prefix exactly as given (not its detokenised
        pieces, so a word the vocabulary spells oddly survives) followed by
        the model's continuation, best first, except that a continuation
        starting in the middle of a word ("Japan" + "ese") loses that
        fragment and ranks after every one that starts a new word.
        Sources too long for one decode get no hypotheses.
        """
        self._load()
        opts = self.options
        lang = list(self.target_lang)
        items = []
        for i, (source, prefix) in enumerate(zip(sources, prefixes, strict=True)):
            pieces = self.tokenize(source)
            if pieces and len(pieces) <= self.max_input_tokens:
                forced = lang + self.tokenize_target(prefix) if prefix else list(lang)
                items.append((i, pieces, forced))
        out: list[list[Hypothesis]] = [[] for _ in sources]

        # Each completion ends at its own cap, whatever its neighbours: a
        # small model babbling after a forced word runs to the cap, and its
        # score (so the choice between completions) depends on where that is.
        # The batch decodes to its longest cap in one call (greedy steps do
        # not depend on the cap); the few completions that reach their own
        # cap before stopping are decoded again with exactly that cap.
        def cap(item: tuple[int, list[str], list[str]]) -> int:
            return completion_cap(len(item[1]), len(item[2]), opts.max_decoding_length)

        def decode(chunk: list[tuple[int, list[str], list[str]]], limit: int) -> list[Any]:
            return self._translator.translate_batch(
                [self._source(pieces) for _, pieces, _ in chunk],
                target_prefix=[forced or None for _, _, forced in chunk],
                max_batch_size=opts.max_batch_tokens,
                batch_type="tokens",
                # Alternatives: the prefix is fed in one step, then the
                # ``num_hypotheses`` best next pieces are each finished greedily.
                beam_size=1 if self._alternatives else max(1, num_hypotheses),
                num_hypotheses=num_hypotheses,
                length_penalty=opts.length_penalty,
                max_decoding_length=limit,
                replace_unknowns=True,
                return_scores=True,
                return_attention=True,
                return_alternatives=self._alternatives,
            )

        items.sort(key=lambda item: len(item[1]))
        decoded: list[tuple[tuple[int, list[str], list[str]], Any]] = []
        for chunk in token_batches(items, lambda item: len(item[1]), opts.max_batch_tokens):
            limit = max(cap(item) for item in chunk)
            capped = []
            for item, result in zip(chunk, decode(chunk, limit), strict=True):
                if limit > cap(item) and any(len(h) >= cap(item) for h in result.hypotheses):
                    capped.append(item)  # it would have stopped at its own cap
                else:
                    decoded.append((item, result))
            capped.sort(key=lambda item: (cap(item), len(item[1])))
            for group in token_batches(
                capped, lambda item: len(item[1]), opts.max_batch_tokens, same=cap
            ):
                decoded.extend(zip(group, decode(group, cap(group[0])), strict=True))
        for (i, pieces, forced), result in decoded:
            hyps = []
            for k, (tokens, score) in enumerate(zip(result.hypotheses, result.scores, strict=True)):
                rest = list(tokens[len(forced) :])
                rows = list(result.attention[k]) if result.attention else []
                # A continuation that starts inside a word ("Japan" + "ese")
                # finishes a word the model wanted instead of the forced
                # one: that fragment is dropped, the next word kept.
                mid_word = False
                while rest and _inside_word(rest[0]):
                    rest.pop(0)
                    if len(rows) > len(forced):
                        rows.pop(len(forced))
                    mid_word = True
                text = self.detokenize(rest)
                if prefixes[i] and text:
                    glue = "" if text[0] in _CLOSING else " "
                    text = prefixes[i].rstrip() + glue + text
                elif prefixes[i]:
                    text = prefixes[i].rstrip()
                hyps.append((mid_word, Hypothesis(text, float(score))))
                if rows:
                    n = len(lang)
                    self._remember(pieces, text, [*forced, *rest][n:], rows[n:])
            # Continuations that start a new word first (stable: best first).
            out[i] = [h for mid, h in hyps if not mid] + [h for mid, h in hyps if mid]
        return out

    def align_batch(
        self, sources: Sequence[str], targets: Sequence[str]
    ) -> list[WordAlignment | None]:
        """Word alignment of each (source, target) pair from the model's attention.

        The target is forced in full (``target_prefix`` with no room to go
        on) and CTranslate2 returns the cross-attention of each piece; see
        `transkit.engine.align.word_alignment`.  None for a pair too long for
        one decode or with an empty side.
        """
        from transkit.engine.align import word_alignment

        self._load()
        lang = list(self.target_lang)
        items = []
        out: list[WordAlignment | None] = [None for _ in sources]
        for i, (source, target) in enumerate(zip(sources, targets, strict=True)):
            known = self._aligned.get((source, target))
            if known is not None:
                out[i] = known
                continue
            src = self.tokenize(source)
            seen = self._attention.get((tuple(src), target))
            if seen is not None:
                out[i] = word_alignment(source, src, target, seen[0], _rows_of(seen[1]))
                continue
            # A text the caller edited a little (a word dropped or replaced)
            # still aligns through the attention of the text it came from.
            latest = self._latest.get(tuple(src))
            seen = self._attention.get(latest) if latest else None
            if seen is not None:
                alignment = word_alignment(source, src, target, seen[0], _rows_of(seen[1]))
                found = sum(b > a for a, b in alignment.target_words)
                if found >= 0.8 * len(alignment.target_words):
                    out[i] = alignment
                    continue
            tgt = self.tokenize_target(target)
            if src and tgt and len(src) <= self.max_input_tokens:
                items.append((i, src, tgt))
        items.sort(key=lambda item: len(item[1]))
        for chunk in token_batches(items, lambda item: len(item[1]), self.options.max_batch_tokens):
            batch = self._translator.translate_batch(
                [self._source(src) for _, src, _ in chunk],
                target_prefix=[lang + tgt for _, _, tgt in chunk],
                max_batch_size=self.options.max_batch_tokens,
                batch_type="tokens",
                beam_size=1,
                max_decoding_length=max(len(lang) + len(t) for _, _, t in chunk) + 1,
                return_attention=True,
            )
            for (i, src, tgt), result in zip(chunk, batch, strict=True):
                attention = result.attention[0] if result.attention else []
                rows = self._rows(attention[len(lang) : len(lang) + len(tgt)], len(src))
                out[i] = word_alignment(sources[i], src, targets[i], tgt, rows)
        for source, target, alignment in zip(sources, targets, out, strict=True):
            if alignment is not None:
                if len(self._aligned) >= ATTENTION_CACHE:
                    self._aligned.pop(next(iter(self._aligned)))
                self._aligned[(source, target)] = alignment
        return out

    def _translate_tokens(
        self,
        flat: list[list[str]],
        num_hypotheses: int,
        progress: Callable[[int], None] | None,
        parts_of: list[list[list[str]]],
        max_length: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        opts = self.options
        order = sorted(range(len(flat)), key=lambda i: len(flat[i]))
        results: list[list[tuple[str, float]]] = [[] for _ in flat]
        # Which source each flat chunk belongs to, for progress reporting.
        owner = [i for i, chunks in enumerate(parts_of) for _ in chunks]
        done_sources: set[int] = set()
        remaining = [len(chunks) for chunks in parts_of]
        prefix = list(self.target_lang) or None
        for ids in token_batches(order, lambda i: len(flat[i]), opts.max_batch_tokens):
            if flat[ids[-1]]:  # sorted by length: an empty batch is all empty
                batch = self._translator.translate_batch(
                    [self._source(flat[i]) for i in ids],
                    target_prefix=[prefix for _ in ids] if prefix else None,
                    max_batch_size=opts.max_batch_tokens,
                    batch_type="tokens",
                    beam_size=max(num_hypotheses, opts.beam_size),
                    num_hypotheses=num_hypotheses,
                    length_penalty=opts.length_penalty,
                    max_decoding_length=decoding_cap(
                        max(len(flat[i]) for i in ids), max_length or opts.max_decoding_length
                    ),
                    replace_unknowns=True,
                    return_scores=True,
                    # n-best runs are the enforcement passes: their attention
                    # is kept for alignment; a plain translation pays nothing.
                    return_attention=num_hypotheses > 1,
                )
                lang = len(prefix) if prefix else 0
                for i, result in zip(ids, batch, strict=True):
                    results[i] = []
                    kept = (
                        _KeptAttention(result, lang, len(flat[i])) if num_hypotheses > 1 else None
                    )
                    for k, (tokens, score) in enumerate(
                        zip(result.hypotheses, result.scores, strict=True)
                    ):
                        text = self.detokenize(tokens)
                        results[i].append((text, float(score)))
                        if kept is not None:
                            self._remember(flat[i], text, tokens[lang:], _LazyRows(kept, k))
            for i in ids:
                if not flat[i]:
                    results[i] = [("", 0.0)] * num_hypotheses
                remaining[owner[i]] -= 1
                if remaining[owner[i]] == 0:
                    done_sources.add(owner[i])
            if progress:
                progress(len(done_sources))
        return results


def _compact(rows: Any, width: int) -> list[Any]:
    """Attention rows as ``array('f')``, cut to ``width`` source columns."""
    from array import array

    return [array("f", row[:width]) for row in rows]


class _KeptAttention:
    """The attention of one CTranslate2 result, converted once, on first use."""

    __slots__ = ("result", "start", "width", "hypotheses")

    def __init__(self, result: Any, start: int, width: int) -> None:
        self.result: Any = result
        self.start = start
        self.width = width
        self.hypotheses: list[list[Any]] | None = None

    def rows(self, k: int) -> list[Any]:
        if self.hypotheses is None:
            attention = self.result.attention or []
            self.hypotheses = [_compact(hyp[self.start :], self.width) for hyp in attention]
            self.result = None
        return self.hypotheses[k] if k < len(self.hypotheses) else []


class _LazyRows:
    """Hypothesis ``k``'s rows of a `_KeptAttention`."""

    __slots__ = ("kept", "k")

    def __init__(self, kept: _KeptAttention, k: int) -> None:
        self.kept = kept
        self.k = k


def _rows_of(attention: Any) -> list[Any]:
    return attention.kept.rows(attention.k) if isinstance(attention, _LazyRows) else attention


def alternatives_safe_flags(flags: dict[str, int]) -> bool:
    """True when CTranslate2's alternatives mode reads a forced prefix
    correctly for a model with these ``model.bin`` flags.  Its one-step
    prefix skips the embedding scale and zeroes the whole prefix for a
    decoder that starts from a zero embedding (Marian/OPUS-MT conversions;
    CTranslate2 pull request 2087), so such a model, or one whose flags
    cannot be read (empty), keeps beam search."""
    return bool(flags) and not flags.get("decoder/start_from_zero_embedding", 0)


def _alternatives_safe(model_bin: Path) -> bool:
    """`alternatives_safe_flags` of the flags read from ``model_bin``."""
    from transkit.modelbin import model_bin_scalars

    try:
        flags = model_bin_scalars(model_bin)
    except ModelError:
        return False
    return alternatives_safe_flags(flags)


def _inside_word(piece: str) -> bool:
    """A piece that continues the previous word: no ``▁`` and a letter or digit."""
    return not piece.startswith("\u2581") and any(ch.isalnum() for ch in piece)


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
