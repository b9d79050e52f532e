"""Repair that needs no cooperating engine: substitution, re-decoding, scrubbing, flags.

Driven by `fake_engine.FakeEngine`: deterministic, never copies a placeholder,
prefers the wrong words, and can be steered with a forced prefix.
"""

from __future__ import annotations

from pathlib import Path

from fake_engine import FakeEngine

from transkit.data import Hypothesis, Segment, TermMatch
from transkit.enforce.count import doubled_terms
from transkit.enforce.policy import TermPolicy
from transkit.enforce.scrub import scrub_forbidden
from transkit.enforce.stages import enforce_terms
from transkit.enforce.substitute import substitute
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
