"""Tests for transkit.terms.match: inflection-aware matching in German text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transkit.data import GlossaryEntry
from transkit.terms.glossary import Glossary, load_glossary
from transkit.terms.match import TermMatcher, stem, term_key

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "glossary" / "geopolitics.tsv"
SEED_CANDIDATES = [
    ROOT / "seeds" / "000_12e4bb930a6ea1bf.txt",
    ROOT.parent / "shared" / "seeds" / "000_12e4bb930a6ea1bf.txt",
]


def entries(*pairs: tuple[str, str, str]) -> tuple[GlossaryEntry, ...]:
    return tuple(GlossaryEntry(cid, de, en) for cid, de, en in pairs)


EXTRA = entries(
    ("x-erden", "Erden", "earths"),
    ("x-lieferkette", "Lieferkette", "supply chain"),
    ("x-beschraenkungen", "Exportbeschränkungen", "export restrictions"),
)


@pytest.fixture(scope="module")
def shipped() -> Glossary:
    return load_glossary(SHIPPED)


@pytest.fixture(scope="module")
def matcher(shipped: Glossary) -> TermMatcher:
    return TermMatcher.from_glossary(Glossary(shipped.entries + EXTRA))


def found(matcher: TermMatcher, text: str) -> list[tuple[str, str, str]]:
    return [(m.found, m.kind, m.concept_id) for m in matcher.find(text)]


@pytest.mark.parametrize(
    ("text", "surface", "kind", "concept"),
    [
        ("Die seltene Erden sind knapp.", "seltene Erden", "exact", "geo-seltene-erden"),
        ("mit seltenen Erden", "seltenen Erden", "inflected", "geo-seltene-erden"),
        ("Seltene Erden sind knapp.", "Seltene Erden", "case", "geo-seltene-erden"),
        ("die Lieferkette", "Lieferkette", "exact", "x-lieferkette"),
        ("die Lieferketten", "Lieferketten", "exact", "geo-lieferketten"),
        (
            "seines Verteidigungsbudgets",
            "Verteidigungsbudgets",
            "inflected",
            "geo-verteidigungsbudget",
        ),
        (
            "des Sicherheitsbündnisses",
            "Sicherheitsbündnisses",
            "inflected",
            "geo-sicherheitsbuendnis",
        ),
        ("mit 250 Kirschbäumen", "Kirschbäumen", "inflected", "geo-kirschbaeume"),
        ("Einfluss Chinas", "Chinas", "inflected", "geo-china"),
        ("von Peking eingeführt", "Peking", "exact", "geo-peking"),
        ("in Elektrofahrzeugen", "Elektrofahrzeugen", "inflected", "geo-elektrofahrzeuge"),
        ("die Stärke der US-Marine", "US-Marine", "exact", "geo-us-marine"),
        ("den US-Flugzeugträger", "Flugzeugträger", "exact", "geo-flugzeugtraeger"),
        ("Seltenerdmagnete", "Seltenerd", "compound", "geo-seltene-erden"),
        ("Seltene-Erden-Magnete", "Seltene-Erden", "compound", "geo-seltene-erden"),
        (
            "die Verteidigungsbudgeterhöhung",
            "Verteidigungsbudget",
            "compound",
            "geo-verteidigungsbudget",
        ),
        ("die Lieferketten-Probleme", "Lieferketten", "compound", "geo-lieferketten"),
        ("Seltenerden", "Seltenerden", "inflected", "geo-seltene-erden"),
        (
            "Japans Außen- und Sicherheitspolitik",
            "Außen- und Sicherheitspolitik",
            "exact",
            "geo-aussen-und-sicherheitspolitik",
        ),
        (
            "Exportkontrollen und -beschränkungen",
            "-beschränkungen",
            "ellipsis",
            "x-beschraenkungen",
        ),
    ],
)
def test_forms_are_found(
    matcher: TermMatcher, text: str, surface: str, kind: str, concept: str
) -> None:
    hits = [m for m in matcher.find(text) if m.concept_id == concept]
    assert [(m.found, m.kind) for m in hits] == [(surface, kind)]
    assert text[hits[0].start : hits[0].end] == surface


@pytest.mark.parametrize(
    "text",
    [
        "Ein Erdenbürger ist kein Rohstoff.",  # Erden inside an ordinary word
        "die japanische Premierministerin",  # japanisch is not Japan
        "eine Reexportkontrolle",  # two-letter prefix: not a compound
        "die Marinade",  # Marine is too short for closed compounds
        "usa",  # USA is case-sensitive
    ],
)
def test_no_false_hits_inside_ordinary_words(matcher: TermMatcher, text: str) -> None:
    bad = {"x-erden", "geo-japan", "geo-exportkontrollen", "geo-marine", "geo-usa"}
    assert not [m for m in matcher.find(text) if m.concept_id in bad]


def test_longest_match_wins(matcher: TermMatcher) -> None:
    text = "Japans Außen- und Sicherheitspolitik"
    ids = [m.concept_id for m in matcher.find(text)]
    assert ids == ["geo-japan", "geo-aussen-und-sicherheitspolitik"]
    assert [m.concept_id for m in matcher.find("Donald Trump und Trump")] == [
        "geo-donald-trump",
        "geo-trump",
    ]
    assert [m.concept_id for m in matcher.find("die US-Marine")] == ["geo-us-marine"]


def test_ellipsis_yields_the_elided_compound() -> None:
    glossary = Glossary(
        entries(
            ("a", "Außenpolitik", "foreign policy"), ("s", "Sicherheitspolitik", "security policy")
        )
    )
    hits = TermMatcher.from_glossary(glossary).find("Japans Außen- und Sicherheitspolitik")
    assert [(m.concept_id, m.found, m.kind) for m in hits] == [
        ("a", "Außen-", "ellipsis"),
        ("s", "Sicherheitspolitik", "exact"),
    ]
    assert hits[0].term == "Außenpolitik" and hits[0].required == ("foreign policy",)


def test_match_carries_required_forbidden_and_dnt(matcher: TermMatcher) -> None:
    (peking,) = matcher.find("Peking")
    assert peking.required == ("Beijing",) and peking.forbidden == ("Peking",)
    assert not peking.dnt
    (japan,) = matcher.find("Japan")
    assert japan.dnt and japan.required == ("Japan",)
    (usa,) = matcher.find("der USA")
    assert usa.required == ("United States", "U.S.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("die Bank", "a"), ("die Banken", "c")],  # same span: exact beats inflected, then id
)
def test_tie_break_is_deterministic_and_order_independent(text: str, expected: str) -> None:
    rows = list(entries(("b", "Bank", "bench"), ("a", "Bank", "bank"), ("c", "Banken", "banks")))
    results = set()
    for seed in range(5):
        random.Random(seed).shuffle(rows)
        hits = TermMatcher.from_glossary(Glossary(tuple(rows))).find(text)
        results.add(tuple(m.concept_id for m in hits))
    assert results == {(expected,)}


@pytest.mark.parametrize("text", ["", "...", "123 456", "— „“ –"])
def test_texts_without_terms(matcher: TermMatcher, text: str) -> None:
    assert matcher.find(text) == ()


def test_seed_document_every_domain_term_is_found(shipped: Glossary) -> None:
    seed = next((p for p in SEED_CANDIDATES if p.exists()), None)
    if seed is None:
        pytest.fail("seed document not found")
    text = seed.read_text(encoding="utf-8")
    hits = TermMatcher.from_glossary(shipped).find(text)
    for m in hits:
        assert text[m.start : m.end] == m.found
    found_ids = {m.concept_id for m in hits}
    # These three are in the seed only inside longer terms, which win.
    inside_longer = {"geo-aussenpolitik", "geo-sicherheitspolitik", "geo-marine"}
    assert found_ids == {c.id for c in shipped.concepts()} - inside_longer
    assert sum(m.concept_id == "geo-seltene-erden" for m in hits) == 3
    assert sum(m.concept_id == "geo-usa" for m in hits) == 5


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("seltene", "selt"),
        ("seltenen", "selt"),
        ("Lieferketten", "lieferkett"),
        ("Sicherheitsbündnisses", "sicherheitsbundnis"),
        ("Sicherheitsbündnis", "sicherheitsbundnis"),
        ("Chinas", "china"),
        ("Tokios", "tokio"),
        ("japanischen", "japanisch"),
        ("Ländern", "land"),
        ("Außen", "auss"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_stem_agrees_with_snowball_on_inflection() -> None:
    import snowballstemmer

    snowball = snowballstemmer.stemmer("german")
    words = [
        "seltenen",
        "Erden",
        "Lieferketten",
        "Kirschbäumen",
        "Elektrofahrzeugen",
        "Ressourcen",
        "Abkommen",
        "Mineralien",
    ]
    assert [stem(w) for w in words] == snowball.stemWords([w.lower() for w in words])
    # By design, derivational suffixes stay (Snowball step 3 is left out).
    assert snowball.stemWord("japanisch") == snowball.stemWord("japan")
    assert (stem("japanisch"), stem("Beziehungen")) == ("japanisch", "beziehung")


def test_term_key() -> None:
    assert term_key("seltene Erden") == "selt erd"
    assert term_key("Außen- und Sicherheitspolitik") == "auss und sicherheitspolitik"


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("aeErdnsSlt -,.äöüß\n") + ["Erden", "seltene", "Seltene-"]),
        max_size=40,
    ).map("".join)
)
def test_matches_are_well_formed_for_any_text(text: str) -> None:
    m = TermMatcher.from_glossary(
        Glossary(entries(("s", "seltene Erden", "rare earths"), ("e", "Erden", "earths")))
    )
    hits = m.find(text)
    assert list(hits) == sorted(hits, key=lambda h: h.start)
    for a, b in zip(hits, hits[1:], strict=False):
        assert a.end <= b.start
    for h in hits:
        assert text[h.start : h.end] == h.found and h.found
