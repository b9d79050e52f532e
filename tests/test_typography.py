"""German quotation marks become English ones in the target."""

import doctest

import pytest

import transkit.typography
from transkit.typography import english_quotes


def test_doctests() -> None:
    assert doctest.testmod(transkit.typography).failed == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("„neues goldenes Zeitalter“", "“neues goldenes Zeitalter”"),
        ('he said "fundamental" twice', "he said “fundamental” twice"),
        ("»Zitat« und ‚halb‘", "“Zitat” und ‘halb’"),
        ("no quotes here", "no quotes here"),
        ("„unclosed", "„unclosed"),
    ],
)
def test_english_quotes(text: str, expected: str) -> None:
    assert english_quotes(text) == expected
