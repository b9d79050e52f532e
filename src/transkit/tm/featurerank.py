"""Which units share the most index features with a query: one ranking for both stores.

The folder memory's SQLite index and the PostgreSQL memory's cached posting
lists hand the query's posting lists (unit ids per feature) and the
per-unit feature counts and lengths to `best_by_features`; both therefore
pick the same candidates, which rapidfuzz then scores (`transkit.tm.lookup`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["COMMON", "MIN_SHARED", "best_by_features"]

#: Features in more than this share of the units are not counted (assumed shared).
COMMON = 1.0
#: Candidates share at least this fraction of the query's features.
MIN_SHARED = 0.2


def best_by_features(
    arrays: Sequence[Any],
    wanted: int,
    nfeat: Any,
    chars: Any,
    length: int,
    min_score: float,
    limit: int,
) -> list[int]:
    """Ids of up to ``limit`` units ranked by the Dice coefficient of their feature sets.

    ``arrays`` are the posting lists (numpy id arrays, ids unique within
    each) of the query's ``wanted`` distinct features; ``nfeat`` and
    ``chars`` are per-unit feature counts and lengths indexed by id (a
    count of 0 marks a deleted unit).  Units sharing under `MIN_SHARED` of
    the query's features, or too much shorter or longer than ``length`` to
    reach ``min_score`` (a ``fuzz.ratio`` score), are left out.
    """
    import numpy as np

    if not arrays:
        return []
    limit_df = COMMON * len(nfeat)
    rare = [a for a in arrays if len(a) <= limit_df]
    common = len(arrays) - len(rare)
    if rare and common:
        arrays = rare  # a word in most units tells little apart and costs the most
    else:
        common = 0
    shared = np.zeros(len(nfeat), dtype=np.uint16)
    for ids in arrays:  # ids are unique within one list, so += counts each once
        shared[ids] += 1
    need = max(1, int(wanted * MIN_SHARED) - common)
    hit = np.flatnonzero(shared >= need)
    hit = hit[nfeat[hit] > 0]  # ids of deleted units have no features
    if min_score > 0 and len(hit):
        lengths = chars[hit].astype(np.float32)
        hit = hit[200.0 * np.minimum(lengths, length) / (lengths + length) >= min_score]
    if not len(hit):
        return []
    dice = (shared[hit].astype(np.float32) + common) / (wanted + nfeat[hit].astype(np.float32))
    k = min(limit, len(hit))
    best = np.argpartition(dice, -k)[-k:] if k < len(hit) else np.arange(len(hit))
    best = best[np.argsort(-dice[best], kind="stable")]
    return [int(i) for i in hit[best]]
