"""Ranking above any `transkit.tm.store.TMStore`: exact and fuzzy matches, scored alike.

A store only finds candidates (SQLite posting lists, PostgreSQL ``pg_trgm``);
the scores, the ranking and the match levels are computed here, once, so
the folder memory and the PostgreSQL memory return the same matches for
the same units.
"""

from __future__ import annotations

from collections.abc import Iterable

from transkit.tm.store import TMStore
from transkit.tm.units import TMMatch, TMUnit, context_key, fix_numbers, normalize

__all__ = ["CANDIDATES", "DEFAULT_THRESHOLD", "rank_exact", "rank_fuzzy"]

#: Default minimum fuzzy score (``--tm-threshold``).
DEFAULT_THRESHOLD = 75.0
#: How many store candidates are scored exactly for a fuzzy lookup.
CANDIDATES = 600


def rank_exact(units: Iterable[TMUnit], prev: str = "", next_: str = "") -> list[TMMatch]:
    """Exact matches, one per distinct target: in-context first, then newest first."""
    want_ctx = context_key(prev, next_)
    best: dict[str, tuple[bool, str, TMUnit]] = {}
    for unit in units:
        in_ctx = bool(want_ctx) and context_key(unit.prev, unit.next) == want_ctx
        current = best.get(unit.target)
        if current is None or (in_ctx, unit.date) > current[:2]:
            best[unit.target] = (in_ctx, unit.date, unit)
    ranked = sorted(best.values(), key=lambda item: (item[0], item[1]), reverse=True)
    return [
        TMMatch(unit, 100.0, "context" if in_ctx else "exact", unit.target)
        for in_ctx, _, unit in ranked
    ]


def rank_fuzzy(
    store: TMStore, source: str, threshold: float = DEFAULT_THRESHOLD, limit: int = 5
) -> list[TMMatch]:
    """Fuzzy matches scoring at least ``threshold`` (rapidfuzz ``fuzz.ratio``), best first.

    Exact copies are left out (they are exact matches); among units with the
    same normalised source and target the best-scored, then newest, is kept.
    """
    from rapidfuzz import fuzz

    query = normalize(source)
    scored = []
    for unit_id, text in store.candidates(source, CANDIDATES, threshold):
        text = normalize(text)
        if text == query:
            continue
        score = fuzz.ratio(query, text, score_cutoff=threshold)
        if score >= threshold and score > 0:
            scored.append((score, unit_id))
    scored.sort(key=lambda item: -item[0])
    scores = {unit_id: score for score, unit_id in scored[: 4 * limit + 8]}
    best: dict[tuple[str, str], tuple[float, TMUnit]] = {}
    for unit_id, unit in store.get(list(scores)):
        key = (normalize(unit.source), unit.target)
        current = best.get(key)
        score = scores[unit_id]
        if current is None or (score, unit.date) > (current[0], current[1].date):
            best[key] = (score, unit)
    ranked = sorted(best.values(), key=lambda item: (item[0], item[1].date), reverse=True)
    matches = []
    for score, unit in ranked[:limit]:
        fixed = fix_numbers(source, unit.source, unit.target)
        if fixed is not None:
            matches.append(TMMatch(unit, round(score, 1), "numbers", fixed))
        else:
            matches.append(TMMatch(unit, round(score, 1), "fuzzy", unit.target))
    return matches
