"""The engine interface every backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from transkit.data import Hypothesis

if TYPE_CHECKING:
    from transkit.engine.align import WordAlignment

__all__ = ["Engine", "ConstrainedEngine", "can_constrain"]


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


@runtime_checkable
class ConstrainedEngine(Engine, Protocol):
    """An engine that can also be steered: terminology repair needs both.

    ``complete_batch`` translates each source with the English forced to
    begin with its prefix (exactly as given) and lets the model finish the
    sentence; hypotheses hold the whole sentence, prefix included, best first.
    An empty list means the engine could not do it for that source.
    ``align_batch`` says which target words render which source words, for a
    given translation (see `transkit.engine.align`); None where it cannot.
    """

    def complete_batch(
        self, sources: Sequence[str], prefixes: Sequence[str], *, num_hypotheses: int = 1
    ) -> list[list[Hypothesis]]: ...

    def align_batch(
        self, sources: Sequence[str], targets: Sequence[str]
    ) -> list[WordAlignment | None]: ...


def can_constrain(engine: object) -> bool:
    """True when ``engine`` offers prefix-forced decoding and alignment."""
    return callable(getattr(engine, "complete_batch", None)) and callable(
        getattr(engine, "align_batch", None)
    )
