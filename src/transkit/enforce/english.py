"""The English a stage writes: the approved term in the German's number, a/an, capitals.

Placeholders (`protect`), substitution, scrubbing and re-decoding all put an
approved term into a sentence; they shape it here, the same way: plural
where the German (or the rendering replaced) is plural, a possessive kept,
a capital at the start of a sentence, ``a`` and ``an`` fixed before it.
"""

from __future__ import annotations

import re

from transkit.data import TermMatch

__all__ = [
    "SENTENCE_START",
    "singular",
    "pluralise",
    "english_for",
    "fix_articles",
    "replace_at",
]

#: Nothing but spaces, quotes and brackets: the text before a sentence's first word.
SENTENCE_START = re.compile(r"^[\s\"'“‘„(\[]*$")
_ARTICLE_BEFORE = re.compile(r"\b([Aa]n?)(\s+)$")
_VOWEL_SOUND = re.compile(
    r"^(?!(?:uni|use|usu|eu|one|once|u\.)\w*)[aeiou]|^(?:hour|honest|honor)", re.I
)
#: German plural endings (Lieferkette -> Lieferketten, Gipfel -> Gipfeln ...).
_GERMAN_PLURAL = ("n", "en", "e", "er", "nen")


def singular(word: str) -> str:
    """An English noun's singular, by rule (the finder matches both numbers)."""
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + ("Y" if word[-3].isupper() else "y")
    if re.search(r"(ss|sh|ch|x|z)es$", lower):
        return word[:-2]
    if lower.endswith("s") and not re.search(r"(ss|us|is)$", lower) and len(word) > 3:
        return word[:-1]
    return word


def pluralise(word: str) -> str:
    """An English noun's plural, by rule; a word ending in s is left alone."""
    if word.lower().endswith("s"):
        return word
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(sh|ch|x|z)$", word):
        return word + "es"
    return word + "s"


def _german_number_change(term: TermMatch) -> int:
    """+1 if the found form is a plural of a singular term, -1 the reverse, else 0."""
    base, found = term.term.lower(), term.found.lower()
    if base == found or term.dnt:
        return 0
    if not term.term.split()[-1][:1].isupper():
        return 0  # German nouns are capitalised; an adjective has no number of its own
    base_last, found_last = base.split()[-1], found.split()[-1]
    if found_last.startswith(base_last):
        return 1 if found_last[len(base_last) :] in _GERMAN_PLURAL else 0
    if base_last.startswith(found_last):
        return -1 if base_last[len(found_last) :] in _GERMAN_PLURAL else 0
    return 0


def english_for(term: TermMatch) -> str:
    """The approved English for a found German form, in the right number."""
    if term.dnt:
        # The glossary form, not the German inflection: "Japans" -> "Japan".
        return term.required[0] if term.required else term.term
    english = term.required[0]
    change = _german_number_change(term)
    if change == 0:
        return english
    words = english.split()
    words[-1] = pluralise(words[-1]) if change > 0 else singular(words[-1])
    return " ".join(words)


def fix_articles(text: str) -> str:
    """``a`` before a vowel sound becomes ``an`` and ``an`` before a consonant ``a``."""

    def fix(match: re.Match[str]) -> str:
        article, space, word = match.group(1), match.group(2), match.group(3)
        wants_an = bool(_VOWEL_SOUND.match(word))
        new = ("an" if wants_an else "a") if article.lower() in ("a", "an") else article
        if article[0].isupper():
            new = new[0].upper() + new[1:]
        return new + space + word

    return re.sub(r"\b([Aa]n?)(\s+)([A-Za-z][\w.-]*)", fix, text)


def _is_plural(surface: str) -> bool:
    last = re.sub(r"['’]s?$", "", surface.split()[-1]) if surface.split() else ""
    return bool(last) and singular(last) != last


def _shape(english: str, surface: str, term: TermMatch, at_start: bool) -> str:
    """The approved English shaped like the rendering it replaces."""
    words = english.split()
    if not term.dnt and words and _is_plural(surface) and not _is_plural(english):
        words[-1] = pluralise(words[-1])
    out = " ".join(words)
    if re.search(r"s['’]$", surface) or re.search(r"['’]s$", surface):
        out += "'" if out.endswith("s") else "'s"
    if at_start and out[:1].islower():
        out = out[0].upper() + out[1:]
    return out


def replace_at(text: str, start: int, end: int, english: str, term: TermMatch) -> str:
    """``text`` with ``english`` in place of ``text[start:end]``, shaped like it
    (number, possessive, capital), and the article before it fixed."""
    at_start = bool(SENTENCE_START.match(text[:start]))
    new = _shape(english, text[start:end], term, at_start)
    before = text[:start]
    article = _ARTICLE_BEFORE.search(before)
    if article:
        fixed = fix_articles(article.group(0) + new)
        before = before[: article.start()] + fixed[: len(fixed) - len(new)]
    return before + new + text[end:]
