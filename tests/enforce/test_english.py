"""The English a stage writes (`transkit.enforce.english`)."""

from __future__ import annotations

from transkit.enforce.english import fix_articles


def test_fix_articles() -> None:
    assert fix_articles("a aircraft carrier and an supply chain") == (
        "an aircraft carrier and a supply chain"
    )
    assert fix_articles("A European ally, an hour") == "A European ally, an hour"
