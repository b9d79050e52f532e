"""Shared XLIFF helpers: target term spans stay exact and cheap on long targets."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from transkit.data import TermCheck
from transkit.formats.xliff_common import find_target_terms


def _reference(target: str, checks: list[TermCheck]) -> tuple[tuple[int, int, TermCheck], ...]:
    """The old quadratic search: rescan the target for every check."""
    taken: list[tuple[int, int, TermCheck]] = []
    for check in checks:
        if not check.satisfied:
            continue
        hit = None
        for bounded in (True, False):
            for cand in [c for c in (check.found, *check.required) if c and c.strip()]:
                pattern = re.escape(cand)
                if bounded:
                    pattern = rf"(?<!\w){pattern}(?!\w)"
                for m in re.finditer(pattern, target, re.IGNORECASE):
                    if all(m.end() <= s or m.start() >= e for s, e, _ in taken):
                        hit = (m.start(), m.end(), check)
                        break
                if hit:
                    break
            if hit:
                break
        if hit:
            taken.append(hit)
    return tuple(sorted(taken, key=lambda t: t[0]))


_CHECKS = [
    TermCheck("c1", "Peking", ("Beijing",), True, "Beijing"),
    TermCheck("c2", "seltene Erden", ("rare earths", "rare earth"), True, ""),
    TermCheck("c3", "Erden", ("earths",), True, "earths"),
    TermCheck("c4", "Zoll", ("tariff",), False),
]
_WORDS = ["Beijing", "beijing", "rare", "earths", "earth", "Beijingers", "tariff", "and", "x"]


@given(
    st.lists(st.sampled_from(_WORDS), max_size=25),
    st.lists(st.sampled_from(_CHECKS), max_size=12),
)
def test_find_target_terms_matches_the_plain_search(words: list[str], checks: list) -> None:
    target = " ".join(words)
    assert find_target_terms(target, checks) == _reference(target, checks)


def test_repeated_terms_each_get_their_own_span() -> None:
    target = "Beijing and Beijing " * 3000
    spans = find_target_terms(target, [_CHECKS[0]] * 6000)
    assert len(spans) == 6000
    assert all(target[s:e] == "Beijing" for s, e, _ in spans)
