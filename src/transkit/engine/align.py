"""Source-to-target word alignment from an NMT model's cross-attention.

Reusable by anything that must know which English words render which German
words: terminology repair (where to force an approved term), and placing
inline codes of XLIFF segments in the target.

`word_alignment` is a pure function over what CTranslate2 returns with
``return_attention=True`` for one hypothesis: one row per target piece (the
attention used to *produce* that piece) over the source pieces.  Pieces are
grouped into words (a SentencePiece ``▁`` starts a word), rows and columns
are pooled per word, and each target word is linked to the source word with
the most attention mass.  Source words without a letter or digit (the final
full stop, quotes) are attention sinks in small models and are ignored, so
content words link to content words.  Attention is a noisy alignment: use it
to place things, never as proof that a word was translated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

__all__ = ["WordAlignment", "word_alignment", "piece_words", "char_spans"]

_MARK = "\u2581"


@dataclass(frozen=True)
class WordAlignment:
    """Word spans of a sentence pair and one link per target word.

    ``source_words`` / ``target_words`` are ``(start, end)`` character spans in
    the source and target text; ``links[i]`` is the index of the source word
    target word ``i`` aligns to, or None (punctuation, or no attention).
    """

    source_words: tuple[tuple[int, int], ...]
    target_words: tuple[tuple[int, int], ...]
    links: tuple[int | None, ...]

    def source_word_indices(self, start: int, end: int) -> list[int]:
        """Indices of the source words overlapping the character span ``[start, end)``."""
        return [i for i, (a, b) in enumerate(self.source_words) if a < end and b > start]

    def targets_of(self, start: int, end: int) -> list[int]:
        """Indices of target words linked to the source character span ``[start, end)``."""
        wanted = set(self.source_word_indices(start, end))
        return [i for i, link in enumerate(self.links) if link in wanted]

    def insertion_word(self, start: int, end: int) -> int:
        """Target word index where a rendering of source span ``[start, end)`` belongs.

        The first target word linked to the span if there is one; otherwise
        the word after the last target word linked to a source word *before*
        the span (the model's order elsewhere is kept), else 0.
        """
        linked = self.targets_of(start, end)
        if linked:
            return min(linked)
        before = {i for i, (a, _b) in enumerate(self.source_words) if a < start}
        after = [i + 1 for i, link in enumerate(self.links) if link in before]
        return max(after) if after else 0


def piece_words(pieces: Sequence[str]) -> list[list[int]]:
    """Group SentencePiece pieces into words: indices of the pieces of each word.

    A ``▁`` starts a word; a run of punctuation pieces is a word of its own.
    """
    words: list[list[int]] = []
    previous_content = False
    for i, piece in enumerate(pieces):
        content = _is_content(piece)
        # A piece of punctuation ("." ",") is a word of its own, and so is
        # whatever follows it: "elements" and "." are two words.
        if piece.startswith(_MARK) or not words or content != previous_content:
            words.append([i])
        else:
            words[-1].append(i)
        previous_content = content or piece == _MARK
    # A lone "▁" piece belongs to the word that follows it.
    merged: list[list[int]] = []
    for word in words:
        if merged and all(pieces[j] == _MARK for j in merged[-1]):
            merged[-1].extend(word)
        else:
            merged.append(word)
    return merged


def char_spans(
    text: str, pieces: Sequence[str], words: Sequence[Sequence[int]]
) -> list[tuple[int, int]]:
    """Character span of each piece word in ``text`` (found left to right).

    A word SentencePiece normalised beyond recognition gets an empty span at
    the current position, so indices still line up.
    """
    spans = []
    cursor = 0
    for word in words:
        surface = "".join(pieces[j] for j in word).replace(_MARK, "").strip()
        found = text.find(surface, cursor) if surface else -1
        if found < 0:
            spans.append((cursor, cursor))
            continue
        spans.append((found, found + len(surface)))
        cursor = found + len(surface)
    return spans


def _is_content(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def word_alignment(
    source: str,
    source_pieces: Sequence[str],
    target: str,
    target_pieces: Sequence[str],
    attention: Sequence[Sequence[float]],
) -> WordAlignment:
    """Align target words to source words from one hypothesis' attention matrix.

    ``attention`` has a row per target piece and a column per source piece
    (CTranslate2 ``return_attention``).  Rows or columns beyond the pieces
    given (end-of-sentence, language tokens) are ignored; a target that the
    engine prefixed with a language token should be passed without it.
    """
    src_words = piece_words(source_pieces)
    tgt_words = piece_words(target_pieces)
    src_spans = char_spans(source, source_pieces, src_words)
    tgt_spans = char_spans(target, target_pieces, tgt_words)
    n_cols = len(source_pieces)
    # Source words that can be linked to: content words, as piece slices.
    columns = [
        (k, word[0], word[-1] + 1)
        for k, word in enumerate(src_words)
        if _is_content("".join(source_pieces[j] for j in word))
    ]
    rows = attention[: len(target_pieces)]
    links: list[int | None] = []
    for word in tgt_words:
        surface = "".join(target_pieces[j] for j in word)
        if not _is_content(surface) or not columns:
            links.append(None)
            continue
        # Pool the rows of the word's pieces, then the columns of each source
        # word (a running sum per row: each word's mass is one subtraction).
        mass = [0.0] * len(columns)
        for j in word:
            if j >= len(rows):
                continue
            cum = [0.0, *accumulate(rows[j][:n_cols])]
            width = len(cum) - 1
            for c, (_k, a, b) in enumerate(columns):
                if a < width:
                    mass[c] += cum[min(b, width)] - cum[a]
        best = max(range(len(columns)), key=mass.__getitem__)
        links.append(columns[best][0] if mass[best] > 0.0 else None)
    return WordAlignment(tuple(src_spans), tuple(tgt_spans), tuple(links))
