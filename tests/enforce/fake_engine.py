"""A deterministic word-by-word engine that does not cooperate, for repair tests.

It translates each German word through a small dictionary (words mapped to
"" are dropped, unknown words are copied), never copies a placeholder, and
can be steered like `ConstrainedEngine`: ``complete_batch`` keeps the prefix
and goes on with the translation of the source words after the last one the
prefix covers; ``align_batch`` links each target word to the first source
word (not linked yet) that it translates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from transkit.data import Hypothesis
from transkit.engine.align import WordAlignment

WORDS = {
    "peking": "Peking",
    "kontrolliert": "controls",
    "kontrollieren": "control",
    "seltene": "",
    "erden": "",
    "handelt": "acts",
    "hallo": "hello",
    "und": "and",
    "tokio": "Tokyo",
    "verteidigungsbudget": "military budget",
    "verteidigungsbudgets": "military budget's",
    "wächst": "grows",
    "lieferketten": "delivery chains",
    "sind": "are",
    "lang": "long",
    "ein": "a",
    "flugzeugträger": "carrier ship",
    "kommt": "comes",
    "der": "the",
    "die": "the",
    "gipfel": "summit",
    "beginnt": "begins",
    "heute": "today",
    "zqx1": "it",
    "zqx2": "it",
}
#: English words that render a German word although the engine never says them
#: (approved terms forced in), so the fake knows where a forced prefix stands.
ALIASES = {
    "beijing": "peking",
    "rare": "seltene",
    "earths": "erden",
    "defense": "verteidigungsbudget",
    "flattop": "flugzeugträger",
}

_WORD = re.compile(r"[\w-]+|[^\w\s]")


def _words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def _render(source: str) -> list[tuple[int, str]]:
    """(source word index, English word) for every English word, in order."""
    out = []
    for i, m in enumerate(_words(source)):
        word = m.group()
        english = WORDS.get(word.lower(), word) if word[0].isalnum() else word
        for piece in english.split():
            out.append((i, piece))
    return out


def _text(words: list[str]) -> str:
    text = " ".join(words)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return text[:1].upper() + text[1:] if text else text


class FakeEngine:
    """Deterministic, non-cooperating, steerable."""

    name = "fake:repair"

    def __init__(self, extra: dict[str, list[str]] | None = None) -> None:
        self.extra = extra or {}  # source -> further hypotheses (lower scores)
        self.calls: list[tuple[str, int]] = []

    def translate_batch(
        self, sources: Sequence[str], *, num_hypotheses: int = 1
    ) -> list[list[Hypothesis]]:
        self.calls.append(("translate", len(sources)))
        out = []
        for src in sources:
            best = _text([w for _, w in _render(src)])
            texts = [best, *self.extra.get(src, [])][:num_hypotheses]
            out.append([Hypothesis(t, -1.0 - k) for k, t in enumerate(texts)])
        return out

    def _links(self, source: str, target: str) -> list[int | None]:
        src = [m.group().lower() for m in _words(source)]
        used: set[int] = set()
        links: list[int | None] = []
        for m in _words(target):
            word = m.group().lower()
            link = None
            for i, s in enumerate(src):
                english = (WORDS.get(s, s) or "").lower().split()
                if i not in used and (word in english or ALIASES.get(word) == s):
                    link = i
                    break
            if link is not None and not any(w in ALIASES for w in [word]):
                used.add(link)
            links.append(link if m.group()[0].isalnum() else None)
        return links

    def align_batch(self, sources: Sequence[str], targets: Sequence[str]) -> list[WordAlignment]:
        self.calls.append(("align", len(sources)))
        out = []
        for source, target in zip(sources, targets, strict=True):
            out.append(
                WordAlignment(
                    tuple(m.span() for m in _words(source)),
                    tuple(m.span() for m in _words(target)),
                    tuple(self._links(source, target)),
                )
            )
        return out

    def complete_batch(
        self, sources: Sequence[str], prefixes: Sequence[str], *, num_hypotheses: int = 1
    ) -> list[list[Hypothesis]]:
        self.calls.append(("complete", len(sources)))
        out = []
        for source, prefix in zip(sources, prefixes, strict=True):
            covered = [link for link in self._links(source, prefix) if link is not None]
            last = max(covered) if covered else -1
            rest = [w for i, w in _render(source) if i > last]
            text = prefix.rstrip()
            for w in rest:
                text += w if not w[0].isalnum() else " " + w
            out.append([Hypothesis(text, -0.5)])
        return out
