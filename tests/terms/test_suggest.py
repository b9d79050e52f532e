"""Term suggestion on the seed document, with a fixture dictionary and the real one."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from transkit.data import GlossaryEntry
from transkit.terms.suggest import (
    DEFAULT_DICTIONARY,
    Candidate,
    dictionary_available,
    lookup_dictionary,
    suggest_terms,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_12e4bb930a6ea1bf.txt"
DING = Path(__file__).resolve().parents[1] / "data" / "glossary_io" / "ding_sample.txt"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def glossary(*terms: str) -> SimpleNamespace:
    """Anything with ``.entries`` will do (duck-typed like transkit's Glossary)."""
    return SimpleNamespace(
        entries=[GlossaryEntry(f"c{i}", de, de.lower()) for i, de in enumerate(terms)]
    )


def by_term(candidates: list[Candidate]) -> dict[str, Candidate]:
    return {c.term: c for c in candidates}


# ------------------------------------------------------------- seed text
@pytest.mark.parametrize(
    ("term", "kind"),
    [
        ("Exportkontrollen", "compound"),
        ("Lieferketten", "compound"),
        ("Windkraftanlagen", "compound"),
        ("Sanae Takaichi", "name"),
        ("George Washington", "name"),
        ("Donald Trump", "name"),
        ("Vereinigten Staaten", "name"),
        ("USA", "name"),
    ],
)
def test_seed_candidates_include(seed_text, term, kind):
    found = by_term(suggest_terms(seed_text, glossary(), limit=200, dictionary=None))
    assert term in found
    assert found[term].kind == kind


@pytest.mark.parametrize(
    "word",
    [
        "Dabei",
        "Angesichts",
        "Bei",
        "Im",
        "Als",
        "Dies",
        "In",
        "Gleichzeitig",
        "Neues",
        "Einflusses Chinas",
        "Regierungschefin Japans",
        "US-Präsident Donald Trump",
        "Außen",
    ],
)
def test_seed_function_words_and_false_names_are_not_suggested(seed_text, word):
    terms = {c.term for c in suggest_terms(seed_text, None, limit=500, dictionary=None)}
    forms = {f for c in suggest_terms(seed_text, None, limit=500, dictionary=None) for f in c.forms}
    assert word not in terms | forms


@pytest.mark.parametrize(
    ("glossary_term", "suppressed"),
    [
        ("Exportkontrollen", "Exportkontrollen"),
        ("Exportkontrolle", "Exportkontrollen"),  # inflection folding
        ("exportkontrolle", "Exportkontrollen"),  # case-insensitive
        ("Lieferkette", "Lieferketten"),
        ("Vereinigte Staaten", "Vereinigten Staaten"),
        ("Japan", "Japan"),
    ],
)
def test_terms_already_in_the_glossary_are_not_suggested(seed_text, glossary_term, suppressed):
    before = {c.term for c in suggest_terms(seed_text, glossary(), limit=500, dictionary=None)}
    after = {
        c.term
        for c in suggest_terms(seed_text, glossary(glossary_term), limit=500, dictionary=None)
    }
    assert suppressed in before
    assert suppressed not in after
    assert len(before - after) == 1  # nothing else disappears


def test_a_plain_list_of_entries_or_none_is_accepted(seed_text):
    rows = [GlossaryEntry("e", "Exportkontrolle", "export control")]
    assert "Exportkontrollen" not in {c.term for c in suggest_terms(seed_text, rows)}
    assert suggest_terms(seed_text, None, dictionary=None)


def test_ranking_limit_and_genitive_grouping(seed_text):
    candidates = suggest_terms(seed_text, glossary(), limit=10, dictionary=None)
    assert len(candidates) == 10
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)
    china = by_term(suggest_terms(seed_text, None, limit=500, dictionary=None))["China"]
    assert set(china.forms) == {"China", "Chinas"} and china.count == 3
    assert suggest_terms(seed_text, None, limit=0) == []


def test_inflected_forms_are_grouped_and_listed():
    text = "Die Lieferkette ist lang. Viele Lieferketten reißen. Jede Lieferkette braucht Pflege."
    found = by_term(suggest_terms(text, None, dictionary=None))
    assert "Lieferketten" not in found
    chain = found["Lieferkette"]
    assert (chain.count, chain.forms) == (3, ("Lieferkette", "Lieferketten"))


def test_frequency_raises_the_score():
    text = "Der Vertrag gilt. Der Vertrag endet. Der Vertrag wirkt. Die Klausel fehlt."
    found = by_term(suggest_terms(text, None, dictionary=None))
    assert found["Vertrag"].count == 3
    assert found["Vertrag"].score > found["Klausel"].score


# ------------------------------------------------------------ dictionary
def test_fixture_dictionary_lookup_parses_alternatives_labels_and_plural_columns():
    found = lookup_dictionary(
        [
            "Lieferkette",
            "Lieferketten",
            "Windkraftanlage",
            "Windrad",
            "Kooperation",
            "Zusammenarbeit",
            "Vereinigte Staaten",
            "wählen",
            "Nichtda",
        ],
        DING,
    )
    assert found["Lieferkette"] == [("supply chain", "[econ.]"), ("chain of supply", "[econ.]")]
    assert found["Lieferketten"] == [("supply chains", "[econ.]"), ("chains of supply", "[econ.]")]
    # "(bei Windkraftanlage)" in another line is a comment, not a headword.
    assert found["Windkraftanlage"] == [
        ("wind turbine", "[envir.]"),
        ("wind power plant", "[envir.] [Br.]"),
    ]
    assert found["Windrad"][0] == ("wind turbine", "[envir.] [ugs.]")
    assert found["Kooperation"][0] == ("cooperation", "[adm.] [geh.]")
    assert found["Zusammenarbeit"][1] == ("co-operation", "[adm.] [Br.]")
    assert found["Vereinigte Staaten"] == [("United States", "[geogr.]")]
    assert found["wählen"] == [("to elect", "")]
    assert "Nichtda" not in found


def test_missing_dictionary(tmp_path):
    missing = tmp_path / "de-en"
    assert not dictionary_available(missing)
    assert dictionary_available(DING)
    assert lookup_dictionary(["Haus"], missing) == {}
    candidates = suggest_terms("Der Vertrag gilt. Der Vertrag endet.", None, dictionary=missing)
    assert candidates and all(c.english == () for c in candidates)


def test_suggest_shows_fixture_dictionary_english(seed_text):
    found = by_term(suggest_terms(seed_text, None, limit=500, dictionary=DING))
    # The lemma is looked up first, so the singular heads the plural.
    assert found["Lieferketten"].english[0] == ("supply chain", "[econ.]")
    assert ("export controls", "[pol.] [econ.]") in found["Exportkontrollen"].english
    assert found["Vereinigten Staaten"].english == (("United States", "[geogr.]"),)
    assert found["Sanae Takaichi"].english == ()


@pytest.mark.skipif(
    not dictionary_available(DEFAULT_DICTIONARY),
    reason="Debian's trans-de-en is not installed (apt-get install trans-de-en)",
)
def test_real_trans_de_en_dictionary(seed_text):
    start = time.perf_counter()
    found = lookup_dictionary(["Lieferkette", "Abkommen", "Windkraftanlage"])
    elapsed = time.perf_counter() - start
    assert ("supply chain", "[econ.]") in found["Lieferkette"]
    assert any(en == "agreement" for en, _labels in found["Abkommen"])
    assert any(en == "wind turbine" for en, _labels in found["Windkraftanlage"])
    assert elapsed < 15  # one scan of a ~25 MB file, however many words
    candidates = by_term(suggest_terms(seed_text, None))
    assert ("supply chain", "[econ.]") in candidates["Lieferketten"].english


def test_terms_the_matcher_finds_are_not_suggested() -> None:
    """Inflected glossary terms (seltenen Erden, Sicherheitsbündnisses) are not candidates."""
    from transkit.terms.glossary import load_glossaries

    root = Path(__file__).resolve().parents[2]
    text = (root / "seeds" / "000_12e4bb930a6ea1bf.txt").read_text(encoding="utf-8")
    glossary = load_glossaries([root / "glossary"])
    terms = {c.term for c in suggest_terms(text, glossary, limit=500, dictionary=None)}
    assert not terms & {"Erden", "Sicherheitsbündnisses", "Lieferketten", "Peking"}
    assert "Dankbarkeit" in terms
