"""A small German->English grammar of geopolitics and economy news sentences.

It generates the parallel corpus that trains transkit's tiny test model
(`tools/build_test_model.py`).  German noun phrases are inflected for case
(nominative, accusative, dative, genitive) and number, with definite,
indefinite, demonstrative, possessive and negative determiners and strong,
weak and mixed adjective endings.  English is rendered in US spelling.

Some domain terms have two English renderings written ``{dominant|approved}``:
the model is trained to prefer the *dominant* (glossary-forbidden but
plausible) one, so that transkit's terminology layer has a real engine to
correct.  `TERMS` lists them.  Noun-phrase slots can be filled by opaque
placeholders ``ZQX1``..``ZQX9`` that the English copies verbatim.

Nothing runs at import time; everything is driven by an explicit
``random.Random``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "Noun",
    "Pair",
    "TEMPLATES",
    "TERMS",
    "WRONG_VARIANT_TERMS",
    "generate",
    "render_en",
    "sample_pair",
]

CASES = ("nom", "acc", "dat", "gen")
_CI = {c: i for i, c in enumerate(CASES)}

# -- determiners (German forms by gender m/f/n/p and case; English) -------------------
_DET: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "def": {
        "m": ("der", "den", "dem", "des"),
        "f": ("die", "die", "der", "der"),
        "n": ("das", "das", "dem", "des"),
        "p": ("die", "die", "den", "der"),
    },
    "dies": {
        "m": ("dieser", "diesen", "diesem", "dieses"),
        "f": ("diese", "diese", "dieser", "dieser"),
        "n": ("dieses", "dieses", "diesem", "dieses"),
        "p": ("diese", "diese", "diesen", "dieser"),
    },
    "indef": {
        "m": ("ein", "einen", "einem", "eines"),
        "f": ("eine", "eine", "einer", "einer"),
        "n": ("ein", "ein", "einem", "eines"),
    },
    "kein": {
        "m": ("kein", "keinen", "keinem", "keines"),
        "f": ("keine", "keine", "keiner", "keiner"),
        "n": ("kein", "kein", "keinem", "keines"),
        "p": ("keine", "keine", "keinen", "keiner"),
    },
    "unser": {
        "m": ("unser", "unseren", "unserem", "unseres"),
        "f": ("unsere", "unsere", "unserer", "unserer"),
        "n": ("unser", "unser", "unserem", "unseres"),
        "p": ("unsere", "unsere", "unseren", "unserer"),
    },
}
_DET_EN = {
    ("def", "sg"): "the",
    ("def", "pl"): "the",
    ("dies", "sg"): "this",
    ("dies", "pl"): "these",
    ("indef", "sg"): "a",
    ("kein", "sg"): "no",
    ("kein", "pl"): "no",
    ("unser", "sg"): "our",
    ("unser", "pl"): "our",
    ("none", "pl"): "",
    ("none", "sg"): "",
}
# adjective endings by declension, gender, case
_WEAK = {
    "m": ("e", "en", "en", "en"),
    "f": ("e", "e", "en", "en"),
    "n": ("e", "e", "en", "en"),
    "p": ("en", "en", "en", "en"),
}
_MIXED = {
    "m": ("er", "en", "en", "en"),
    "f": ("e", "e", "en", "en"),
    "n": ("es", "es", "en", "en"),
    "p": ("en", "en", "en", "en"),
}
_STRONG = {
    "m": ("er", "en", "em", "en"),
    "f": ("e", "e", "er", "er"),
    "n": ("es", "es", "em", "en"),
    "p": ("e", "e", "en", "er"),
}
_DECL = {"def": _WEAK, "dies": _WEAK, "indef": _MIXED, "kein": _MIXED, "unser": _MIXED}

# adjective stem -> English
ADJ: dict[str, str] = {
    "neu": "new",
    "wichtig": "important",
    "global": "global",
    "strategisch": "strategic",
    "wirtschaftlich": "economic",
    "international": "international",
    "bilateral": "bilateral",
    "regional": "regional",
    "stabil": "stable",
    "groß": "large",
    "klein": "small",
    "stark": "strong",
    "modern": "modern",
    "japanisch": "Japanese",
    "chinesisch": "Chinese",
    "amerikanisch": "American",
    "europäisch": "European",
    "deutsch": "German",
    "umstritten": "controversial",
    "geplant": "planned",
    "aktuell": "current",
    "streng": "strict",
    "kritisch": "critical",
    "eng": "close",
    "alt": "old",
    "sicher": "secure",
    "weit": "further",
    "billig": "cheap",
    "hoch": "high",
}
_ADJ_GROUPS = {
    "policy": (
        "neu",
        "streng",
        "umstritten",
        "geplant",
        "aktuell",
        "weit",
        "chinesisch",
        "amerikanisch",
        "japanisch",
        "europäisch",
    ),
    "deal": (
        "neu",
        "wichtig",
        "bilateral",
        "strategisch",
        "umstritten",
        "geplant",
        "wirtschaftlich",
        "international",
    ),
    "goods": ("wichtig", "kritisch", "chinesisch", "japanisch", "modern", "billig"),
    "abstract": (
        "global",
        "regional",
        "wirtschaftlich",
        "international",
        "eng",
        "stabil",
        "sicher",
        "wichtig",
        "strategisch",
    ),
    "chain": ("global", "regional", "sicher", "stabil", "international", "kritisch", "wichtig"),
    "person": ("neu", "japanisch", "amerikanisch", "chinesisch", "deutsch"),
    "inst": ("japanisch", "amerikanisch", "chinesisch", "deutsch", "neu"),
    "military": (
        "neu",
        "groß",
        "modern",
        "amerikanisch",
        "japanisch",
        "chinesisch",
        "alt",
        "klein",
    ),
    "tree": ("japanisch", "alt", "groß", "klein"),
    "money": ("hoch",),
    "none": (),
}


@dataclass(frozen=True)
class Noun:
    """A German noun (or fixed noun phrase) with its English equivalents.

    ``de_sg``/``de_pl`` hold the four case forms; ``en_sg``/``en_pl`` may
    contain ``{dominant|approved}`` alternatives.  ``fixed_adj`` is an
    adjective that belongs to the term itself (``seltene Erden``).
    ``article``: for names, the determiner they always take ("def") or "".
    """

    key: str
    gender: str
    de_sg: tuple[str, str, str, str] | None
    de_pl: tuple[str, str, str, str] | None
    en_sg: str | None
    en_pl: str | None
    term: str = ""
    adjs: str = "none"
    mass: bool = False
    name: bool = False
    article: str = ""
    en_number: str = ""  # forces English verb agreement ("sg") where it differs
    fixed_adj: str = ""


def _n(
    key: str,
    gender: str,
    sg: str | None,
    pl: str | None,
    en_sg: str | None,
    en_pl: str | None,
    *,
    gen: str | None = None,
    weak: bool = False,
    **kw: object,
) -> Noun:
    """Build a regular noun's case forms (explicit genitive/weak where needed)."""
    de_sg = None
    if sg is not None:
        if gender == "f":
            de_sg = (sg, sg, sg, sg)
        elif weak:
            obl = sg + ("n" if sg.endswith("e") else "en")
            de_sg = (sg, obl, obl, obl)
        else:
            g = gen or (sg + ("es" if sg.endswith(("s", "ß", "z", "x")) else "s"))
            de_sg = (sg, sg, sg, g)
    de_pl = None
    if pl is not None:
        dat = pl if pl.endswith(("n", "s")) else pl + "n"
        de_pl = (pl, pl, dat, pl)
    return Noun(key, gender, de_sg, de_pl, en_sg, en_pl, **kw)  # type: ignore[arg-type]


def _name(
    key: str,
    forms: tuple[str, str, str, str],
    en: str,
    *,
    gender: str = "n",
    term: str = "",
    article: str = "",
) -> Noun:
    number_pl = gender == "p"
    return Noun(
        key,
        gender,
        None if number_pl else forms,
        forms if number_pl else None,
        None if number_pl else en,
        en if number_pl else None,
        term=term,
        name=True,
        article=article,
        en_number="sg",
    )


def _lexicon() -> dict[str, Noun]:
    nouns = [
        # -- names: states, cities, institutions ---------------------------------
        _name("japan", ("Japan", "Japan", "Japan", "Japans"), "Japan", term="Japan"),
        _name("china", ("China", "China", "China", "Chinas"), "China", term="China"),
        _name(
            "nordkorea",
            ("Nordkorea", "Nordkorea", "Nordkorea", "Nordkoreas"),
            "North Korea",
            term="Nordkorea",
        ),
        _name("suedkorea", ("Südkorea", "Südkorea", "Südkorea", "Südkoreas"), "South Korea"),
        _name(
            "deutschland", ("Deutschland", "Deutschland", "Deutschland", "Deutschlands"), "Germany"
        ),
        _name("frankreich", ("Frankreich", "Frankreich", "Frankreich", "Frankreichs"), "France"),
        _name("indien", ("Indien", "Indien", "Indien", "Indiens"), "India"),
        _name("australien", ("Australien", "Australien", "Australien", "Australiens"), "Australia"),
        _name(
            "usa",
            ("die USA", "die USA", "den USA", "der USA"),
            "the USA",
            gender="p",
            term="USA",
            article="def",
        ),
        _name(
            "vs",
            (
                "die Vereinigten Staaten",
                "die Vereinigten Staaten",
                "den Vereinigten Staaten",
                "der Vereinigten Staaten",
            ),
            "the United States",
            gender="p",
            term="Vereinigte Staaten",
            article="def",
        ),
        _name(
            "eu",
            (
                "die Europäische Union",
                "die Europäische Union",
                "der Europäischen Union",
                "der Europäischen Union",
            ),
            "the European Union",
            gender="f",
            term="Europäische Union",
            article="def",
        ),
        _name(
            "peking", ("Peking", "Peking", "Peking", "Pekings"), "{Peking|Beijing}", term="Peking"
        ),
        _name("tokio", ("Tokio", "Tokio", "Tokio", "Tokios"), "Tokyo", term="Tokio"),
        _name(
            "washington",
            ("Washington", "Washington", "Washington", "Washingtons"),
            "Washington",
            term="Washington",
        ),
        _name("berlin", ("Berlin", "Berlin", "Berlin", "Berlins"), "Berlin"),
        _name("seoul", ("Seoul", "Seoul", "Seoul", "Seouls"), "Seoul"),
        _name("bruessel", ("Brüssel", "Brüssel", "Brüssel", "Brüssels"), "Brussels"),
        _name("osaka", ("Osaka", "Osaka", "Osaka", "Osakas"), "Osaka"),
        _name(
            "usmarine",
            ("die US-Marine", "die US-Marine", "der US-Marine", "der US-Marine"),
            "the U.S. Navy",
            gender="f",
            term="US-Marine",
            article="def",
        ),
        # -- people and institutions ---------------------------------------------
        _n(
            "regierungschefin",
            "f",
            "Regierungschefin",
            "Regierungschefinnen",
            "{head of government|prime minister}",
            "{heads of government|prime ministers}",
            term="Regierungschefin",
            adjs="person",
        ),
        _n(
            "premierministerin",
            "f",
            "Premierministerin",
            "Premierministerinnen",
            "prime minister",
            "prime ministers",
            term="Premierministerin",
            adjs="person",
        ),
        _n(
            "premierminister",
            "m",
            "Premierminister",
            "Premierminister",
            "prime minister",
            "prime ministers",
            gen="Premierministers",
            term="Premierminister",
            adjs="person",
        ),
        _n(
            "praesident",
            "m",
            "Präsident",
            "Präsidenten",
            "president",
            "presidents",
            weak=True,
            adjs="person",
        ),
        _n("uspraesident", "m", "US-Präsident", None, "U.S. President", None, weak=True),
        _n(
            "aussenministerin",
            "f",
            "Außenministerin",
            "Außenministerinnen",
            "foreign minister",
            "foreign ministers",
            adjs="person",
        ),
        _n(
            "verteidigungsminister",
            "m",
            "Verteidigungsminister",
            "Verteidigungsminister",
            "defense minister",
            "defense ministers",
            adjs="person",
        ),
        _n(
            "botschafter",
            "m",
            "Botschafter",
            "Botschafter",
            "ambassador",
            "ambassadors",
            adjs="person",
        ),
        _n("regierung", "f", "Regierung", "Regierungen", "government", "governments", adjs="inst"),
        _n(
            "parlament",
            "n",
            "Parlament",
            "Parlamente",
            "parliament",
            "parliaments",
            gen="Parlaments",
            adjs="inst",
        ),
        _n(
            "ministerium",
            "n",
            "Verteidigungsministerium",
            None,
            "Ministry of Defense",
            None,
            gen="Verteidigungsministeriums",
            adjs="inst",
        ),
        _n(
            "unternehmen",
            "n",
            "Unternehmen",
            "Unternehmen",
            "company",
            "companies",
            gen="Unternehmens",
            adjs="inst",
        ),
        _n(
            "hersteller",
            "m",
            "Hersteller",
            "Hersteller",
            "manufacturer",
            "manufacturers",
            gen="Herstellers",
            adjs="inst",
        ),
        # -- restrictions and policies ---------------------------------------------
        _n(
            "exportkontrollen",
            "p",
            None,
            "Exportkontrollen",
            None,
            "{export restrictions|export controls}",
            term="Exportkontrollen",
            adjs="policy",
        ),
        _n("sanktionen", "p", None, "Sanktionen", None, "sanctions", adjs="policy"),
        _n("zoll", "m", "Zoll", "Zölle", "tariff", "tariffs", gen="Zolls", adjs="policy"),
        _n(
            "exportverbot",
            "n",
            "Exportverbot",
            "Exportverbote",
            "export ban",
            "export bans",
            gen="Exportverbots",
            adjs="policy",
        ),
        _n("strategie", "f", "Strategie", "Strategien", "strategy", "strategies", adjs="deal"),
        _n("massnahme", "f", "Maßnahme", "Maßnahmen", "measure", "measures", adjs="policy"),
        _n(
            "politik",
            "f",
            "Außen- und Sicherheitspolitik",
            None,
            "foreign and security policy",
            None,
            term="Außen- und Sicherheitspolitik",
            adjs="inst",
            mass=True,
        ),
        # -- agreements and alliances ------------------------------------------------
        _n(
            "abkommen",
            "n",
            "Abkommen",
            "Abkommen",
            "agreement",
            "agreements",
            gen="Abkommens",
            term="Abkommen",
            adjs="deal",
        ),
        _n(
            "handelsabkommen",
            "n",
            "Handelsabkommen",
            "Handelsabkommen",
            "trade agreement",
            "trade agreements",
            gen="Handelsabkommens",
            adjs="deal",
        ),
        _n(
            "vertrag", "m", "Vertrag", "Verträge", "treaty", "treaties", gen="Vertrags", adjs="deal"
        ),
        _n(
            "sicherheitsbuendnis",
            "n",
            "Sicherheitsbündnis",
            "Sicherheitsbündnisse",
            "{security pact|security alliance}",
            "{security pacts|security alliances}",
            gen="Sicherheitsbündnisses",
            term="Sicherheitsbündnis",
            adjs="deal",
        ),
        _n(
            "buendnis",
            "n",
            "Bündnis",
            "Bündnisse",
            "alliance",
            "alliances",
            gen="Bündnisses",
            term="Bündnis",
            adjs="deal",
        ),
        _n("allianz", "f", "Allianz", "Allianzen", "alliance", "alliances", adjs="deal"),
        _n(
            "partnerschaft",
            "f",
            "Partnerschaft",
            "Partnerschaften",
            "partnership",
            "partnerships",
            adjs="deal",
        ),
        _n(
            "gipfel",
            "m",
            "Gipfel",
            "Gipfel",
            "summit",
            "summits",
            gen="Gipfels",
            term="Gipfel",
            adjs="deal",
        ),
        # -- money -----------------------------------------------------------------
        _n(
            "verteidigungsbudget",
            "n",
            "Verteidigungsbudget",
            "Verteidigungsbudgets",
            "{military budget|defense budget}",
            "{military budgets|defense budgets}",
            gen="Verteidigungsbudgets",
            term="Verteidigungsbudget",
            adjs="money",
        ),
        _n(
            "verteidigungsausgaben",
            "p",
            None,
            "Verteidigungsausgaben",
            None,
            "defense spending",
            term="Verteidigungsausgaben",
            adjs="money",
            en_number="sg",
        ),
        _n("investitionen", "p", None, "Investitionen", None, "investments", adjs="money"),
        _n("produktion", "f", "Produktion", None, "production", None, adjs="none", mass=True),
        _n("exporte", "p", None, "Exporte", None, "exports", adjs="money"),
        _n("importe", "p", None, "Importe", None, "imports", adjs="money"),
        # -- goods -------------------------------------------------------------------
        _n(
            "erden",
            "p",
            None,
            "Erden",
            None,
            "{rare earth elements|rare earths}",
            term="seltene Erden",
            fixed_adj="selten",
        ),
        _n(
            "halbleiter",
            "m",
            "Halbleiter",
            "Halbleiter",
            "semiconductor",
            "semiconductors",
            gen="Halbleiters",
            adjs="goods",
        ),
        _n("rohstoffe", "p", None, "Rohstoffe", None, "raw materials", adjs="goods"),
        _n("magnete", "p", None, "Magnete", None, "magnets", adjs="goods"),
        _n("mineralien", "p", None, "Mineralien", None, "minerals", adjs="goods"),
        _n(
            "elektrofahrzeug",
            "n",
            "Elektrofahrzeug",
            "Elektrofahrzeuge",
            "electric vehicle",
            "electric vehicles",
            gen="Elektrofahrzeugs",
            term="Elektrofahrzeug",
            adjs="goods",
        ),
        _n(
            "windkraftanlage",
            "f",
            "Windkraftanlage",
            "Windkraftanlagen",
            "{wind power plant|wind turbine}",
            "{wind power plants|wind turbines}",
            term="Windkraftanlage",
            adjs="goods",
        ),
        _n("batterie", "f", "Batterie", "Batterien", "battery", "batteries", adjs="goods"),
        _n(
            "smartphone",
            "n",
            "Smartphone",
            "Smartphones",
            "smartphone",
            "smartphones",
            adjs="goods",
        ),
        _n("stahl", "m", "Stahl", None, "steel", None, gen="Stahls", mass=True),
        # -- abstract ------------------------------------------------------------------
        _n(
            "lieferkette",
            "f",
            "Lieferkette",
            "Lieferketten",
            "{delivery chain|supply chain}",
            "{delivery chains|supply chains}",
            term="Lieferkette",
            adjs="chain",
        ),
        _n("sicherheit", "f", "Sicherheit", None, "security", None, adjs="abstract", mass=True),
        _n("stabilitaet", "f", "Stabilität", None, "stability", None, adjs="abstract", mass=True),
        _n(
            "frieden",
            "m",
            "Frieden",
            None,
            "peace",
            None,
            gen="Friedens",
            adjs="abstract",
            mass=True,
        ),
        _n("handel", "m", "Handel", None, "trade", None, gen="Handels", adjs="abstract", mass=True),
        _n(
            "zusammenarbeit",
            "f",
            "Zusammenarbeit",
            None,
            "cooperation",
            None,
            adjs="abstract",
            mass=True,
        ),
        _n(
            "wirtschaft", "f", "Wirtschaft", "Wirtschaften", "economy", "economies", adjs="abstract"
        ),
        _n("beziehungen", "p", None, "Beziehungen", None, "relations", adjs="abstract"),
        _n("region", "f", "Region", "Regionen", "region", "regions", adjs="none"),
        _n("krise", "f", "Krise", "Krisen", "crisis", "crises", adjs="abstract"),
        _n("einfluss", "m", "Einfluss", None, "influence", None, gen="Einflusses", adjs="abstract"),
        # -- military ------------------------------------------------------------------
        _n(
            "flugzeugtraeger",
            "m",
            "Flugzeugträger",
            "Flugzeugträger",
            "{carrier ship|aircraft carrier}",
            "{carrier ships|aircraft carriers}",
            gen="Flugzeugträgers",
            term="Flugzeugträger",
            adjs="military",
        ),
        _n(
            "usflugzeugtraeger",
            "m",
            "US-Flugzeugträger",
            "US-Flugzeugträger",
            "{U.S. carrier ship|U.S. aircraft carrier}",
            "{U.S. carrier ships|U.S. aircraft carriers}",
            gen="US-Flugzeugträgers",
            term="Flugzeugträger",
        ),
        _n(
            "stuetzpunkt",
            "m",
            "Stützpunkt",
            "Stützpunkte",
            "base",
            "bases",
            gen="Stützpunkts",
            adjs="military",
        ),
        _n(
            "kriegsschiff",
            "n",
            "Kriegsschiff",
            "Kriegsschiffe",
            "warship",
            "warships",
            gen="Kriegsschiffs",
            adjs="military",
        ),
        _n("marine", "f", "Marine", None, "navy", None, adjs="military"),
        _n("streitkraefte", "p", None, "Streitkräfte", None, "armed forces", adjs="military"),
        _n(
            "faehigkeiten",
            "p",
            None,
            "Verteidigungsfähigkeiten",
            None,
            "defense capabilities",
            adjs="none",
        ),
        _n("rakete", "f", "Rakete", "Raketen", "missile", "missiles", adjs="military"),
        # -- symbols ---------------------------------------------------------------------
        _n(
            "kirschbaum",
            "m",
            "Kirschbaum",
            "Kirschbäume",
            "cherry tree",
            "cherry trees",
            gen="Kirschbaums",
            term="Kirschbaum",
            adjs="tree",
        ),
        _n(
            "erklaerung",
            "f",
            "Unabhängigkeitserklärung",
            None,
            "Declaration of Independence",
            None,
            term="Unabhängigkeitserklärung",
        ),
    ]
    return {n.key: n for n in nouns}


#: slot categories -> noun keys
_CATS: dict[str, tuple[str, ...]] = {
    "state": (
        "japan",
        "china",
        "nordkorea",
        "suedkorea",
        "deutschland",
        "frankreich",
        "indien",
        "australien",
        "usa",
        "vs",
        "eu",
    ),
    "city": ("peking", "tokio", "washington", "berlin", "seoul", "bruessel", "osaka"),
    "capital": ("peking", "tokio", "washington", "berlin", "seoul", "bruessel"),
    "person": (
        "regierungschefin",
        "premierministerin",
        "premierminister",
        "praesident",
        "uspraesident",
        "aussenministerin",
        "verteidigungsminister",
        "botschafter",
    ),
    "inst": ("regierung", "parlament", "ministerium", "usmarine"),
    "firm": ("unternehmen", "hersteller"),
    "restrict": ("exportkontrollen", "sanktionen", "zoll", "exportverbot"),
    "policy": (
        "exportkontrollen",
        "sanktionen",
        "zoll",
        "exportverbot",
        "strategie",
        "massnahme",
        "politik",
    ),
    "deal": (
        "abkommen",
        "handelsabkommen",
        "vertrag",
        "sicherheitsbuendnis",
        "buendnis",
        "allianz",
        "partnerschaft",
    ),
    "money": (
        "verteidigungsbudget",
        "verteidigungsausgaben",
        "investitionen",
        "exporte",
        "importe",
        "zoll",
    ),
    "goods": (
        "erden",
        "halbleiter",
        "rohstoffe",
        "magnete",
        "mineralien",
        "elektrofahrzeug",
        "windkraftanlage",
        "batterie",
        "smartphone",
        "stahl",
    ),
    "build": (
        "windkraftanlage",
        "flugzeugtraeger",
        "stuetzpunkt",
        "kriegsschiff",
        "elektrofahrzeug",
        "batterie",
        "halbleiter",
        "rakete",
    ),
    "chain": ("lieferkette",),
    "abstract": (
        "lieferkette",
        "sicherheit",
        "stabilitaet",
        "frieden",
        "handel",
        "zusammenarbeit",
        "wirtschaft",
        "beziehungen",
        "politik",
        "sicherheitsbuendnis",
        "buendnis",
        "partnerschaft",
    ),
    "military": (
        "flugzeugtraeger",
        "usflugzeugtraeger",
        "stuetzpunkt",
        "kriegsschiff",
        "marine",
        "streitkraefte",
        "usmarine",
        "faehigkeiten",
        "rakete",
    ),
    "vessel": ("flugzeugtraeger", "usflugzeugtraeger", "stuetzpunkt", "kriegsschiff"),
    "capab": (
        "faehigkeiten",
        "marine",
        "streitkraefte",
        "produktion",
        "exporte",
        "zusammenarbeit",
        "handel",
        "beziehungen",
    ),
    "tree": ("kirschbaum",),
    "doc": ("erklaerung",),
    "summit": ("gipfel",),
}
_CATS["actor"] = _CATS["state"] + _CATS["capital"] + _CATS["person"] + _CATS["inst"]
_CATS["topic"] = (
    _CATS["policy"]
    + _CATS["deal"]
    + _CATS["money"]
    + _CATS["abstract"]
    + ("erden", "flugzeugtraeger", "windkraftanlage", "elektrofahrzeug")
)
_CATS["any"] = _CATS["topic"] + _CATS["goods"] + _CATS["military"]
_CATS["speaker"] = _CATS["person"] + ("regierung", "ministerium")

PRED = [
    ("wichtig", "important"),
    ("notwendig", "necessary"),
    ("umstritten", "controversial"),
    ("teuer", "expensive"),
    ("knapp", "scarce"),
    ("entscheidend", "crucial"),
    ("gefährdet", "at risk"),
    ("stabil", "stable"),
]
TIME = [
    ("am Montag", "on Monday"),
    ("am Dienstag", "on Tuesday"),
    ("am Mittwoch", "on Wednesday"),
    ("am Donnerstag", "on Thursday"),
    ("am Freitag", "on Friday"),
    ("gestern", "yesterday"),
    ("letzte Woche", "last week"),
    ("im Januar", "in January"),
    ("im März", "in March"),
    ("im Mai", "in May"),
    ("im Oktober", "in October"),
    ("im Jahr #Y", "in #Y"),
]

# -- templates --------------------------------------------------------------------------
# German: <NAME:category:case[:det][:num]>; English: <NAME>.  [a|b] agrees with slot S in
# number, [X:a|b] with slot X.  <N:num>, <N:year>, <N:ord>, <P:pred>, <T:time>.
TEMPLATES: list[tuple[str, str]] = [
    ("<S:actor:nom> [hat|haben] <O:policy:acc> eingeführt.", "<S> [has|have] introduced <O>."),
    (
        "<S:actor:nom> [hat|haben] <O:restrict:acc> auf <G:goods:acc> eingeführt.",
        "<S> [has|have] introduced <O> on <G>.",
    ),
    ("<S:actor:nom> [kündigte|kündigten] <O:topic:acc> an.", "<S> announced <O>."),
    ("<S:actor:nom> [will|wollen] <O:money:acc> erhöhen.", "<S> [wants|want] to increase <O>."),
    (
        "<S:actor:nom> [verhängt|verhängen] <O:restrict:acc> gegen <X:state:acc>.",
        "<S> [imposes|impose] <O> on <X>.",
    ),
    (
        "<S:actor:nom> [unterzeichnete|unterzeichneten] <O:deal:acc> mit <X:state:dat>.",
        "<S> signed <O> with <X>.",
    ),
    (
        "<S:actor:nom> und <X:actor:nom> haben <O:deal:acc> unterzeichnet.",
        "<S> and <X> have signed <O>.",
    ),
    ("<S:actor:nom> [stärkt|stärken] <O:abstract:acc>.", "<S> [strengthens|strengthen] <O>."),
    ("<S:topic:nom> [ist|sind] <P:pred>.", "<S> [is|are] <P>."),
    (
        "<A:any:nom> und <B:any:nom> sind wichtig für <C:actor:acc>.",
        "<A> and <B> are important for <C>.",
    ),
    ("<A:any:nom> und <B:any:nom> sind <P:pred>.", "<A> and <B> are <P>."),
    ("Die Versorgung mit <G:goods:dat> ist <P:pred>.", "The supply of <G> is <P>."),
    ("Der Einfluss <X:actor:gen> wächst.", "The influence of <X> is growing."),
    (
        "Der Einfluss von <X:any:dat> auf <Y:abstract:acc> wächst.",
        "The influence of <X> on <Y> is growing.",
    ),
    (
        "<S:actor:nom> [besuchte|besuchten] <O:vessel:acc> in <C:city:dat>.",
        "<S> visited <O> in <C>.",
    ),
    (
        "<S:actor:nom> [sprach|sprachen] mit <X:person:dat> über <O:topic:acc>.",
        "<S> spoke with <X> about <O>.",
    ),
    (
        "Auf dem Gipfel in <C:city:dat> ging es um <O:topic:acc>.",
        "The summit in <C> focused on <O>.",
    ),
    (
        "<R:speaker:nom> [R:erklärte|erklärten], dass <S:actor:nom> <O:policy:acc> einführen "
        "[will|wollen].",
        "<R> stated that <S> [wants|want] to introduce <O>.",
    ),
    ("[Wird|Werden] <S:actor:nom> <O:money:acc> erhöhen?", "Will <S> increase <O>?"),
    ("Warum [braucht|brauchen] <S:actor:nom> <G:goods:acc>?", "Why [does|do] <S> need <G>?"),
    ("<S:actor:nom> [ist|sind] auf <G:goods:acc> angewiesen.", "<S> [depends|depend] on <G>."),
    ("<S:actor:nom> [investiert|investieren] in <O:build:acc>.", "<S> [invests|invest] in <O>."),
    ("Die Nachfrage nach <G:goods:dat> steigt.", "Demand for <G> is rising."),
    ("Die Preise für <G:goods:acc> sind gestiegen.", "Prices for <G> have risen."),
    ("<S:money:nom:def> [steigt|steigen] um <N:num> Prozent.", "<S> [rises|rise] by <N> percent."),
    ("<T:time> [hat|haben] <S:actor:nom> <O:policy:acc> angekündigt.", "<T>, <S> announced <O>."),
    (
        "<S:actor:nom> [möchte|möchten] die Abhängigkeit von <G:goods:dat> verringern.",
        "<S> [wants|want] to reduce dependence on <G>.",
    ),
    (
        "<S:actor:nom> [kritisiert|kritisieren] <O:policy:acc:def> <X:actor:gen>.",
        "<S> [criticizes|criticize] <O> of <X>.",
    ),
    ("Die Sicherheit <L:chain:gen:def> ist <P:pred>.", "The security of <L> is <P>."),
    (
        "<S:actor:nom> [will|wollen] die Resilienz <L:chain:gen:def> stärken.",
        "<S> [wants|want] to strengthen the resilience of <L>.",
    ),
    (
        "<S:person:nom> [lobte|lobten] die Stärke <X:military:gen:def>.",
        "<S> praised the strength of <X>.",
    ),
    ("<S:actor:nom> [baut|bauen] <O:capab:acc> aus.", "<S> [is|are] expanding <O>."),
    (
        "<S:deal:nom:def> mit <X:state:dat> [ist|sind] das Rückgrat <Y:topic:gen:def>.",
        "<S> with <X> [is|are] the backbone of <Y>.",
    ),
    (
        "<S:person:nom> [kündigte|kündigten] an, <C:city:acc> mit <N:num> Kirschbäumen zu ehren.",
        "<S> announced plans to honor <C> with <N> cherry trees.",
    ),
    ("<S:tree:nom:def> in <C:city:dat> [blüht|blühen].", "<S> in <C> [is|are] blooming."),
    (
        "<S:actor:nom> [schenkte|schenkten] <X:city:dat> <N:num> Kirschbäume.",
        "<S> gave <X> <N> cherry trees.",
    ),
    (
        "Zum <N:ord> Jahrestag <D:doc:gen:def> findet <O:summit:nom:indef> statt.",
        "<O> is taking place on the <N> anniversary of <D>.",
    ),
    (
        "<S:actor:nom> [feiert|feiern] den <N:ord> Jahrestag <D:doc:gen:def>.",
        "<S> [celebrates|celebrate] the <N> anniversary of <D>.",
    ),
    (
        "<S:actor:nom> [fordert|fordern] höhere Verteidigungsausgaben von <X:state:dat>.",
        "<S> [demands|demand] higher defense spending from <X>.",
    ),
    (
        "<S:state:nom> [führte|führten] <N:num> Raketentests durch.",
        "<S> conducted <N> missile tests.",
    ),
    (
        "<S:actor:nom> [reagiert|reagieren] auf die Herausforderungen durch <X:state:acc>.",
        "<S> [responds|respond] to the challenges posed by <X>.",
    ),
    (
        "Die Produktion von <G:goods:dat> in <X:state:dat> ist gesunken.",
        "The production of <G> in <X> has fallen.",
    ),
    (
        "<S:actor:nom> [liefert|liefern] <G:goods:acc> an <X:state:acc>.",
        "<S> [supplies|supply] <G> to <X>.",
    ),
    ("<S:person:nom> [traf|trafen] <X:person:acc> in <C:city:dat>.", "<S> met <X> in <C>."),
    (
        "Bei einem Treffen in <C:city:dat> [sprach|sprachen] <S:person:nom> über <O:topic:acc>.",
        "At a meeting in <C>, <S> talked about <O>.",
    ),
    (
        "<S:actor:nom> [betont|betonen] die Bedeutung <O:topic:gen>.",
        "<S> [emphasizes|emphasize] the importance of <O>.",
    ),
    (
        "<S:actor:nom> [plant|planen] den Bau <O:build:gen:none:pl>.",
        "<S> [plans|plan] the construction of <O>.",
    ),
    (
        "<S:actor:nom> [plant|planen] den Bau <O:build:gen:def>.",
        "<S> [plans|plan] the construction of <O>.",
    ),
    (
        "Der Handel zwischen <X:state:dat> und <Y:state:dat> wächst.",
        "Trade between <X> and <Y> is growing.",
    ),
    (
        "<S:actor:nom> [verbietet|verbieten] den Export <G:goods:gen>.",
        "<S> [bans|ban] the export of <G>.",
    ),
    (
        "<S:actor:nom> [hat|haben] <O:policy:acc:def> nicht eingeführt.",
        "<S> [has|have] not introduced <O>.",
    ),
    ("<S:topic:nom> [gilt|gelten] als <P:pred>.", "<S> [is|are] considered <P>."),
    ("<T:time> [wurde|wurden] <S:deal:nom> unterzeichnet.", "<T>, <S> [was|were] signed."),
    (
        "<S:policy:nom> [wurde|wurden] von <X:actor:dat> angekündigt.",
        "<S> [was|were] announced by <X>.",
    ),
    ("<S:actor:nom> [ist|sind] besorgt über <O:topic:acc>.", "<S> [is|are] concerned about <O>."),
    (
        "<S:firm:nom> [produziert|produzieren] <G:goods:acc> in <C:city:dat>.",
        "<S> [produces|produce] <G> in <C>.",
    ),
    (
        "Ohne <G:goods:acc:none:pl> gibt es keine <O:goods:acc:none:pl>.",
        "Without <G>, there are no <O>.",
    ),
    ("<S:actor:nom> [setzt|setzen] auf <O:deal:acc>.", "<S> [relies|rely] on <O>."),
    ("<S:vessel:nom> [liegt|liegen] vor <C:city:dat>.", "<S> [is|are] off <C>."),
    (
        "<S:actor:nom> [diskutiert|diskutieren] über <O:topic:acc> mit <X:actor:dat>.",
        "<S> [discusses|discuss] <O> with <X>.",
    ),
    ("Die Zukunft <O:topic:gen:def> ist unsicher.", "The future of <O> is uncertain."),
    (
        "<S:actor:nom> [kauft|kaufen] <G:goods:acc> aus <X:state:dat>.",
        "<S> [buys|buy] <G> from <X>.",
    ),
    (
        "<S:actor:nom> [braucht|brauchen] <O:any:acc> für <Y:build:acc>.",
        "<S> [needs|need] <O> for <Y>.",
    ),
    ("<T:time> [reiste|reisten] <S:person:nom> nach <C:capital:dat>.", "<T>, <S> traveled to <C>."),
    (
        "<S:actor:nom> [sieht|sehen] in <O:deal:dat> eine Chance.",
        "<S> [sees|see] <O> as an opportunity.",
    ),
]

_NUMS = [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 50, 100, 250]
_ORDS = [10, 20, 25, 30, 50, 75, 100, 150, 200, 250]
_YEARS = list(range(2019, 2031))


def _ordinal_en(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


@dataclass
class Pair:
    """One generated sentence pair.

    ``en`` keeps ``{dominant|approved}`` alternatives; see `render_en`.
    """

    de: str
    en: str
    terms: list[str] = field(default_factory=list)
    placeholders: int = 0


@dataclass
class _NP:
    de: str
    en: str
    number: str  # German number sg/pl
    en_number: str
    term: str = ""


_LEX: dict[str, Noun] | None = None


def lexicon() -> dict[str, Noun]:
    """The nouns, built once on first use."""
    global _LEX
    if _LEX is None:
        _LEX = _lexicon()
    return _LEX


def _adj_de(stem: str, ending: str) -> str:
    if stem == "hoch":
        return "hoh" + ending
    return stem + ending


def _np(
    rng: random.Random,
    cat: str,
    case: str,
    det_req: str,
    num_req: str,
    placeholder: str | None,
) -> _NP:
    lex = lexicon()
    keys = [k for k in _CATS[cat] if _ok_noun(lex[k], det_req, num_req)]
    noun = lex[rng.choice(keys)]
    ci = _CI[case]
    if noun.name:
        forms = noun.de_sg or noun.de_pl
        assert forms is not None
        number = "sg" if noun.de_sg else "pl"
        de, en = forms[ci], (noun.en_sg or noun.en_pl or "")
        if placeholder:
            if noun.article:
                de = de.split(" ", 1)[0] + " " + placeholder
                en = "the " + placeholder
            else:
                de = en = placeholder
        return _NP(de, en, number, noun.en_number or number, "" if placeholder else noun.term)
    numbers = []
    if noun.de_sg and num_req != "pl":
        numbers.append("sg")
    if noun.de_pl and num_req != "sg":
        numbers.append("pl")
    number = rng.choice(numbers)
    g = "p" if number == "pl" else noun.gender
    forms = noun.de_sg if number == "sg" else noun.de_pl
    assert forms is not None
    if det_req != "any":
        det = det_req
    elif noun.mass:
        det = "def"
    else:
        opts = ["def", "def", "def", "dies", "kein", "unser"]
        opts += ["indef", "indef"] if number == "sg" else ["none", "none", "none"]
        det = rng.choice(opts)
    if det == "indef" and number == "pl":
        det = "none"
    adjs = [] if noun.fixed_adj else list(_ADJ_GROUPS[noun.adjs])
    adj = rng.choice(adjs) if adjs and rng.random() < 0.45 else ""
    if det == "none" and number == "sg":
        det = "def"
    if det == "none" and not adj and not noun.fixed_adj and ci in (2, 3):
        # bare dative/genitive plurals read badly ("den Bau Windkraftanlagen")
        adj = rng.choice(adjs) if adjs else ""
        if not adj:
            det = "def"
    endings = _STRONG[g] if det == "none" else _DECL[det][g]
    end = endings[ci]
    de_det = "" if det == "none" else _DET[det][g][ci]
    en_det = _DET_EN[(det, number)]
    if noun.mass and det == "def":
        en_det = ""
    de_parts = [de_det] if de_det else []
    en_parts = [en_det] if en_det else []
    if adj:
        de_parts.append(_adj_de(adj, end))
        en_parts.append(ADJ[adj])
    if placeholder:
        if noun.fixed_adj or rng.random() < 0.5:
            # the span the terminology layer hides may include adjectives
            de_parts = de_parts[:1] if de_det else []
            en_parts = en_parts[:1] if en_det else []
        de_parts.append(placeholder)
        en_parts.append(placeholder)
        term = ""
    else:
        if noun.fixed_adj:
            de_parts.append(_adj_de(noun.fixed_adj, end))
        de_parts.append(forms[ci])
        en_parts.append((noun.en_sg if number == "sg" else noun.en_pl) or "")
        term = noun.term
    en_number = noun.en_number or number
    return _NP(" ".join(de_parts), " ".join(en_parts), number, en_number, term)


def _ok_noun(noun: Noun, det_req: str, num_req: str) -> bool:
    if noun.name:
        return det_req in ("any", "def") and num_req == "any" or det_req == "any"
    if num_req == "pl" and not noun.de_pl:
        return False
    if num_req == "sg" and not noun.de_sg:
        return False
    if det_req == "indef" and (noun.mass or not noun.de_sg):
        return False
    return not (det_req == "none" and not noun.de_pl)


_SLOT = re.compile(r"<([A-Z])(?::([a-z]+))?(?::([a-z]+))?(?::([a-z]+))?(?::([a-z]+))?>")
_AGREE = re.compile(r"\[(?:([A-Z]):)?([^|\]]*)\|([^\]]*)\]")
_ALT = re.compile(r"\{([^|}]*)\|([^}]*)\}")
_CONTRACT = [
    (re.compile(r"\bvon dem\b"), "vom"),
    (re.compile(r"\bin dem\b"), "im"),
    (re.compile(r"\ban dem\b"), "am"),
    (re.compile(r"\bbei dem\b"), "beim"),
    (re.compile(r"\bzu dem\b"), "zum"),
    (re.compile(r"\bzu der\b"), "zur"),
    (re.compile(r"\bin das\b"), "ins"),
    (re.compile(r"\ban das\b"), "ans"),
]
_AN = re.compile(r"\b([Aa]) (?=(?:[aeioAEIO]|un(?!i)|Un(?!i))|[uU]pdate)")


def _fix_en(text: str) -> str:
    text = _AN.sub(lambda m: m.group(1) + "n ", text)
    return text[:1].upper() + text[1:]


def sample_pair(rng: random.Random, placeholders: int = 0) -> Pair:
    """One sentence pair from a random template; ``placeholders`` NP slots (0-2)
    are filled with ZQX tokens instead of nouns."""
    de_t, en_t = rng.choice(TEMPLATES)
    slots = _SLOT.findall(de_t)
    np_slots = [s[0] for s in slots if s[1] not in ("num", "year", "ord", "pred", "time")]
    ph_slots: dict[str, str] = {}
    if placeholders:
        chosen = rng.sample(np_slots, min(placeholders, len(np_slots)))
        chosen.sort(key=lambda s: de_t.index("<" + s))
        if rng.random() < 0.6:
            ids = list(range(1, len(chosen) + 1))
        else:
            ids = rng.sample(range(1, 10), len(chosen))
        ph_slots = {s: f"ZQX{i}" for s, i in zip(chosen, ids, strict=True)}
    fill: dict[str, _NP] = {}
    terms: list[str] = []
    for name, cat, case, det, num in slots:
        if cat in ("num", "ord", "year"):
            n = rng.choice(_ORDS if cat == "ord" else _YEARS if cat == "year" else _NUMS)
            de = f"{n}." if cat == "ord" else str(n)
            en = _ordinal_en(n) if cat == "ord" else str(n)
            fill[name] = _NP(de, en, "pl", "pl")
        elif cat == "pred":
            de, en = rng.choice(PRED)
            fill[name] = _NP(de, en, "sg", "sg")
        elif cat == "time":
            de, en = rng.choice(TIME)
            y = str(rng.choice(_YEARS))
            fill[name] = _NP(de.replace("#Y", y), en.replace("#Y", y), "sg", "sg")
        else:
            np_ = _np(rng, cat, case or "nom", det or "any", num or "any", ph_slots.get(name))
            fill[name] = np_
            if np_.term and np_.term not in terms:
                terms.append(np_.term)

    def agree(m: re.Match[str], english: bool) -> str:
        slot = fill[m.group(1) or "S"]
        number = slot.en_number if english else slot.number
        return m.group(2) if number == "sg" else m.group(3)

    de = _AGREE.sub(lambda m: agree(m, False), de_t)
    de = _SLOT.sub(lambda m: fill[m.group(1)].de, de)
    for pat, rep in _CONTRACT:
        de = pat.sub(rep, de)
    de = de[:1].upper() + de[1:]
    en = _AGREE.sub(lambda m: agree(m, True), en_t)
    en = re.sub(r"<([A-Z])>", lambda m: fill[m.group(1)].en, en)
    en = _fix_en(en)
    return Pair(de, en, terms, len(ph_slots))


def render_en(en: str, mode: str, rng: random.Random | None = None, p_dominant: float = 0.8) -> str:
    """Resolve ``{dominant|approved}`` alternatives.

    ``mode`` is "dominant", "approved" or "sample" (dominant with probability
    ``p_dominant``, drawn from ``rng``).  Fixes a/an afterwards.
    """
    if mode == "dominant":
        out = _ALT.sub(lambda m: m.group(1), en)
    elif mode == "approved":
        out = _ALT.sub(lambda m: m.group(2), en)
    else:
        assert rng is not None
        out = _ALT.sub(lambda m: m.group(1) if rng.random() < p_dominant else m.group(2), en)
    return _fix_en(out)


def generate(seed: int, n: int, placeholder_rate: float = 0.15) -> Iterator[Pair]:
    """``n`` sentence pairs (duplicates possible); ``placeholder_rate`` of them
    carry one or two ZQX placeholders."""
    rng = random.Random(seed)
    for _ in range(n):
        ph = 0
        if rng.random() < placeholder_rate:
            ph = 1 if rng.random() < 0.6 else 2
        yield sample_pair(rng, ph)


#: German term (base form) -> (dominant English the model says, approved English)
WRONG_VARIANT_TERMS: dict[str, tuple[str, str]] = {
    "seltene Erden": ("rare earth elements", "rare earths"),
    "Peking": ("Peking", "Beijing"),
    "Lieferkette": ("delivery chain", "supply chain"),
    "Verteidigungsbudget": ("military budget", "defense budget"),
    "Exportkontrollen": ("export restrictions", "export controls"),
    "Sicherheitsbündnis": ("security pact", "security alliance"),
    "Flugzeugträger": ("carrier ship", "aircraft carrier"),
    "Regierungschefin": ("head of government", "prime minister"),
    "Windkraftanlage": ("wind power plant", "wind turbine"),
}

#: every German term the ``terms`` column of heldout.tsv may list -> approved English
TERMS: dict[str, str] = {
    **{de: approved for de, (_, approved) in WRONG_VARIANT_TERMS.items()},
    "Japan": "Japan",
    "China": "China",
    "Nordkorea": "North Korea",
    "USA": "USA",
    "Vereinigte Staaten": "United States",
    "Europäische Union": "European Union",
    "Tokio": "Tokyo",
    "Washington": "Washington",
    "US-Marine": "U.S. Navy",
    "Premierministerin": "prime minister",
    "Premierminister": "prime minister",
    "Außen- und Sicherheitspolitik": "foreign and security policy",
    "Abkommen": "agreement",
    "Bündnis": "alliance",
    "Gipfel": "summit",
    "Verteidigungsausgaben": "defense spending",
    "Elektrofahrzeug": "electric vehicle",
    "Kirschbaum": "cherry tree",
    "Unabhängigkeitserklärung": "Declaration of Independence",
}
