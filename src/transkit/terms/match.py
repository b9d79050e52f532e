"""Find glossary terms in German text, whatever their inflection.

How a term is found:

* **Tokens.** Text is split into letter/digit tokens; the gap between two
  tokens is a space, a hyphen (``US-Marine``), a suspended hyphen
  (``Außen- und``) or a *barrier* (any punctuation), and no term spans a
  barrier.
* **Keys.** Each token is lower-cased (unless the entry is case-sensitive),
  umlauts are folded (ä->a, so Kirschbaum/Kirschbäume agree), ß becomes ss,
  and inflectional endings are cut by `stem`: steps 1 and 2 of the Snowball
  German stemmer, plus a genitive ``-s`` after a or o (Chinas, Tokios).
  Snowball's step 3 is left out on purpose: it strips derivational suffixes
  (-isch, -lich, -ung, -heit), which would make ``Japan`` match
  ``japanisch``.  simplemma was rejected because it is dictionary-based and
  leaves unknown compounds (``Verteidigungsbudgets``) unlemmatised, and it
  is several times slower.  Keys are cached per token type, so 1 MB/s is
  easy.
* **Automata.** One pyahocorasick automaton over space-separated key
  sequences finds every multi-word term at word boundaries in one pass;
  a second one (only if needed) does the same for case-sensitive entries;
  a third one runs over the folded characters to find terms *inside* longer
  words (compounds).

Kinds: ``exact`` (surface equals the term), ``case`` (only letter case
differs, e.g. at the start of a sentence), ``inflected``, ``compound`` and
``ellipsis``.

Compounds.  ``Seltenerdmagnete``, ``Verteidigungsbudgeterhöhung`` and a term
before a hyphen (``Seltene-Erden-Magnete``) are reported as ``compound``:
their English is a different word, so enforcement skips them.  A term that
is the *last* part of a hyphenated word (``US-Flugzeugträger``) is the head
of that word and is matched as a normal occurrence: "U.S. aircraft carrier"
still contains "aircraft carrier".  Closed compounds are only searched for
terms whose folded stem has at least `MIN_COMPOUND_KEY` letters, and the rest
of the word must be a plausible word part (at least 3 letters, not a
derivational suffix such as -isch): short terms are too often ordinary word
parts (``Erden`` in ``Erdenbürger``, ``Japan`` in ``japanisch``).

Ellipsis.  ``Außen- und Sicherheitspolitik`` matches that term as written,
and also yields ``Außenpolitik`` (kind ``ellipsis``, span ``Außen-``) when
that is a term; ``Exportkontrollen und -beschränkungen`` likewise yields
``Exportbeschränkungen`` (span ``-beschränkungen``).

Overlaps.  Candidates are ranked by length in characters (longest first),
then position (leftmost first), then kind (exact, case, inflected, ellipsis,
compound), then concept id and term; each is kept unless it overlaps one
already kept.  The result is sorted by position.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Any, NamedTuple

from transkit.data import TermMatch
from transkit.terms.glossary import Glossary, gc_paused

__all__ = [
    "MIN_COMPOUND_KEY",
    "KINDS",
    "stem",
    "term_key",
    "tokenize",
    "TermMatcher",
]

#: Shortest folded stem (letters) that is searched for inside longer words.
MIN_COMPOUND_KEY = 6
#: Match kinds, in tie-break order.
KINDS = ("exact", "case", "inflected", "ellipsis", "compound")
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}

_TOKEN_RE = re.compile(r"[^\W_]+")
_ONE_WORD_RE = re.compile(r"[^\W_]+")
_PAIR_RE = re.compile(r"([^\W_]+)([\W_]*)")
_MAYBE_ELLIPSIS = re.compile(r"[-\u2010\u2011]\s|\s[-\u2010\u2011]")
_HYPHENS = "-\u2010\u2011"
_UMLAUTS = str.maketrans("äöüÄÖÜ", "aouAOU")
_VOWELS = frozenset("aeiouy")
_S_ENDING = frozenset("bdfghklmnrt") | frozenset("ao")  # + genitive: Chinas, Tokios
_ST_ENDING = frozenset("bdfghklmnt")
_CONJUNCTIONS = frozenset({"und", "oder", "sowie", "bzw", "beziehungsweise", "als", "wie"})
#: Word endings that are inflection only (the word is the term itself).
_INFLECTION = frozenset({"", "e", "n", "en", "s", "es", "er", "ern", "em", "nen", "ns"})
#: Remainders that turn a term into an ordinary derived word, not a compound.
_DERIVATIONAL = (
    "isch",
    "lich",
    "ig",
    "ung",
    "heit",
    "keit",
    "bar",
    "sam",
    "haft",
    "los",
    "chen",
    "lein",
    "ler",
    "ner",
    "in",
    "ist",
    "ismus",
)

# Gap kinds between two tokens.
_SPACE, _HYPHEN, _SUSPENDED, _REAR, _BARRIER = range(5)


def _r1(word: str) -> int:
    """Snowball R1: after the first non-vowel that follows a vowel, at least 3."""
    n = len(word)
    for i in range(1, n):
        c = word[i]
        prev = word[i - 1]
        if prev in _VOWELS and c not in _VOWELS:
            return max(i + 1, 3)
        # u/y between vowels count as consonants (Snowball prelude)
        if c in "uy" and prev in _VOWELS and i + 1 < n and word[i + 1] in _VOWELS:
            return max(i + 1, 3)
    return n


def stem_length(word: str) -> int:
    """How many leading characters of ``word`` (lower-case, folded) are its stem."""
    r1 = _r1(word)
    end = len(word)
    # Step 1: longest of em ern er | e en es | s (after a valid s-ending).
    w = word
    if w.endswith("ern"):
        cut = 3
    elif w.endswith(("em", "er", "en", "es")):
        cut = 2
    elif w.endswith("e") or w.endswith("s") and len(w) > 1 and w[-2] in _S_ENDING:
        cut = 1
    else:
        cut = 0
    if cut and end - cut >= r1:
        group_b = w[end - cut : end] in ("e", "en", "es")
        end -= cut
        if group_b and w.endswith("niss", 0, end):
            end -= 1
    # Step 2: longest of en er est | st (after a valid st-ending, 3+ letters before).
    w = word[:end]
    if w.endswith("est"):
        cut = 3
    elif w.endswith(("en", "er")) or w.endswith("st") and len(w) > 5 and w[-3] in _ST_ENDING:
        cut = 2
    else:
        cut = 0
    if cut and end - cut >= r1:
        end -= cut
    return end


def _fold(token: str) -> str:
    """Lower-case with umlauts folded; same length as ``token`` where possible."""
    # Three C-level replaces beat str.translate, which maps char by char.
    return token.lower().replace("ä", "a").replace("ö", "o").replace("ü", "u")


def stem(token: str) -> str:
    """The match key of one token: folded, inflection cut, ß -> ss.

    >>> stem("Seltenen"), stem("Lieferketten"), stem("Sicherheitsbündnisses")
    ('selt', 'lieferkett', 'sicherheitsbundnis')
    >>> stem("japanisch") == stem("Japan")
    False
    """
    folded = _fold(token)
    return folded[: stem_length(folded)].replace("ß", "ss")


def _stem_cs(token: str) -> str:
    """Case-preserving key for case-sensitive entries (``USA`` vs ``usa``)."""
    folded = _fold(token)
    cased = token.translate(_UMLAUTS)
    if len(cased) != len(folded):
        return folded[: stem_length(folded)]
    return cased[: stem_length(folded)].replace("ß", "ss")


def tokenize(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, gap_before)`` for every token; gap kinds as in this module."""
    result = []
    prev_end = -1
    for m in _TOKEN_RE.finditer(text):
        start = m.start()
        gap = _BARRIER if prev_end < 0 else _gap_kind(text[prev_end:start])
        result.append((start, m.end(), gap))
        prev_end = m.end()
    return result


def _gap_kind(gap: str) -> int:
    if gap == " ":
        return _SPACE
    if not gap:
        return _BARRIER
    if gap.isspace():
        return _BARRIER if gap.count("\n") > 1 else _SPACE
    if len(gap) == 1:
        return _HYPHEN if gap in _HYPHENS else _BARRIER
    if gap[0] in _HYPHENS and gap[1:].isspace():
        return _SUSPENDED
    if gap[-1] in _HYPHENS and gap[:-1].isspace():
        return _REAR
    return _BARRIER


def term_key(term: str) -> str:
    """The key sequence of a glossary term, e.g. ``seltene Erden`` -> ``selt erd``."""
    return " ".join(stem(term[s:e]) for s, e, _ in tokenize(term))


def _term_keys(term: str, cache: dict[str, tuple[str, int]]) -> tuple[str, str, int]:
    """(match key, compound key, token count) of a case-insensitive term.

    The compound key joins the words without spaces, with adjective endings
    cut from all but the last word and the last word stemmed; it is empty for
    terms that do not form closed compounds (hyphens, ellipses, > 3 words).
    """
    tokens = tokenize(term)
    stems = []
    folded_words = []
    for s, e, _ in tokens:
        word = term[s:e]
        hit = cache.get(word)
        if hit is None:
            folded = _fold(word)
            hit = cache[word] = (folded, stem_length(folded))
        folded_words.append(hit)
        stems.append(hit[0][: hit[1]].replace("ß", "ss"))
    key = " ".join(stems)
    if not tokens or len(tokens) > 3 or any(g != _SPACE for _, _, g in tokens[1:]):
        return key, "", len(tokens)
    parts = []
    for word, _cut in folded_words[:-1]:
        for ending in ("en", "er", "es", "em", "e"):
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
        parts.append(word)
    last, cut = folded_words[-1]
    parts.append(last[:cut])
    return key, "".join(parts), len(tokens)


class _Term(NamedTuple):
    concept_id: str
    term: str
    required: tuple[str, ...]
    forbidden: tuple[str, ...]
    dnt: bool
    ntokens: int


class TermMatcher:
    """Finds every glossary term in German text.  Build once, call `find` often."""

    def __init__(
        self,
        terms: list[_Term],
        ci: Any,
        cs: Any,
        compound: Any,
        single: dict[str, tuple[int, ...]],
    ) -> None:
        self._terms = terms
        self._ci = ci
        self._cs = cs
        self._compound = compound
        self._single = single
        self._ci_cache: dict[str, str] = {}
        self._cs_cache: dict[str, str] = {}
        self._gap_kinds: dict[str, int] = {}
        #: The glossary compiled (English variants by status, for enforcement).
        self.glossary: Glossary | None = None

    @classmethod
    def from_glossary(cls, glossary: Glossary) -> TermMatcher:
        """Compile the glossary's German terms into automata."""

        with gc_paused():
            matcher = cls._build(glossary)
        matcher.glossary = glossary
        return matcher

    @classmethod
    def _build(cls, glossary: Glossary) -> TermMatcher:
        import ahocorasick

        terms: list[_Term] = []
        ci_map: dict[str, list[int]] = {}
        cs_map: dict[str, list[int]] = {}
        comp_map: dict[str, list[int]] = {}
        single: dict[str, list[int]] = {}
        one_word = _ONE_WORD_RE.fullmatch
        cache: dict[str, tuple[str, int]] = {}
        for concept in glossary.concepts():
            required = concept.required
            forbidden = concept.forbidden
            for de in concept.de:
                sensitive = concept.case_sensitive and any(
                    r.case_sensitive for r in concept.entries if r.de == de
                )
                if one_word(de) and not sensitive:
                    # Fast path (most terms): one token, case-insensitive.
                    index = len(terms)
                    terms.append(_Term(concept.id, de, required, forbidden, concept.dnt, 1))
                    folded = _fold(de)
                    ckey = folded[: stem_length(folded)]
                    key = ckey.replace("ß", "ss")
                    ci_map.setdefault(f" {key} ", []).append(index)
                    single.setdefault(key, []).append(index)
                    if len(ckey) >= MIN_COMPOUND_KEY:
                        comp_map.setdefault(ckey, []).append(index)
                    continue
                if sensitive:
                    tokens = tokenize(de)
                    if not tokens:
                        continue
                    index = len(terms)
                    terms.append(
                        _Term(concept.id, de, required, forbidden, concept.dnt, len(tokens))
                    )
                    key = " ".join(_stem_cs(de[s:e]) for s, e, _ in tokens)
                    cs_map.setdefault(f" {key} ", []).append(index)
                    continue
                key, ckey, ntokens = _term_keys(de, cache)
                if not ntokens:
                    continue
                index = len(terms)
                terms.append(_Term(concept.id, de, required, forbidden, concept.dnt, ntokens))
                ci_map.setdefault(f" {key} ", []).append(index)
                if ntokens == 1:
                    single.setdefault(key, []).append(index)
                if len(ckey) >= MIN_COMPOUND_KEY:
                    comp_map.setdefault(ckey, []).append(index)
        return cls(
            terms,
            _automaton(ahocorasick, ci_map),
            _automaton(ahocorasick, cs_map),
            _automaton(ahocorasick, comp_map, terms),
            {k: tuple(v) for k, v in single.items()},
        )

    def __len__(self) -> int:
        return len(self._terms)

    def _split(self, text: str) -> tuple[list[str], list[int], list[int], list[int]] | None:
        """Words, their start/end offsets and gap kinds (``gaps[i]`` precedes word i;
        ``gaps[n]`` is what follows the last word).  Built with list operations,
        since this runs for every token of every segment."""
        first = _TOKEN_RE.search(text)
        if first is None:
            return None
        pairs = _PAIR_RE.findall(text, first.start())
        words = [w for w, _ in pairs]
        after = [g for _, g in pairs]
        starts = list(accumulate([len(w) + len(g) for w, g in pairs], initial=first.start()))
        starts.pop()
        ends = [s + len(w) for s, w in zip(starts, words, strict=True)]
        known = self._gap_kinds
        kinds = [known.get(g) for g in after]
        if None in kinds:
            if len(known) > 10_000:
                known.clear()
            for i, g in enumerate(after):
                if kinds[i] is None:
                    kinds[i] = known[g] = _gap_kind(g)
        return words, starts, ends, [_BARRIER, *kinds]

    def _keys(self, words: list[str], cache: dict[str, str], make: Any) -> list[str]:
        keys = [cache.get(w) for w in words]
        if None in keys:
            if len(cache) > 500_000:
                cache.clear()
            for i, w in enumerate(words):
                if keys[i] is None:
                    keys[i] = cache[w] = make(w)
        return keys

    def find(self, text: str) -> tuple[TermMatch, ...]:
        """Every term occurrence in ``text``, longest match first, sorted by position."""

        with gc_paused():
            return self._find(text)

    def _find(self, text: str) -> tuple[TermMatch, ...]:
        split = self._split(text)
        if split is None:
            return ()
        words, starts, ends, gaps = split
        candidates: list[tuple[int, int, int, str, str, int]] = []
        if self._ci is not None:
            keys = self._keys(words, self._ci_cache, stem)
            self._scan(self._ci, keys, starts, ends, gaps, text, candidates)
        if self._cs is not None:
            keys = self._keys(words, self._cs_cache, _stem_cs)
            self._scan(self._cs, keys, starts, ends, gaps, text, candidates)
        if self._compound is not None:
            self._scan_compounds(text, starts, ends, gaps, candidates)
        if self._single and _MAYBE_ELLIPSIS.search(text):
            self._scan_ellipses(words, starts, ends, gaps, candidates)
        return self._resolve(candidates, text)

    def _scan(
        self,
        automaton: Any,
        keys: list[str],
        starts: list[int],
        ends: list[int],
        gaps: list[int],
        text: str,
        out: list,
    ) -> None:
        seps = [" | " if g == _BARRIER else " " for g in gaps[1:]]
        haystack = " " + "".join(map(str.__add__, keys, seps))
        offsets = list(
            accumulate([len(k) + len(s) for k, s in zip(keys, seps, strict=True)], initial=1)
        )
        n = len(keys)
        terms = self._terms
        for end, (length, indices) in automaton.iter(haystack):
            offset = end - length + 2
            first = bisect_left(offsets, offset, 0, n)
            if first == n or offsets[first] != offset:
                continue
            for index in indices:
                term = terms[index]
                last = first + term.ntokens - 1
                start, stop = starts[first], ends[last]
                found = text[start:stop]
                if gaps[last + 1] == _HYPHEN:
                    kind = "compound"  # modifier of a hyphenated word: Seltene-Erden-Magnete
                elif found == term.term:
                    kind = "exact"
                elif found.lower() == term.term.lower():
                    kind = "case"
                else:
                    kind = "inflected"
                out.append((start, stop, _KIND_RANK[kind], term.concept_id, term.term, index))

    def _scan_compounds(
        self, text: str, starts: list[int], ends: list[int], gaps: list[int], out: list
    ) -> None:
        folded = _fold(text)
        if len(folded) != len(text):
            folded = "".join(_fold(c)[:1] or c for c in text)
        terms = self._terms
        for end, (length, indices, one_word) in self._compound.iter(folded):
            start, stop = end - length + 1, end + 1
            t = bisect_right(starts, start) - 1
            if t < 0:
                continue
            tok_start, tok_end = starts[t], ends[t]
            if stop > tok_end:
                continue
            prefix = start - tok_start
            rest = folded[stop:tok_end]
            if prefix and prefix < 3:
                continue
            if rest in _INFLECTION:
                if one_word and not prefix:
                    continue  # the whole word: the token scan has it already
                # Seltenerden: the term as one word; Atomflugzeugträger: head of a compound.
                kind = "compound" if prefix else "inflected"
                stop = tok_end
            elif len(rest) < 3 or rest.startswith(_DERIVATIONAL):
                continue
            else:
                kind = "compound"
            if gaps[t + 1] == _HYPHEN:
                kind = "compound"  # Lieferketten-Probleme
            for index in indices:
                out.append(
                    (
                        start,
                        stop,
                        _KIND_RANK[kind],
                        terms[index].concept_id,
                        terms[index].term,
                        index,
                    )
                )

    def _scan_ellipses(
        self, words: list[str], starts: list[int], ends: list[int], gaps: list[int], out: list
    ) -> None:
        terms = self._terms
        rank = _KIND_RANK["ellipsis"]
        for i in range(len(words) - 2):
            if gaps[i + 1] == _SUSPENDED and words[i + 1].lower() in _CONJUNCTIONS:
                # Außen- und Sicherheitspolitik: Außen + (politik)
                head = words[i + 2]
                for cut in range(1, len(head) - 2):
                    hits = self._single.get(stem(words[i] + head[cut:]))
                    if hits:
                        for index in hits:
                            out.append(
                                (
                                    starts[i],
                                    ends[i] + 1,
                                    rank,
                                    terms[index].concept_id,
                                    terms[index].term,
                                    index,
                                )
                            )
                        break
            if (
                gaps[i + 1] == _SPACE
                and gaps[i + 2] == _REAR
                and words[i + 1].lower() in _CONJUNCTIONS
            ):
                # Exportkontrollen und -beschränkungen: (Export) + beschränkungen
                first = words[i]
                for cut in range(len(first) - 3, 2, -1):
                    hits = self._single.get(stem(first[:cut] + words[i + 2].lower()))
                    if hits:
                        for index in hits:
                            out.append(
                                (
                                    starts[i + 2] - 1,
                                    ends[i + 2],
                                    rank,
                                    terms[index].concept_id,
                                    terms[index].term,
                                    index,
                                )
                            )
                        break

    def _resolve(self, candidates: list, text: str) -> tuple[TermMatch, ...]:
        if not candidates:
            return ()
        by_start = sorted(set(candidates))
        if all(a[1] <= b[0] for a, b in zip(by_start, by_start[1:], strict=False)):
            kept = by_start  # fast path: nothing overlaps
        else:
            kept = _longest_first(by_start)
        terms = self._terms
        result = []
        for start, stop, rank, _cid, _term, index in kept:
            term = terms[index]
            result.append(
                TermMatch(
                    concept_id=term.concept_id,
                    term=term.term,
                    found=text[start:stop],
                    start=start,
                    end=stop,
                    kind=KINDS[rank],
                    required=term.required,
                    forbidden=term.forbidden,
                    dnt=term.dnt,
                )
            )
        return tuple(result)


def _longest_first(candidates: list[tuple]) -> list[tuple]:
    """Keep the longest candidates that do not overlap (ties: see module docstring)."""
    ranked = sorted(candidates, key=lambda c: (c[0] - c[1], c[0], c[2], c[3], c[4]))
    kept_starts: list[int] = []
    kept: list[tuple] = []
    for cand in ranked:
        start, stop = cand[0], cand[1]
        i = bisect_right(kept_starts, start)
        if i and kept[i - 1][1] > start:
            continue
        if i < len(kept) and kept[i][0] < stop:
            continue
        kept_starts.insert(i, start)
        kept.insert(i, cand)
    return kept


def _automaton(
    module: Any, patterns: dict[str, list[int]], terms: list[_Term] | None = None
) -> Any:
    """An automaton mapping each key to (length, term indices[, all one-word])."""
    if not patterns:
        return None
    automaton = module.Automaton()
    for key, indices in patterns.items():
        if terms is None:
            automaton.add_word(key, (len(key), tuple(indices)))
        else:
            one_word = all(terms[i].ntokens == 1 for i in indices)
            automaton.add_word(key, (len(key), tuple(indices), one_word))
    automaton.make_automaton()
    return automaton
