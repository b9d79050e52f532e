"""One segment's English while the repair stages (substitute, re-decode, scrub) work on it."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Draft"]


@dataclass
class Draft:
    """The text so far, and what each stage did to which term.

    ``index`` is the segment's place in the batch; ``frozen`` the length of
    the prefix re-decoding has fixed; ``stages`` and ``replaced`` are keyed
    by check index (the k-th enforceable term): the stage that placed the
    term, and the rendering substitution replaced (named for the report).
    """

    index: int
    text: str
    frozen: int = 0
    stages: dict[int, str] = field(default_factory=dict)
    replaced: dict[int, str] = field(default_factory=dict)
