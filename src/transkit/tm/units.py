"""Translation-memory units and matches, and the pure text functions behind lookup.

Nothing here does I/O.  A `TMUnit` is one source/target pair as stored in a
TMX file of the memory; a `TMMatch` is a unit found for a query, with its
score and match level.  The functions define what "the same sentence" means
for the memory:

* `normalize` - exact matches ignore differences in whitespace only
  (NFC, runs of spaces collapsed, ends stripped); case and punctuation count;
* `similarity` - fuzzy score 0-100: rapidfuzz's normalised Indel similarity
  (``fuzz.ratio``) of the normalised sources, the score CAT users know as
  "match percentage";
* `features` - the lower-cased word beginnings (digits folded to ``0``)
  and pairs of them that the index uses to find fuzzy candidates;
* `fix_numbers` - when a match differs from the query only in its numbers,
  the target with the numbers replaced.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "MATCH_LEVELS",
    "TMMatch",
    "TMUnit",
    "context_key",
    "features",
    "fix_numbers",
    "normalize",
    "normalized_key",
    "pair_key",
    "primary_lang",
    "similarity",
    "source_key",
]

#: Match levels, best first: in-context exact, exact, fuzzy with numbers fixed, fuzzy.
MATCH_LEVELS = ("context", "exact", "numbers", "fuzzy")

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
# A number as German text writes it: 1.234.567,89 / 3,5 / 2024 / 5.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class TMUnit:
    """One translation unit: a German source, its English target and where it comes from.

    ``date`` is the TMX ISO 8601 basic UTC date (``20250102T030405Z``) - the
    newest approved unit wins among units with the same source.  ``prev`` and
    ``next`` are the sources of the neighbouring segments (for in-context
    matches), empty when unknown.  ``props`` keeps the TMX ``<prop>`` pairs.
    """

    source: str
    target: str
    source_lang: str = "de"
    target_lang: str = "en"
    date: str = ""
    prev: str = ""
    next: str = ""
    origin: str = ""
    document: str = ""
    props: tuple[tuple[str, str], ...] = ()
    file: str = ""


@dataclass(frozen=True)
class TMMatch:
    """A memory unit found for a query sentence.

    ``level`` is one of `MATCH_LEVELS`; ``score`` is 100 for exact and
    in-context matches (101 would be a lie about the text), the fuzzy score
    otherwise.  ``target`` is the text to use: the unit's target, or with
    ``level == "numbers"`` the target with the query's numbers put in.
    """

    unit: TMUnit
    score: float
    level: str
    target: str
    notes: tuple[str, ...] = field(default=())

    @property
    def origin(self) -> str:
        """A short label for XLIFF ``origin`` attributes: ``tm:<file>``."""
        return f"tm:{self.unit.file}" if self.unit.file else "tm"


@functools.lru_cache(maxsize=256)
def primary_lang(lang: str) -> str:
    """``DE-DE``, ``de_AT``, ``de`` -> ``de`` (the primary subtag, lower case)."""
    return lang.replace("_", "-").split("-")[0].strip().lower()


def normalize(text: str) -> str:
    """The form exact matches compare: NFC, whitespace collapsed, ends stripped."""
    if (
        text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and (text.isascii() or unicodedata.is_normalized("NFC", text))
    ):
        return text
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _key(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def source_key(source: str) -> int:
    """A signed 64-bit key of the normalised source (for the index's exact lookup)."""
    return _key(normalize(source))


def normalized_key(normalized: str) -> int:
    """`source_key` of a source already passed through `normalize`."""
    return _key(normalized)


def pair_key(source: str, target: str) -> int:
    """A signed 64-bit key of a (normalised source, target) pair, for de-duplication."""
    return _key(normalize(source) + "\x00" + target)


def context_key(prev: str, next_: str) -> int:
    """A signed 64-bit key of the neighbouring sources (0 when both are unknown)."""
    if not prev and not next_:
        return 0
    return _key(normalize(prev) + "\x00" + normalize(next_))


def features(text: str) -> list[str]:
    """Index features of a source: lower-cased word beginnings and adjacent pairs of them.

    A word's first four characters (digits folded to 0) stand for the word,
    so inflected forms (``wichtige``/``wichtigen``, ``Batterie``/``Batterien``)
    share features the way ``fuzz.ratio`` sees them as similar.

    >>> features("Der Preis stieg 2024.")
    ['der', 'prei', 'stie', '0000', 'der prei', 'prei stie', 'stie 0000']
    """
    words = [w[:4] for w in _WORD.findall(_DIGIT.sub("0", text.lower()))]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def similarity(a: str, b: str) -> float:
    """Fuzzy match score 0-100 of two sources (normalised first)."""
    from rapidfuzz import fuzz

    return float(fuzz.ratio(normalize(a), normalize(b)))


def _swap_separators(number: str) -> str:
    return number.translate(str.maketrans({".": ",", ",": "."}))


def fix_numbers(query: str, source: str, target: str) -> str | None:
    """The target with the query's numbers, when query and source differ only in numbers.

    Each number of ``source`` that differs from the query's number at the same
    position must occur in ``target`` exactly once (as written, or with the
    English decimal and thousands separators: ``3,5`` -> ``3.5``); it is
    replaced there in the same style.  Returns None when the texts differ in
    more than numbers or a number cannot be placed safely.

    >>> fix_numbers("Der Preis stieg um 7 Prozent.", "Der Preis stieg um 5 Prozent.",
    ...             "The price rose by 5 percent.")
    'The price rose by 7 percent.'
    """
    query, source = normalize(query), normalize(source)
    if _NUMBER.sub("0", query) != _NUMBER.sub("0", source):
        return None
    new_numbers = _NUMBER.findall(query)
    old_numbers = _NUMBER.findall(source)
    if new_numbers == old_numbers:
        return None
    spans: list[tuple[int, int, str]] = []
    for old, new in zip(old_numbers, new_numbers, strict=True):
        if old == new:
            continue
        for old_form, new_form in ((old, new), (_swap_separators(old), _swap_separators(new))):
            pattern = re.compile(rf"(?<![\d.,]){re.escape(old_form)}(?![\d]|[.,]\d)")
            hits = list(pattern.finditer(target))
            if len(hits) == 1:
                spans.append((hits[0].start(), hits[0].end(), new_form))
                break
        else:
            return None
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
        return None
    out, pos = [], 0
    for start, end, text in spans:
        out.append(target[pos:start] + text)
        pos = end
    return "".join(out) + target[pos:]
