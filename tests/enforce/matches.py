"""A `TermMatch` built from a few words, for the enforcement tests."""

from __future__ import annotations

from transkit.data import TermMatch


def term(
    de: str,
    en: str,
    *,
    found: str | None = None,
    start: int = 0,
    kind: str = "exact",
    forbidden: tuple[str, ...] = (),
    admitted: tuple[str, ...] = (),
    dnt: bool = False,
    cid: str = "c1",
) -> TermMatch:
    found = found or de
    return TermMatch(
        concept_id=cid,
        term=de,
        found=found,
        start=start,
        end=start + len(found),
        kind=kind,
        required=(en, *admitted),
        forbidden=forbidden,
        dnt=dnt,
    )
