"""Finding a glossary term in English, and the verdict on each term of a segment.

A term is found with inflection of its last word (singular, plural,
possessive), in any case when it is written in lower case, and only as the
head of its phrase ("rare earth" in "rare earth elements" is no "rare
earths").  `check_terms` gives one `TermCheck` per enforceable term: the
approved English is there and no forbidden one.  Every stage judges its
output with these pure functions; `count` counts occurrences with them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from transkit.data import TermCheck, TermMatch
from transkit.enforce.english import singular

__all__ = [
    "enforceable",
    "term_pattern",
    "find_term",
    "find_terms",
    "find_all",
    "check_terms",
    "all_obeyed",
]

#: A letter, digit or underscore (Unicode-aware: "ü" and "é" are word characters).
_WORD = r"\w"


def enforceable(term: TermMatch) -> bool:
    """Compounds are reported, not enforced: their English is a different word."""
    return term.kind != "compound" and bool(term.required)


def _inflected(word: str) -> str:
    """A regex for an English word in singular, plural or possessive form."""
    base = singular(word)
    if base.lower().endswith("y") and len(base) > 2 and base[-2].lower() not in "aeiou":
        stem = re.escape(base[:-1])
        core = f"{stem}(?:[yY]|ies|IES)"
    elif re.search(r"(ss|sh|ch|x|z)$", base.lower()):
        core = f"{re.escape(base)}(?:es|ES)?"
    else:
        core = f"{re.escape(base)}(?:s|S)?"
    return core + r"(?:['’]s|['’])?"


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """Regex finding an English term with inflection of its last word.

    All-lowercase terms match in any case (a sentence may start with them);
    terms with capitals (names, Declaration of Independence) must keep them,
    except that the first letter may differ.
    """
    words = term.split()
    if not words:
        return re.compile(r"(?!x)x")
    lowercase = term == term.lower()
    parts = [re.escape(w) for w in words[:-1]] + [_inflected(words[-1])]
    first = words[0][0]
    if not lowercase and first.isalpha():
        # The first letter may change case (sentence start, title case).
        parts[0] = f"[{first.lower()}{first.upper()}]" + parts[0][len(re.escape(first)) :]
    body = r"[\s\u00A0-]+".join(parts)
    pattern = rf"(?<!{_WORD}){body}(?!{_WORD})"
    return re.compile(pattern, re.IGNORECASE if lowercase else 0)


#: Words that may follow a common-noun term without making it a modifier:
#: "the supply chain is", but not "the supply chain resilience".
_AFTER_HEAD = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "with",
        "by",
        "as",
        "than",
        "that",
        "which",
        "who",
        "whose",
        "whom",
        "where",
        "when",
        "while",
        "because",
        "if",
        "so",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "not",
        "also",
        "remain",
        "remains",
        "remained",
        "become",
        "becomes",
        "became",
        "grow",
        "grows",
        "grew",
        "rise",
        "rises",
        "rose",
        "fall",
        "falls",
        "fell",
        "play",
        "plays",
        "played",
        "face",
        "faces",
        "faced",
        "need",
        "needs",
        "needed",
        "its",
        "their",
        "his",
        "her",
        "our",
        "this",
        "these",
        "those",
        "into",
        "onto",
        "over",
        "under",
        "between",
        "among",
        "against",
        "about",
        "after",
        "before",
        "during",
        "until",
        "since",
        "through",
        "without",
        "within",
        "across",
        "toward",
        "towards",
        "per",
        "via",
    ]
)
_NEXT_WORD = re.compile(r"[ \t\u00A0]+([A-Za-z]+)")


def _accept(text: str, term: str, match: re.Match[str]) -> bool:
    """False for a singular modifier of a plural common noun ("rare earth elements")."""
    if (
        term == term.lower()
        and singular(term) != term
        and not match.group(0).endswith(("s", "S", "'", "’"))
    ):
        following = _NEXT_WORD.match(text, match.end())
        if following and following.group(1).lower() not in _AFTER_HEAD:
            return False
    return True


@lru_cache(maxsize=4096)
def _literal_key(term: str) -> str:
    """The lower-case text every match of `term_pattern` (term) starts with.

    A match begins with the term's first word, or for a one-word term with the
    singular stem its inflections share ("countr" for "country"); finding that
    key with ``str.find`` is far cheaper than running the regex at every
    position, so long targets are scanned once per distinct term.
    """
    words = term.split()
    if not words:
        return ""
    if len(words) > 1:
        return words[0].lower()
    base = singular(words[0])
    if base.lower().endswith("y") and len(base) > 2 and base[-2].lower() not in "aeiou":
        base = base[:-1]
    return base.lower()


def _find_in(text: str, lowered: str | None, term: str) -> re.Match[str] | None:
    key = _literal_key(term)
    if lowered is None or not key:
        # Lower-casing changed the length (rare letters): scan with the regex.
        for match in term_pattern(term).finditer(text):
            if _accept(text, term, match):
                return match
        return None
    pos = lowered.find(key)
    # The pattern is compiled only for a text that may hold the term: most
    # checks are of terms an output lacks, and compiling costs more than finding.
    pattern = term_pattern(term) if pos >= 0 else None
    while pattern is not None and pos >= 0:
        match = pattern.match(text, pos)
        if match and _accept(text, term, match):
            return match
        pos = lowered.find(key, pos + 1)
    return None


def _lowered(text: str) -> str | None:
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else None


def find_term(text: str, term: str) -> re.Match[str] | None:
    """The first occurrence of ``term`` (inflected) as the head of its phrase.

    For a plural common noun, a singular occurrence directly followed by
    another content word is a modifier ("rare earth elements" for "rare
    earths") and does not count.
    """
    return _find_in(text, _lowered(text), term)


def find_terms(text: str, terms: Iterable[str]) -> dict[str, re.Match[str] | None]:
    """`find_term` for many terms at once: each distinct term is looked up once.

    The cost is linear in the length of ``text`` however many times a term
    occurs in the segment, which keeps a long unpunctuated paragraph (one
    segment, thousands of term occurrences) as cheap as the same text in
    sentences.
    """
    lowered = _lowered(text)
    found: dict[str, re.Match[str] | None] = {}
    for term in terms:
        if term not in found:
            found[term] = _find_in(text, lowered, term)
    return found


def _forbidden_hits(
    text: str, term: TermMatch, found: dict[str, re.Match[str] | None] | None = None
) -> tuple[str, ...]:
    if found is None:
        found = find_terms(text, term.forbidden)
    return tuple(bad for bad in term.forbidden if bad not in term.required and found.get(bad))


def check_terms(target: str, terms: Sequence[TermMatch]) -> tuple[TermCheck, ...]:
    """One verdict per enforceable term of a segment, in source order."""
    wanted = [t for t in terms if enforceable(t)]
    found = find_terms(target, (v for t in wanted for v in (*t.required, *t.forbidden)))
    checks = []
    for term in wanted:
        hit = next((found[v] for v in term.required if found[v]), None)
        forbidden = _forbidden_hits(target, term, found)
        checks.append(
            TermCheck(
                concept_id=term.concept_id,
                term=term.found or term.term,
                required=term.required,
                satisfied=bool(hit) and not forbidden,
                found=hit.group(0) if hit else "",
                forbidden_found=forbidden,
            )
        )
    return tuple(checks)


def all_obeyed(checks: Sequence[TermCheck]) -> bool:
    """True when every term of a segment is obeyed."""
    return all(c.satisfied for c in checks)


def find_all(text: str, term: str) -> list[tuple[int, int]]:
    """Every occurrence of ``term`` as `find_term` counts it, left to right."""
    spans = []
    pos = 0
    while pos <= len(text):
        match = find_term(text[pos:], term)
        if not match:
            break
        spans.append((pos + match.start(), pos + match.end()))
        pos += max(match.end(), 1)
    return spans
