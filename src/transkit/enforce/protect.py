"""Stage 2, protected: the German terms as placeholders, the approved English put back.

Each German term of a failed segment becomes an opaque placeholder
(``ZQX1`` ...), the engine translates that, and the approved English goes
back in, with number, capitals, articles and spacing fixed.  Only an engine
trained to copy such tokens does this reliably; a real one garbles them, and
then the output is rejected (a placeholder must come back exactly), so the
driver runs this stage only for an engine it cannot steer by re-decoding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from transkit.data import Hypothesis, Segment, TermMatch
from transkit.enforce.english import SENTENCE_START, english_for
from transkit.enforce.find import all_obeyed, check_terms, enforceable
from transkit.engine.base import Engine

__all__ = [
    "PLACEHOLDER_PREFIX",
    "protect_source",
    "restore_placeholders",
    "translate_protected",
]

PLACEHOLDER_PREFIX = "ZQX"
_PLACEHOLDER_RE = re.compile(rf"{PLACEHOLDER_PREFIX}(\d+)")


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
        if SENTENCE_START.match(before) and english[:1].islower():
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


def translate_protected(
    segments: Sequence[Segment], engine: Engine, *, num_hypotheses: int = 4
) -> list[Segment]:
    """Translate every "failed" segment again with placeholders (one batch).

    A segment whose restored translation obeys every term becomes
    "protected"; otherwise it stays "failed", with whichever candidate obeys
    the most terms: its n-best one, or a restored one where the engine
    dropped a placeholder.  Other segments come back as they are.
    """
    out = list(segments)
    retry = [i for i, s in enumerate(out) if s.method == "failed"]
    if not retry:
        return out
    protected = [protect_source(out[i].source, out[i].terms) for i in retry]
    outputs = engine.translate_batch(
        [text for text, _ in protected], num_hypotheses=max(1, num_hypotheses)
    )
    for i, (_, mapping), hyps in zip(retry, protected, outputs, strict=True):
        out[i] = _restored(out[i], mapping, hyps)
    return out


def _restored(
    segment: Segment, mapping: dict[str, TermMatch], hyps: Sequence[Hypothesis]
) -> Segment:
    """The best restored hypothesis that obeys every term, else the failed
    segment with the candidate that obeys the most."""
    ranked = sorted(hyps, key=lambda h: h.score, reverse=True)
    partial: list[str] = []
    # Every placeholder back first; then hypotheses where the engine dropped
    # a placeholder but rendered that term acceptably itself.
    for allow_missing in (False, True):
        for hyp in ranked:
            restored = restore_placeholders(hyp.text, mapping, allow_missing=allow_missing)
            if restored is None:
                continue
            checks = check_terms(restored, segment.terms)
            if all_obeyed(checks):
                checks = tuple(replace(c, stage="protected") for c in checks)
                return replace(segment, target=restored, checks=checks, method="protected")
            if allow_missing:
                partial.append(restored)

    # The n-best candidate stands unless a restored one obeys more terms.
    def obeyed(text: str) -> int:
        return sum(c.satisfied for c in check_terms(text, segment.terms))

    best = sum(c.satisfied for c in segment.checks)
    better = [text for text in partial if obeyed(text) > best]
    if not better:
        return segment
    target = max(better, key=obeyed)
    checks = tuple(
        replace(c, stage="protected" if c.satisfied else "")
        for c in check_terms(target, segment.terms)
    )
    return replace(segment, target=target, checks=checks, method="failed")
