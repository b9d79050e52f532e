"""German quotation marks become English ones in the target."""

import doctest

import pytest

import transkit.text.typography
from transkit.text.typography import english_quotes, match_initial_case


def test_doctests() -> None:
    assert doctest.testmod(transkit.text.typography).failed == 0


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


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (
            "Lieferketten sind wichtig.",
            "supply chains are important.",
            "Supply chains are important.",
        ),
        ("„Neues Zeitalter“", "“new era”", "“New era”"),
        ("iPhone-Nutzer jubeln.", "iPhone users cheer.", "iPhone users cheer."),
        ("250 Kirschbäume", "250 cherry trees", "250 cherry trees"),
        ("Japan handelt.", "Japan acts.", "Japan acts."),
        ("", "", ""),
    ],
)
def test_match_initial_case(source: str, target: str, expected: str) -> None:
    assert match_initial_case(source, target) == expected
