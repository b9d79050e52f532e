"""Suggest glossary terms: frequent nouns, compounds and names the glossary lacks.

German capitalises nouns, so a capitalised word that is not a function word
(and not merely capitalised because it starts a sentence) is a noun or a
name.  Runs of capitalised words are names ("Sanae Takaichi", "Vereinigten
Staaten") once common-noun heads ("US-Präsident Donald Trump") and genitive
names ("Einflusses Chinas") are split off.  Inflected forms are grouped
(Lieferkette/Lieferketten) by a lemma (simplemma, when installed) folded with
simple ending stripping, and candidates already in the glossary are dropped
by the same folding.  When Debian's ``trans-de-en`` dictionary (Frank
Richter's Ding dictionary) is installed, its English equivalents are shown
with their labels (``[econ.]``, ``[Br.]``...).

Heuristic by nature: a ranked list for a translator to review, not a parser.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = [
    "DEFAULT_DICTIONARY",
    "Candidate",
    "dictionary_available",
    "lookup_dictionary",
    "suggest_terms",
]

#: Where Debian's ``trans-de-en`` package installs the German-English dictionary.
DEFAULT_DICTIONARY = Path("/usr/share/trans/de-en")

_KIND_WEIGHT = {"name": 1.5, "compound": 1.3, "noun": 1.0}
_COMPOUND_LENGTH = 12
_MIN_NOUN_LENGTH = 4
_MAX_NAME_WORDS = 4
_ENDINGS = ("en", "er", "es", "e", "n", "s")
_NOUN_SUFFIXES = tuple(
    """
    ung ungen heit heiten keit keiten schaft schaften tion tionen tät täten ismus nis nisse
    tum ment ments erin erinnen chef chefin
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_STOP_WORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an andere anderem anderen anderer anderes
    angesichts anhand ans anschließend anstatt april auch auf aufgrund august aus außer
    außerdem bald bei beide beiden beider beim bereits besonders bis bisher bislang bitte
    bloß da dabei dadurch dafür dagegen daher damals damen damit danach daneben dank dann
    daran darauf daraus darin darum darunter darüber das dass davon davor dazu dazwischen
    dein deine deinem deinen deiner dem demnach den denen denn dennoch der deren derer des
    deshalb dessen desto deswegen dezember dich die dienstag dies diese diesem diesen dieser
    dieses doch donnerstag dort dorthin du durch eben ebenfalls ebenso ehe eher eigentlich
    ein eine einem einen einer eines einige einigen einiger einiges einmal einst entweder er
    erst erstens es etwa etwas euch euer eure falls fast februar ferner folglich frau
    freitag für gar gegen gegenüber gemäß genau gerade gern gestern gleich gleichzeitig habe
    haben hast hat hatte hatten herr herren heute hier hierbei hierzu hingegen hinter ich
    ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im immer in indem infolge innerhalb ins
    insbesondere inzwischen irgendwie ist ja januar je jede jedem jeden jeder jedes jedoch
    jemals jene jenem jenen jener jenes jetzt juli juni kann kaum kein keine keinem keinen
    keiner keines können könnte laut lediglich mai man manche manchem manchen mancher
    manches mehr mehrere mein meine meinem meinen meiner meist meistens mich mir mit mithin
    mittels mittwoch montag morgen muss musste märz möglicherweise nach nachdem nahezu neben
    nein nicht nichts nie niemals noch november nun nur ob obwohl oder ohne oktober per
    samstag schließlich schon sehr sei seid sein seine seinem seinen seiner seines seit
    seitdem seitens selbst september sich sie sind so sodass sofern sogar solche solchem
    solchen solcher solches soll sollen sollte sondern sonntag sonst sowie sowohl später
    statt stets trotz trotzdem um und uns unser unsere unter unterdessen viel viele vielen
    vieler vom von vor vorher wann war waren warum was weder wegen weil weiter weiterhin
    welche welchem welchen welcher welches wenige wenigen wenn wenngleich wer werde werden
    wessen wie wieder wiederum will wir wird wo wobei wodurch wohl worauf wurde wurden
    während zudem zufolge zugleich zuletzt zum zumal zunächst zur zusammen zuvor zwar
    zwischen
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_WORD = re.compile(r"[^\W\d_][\w-]*")
_SENTENCE_BREAK = re.compile(r"(?<=[^\d\s][.!?])[\"“”»«„'’)\]]*\s+|(?<=[:;])\s+|\n\s*")


@dataclass(frozen=True)
class Candidate:
    """A suggested glossary term, its surface forms and dictionary equivalents."""

    term: str
    count: int
    kind: str  # "noun" | "compound" | "name"
    score: float
    forms: tuple[str, ...] = ()
    english: tuple[tuple[str, str], ...] = field(default=())


# ------------------------------------------------------------- dictionary
def dictionary_available(path: Path = DEFAULT_DICTIONARY) -> bool:
    """True when the trans-de-en dictionary file exists and can be read."""
    try:
        with Path(path).open("rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


def _split_top(text: str, separator: str) -> list[str]:
    """Split at ``separator`` outside brackets (``(a; b) c; d`` -> 2 parts)."""
    parts, depth, start, i = [], 0, 0, 0
    n = len(separator)
    while i < len(text):
        char = text[i]
        if char in "([{<":
            depth += 1
        elif char in ")]}>":
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            i += n
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


_LABEL = re.compile(r"\[([^\]]+)\]")
_ANNOTATION = re.compile(r"\{[^{}]*\}|\[[^\[\]]*\]|<[^<>]*>|(?<!\S)/[^/\s][^/]*/(?!\S)")
_PAREN = re.compile(r"\([^()]*\)")
#: Ding labels for register and region, which qualify one alternative only.
_REGISTER_LABELS = frozenset(
    """
    AE Am. Austr. BE Bayr. Br. Can. Dt. Ind. Ir. Lie. Lux. Mitteldt. Mittelwestdt. NZ
    Norddt. Nordwestdt. Ostdt. Ostös. Sc. Schw. Schwäb. Sächs. Süddt. Südtirol Südwestdt.
    Westdt. Westös. alt archaic coll. fig. formal geh. humor. neu obs. pej. poet. rare
    selten slang ugs. veraltet vulg. Ös. übtr.
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def _clean(text: str, *, keep_parens: bool) -> str:
    text = _ANNOTATION.sub(" ", text)
    if not keep_parens:
        previous = None
        while previous != text:
            previous, text = text, _PAREN.sub(" ", text)
    return " ".join(text.split())


def _labels(text: str) -> list[str]:
    return [f"[{label}]" for label in _LABEL.findall(text)]


def _parse_line(line: str):
    """Yield (German alternatives, [(English, labels)]) per ``|`` sub-entry of a line.

    Each German alternative keeps its own labels; subject labels (``[econ.]``)
    of the first sub-entry apply to the whole line, register and region labels
    (``[ugs.]``, ``[Ös.]``) only to the alternative they follow.
    """
    german, _, english = line.partition(" :: ")
    de_parts = _split_top(german, " | ")
    en_parts = _split_top(english, " | ")
    line_labels = [label for label in _labels(de_parts[0]) if label[1:-1] not in _REGISTER_LABELS]
    for de_part, en_part in zip(de_parts, en_parts, strict=False):
        de_alts = []
        for alt in _split_top(de_part, "; "):
            de_alts.append((_clean(alt, keep_parens=False), _labels(alt)))
        english_alts = []
        for alt in _split_top(en_part, "; "):
            word = _clean(alt, keep_parens=True)
            if word:
                english_alts.append((word, _labels(alt)))
        yield de_alts, line_labels, english_alts


def lookup_dictionary(
    words: Iterable[str], path: Path = DEFAULT_DICTIONARY
) -> dict[str, list[tuple[str, str]]]:
    """English equivalents and labels for each German word found in the dictionary.

    Scans the file once with an Aho-Corasick automaton over all ``words`` and
    parses only the lines where one appears as a German headword or
    alternative.  A missing file gives an empty result.
    """
    import ahocorasick

    wanted = {w for w in words if w and w.strip()}
    result: dict[str, list[tuple[str, str]]] = {}
    if not wanted:
        return result
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return result
    automaton = ahocorasick.Automaton()
    for word in wanted:
        automaton.add_word(word, word)
    automaton.make_automaton()

    lines_done: set[int] = set()
    ranked: dict[str, list[tuple[int, int, tuple[str, str]]]] = {}
    for end, word in automaton.iter(text):
        start = end - len(word) + 1
        before = text[start - 1] if start else " "
        after = text[end + 1] if end + 1 < len(text) else " "
        if before.isalnum() or before == "-" or after.isalnum() or after == "-":
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if line_start in lines_done:
            continue
        line_end = text.find("\n", end)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if line.startswith("#") or start - line_start > line.find(" :: "):
            continue
        lines_done.add(line_start)
        for de_alts, line_labels, english in _parse_line(line):
            for position, (alternative, alt_labels) in enumerate(de_alts):
                if alternative not in wanted:
                    continue
                for word, en_labels in english:
                    labels = " ".join(dict.fromkeys(line_labels + alt_labels + en_labels))
                    hit = (position, line_start, (word, labels))
                    ranked.setdefault(alternative, []).append(hit)
    for word, hits in ranked.items():
        hits.sort(key=lambda hit: (hit[0], hit[1]))
        result[word] = list(dict.fromkeys(pair for _p, _s, pair in hits))
    return result


# ------------------------------------------------------------- candidates
@lru_cache(maxsize=1)
def _lexicon():
    """simplemma's German lemmatiser, or None when simplemma is not installed."""
    try:
        import simplemma
    except ImportError:  # pragma: no cover - simplemma is in the test environment
        return None
    return simplemma


def _lemma(word: str) -> str:
    lex = _lexicon()
    return lex.lemmatize(word, lang="de") if lex else word


def _known(word: str) -> bool | None:
    lex = _lexicon()
    return lex.is_known(word, lang="de") if lex else None


def _fold(word: str) -> str:
    """Lower-case and strip one common German ending (Lieferketten -> lieferkett)."""
    low = word.lower()
    for ending in _ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 3:
            return low[: -len(ending)]
    return low


def _keys(words: list[str]) -> set[tuple[str, ...]]:
    """Comparison keys of a (multi-)word term: plain folding and lemma folding."""
    return {tuple(_fold(w) for w in words), tuple(_fold(_lemma(w)) for w in words)}


def _nounish(word: str) -> bool:
    """A common-noun shape: hyphenated, long compound or a typical noun suffix."""
    low = word.lower()
    return "-" in word or len(word) >= _COMPOUND_LENGTH or low.endswith(_NOUN_SUFFIXES)


@dataclass
class _Token:
    text: str
    start: int
    end: int
    initial: bool


def _sentences(text: str) -> list[tuple[int, str]]:
    result, position = [], 0
    for match in _SENTENCE_BREAK.finditer(text):
        result.append((position, text[position : match.start()]))
        position = match.end()
    result.append((position, text[position:]))
    return [(offset, s) for offset, s in result if s.strip()]


def _tokens(offset: int, sentence: str) -> list[_Token]:
    tokens = []
    for match in _WORD.finditer(sentence):
        word = match.group()
        if word.endswith("-") or any(c.isdigit() for c in word):
            # "Außen-" in "Außen- und Sicherheitspolitik" is no term by itself.
            tokens.append(_Token("", offset + match.start(), offset + match.end(), False))
            continue
        tokens.append(_Token(word, offset + match.start(), offset + match.end(), not tokens))
    return tokens


def _is_stop(word: str) -> bool:
    return word.lower() in _STOP_WORDS


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and word.isalpha()


def _sentence_initial_noun(word: str, capitalised_elsewhere: set[str]) -> bool:
    """Decide whether a capitalised sentence-initial word is a noun or name."""
    if word in capitalised_elsewhere or _acronym(word):
        return True
    lemma = _lemma(word)
    if lemma[:1].islower():
        return False  # the lexicon knows it as an adjective, adverb, verb...
    known = _known(word)
    if known is None:
        return _nounish(word)
    return True


class _Collector:
    """Occurrences grouped by key: forms, count, kind."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, ...], dict] = {}

    def add(self, key: tuple[str, ...], surface: str, kind: str) -> None:
        group = self.groups.setdefault(key, {"forms": {}, "kind": kind})
        group["forms"][surface] = group["forms"].get(surface, 0) + 1
        if _KIND_WEIGHT[kind] > _KIND_WEIGHT[group["kind"]]:
            group["kind"] = kind


def _name_runs(
    tokens: list[_Token], text: str, genitives: set[str], capitalised_elsewhere: set[str]
) -> list[list[_Token]]:
    """Runs of 2+ adjacent capitalised words that look like one proper name."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []

    def flush() -> None:
        run = list(current)
        while run and (
            _nounish(run[0].text)
            or (run[0].initial and not _sentence_initial_noun(run[0].text, capitalised_elsewhere))
        ):
            run.pop(0)
        if 2 <= len(run) <= _MAX_NAME_WORDS:
            runs.append(run)
        current.clear()

    previous: _Token | None = None
    for token in tokens:
        word = token.text
        joined = previous is not None and text[previous.end : token.start] == " "
        capital = bool(word) and word[0].isupper() and not _is_stop(word)
        if capital and word in genitives:
            flush()  # "Einflusses Chinas": the genitive name ends the run
            previous = None
            continue
        if not capital or not joined:
            flush()
        if capital:
            current.append(token)
        previous = token
    flush()
    return runs


def _glossary_keys(glossary) -> set[tuple[str, ...]]:
    entries = getattr(glossary, "entries", glossary) or ()
    keys: set[tuple[str, ...]] = set()
    for entry in entries:
        words = _WORD.findall(entry.de)
        if words:
            keys |= _keys(words)
    return keys


def _covered_by_matcher(text: str, glossary) -> Counter[str]:
    """How often each lower-cased word occurs inside non-compound glossary matches.

    Uses the same matcher as translation, so inflected forms the simple key
    comparison misses (Sicherheitsbündnisses) are not suggested again.
    """
    covered: Counter[str] = Counter()
    if not hasattr(glossary, "concepts"):
        return covered
    from transkit.terms.match import TermMatcher

    for match in TermMatcher.from_glossary(glossary).find(text):
        if match.kind == "compound":
            continue
        words = [w.lower() for w in _WORD.findall(match.found)]
        covered.update(words)
        if len(words) > 1:
            covered[match.found.lower()] += 1
    return covered


def suggest_terms(
    text: str,
    glossary,
    *,
    limit: int = 50,
    dictionary: Path | None = DEFAULT_DICTIONARY,
) -> list[Candidate]:
    """Rank nouns, compounds and names in German ``text`` that ``glossary`` lacks.

    ``glossary`` is anything with ``.entries`` (`GlossaryEntry` rows), a list
    of rows, or None.  ``dictionary`` is the trans-de-en file to look English
    equivalents up in; None, or a missing file, leaves ``english`` empty.
    """
    sentences = [_tokens(offset, s) for offset, s in _sentences(text)]
    all_tokens = [t for sentence in sentences for t in sentence if t.text]
    capitalised_elsewhere = {t.text for t in all_tokens if not t.initial and t.text[0].isupper()}
    lower_words = {t.text for t in all_tokens if t.text[0].islower()}
    genitives = {
        w
        for w in capitalised_elsewhere
        if w.endswith("s") and w[:-1] in {t.text for t in all_tokens}
    }

    collector = _Collector()
    for tokens in sentences:
        in_names: set[int] = set()
        for run in _name_runs(tokens, text, genitives, capitalised_elsewhere):
            words = [t.text for t in run]
            key = tuple(_fold(_lemma(w)) for w in words)
            collector.add(key, " ".join(words), "name")
            in_names.update(id(t) for t in run)
        for token in tokens:
            word = token.text
            if not word or id(token) in in_names or not word[0].isupper() or _is_stop(word):
                continue
            if word.lower() in lower_words and not _acronym(word):
                continue  # also written in lower case: not a noun ("Neues"/"neues")
            if token.initial and not _sentence_initial_noun(word, capitalised_elsewhere):
                continue
            if _acronym(word) or (_known(word) is False and not _nounish(word)):
                kind = "name"
            elif "-" in word or len(word) >= _COMPOUND_LENGTH:
                kind = "compound"
            else:
                kind = "noun"
            if kind == "noun" and len(word) < _MIN_NOUN_LENGTH:
                continue
            if word in genitives and word[:-1] in capitalised_elsewhere | {
                t.text for t in all_tokens
            }:
                key = (_fold(_lemma(word[:-1])),)  # Japans -> Japan
            else:
                key = (_fold(_lemma(word)),)
            collector.add(key, word, kind)

    known = _glossary_keys(glossary)
    covered = _covered_by_matcher(text, glossary)
    candidates = []
    for key, group in collector.groups.items():
        forms: dict[str, int] = group["forms"]
        form_keys = set().union(*(_keys(f.split(" ")) for f in forms))
        if key in known or form_keys & known:
            continue
        if covered and all(n <= covered[f.lower()] for f, n in forms.items()):
            continue  # every occurrence is (part of) a glossary term the matcher finds
        count = sum(forms.values())
        lemmas = {_lemma(f) for f in forms} if " " not in next(iter(forms)) else set()
        term = min(forms, key=lambda f: (f in genitives, f not in lemmas, -forms[f], len(f), f))
        kind = group["kind"]
        score = (1 + math.log(count)) * _KIND_WEIGHT[kind] * (1 + min(len(term), 24) / 24)
        candidates.append(
            Candidate(
                term=term,
                count=count,
                kind=kind,
                score=round(score, 3),
                forms=tuple(sorted(forms, key=lambda f: (-forms[f], f))),
            )
        )
    candidates.sort(key=lambda c: (-c.score, -c.count, c.term))
    candidates = candidates[: max(0, limit)]
    if dictionary is not None and candidates and dictionary_available(dictionary):
        candidates = _with_english(candidates, dictionary)
    return candidates


def _lookup_words(candidate: Candidate) -> list[str]:
    """Words to look up, best first: the lemma, then each form, then name variants."""
    words: list[str] = []
    for form in candidate.forms:
        parts = form.split(" ")
        if len(parts) == 1:
            words.extend([_lemma(form), form])
        else:
            words.append(form)
            first = parts[0]
            if first.endswith("en"):  # "Vereinigten Staaten" -> "Vereinigte Staaten"
                words.append(" ".join([first[:-1], *parts[1:]]))
    return list(dict.fromkeys(words))


def _with_english(candidates: list[Candidate], dictionary: Path) -> list[Candidate]:
    wanted = {c: _lookup_words(c) for c in candidates}
    found = lookup_dictionary({w for words in wanted.values() for w in words}, dictionary)
    result = []
    for candidate in candidates:
        english: list[tuple[str, str]] = []
        for word in wanted[candidate]:
            english.extend(found.get(word, ()))
        english = list(dict.fromkeys(english))[:12]
        result.append(
            Candidate(
                candidate.term,
                candidate.count,
                candidate.kind,
                candidate.score,
                candidate.forms,
                tuple(english),
            )
        )
    return result
