"""The Argos engine: n-best, length-sorted batching, and nothing truncated."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from transkit.engine.argos import ArgosEngine, EngineOptions, engine_for
from transkit.engine.base import Engine
from transkit.errors import ModelError
from transkit.models import resolve_model

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with (ROOT / "tests" / "data" / "heldout.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> ArgosEngine:
    cache = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRANSKIT_CACHE_DIR", str(cache))
    try:
        return engine_for(str(MODEL))
    finally:
        mp.undo()


def test_is_an_engine(engine: ArgosEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.name.startswith("argos:translate-de_en-tiny")


def test_nbest_sorted_and_sized(engine: ArgosEngine, rows: list[dict[str, str]]) -> None:
    sources = [r["de"] for r in rows[:6]]
    results = engine.translate_batch(sources, num_hypotheses=5)
    assert len(results) == 6
    for hyps in results:
        assert len(hyps) == 5
        scores = [h.score for h in hyps]
        assert scores == sorted(scores, reverse=True)
        assert len({h.text for h in hyps}) > 1


def test_batch_order_does_not_change_results(
    engine: ArgosEngine, rows: list[dict[str, str]]
) -> None:
    """Sorting by length for batching must not mix up which output is whose."""
    sources = [r["de"] for r in rows[:20]]
    forward = [h[0].text for h in engine.translate_batch(sources)]
    backward = [h[0].text for h in engine.translate_batch(sources[::-1])]
    assert forward == backward[::-1]
    assert sum(a == r["en"] for a, r in zip(forward, rows, strict=False)) >= 15


def test_empty_and_whitespace_sources(engine: ArgosEngine) -> None:
    assert [h[0].text for h in engine.translate_batch(["", "   "])] == ["", ""]


def test_over_long_segment_is_split_not_truncated(
    rows: list[dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A segment longer than the model's input limit is translated in clause-sized parts."""
    monkeypatch.setenv("TRANSKIT_CACHE_DIR", str(tmp_path))
    package = resolve_model(str(MODEL))
    full = ArgosEngine(package)
    parts = [r for r in rows if len(r["de"]) < 80 and not r["terms"]][:4]
    longest = max(len(full.tokenize(p["de"])) for p in parts)
    limited = ArgosEngine(package, EngineOptions(max_input_tokens=longest + 2))
    long_source = "; ".join(p["de"].rstrip(".") for p in parts) + "."
    assert len(limited.tokenize(long_source)) > limited.max_input_tokens
    text = limited.translate_batch([long_source])[0][0].text
    # Each clause was translated on its own and every one of them is in the output.
    found = sum(p["en"].rstrip(".").lower() in text.lower() for p in parts)
    assert found >= len(parts) - 1, text
    assert len(text) >= sum(len(p["en"]) for p in parts) * 0.8
    # The German clause marks are kept between the parts, not turned into full stops.
    assert text.count(";") == len(parts) - 1


def test_wrong_language_pair_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_models import make_package

    monkeypatch.setenv("TRANSKIT_CACHE_DIR", str(tmp_path / "cache"))
    archive = make_package(
        tmp_path / "en_de.argosmodel", top="translate-en_de", from_code="en", to_code="de"
    )
    with pytest.raises(ModelError, match="en->de, not de->en"):
        engine_for(str(archive))


def test_damaged_model_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_models import make_package

    monkeypatch.setenv("TRANSKIT_CACHE_DIR", str(tmp_path / "cache"))
    engine = engine_for(str(make_package(tmp_path / "broken.argosmodel")))
    with pytest.raises(ModelError, match="cannot load model"):
        engine.translate_batch(["Hallo."])


def test_translation_never_imports_argostranslate_translate(tmp_path: Path) -> None:
    code = (
        "import sys; from transkit import translate_text; "
        f"print(translate_text('Japan ist wichtig.', model={str(MODEL)!r})); "
        "print(sorted(m for m in ('argostranslate', 'stanza', 'torch', 'spacy') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"TRANSKIT_CACHE_DIR": str(tmp_path), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    lines = out.stdout.strip().splitlines()
    assert lines[-1] == "[]"
    assert lines[0].strip()


def test_decoding_is_bounded_by_the_source_length(engine: ArgosEngine) -> None:
    """A one-word input that sends the model into a repetition loop stops early."""
    from transkit.engine.batching import decoding_cap as _decoding_cap

    assert _decoding_cap(2, 512) == 22 and _decoding_cap(400, 512) == 512
    (hyp,) = engine.translate_batch(["China"])[0][:1]
    assert len(engine.tokenize(hyp.text)) <= _decoding_cap(len(engine.tokenize("China")), 512)
