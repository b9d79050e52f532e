"""The engine interface every backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from transkit.data import Hypothesis

if TYPE_CHECKING:
    from transkit.engine.align import WordAlignment

__all__ = ["Engine", "ConstrainedEngine", "Capabilities", "capabilities_of", "can_constrain"]


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do; enforcement asks this, never the model's name.

    ``nbest``: ``translate_batch`` returns several distinct hypotheses.
    ``prefix_completion``: ``complete_batch`` finishes a forced English prefix.
    ``alignment``: ``align_batch`` links target to source words; ``"attention"``
    (cross-attention pooled per word, noisy), ``"none"`` otherwise.
    ``alignment_heads``: heads of the last layer averaged for that attention
    (the model's ``alignment_heads`` flag; a model trained with guided
    alignment has 1 dedicated head, a converted Marian one is averaged).
    ``one_step_prefix``: a forced prefix may go through the decoder in one step
    (CTranslate2's alternatives mode); False keeps beam search.
    ``source_eos``: the family appends ``</s>`` to every source itself.
    """

    nbest: bool = True
    prefix_completion: bool = True
    alignment: str = "attention"
    alignment_heads: int = 1
    one_step_prefix: bool = False
    source_eos: bool = False


def capabilities_of(engine: object) -> Capabilities:
    """An engine's declared `Capabilities`; for one that declares none, what
    its methods show (n-best only, unless it has ``complete_batch`` and
    ``align_batch``), so test doubles and third-party engines still work."""
    declared = getattr(engine, "capabilities", None)
    if isinstance(declared, Capabilities):
        return declared
    steerable = callable(getattr(engine, "complete_batch", None)) and callable(
        getattr(engine, "align_batch", None)
    )
    return Capabilities(prefix_completion=steerable, alignment="attention" if steerable else "none")


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
    """True when ``engine`` offers prefix-forced decoding and alignment
    (asked of its `Capabilities`)."""
    caps = capabilities_of(engine)
    return caps.prefix_completion and caps.alignment != "none"
