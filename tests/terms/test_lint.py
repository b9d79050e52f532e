"""`glossary lint`: formula warnings, and the batched self-match check agrees with one by one."""

from __future__ import annotations

from pathlib import Path

from transkit.terms.glossary import Glossary, load_glossary
from transkit.terms.lint import _unmatched, lint_glossary
from transkit.terms.match import TermMatcher

HEADER = "id\tde\ten\tstatus\tpos\tdnt\tcase\tdomain\tnote\n"


def test_lint_warns_about_spreadsheet_formulas(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text(
        HEADER
        + "c1\tHalbleiter\t=cmd|' /C calc'!A0\tpreferred\t\t\t\t\t\n"
        + "c2\tZoll\ttariff\tpreferred\t\t\t\t\t+SUM(1)\n"
        + "c3\tMaut\ttoll\tpreferred\t\t\t\t\tharmless note\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in lint_glossary([path])]
    assert any(f"{path}:2: warning: en " in p and "formula" in p for p in problems)
    assert any(f"{path}:3: warning: note '+SUM(1)'" in p for p in problems)
    assert not any(":4:" in p for p in problems)


def test_batched_self_match_agrees_with_one_term_at_a_time(tmp_path: Path) -> None:
    terms = [
        "seltene Erden",
        "Erden",
        "Außen- und Sicherheitspolitik",
        "US-Präsident",
        "(Klammer)",
        "Peking",
        "Straße",
        "-los",
        "Tokio",
        "a",
    ]
    rows = "".join(f"c{i}\t{t}\ten{i}\tpreferred\t\t\t\t\t\n" for i, t in enumerate(terms))
    path = tmp_path / "g.tsv"
    path.write_text(HEADER + rows, encoding="utf-8")
    glossary = load_glossary(path)
    assert isinstance(glossary, Glossary)
    matcher = TermMatcher.from_glossary(glossary)
    one_by_one = [
        (c.id, de)
        for c in glossary.concepts()
        for de in c.de
        if not any(
            m.concept_id == c.id and m.start == 0 and m.end == len(de) for m in matcher.find(de)
        )
    ]
    assert [(c.id, de) for c, de in _unmatched(glossary, matcher)] == one_by_one
    assert one_by_one  # the list holds terms that really do not match themselves
