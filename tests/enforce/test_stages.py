"""Repair that needs no cooperating engine: substitution, re-decoding, scrubbing, flags.

Driven by `fake_engine.FakeEngine`: deterministic, never copies a placeholder,
prefers the wrong words, and can be steered with a forced prefix.
"""

from __future__ import annotations

from pathlib import Path

from fake_engine import FakeEngine

from transkit.data import Hypothesis, Segment, TermMatch
from transkit.enforce.count import count_checks, doubled_terms, occurrence_counts
from transkit.enforce.english import fix_articles
from transkit.enforce.policy import TermPolicy
from transkit.enforce.redecode import plan_redecode
from transkit.enforce.scrub import scrub_forbidden
from transkit.enforce.stages import enforce_terms
from transkit.enforce.substitute import substitute
from transkit.engine.align import WordAlignment
from transkit.terms.glossary import load_glossaries
from transkit.terms.match import TermMatcher

GLOSSARY = (
    "id\tde\ten\tstatus\tpos\tdnt\tcase\tdomain\tnote\n"
    "peking\tPeking\tBeijing\tpreferred\tproperNoun\tno\tinsensitive\tplace\t\n"
    "peking\tPeking\tPeking\tforbidden\tproperNoun\tno\tinsensitive\tplace\t\n"
    "se\tseltene Erden\trare earths\tpreferred\tnoun\tno\tinsensitive\ttrade\t\n"
    "se\tseltene Erden\trare earth elements\tdeprecated\tnoun\tno\tinsensitive\ttrade\t\n"
    "vb\tVerteidigungsbudget\tdefense budget\tpreferred\tnoun\tno\tinsensitive\tsec\t\n"
    "lk\tLieferkette\tsupply chain\tpreferred\tnoun\tno\tinsensitive\ttrade\t\n"
    "lk\tLieferkette\tdelivery chain\tforbidden\tnoun\tno\tinsensitive\ttrade\t\n"
    "ft\tFlugzeugträger\taircraft carrier\tpreferred\tnoun\tno\tinsensitive\tsec\t\n"
    "gi\tGipfel\tsummit\tpreferred\tnoun\tno\tinsensitive\tpol\t\n"
    "tk\tTokio\tTokyo\tpreferred\tproperNoun\tno\tinsensitive\tplace\t\n"
)


def _setup(tmp_path: Path):
    path = tmp_path / "g.tsv"
    path.write_text(GLOSSARY, encoding="utf-8")
    glossary = load_glossaries([path])
    return TermMatcher.from_glossary(glossary), TermPolicy.from_glossary(glossary)


def _run(tmp_path: Path, sources: list[str], engine: FakeEngine | None = None):
    matcher, policy = _setup(tmp_path)
    segments = [
        Segment(id=str(i), source=s, terms=matcher.find(s)) for i, s in enumerate(sources, 1)
    ]
    engine = engine or FakeEngine()
    return enforce_terms(segments, engine, num_hypotheses=4, policy=policy), engine


def test_forbidden_rendering_is_substituted_and_reported_without_its_text(tmp_path: Path) -> None:
    (seg,), _ = _run(tmp_path, ["Peking handelt."])
    assert seg.target == "Beijing acts."
    (check,) = seg.checks
    assert check.satisfied and check.stage == "substituted"
    assert check.replaced == "forbidden rendering"
    assert seg.method == "substituted"
    assert seg.repairs and not any("Peking" in line.replace("Peking:", "") for line in seg.repairs)


def test_engine_rendering_of_the_term_alone_is_substituted_keeping_possessive(
    tmp_path: Path,
) -> None:
    """The glossary does not know "military budget"; the engine's own
    translation of the German term alone shows it is that concept's rendering."""
    out, engine = _run(
        tmp_path, ["Verteidigungsbudget wächst.", "Der Verteidigungsbudgets wächst."]
    )
    assert out[0].target == "Defense budget grows."
    assert out[0].checks[0].stage == "substituted"
    assert out[0].checks[0].replaced.lower() == "military budget"
    assert out[1].target == "The defense budget's grows."
    # The German terms were translated alone in one batch (n-best).
    assert ("translate", 2) in engine.calls or ("translate", 1) in engine.calls


def test_substitution_fixes_number_and_article() -> None:
    chains = TermMatch("lk", "Lieferkette", "Lieferketten", 0, 12, required=("supply chain",))
    new, old = substitute("Delivery chains are long.", chains, ["delivery chain"], [chains])
    assert (new, old) == ("Supply chains are long.", "Delivery chains")
    carrier = TermMatch(
        "ft", "Flugzeugträger", "Flugzeugträger", 4, 18, required=("aircraft carrier",)
    )
    new, _ = substitute("It is a carrier ship.", carrier, ["carrier ship"], [carrier])
    assert new == "It is an aircraft carrier."


def test_missing_term_is_forced_by_redecoding_where_it_aligns(tmp_path: Path) -> None:
    """The engine drops "seltene Erden" altogether: nothing to substitute."""
    (seg,), engine = _run(tmp_path, ["Peking kontrolliert seltene Erden und Tokio."])
    assert seg.target == "Beijing controls rare earths and Tokyo."
    stages = {c.term: c.stage for c in seg.checks}
    assert stages == {"Peking": "substituted", "seltene Erden": "redecoded", "Tokio": "nbest"}
    assert all(c.satisfied for c in seg.checks)
    assert ("complete", 1) in engine.calls


def test_redecoding_is_batched_across_segments(tmp_path: Path) -> None:
    sources = [
        "Peking kontrolliert seltene Erden.",
        "Tokio kontrolliert seltene Erden.",
        "Hallo und seltene Erden.",
    ]
    out, engine = _run(tmp_path, sources)
    assert [s.target for s in out] == [
        "Beijing controls rare earths.",
        "Tokyo controls rare earths.",
        "Hello and rare earths.",
    ]
    completes = [n for kind, n in engine.calls if kind == "complete"]
    assert completes == [3], engine.calls  # one round, one batch, all three segments


def test_without_a_steerable_engine_the_term_is_flagged_with_a_reason(tmp_path: Path) -> None:
    class Plain(FakeEngine):
        complete_batch = None  # type: ignore[assignment]
        align_batch = None  # type: ignore[assignment]

    (seg,), _ = _run(tmp_path, ["Tokio kontrolliert seltene Erden."], Plain())
    flagged = [c for c in seg.checks if not c.satisfied]
    assert [c.term for c in flagged] == ["seltene Erden"]
    assert flagged[0].stage == "flagged"
    assert "cannot re-decode" in flagged[0].reason
    assert seg.method == "failed"


def test_forbidden_term_is_scrubbed_even_where_no_term_was_matched(tmp_path: Path) -> None:
    engine = FakeEngine()
    # "Hallo" has no glossary term, but this engine says "Peking" anyway.
    out, _ = _run(tmp_path, ["Hallo Peking"], engine)
    assert "Peking" not in out[0].target
    _, policy = _setup(tmp_path)
    text, repairs = scrub_forbidden("The delivery chain's end, Peking.", policy)
    assert text == "The supply chain's end, Beijing."
    assert len(repairs) == 2 and not any("Peking" in r or "delivery" in r for r in repairs)


class Doubling(FakeEngine):
    """Its best hypothesis says "summit" twice; ``clean`` adds a correct second one."""

    def __init__(self, clean: bool) -> None:
        super().__init__()
        self.clean = clean

    def translate_batch(self, sources, *, num_hypotheses=1):
        out = super().translate_batch(sources, num_hypotheses=num_hypotheses)
        for src, hyps in zip(sources, out, strict=True):
            if "Gipfel" in src:
                hyps[:] = [Hypothesis("The summit begins the summit today.", -0.5)]
                if self.clean:
                    hyps.append(Hypothesis("The summit begins today.", -0.9))
        return out


def test_doubled_term_in_the_nbest_is_passed_over(tmp_path: Path) -> None:
    (seg,), _ = _run(tmp_path, ["Der Gipfel beginnt heute."], Doubling(clean=True))
    assert seg.target == "The summit begins today."
    assert seg.method == "nbest" and doubled_terms(seg) == []


def test_doubled_term_is_redecoded_after_its_first_occurrence(tmp_path: Path) -> None:
    (seg,), engine = _run(tmp_path, ["Der Gipfel beginnt heute."], Doubling(clean=False))
    assert seg.target == "The summit begins today."
    assert doubled_terms(seg) == []
    assert ("complete", 1) in engine.calls


def test_one_english_occurrence_does_not_satisfy_two_german_ones() -> None:
    a = TermMatch("peking", "Peking", "Peking", 0, 6, required=("Beijing",))
    b = TermMatch("peking", "Peking", "Peking", 11, 17, required=("Beijing",))
    checks = count_checks("Beijing and it.", [a, b])
    assert [c.satisfied for c in checks] == [True, False]
    assert occurrence_counts("Beijing and Beijing.", [a, b]) == {"peking": (2, 2)}


def test_nested_terms_belong_to_the_longer_one() -> None:
    alliance = TermMatch("al", "Allianz", "Allianz", 0, 7, required=("alliance",))
    pact = TermMatch(
        "sb", "Sicherheitsbündnis", "Sicherheitsbündnis", 12, 30, required=("security alliance",)
    )
    counts = occurrence_counts("The alliance and the security alliance.", [alliance, pact])
    assert counts == {"al": (1, 1), "sb": (1, 1)}


def test_fix_articles() -> None:
    assert fix_articles("a aircraft carrier and an supply chain") == (
        "an aircraft carrier and a supply chain"
    )
    assert fix_articles("A European ally, an hour") == "A European ally, an hour"


def test_plan_inserts_at_aligned_place_and_never_only_at_the_end() -> None:
    # German: "Peking kontrolliert seltene Erden und Tokio."
    target = "Beijing controls and Tokyo."
    rare = TermMatch("se", "seltene Erden", "seltene Erden", 20, 33, required=("rare earths",))
    alignment = WordAlignment(
        source_words=((0, 6), (7, 19), (20, 27), (28, 33), (34, 37), (38, 43), (43, 44)),
        target_words=((0, 7), (8, 16), (17, 20), (21, 26), (26, 27)),
        links=(0, 1, 4, 5, None),
    )
    prefix, placed, _ = plan_redecode(target, alignment, [rare])
    assert (prefix, placed) == ("Beijing controls rare earths", [0])
    # At the very start, the term is capitalised.
    start = WordAlignment(alignment.source_words, alignment.target_words, (None,) * 5)
    assert plan_redecode(target, start, [rare])[0] == "Rare earths"


class Flattop(FakeEngine):
    """Says "flattop" for Flugzeugträger in a sentence, nothing useful for it alone."""

    def translate_batch(self, sources, *, num_hypotheses=1):
        out = super().translate_batch(sources, num_hypotheses=num_hypotheses)
        for src, hyps in zip(sources, out, strict=True):
            if src == "Flugzeugträger":
                hyps[:] = [Hypothesis("It", -1.0)]
            else:
                for k, h in enumerate(hyps):
                    hyps[k] = Hypothesis(h.text.replace("carrier ship", "flattop"), h.score)
        return out

    def complete_batch(self, sources, prefixes, *, num_hypotheses=1):
        raise AssertionError("substitution should have been enough")


def test_dictionary_equivalent_aligned_to_the_term_is_substituted(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("TRANSKIT_CACHE_DIR", str(tmp_path / "cache"))
    dictionary = tmp_path / "de-en"
    dictionary.write_text(
        "Flugzeugträger {m} [mil.] :: aircraft carrier; flattop\nGipfel {m} :: peak; top; summit\n",
        encoding="utf-8",
    )
    matcher, policy = _setup(tmp_path)
    source = "Ein Flugzeugträger kommt."
    seg = Segment(id="1", source=source, terms=matcher.find(source))
    (out,) = enforce_terms([seg], Flattop(), policy=policy, dictionary=dictionary)
    assert out.target == "An aircraft carrier comes."
    assert out.checks[0].stage == "substituted" and out.checks[0].replaced == "flattop"
    # Looked up once, then served from the cache.
    cached = list((tmp_path / "cache" / "dictionary").glob("*.json"))
    assert len(cached) == 1 and "Flugzeugträger" in cached[0].read_text(encoding="utf-8")


def test_english_shared_by_two_concepts_counts_once_for_each() -> None:
    """Premierministerin and Regierungschefin may both be "prime minister"."""
    pm = TermMatch(
        "pm", "Premierministerin", "Premierministerin", 0, 17, required=("prime minister",)
    )
    hog = TermMatch(
        "hog",
        "Regierungschefin",
        "Regierungschefin",
        30,
        46,
        required=("head of government", "prime minister"),
    )
    one = count_checks("The prime minister met her.", [pm, hog])
    assert [c.satisfied for c in one] == [True, False]
    two = count_checks("The prime minister met the prime minister.", [pm, hog])
    assert all(c.satisfied for c in two)
    assert occurrence_counts("The prime minister met the prime minister.", [pm, hog]) == {
        "pm": (1, 1),
        "hog": (1, 1),
    }


def test_plan_replaces_the_engines_rendering_instead_of_repeating_it() -> None:
    # German: "Die USA kaufen seltene Erden." -> engine: "The USA buy rare earth elements."
    target = "The USA buy rare earth elements."
    usa = TermMatch("usa", "USA", "USA", 4, 7, required=("United States",))
    rare = TermMatch("se", "seltene Erden", "seltene Erden", 15, 28, required=("rare earths",))
    alignment = WordAlignment(
        source_words=((0, 3), (4, 7), (8, 14), (15, 22), (23, 28), (28, 29)),
        target_words=((0, 3), (4, 7), (8, 11), (12, 16), (17, 22), (23, 31), (31, 32)),
        links=(0, 1, 2, 3, 4, 4, None),
    )
    prefix, placed, _ = plan_redecode(target, alignment, [usa, rare])
    # Both renderings ("USA", "rare earth elements") give way; nothing is said twice.
    assert (prefix, placed) == ("The United States buy rare earths", [0, 1])


def test_plan_keeps_terms_the_engine_already_got_right_after_the_last_placed_one() -> None:
    # German: "Die USA verringern die Abhängigkeit von Windkraftanlagen."
    target = "The USA reduce the dependence on wind turbines."
    usa = TermMatch("usa", "USA", "USA", 4, 7, required=("United States",))
    wind = TermMatch(
        "wk", "Windkraftanlagen", "Windkraftanlagen", 40, 56, required=("wind turbines",)
    )
    alignment = WordAlignment(
        source_words=((0, 3), (4, 7), (8, 18), (19, 22), (23, 35), (36, 39), (40, 56), (56, 57)),
        target_words=(
            (0, 3),
            (4, 7),
            (8, 14),
            (15, 18),
            (19, 29),
            (30, 32),
            (33, 37),
            (38, 46),
            (46, 47),
        ),
        links=(0, 1, 2, 3, 4, 5, 6, 6, None),
    )
    prefix, placed, closes = plan_redecode(target, alignment, [usa], terms=[usa, wind])
    # Forcing only "The United States" would let the engine say "wind power
    # plants"; the kept text runs through the term it already had right.
    assert prefix == "The United States reduce the dependence on wind turbines"
    assert placed == [0]
    assert closes is True  # the engine's sentence ended there
