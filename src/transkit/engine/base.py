"""The engine interface every backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from transkit.data import Hypothesis

__all__ = ["Engine"]


@runtime_checkable
class Engine(Protocol):
    """A batch of German sentences in, n-best English hypotheses out.

    ``translate_batch`` returns one list per input, best first, each of
    length ``num_hypotheses`` (or fewer when the decoder finds fewer).
    """

    name: str

    def translate_batch(
        self, sources: Sequence[str], *, num_hypotheses: int = 1
    ) -> list[list[Hypothesis]]: ...
