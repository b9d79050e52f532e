"""Make the engine's English obey the glossary: the checks, and the cheap stages.

For each segment with enforceable terms:

1. **n-best**: ask the engine for n hypotheses and take the highest-scoring one
   that contains every required English term (any approved variant, singular
   or plural, capitalised at the start of a sentence) and no forbidden term.
2. **protected**: otherwise replace each German term by an opaque placeholder
   (``ZQX1`` ...), translate that, and put the approved English back in,
   fixing number, capitals, articles and spacing.  Only an engine trained to
   copy such tokens does this reliably; a real one garbles them, and then
   the output is rejected (a placeholder must come back exactly).
3. Otherwise the segment is marked "failed" with the hypothesis that obeys
   the most terms, and `transkit.enforce.stages` takes over: substitution,
   constrained re-decoding, scrubbing of forbidden terms, flagging.  Its
   `enforce_terms` runs all stages; `rerank_and_protect` here only the first two.

The checks are pure functions over strings and `TermMatch`; only
`rerank_and_protect` talks to an engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from transkit.data import Hypothesis, Segment, TermCheck, TermMatch
from transkit.engine.base import Engine

__all__ = [
    "PLACEHOLDER_PREFIX",
    "enforceable",
    "term_pattern",
    "find_term",
    "find_terms",
    "check_terms",
    "choose_hypothesis",
    "protect_source",
    "restore_placeholders",
    "rerank_and_protect",
]

PLACEHOLDER_PREFIX = "ZQX"
_PLACEHOLDER_RE = re.compile(rf"{PLACEHOLDER_PREFIX}(\d+)")
#: A letter, digit or underscore (Unicode-aware: "ü" and "é" are word characters).
_WORD = r"\w"


def enforceable(term: TermMatch) -> bool:
    """Compounds are reported, not enforced: their English is a different word."""
    return term.kind != "compound" and bool(term.required)


def _singular(word: str) -> str:
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + ("Y" if word[-3].isupper() else "y")
    if re.search(r"(ss|sh|ch|x|z)es$", lower):
        return word[:-2]
    if lower.endswith("s") and not re.search(r"(ss|us|is)$", lower) and len(word) > 3:
        return word[:-1]
    return word


def _inflected(word: str) -> str:
    """A regex for an English word in singular, plural or possessive form."""
    base = _singular(word)
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
        and _singular(term) != term
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
    base = _singular(words[0])
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


def _all_ok(checks: Sequence[TermCheck]) -> bool:
    return all(c.satisfied for c in checks)


def choose_hypothesis(
    hypotheses: Sequence[Hypothesis],
    terms: Sequence[TermMatch],
    accept: Callable[[str, Sequence[TermMatch]], bool] | None = None,
) -> tuple[Hypothesis, tuple[TermCheck, ...]] | None:
    """The highest-scoring hypothesis that satisfies every term (and that
    ``accept`` accepts, e.g. no term doubled), or None."""
    for hyp in sorted(hypotheses, key=lambda h: h.score, reverse=True):
        checks = check_terms(hyp.text, terms)
        if _all_ok(checks) and (accept is None or accept(hyp.text, terms)):
            return hyp, checks
    return None


def protect_source(source: str, terms: Sequence[TermMatch]) -> tuple[str, dict[str, TermMatch]]:
    """Replace each enforceable term span by ``ZQX<n>``; return text and mapping."""
    chosen = sorted((t for t in terms if enforceable(t)), key=lambda t: t.start)
    pieces = []
    mapping: dict[str, TermMatch] = {}
    cursor = 0
    for number, term in enumerate(chosen, start=1):
        if term.start < cursor:
            continue
        token = f"{PLACEHOLDER_PREFIX}{number}"
        pieces.append(source[cursor : term.start])
        pieces.append(token)
        mapping[token] = term
        cursor = term.end
    pieces.append(source[cursor:])
    return "".join(pieces), mapping


def _german_number_change(term: TermMatch) -> int:
    """+1 if the found form is a plural of a singular term, -1 the reverse, else 0."""
    base, found = term.term.lower(), term.found.lower()
    if base == found or term.dnt:
        return 0
    if not term.term.split()[-1][:1].isupper():
        return 0  # German nouns are capitalised; an adjective has no number of its own
    base_last, found_last = base.split()[-1], found.split()[-1]
    if found_last.startswith(base_last):
        extra = found_last[len(base_last) :]
        return 1 if extra in ("n", "en", "e", "er", "nen") else 0
    if base_last.startswith(found_last):
        missing = base_last[len(found_last) :]
        return -1 if missing in ("n", "en", "e", "er", "nen") else 0
    return 0


def _pluralise(word: str) -> str:
    if word.lower().endswith("s"):
        return word
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(sh|ch|x|z)$", word):
        return word + "es"
    return word + "s"


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
    words[-1] = _pluralise(words[-1]) if change > 0 else _singular(words[-1])
    return " ".join(words)


_SENTENCE_START = re.compile(r"^[\s\"'“‘„(\[]*$")


def restore_placeholders(
    text: str, mapping: dict[str, TermMatch], *, allow_missing: bool = False
) -> str | None:
    """Put approved English back for each placeholder; None if one was mangled.

    Every placeholder must come back exactly once; with ``allow_missing`` a
    placeholder the engine dropped is tolerated (the caller then checks that
    the engine translated that term acceptably by itself), but a duplicated or
    unknown one never is.  A term at the start of the sentence gets a capital;
    ``a`` becomes ``an`` before a vowel; spacing around the inserted words is
    tidied.
    """
    found = sorted(int(n) for n in _PLACEHOLDER_RE.findall(text))
    wanted = sorted(int(k[len(PLACEHOLDER_PREFIX) :]) for k in mapping)
    if found != wanted and not (
        allow_missing and len(found) == len(set(found)) and set(found) <= set(wanted)
    ):
        return None

    def substitute(match: re.Match[str]) -> str:
        term = mapping[match.group(0)]
        english = english_for(term)
        before = text[: match.start()]
        if _SENTENCE_START.match(before) and english[:1].islower():
            english = english[0].upper() + english[1:]
        return english

    restored = _PLACEHOLDER_RE.sub(substitute, text)
    restored = re.sub(
        r"\b([Aa])\s+(?=[aeiouAEIOU])(?!(?:uni|use|one|eu)\w*)",
        lambda m: m.group(1) + "n ",
        restored,
    )
    restored = re.sub(r"[ \t]{2,}", " ", restored)
    restored = re.sub(r"\s+([,.;:!?])", r"\1", restored)
    return restored.strip()


def rerank_and_protect(
    segments: Sequence[Segment],
    engine: Engine,
    *,
    num_hypotheses: int = 4,
    progress: Callable[[int], None] | None = None,
    protect: bool = True,
    accept: Callable[[str, Sequence[TermMatch]], bool] | None = None,
) -> list[Segment]:
    """Translate ``segments``; obey the glossary by n-best choice or placeholders.

    ``accept`` is an extra test an n-best hypothesis must pass (the repair
    stage rejects one that doubles a term).  ``protect=False`` skips the
    placeholder pass (for an engine that can be steered by re-decoding
    instead, which costs less and needs no cooperation).

    Segments without enforceable terms get the engine's best hypothesis.
    Each returned segment records its checks (with their stage) and method
    ("nbest", "protected", "failed" or "none" when there was nothing to
    enforce).  A failed segment holds the hypothesis that satisfies the most
    terms (n-best or restored), for `transkit.enforce.stages` to finish.
    """
    sources = [s.source for s in segments]
    with_terms = [any(enforceable(t) for t in s.terms) for s in segments]
    n = max(1, num_hypotheses)
    plain_idx = [i for i, flag in enumerate(with_terms) if not flag]
    term_idx = [i for i, flag in enumerate(with_terms) if flag]
    results: list[Segment | None] = [None] * len(segments)

    def report(done_plain: int, done_terms: int) -> None:
        if progress:
            progress(done_plain + done_terms)

    plain = (
        engine.translate_batch(
            [sources[i] for i in plain_idx],
            num_hypotheses=1,
            **_progress_kw(engine, lambda k: report(k, 0)),
        )
        if plain_idx
        else []
    )
    for i, hyps in zip(plain_idx, plain, strict=True):
        results[i] = replace(
            segments[i], target=hyps[0].text if hyps else "", method="none", checks=()
        )

    nbest = (
        engine.translate_batch(
            [sources[i] for i in term_idx],
            num_hypotheses=n,
            **_progress_kw(engine, lambda k: report(len(plain_idx), k)),
        )
        if term_idx
        else []
    )
    retry: list[int] = []
    best_of: dict[int, Hypothesis] = {}
    nbest_of: dict[int, list[Hypothesis]] = {}
    for i, hyps in zip(term_idx, nbest, strict=True):
        best_of[i] = max(hyps, key=lambda h: h.score) if hyps else Hypothesis("", 0.0)
        nbest_of[i] = sorted(hyps, key=lambda h: h.score, reverse=True)
        chosen = choose_hypothesis(hyps, segments[i].terms, accept)
        if chosen:
            hyp, checks = chosen
            checks = tuple(replace(c, stage="nbest") for c in checks)
            results[i] = replace(segments[i], target=hyp.text, checks=checks, method="nbest")
        else:
            retry.append(i)

    if retry:
        protected = [protect_source(sources[i], segments[i].terms) for i in retry]
        outputs = (
            engine.translate_batch([p[0] for p in protected], num_hypotheses=n)
            if protect
            else [[] for _ in retry]
        )
        for i, (_, mapping), hyps in zip(retry, protected, outputs, strict=True):
            done = None
            ranked = sorted(hyps, key=lambda h: h.score, reverse=True)
            # The fallback: whichever candidate obeys the most terms (n-best first).
            fallback = [(best_of[i].text, "nbest")]
            fallback += [(h.text, "nbest") for h in nbest_of[i]]
            # Every placeholder back first; then hypotheses where the engine dropped
            # a placeholder but rendered that term acceptably itself.
            for allow_missing in (False, True):
                for hyp in ranked:
                    restored = restore_placeholders(hyp.text, mapping, allow_missing=allow_missing)
                    if restored is None:
                        continue
                    checks = check_terms(restored, segments[i].terms)
                    if _all_ok(checks):
                        checks = tuple(replace(c, stage="protected") for c in checks)
                        done = replace(
                            segments[i], target=restored, checks=checks, method="protected"
                        )
                        break
                    if allow_missing:
                        fallback.append((restored, "protected"))
                if done is not None:
                    break
            if done is None:
                scored = [
                    (sum(c.satisfied for c in check_terms(text, segments[i].terms)), -k)
                    for k, (text, _) in enumerate(fallback)
                ]
                target, stage = fallback[-max(scored)[1]]
                checks = tuple(
                    replace(c, stage=stage if c.satisfied else "")
                    for c in check_terms(target, segments[i].terms)
                )
                done = replace(segments[i], target=target, checks=checks, method="failed")
            results[i] = done
    origin = getattr(engine, "name", "engine")
    return [replace(s, origin=origin, state="mt") for s in results if s is not None]


def _progress_kw(engine: Engine, callback: Callable[[int], None]) -> dict[str, object]:
    """Pass ``progress`` only to engines that accept it."""
    import inspect

    try:
        params = inspect.signature(engine.translate_batch).parameters
    except (TypeError, ValueError):
        return {}
    return {"progress": callback} if "progress" in params else {}
