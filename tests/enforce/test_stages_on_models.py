"""Every enforcement stage does its work on every trained test model.

`test_stages.py` drives the stages with a deterministic fake engine; here
the out-of-grammar news set goes through the batch step
(`transkit.batch.translate_segments`) on each trained model in turn: the
Argos one that copies placeholders, the Argos "stranger" and the Marian
(OPUS-MT-style) stranger.  For each model the test finds a segment that
each stage fixed (n-best, substitution, re-decoding, scrubbing), judged
against the model's own best translation, so a stage that silently did
nothing on one family fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from transkit.enforce.count import no_doubles
from transkit.enforce.find import find_term

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "tests" / "data" / "heldout_news.tsv"
GLOSSARY = ROOT / "glossary"


def _has_any(text: str, renderings: tuple[str, ...]) -> bool:
    return any(find_term(text, r) for r in renderings)


@pytest.fixture(scope="module")
def enforced(trained_model: Path) -> dict[str, Any]:
    """The news set enforced on one model, with the model's own best English of each segment."""
    from transkit.batch import translate_segments
    from transkit.engine.families import engine_for
    from transkit.pipeline import load_glossary, prepare_document
    from transkit.terms.glossary import load_glossaries

    german = [line.split("\t")[0] for line in NEWS.read_text(encoding="utf-8").splitlines()[1:]]
    matcher, _, glossary = load_glossary([GLOSSARY])
    segments = prepare_document("news", "\n\n".join(german), matcher).segments
    engine = engine_for(str(trained_model))
    raw = [hyps[0].text for hyps in engine.translate_batch([s.source for s in segments])]
    done = translate_segments(segments, engine, glossary=glossary)
    forbidden = sorted({bad for c in load_glossaries([GLOSSARY]).concepts() for bad in c.forbidden})
    return {"family": engine.family, "raw": raw, "done": done, "forbidden": forbidden}


def test_every_term_holds_none_doubled_no_forbidden_left(enforced: dict[str, Any]) -> None:
    done = enforced["done"]
    checks = [c for s in done for c in s.checks]
    assert len(checks) > 100
    assert all(c.satisfied for c in checks), [c.term for c in checks if not c.satisfied]
    assert all(no_doubles(s.target or "", s.terms) for s in done)
    left = [(s.id, bad) for s in done for bad in enforced["forbidden"] if find_term(s.target, bad)]
    assert not left, left


def test_nbest_picks_a_hypothesis_below_the_best_that_obeys(enforced: dict[str, Any]) -> None:
    chosen = [
        (raw, seg)
        for raw, seg in zip(enforced["raw"], enforced["done"], strict=True)
        if seg.checks
        and all(c.stage == "nbest" for c in seg.checks)
        and not all(_has_any(raw, c.required) for c in seg.checks)
    ]
    assert chosen, f"n-best never chose below the best hypothesis on the {enforced['family']} model"
    for _, seg in chosen:
        assert all(_has_any(seg.target or "", c.required) for c in seg.checks)


def test_substitution_replaces_another_rendering(enforced: dict[str, Any]) -> None:
    substituted = [
        (raw, seg, c)
        for raw, seg in zip(enforced["raw"], enforced["done"], strict=True)
        for c in seg.checks
        if c.stage == "substituted"
    ]
    assert substituted, f"nothing substituted on the {enforced['family']} model"
    for _, seg, check in substituted:
        assert _has_any(seg.target or "", check.required)
        assert any("replaced by" in line and check.term in line for line in seg.repairs)


def test_redecoding_forces_in_a_term_the_model_left_out(enforced: dict[str, Any]) -> None:
    redecoded = [
        (raw, seg, c)
        for raw, seg in zip(enforced["raw"], enforced["done"], strict=True)
        for c in seg.checks
        if c.stage == "redecoded"
    ]
    assert redecoded, f"nothing re-decoded on the {enforced['family']} model"
    assert any(not _has_any(raw, c.required) for raw, _, c in redecoded)
    for _, seg, check in redecoded:
        assert _has_any(seg.target or "", check.required)
        assert any("forced by re-decoding" in line for line in seg.repairs)


def test_scrubbing_removes_a_forbidden_term_the_model_wrote(enforced: dict[str, Any]) -> None:
    forbidden = enforced["forbidden"]
    scrubbed = [
        (raw, seg)
        for raw, seg in zip(enforced["raw"], enforced["done"], strict=True)
        if any(line.startswith("forbidden rendering of") for line in seg.repairs)
    ]
    assert scrubbed, f"nothing scrubbed on the {enforced['family']} model"
    for _, seg in scrubbed:
        assert not [bad for bad in forbidden if find_term(seg.target, bad)]
        # the report names the concept, never the forbidden text
        assert not [bad for bad in forbidden for line in seg.repairs if f"'{bad}'" in line]
