"""Cutting a decode into token-sized batches, the size CTranslate2 forms itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

__all__ = ["completion_cap", "decoding_cap", "token_batches"]

_Item = TypeVar("_Item")


def token_batches(
    items: Sequence[_Item],
    length: Callable[[_Item], int],
    max_tokens: int,
    same: Callable[[_Item], object] | None = None,
) -> Iterator[list[_Item]]:
    """``items`` (sorted by ``length``, shortest first) in consecutive batches
    of at most ``max_tokens`` source tokens, at least one item each.

    One batch is one CTranslate2 call of the size CTranslate2 forms itself
    with ``batch_type="tokens"`` (it sums the lengths too), so each call
    decodes one batch as large as it would choose, its decoding cap follows
    that batch's longest source, and progress advances batch by batch
    (64-sentence calls cost twice the time on a fast model, issue 23).
    Items of length 0 go in batches of their own, for the caller to skip;
    with ``same``, a batch also ends where ``same(item)`` changes (items
    that must share a decoding setting).
    """
    batch: list[_Item] = []
    tokens = 0
    for item in items:
        size = length(item)
        if batch and (
            (size == 0) != (tokens == 0)
            or tokens + size > max_tokens
            or (same is not None and same(item) != same(batch[-1]))
        ):
            yield batch
            batch, tokens = [], 0
        batch.append(item)
        tokens += size
    if batch:
        yield batch


def decoding_cap(longest_source: int, configured: int) -> int:
    """Bound decoding by the batch's longest source, so a degenerate repetition
    loop stops early instead of running to the configured maximum.

    English output rarely needs more than ~1.5x the German pieces; 3x + 16 is
    generous and never binds a sane translation.
    """
    return max(1, min(configured, 3 * longest_source + 16))


def completion_cap(source: int, forced: int, configured: int) -> int:
    """Room for a completion: the forced prefix plus what the rest of the
    source needs.  Tighter than `decoding_cap`, because a small model that
    loops after a forced word would otherwise run to the cap every round."""
    return min(configured + forced, max(forced + 16, int(1.4 * source) + 8))
