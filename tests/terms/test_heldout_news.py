"""The out-of-grammar held-out set (tests/data/heldout_news.tsv) covers the glossary.

The set is hand-written news German that the test models never saw (neither
in the grammar of tools/de_en_grammar.py nor in training).  Its purpose is to
measure enforcement where the engine does not know the sentences, so every
concept must occur often enough and in varied forms.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "tests" / "data" / "heldout_news.tsv"
HELDOUT = ROOT / "tests" / "data" / "heldout.tsv"


def _matches():
    from transkit.evaluate import read_test_set
    from transkit.terms.glossary import load_glossaries
    from transkit.terms.match import TermMatcher

    glossary = load_glossaries([ROOT / "glossary"])
    matcher = TermMatcher.from_glossary(glossary)
    pairs = read_test_set(NEWS)
    return glossary, pairs, [matcher.find(p.de) for p in pairs]


def test_news_set_is_large_and_unique() -> None:
    _, pairs, _ = _matches()
    sentences = [p.de for p in pairs]
    assert len(sentences) >= 100
    assert len(set(sentences)) == len(sentences), "duplicate sentences"


def test_every_concept_occurs_at_least_twice() -> None:
    glossary, _, found = _matches()
    per_concept: dict[str, list[str]] = defaultdict(list)
    for matches in found:
        for m in matches:
            per_concept[m.concept_id].append(m.kind)
    concepts = {c.id for c in glossary.concepts()}
    short = {c: len(per_concept.get(c, [])) for c in concepts if len(per_concept.get(c, [])) < 2}
    assert not short, f"concepts with fewer than 2 occurrences: {short}"
    # At least two of them enforceable (not only inside compounds).
    weak = {c for c in concepts if sum(k != "compound" for k in per_concept[c]) < 2}
    assert not weak, f"concepts without 2 enforceable occurrences: {sorted(weak)}"


def test_forms_are_varied() -> None:
    """Inflections, compounds and coordinations (ellipses) all occur."""
    _, _, found = _matches()
    kinds = Counter(m.kind for matches in found for m in matches)
    assert kinds["inflected"] >= 30, kinds
    assert kinds["compound"] >= 5, kinds
    assert kinds["ellipsis"] >= 1, kinds
    coordinated = sum(
        1 for matches in found for m in matches if "- und " in m.found or m.found.endswith("-")
    )
    assert coordinated >= 3
    inflected_concepts = {
        m.concept_id for matches in found for m in matches if m.kind == "inflected"
    }
    assert len(inflected_concepts) >= 20


def test_news_set_is_outside_the_grammar_and_training() -> None:
    """No sentence comes from the grammar's held-out set or its training corpus."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import de_en_grammar as grammar
    finally:
        sys.path.remove(str(ROOT / "tools"))
    _, pairs, _ = _matches()
    news = {p.de for p in pairs}
    in_grammar = {line.split("\t", 1)[0] for line in HELDOUT.read_text("utf-8").splitlines()}
    assert not news & in_grammar
    corpus = {p.de for p in grammar.generate(20240611, 20_000)}
    assert not news & corpus
