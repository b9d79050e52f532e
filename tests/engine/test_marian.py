"""The Marian family: a CTranslate2 directory converted from a Marian model.

Runs on the project's tiny Marian model (tests/data/marian-de_en-tiny, made
by tools/build_marian_test_model.py with CTranslate2's own converter).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TEST_MODELS, private_env
from transkit.engine.argos import ArgosEngine
from transkit.engine.families import engine_for
from transkit.engine.marian import MarianEngine
from transkit.errors import ModelError

MARIAN = TEST_MODELS["marian-tiny"]
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"

pytestmark = pytest.mark.skipif(
    not MARIAN.exists(), reason=f"{MARIAN.name} not built (tools/build_marian_test_model.py)"
)


@pytest.fixture(scope="module")
def engine() -> MarianEngine:
    built = engine_for(str(MARIAN))
    assert isinstance(built, MarianEngine)
    return built


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "opus-mt-de-en"
    shutil.copytree(MARIAN, copy)
    return copy


def test_the_family_comes_from_the_files(engine: MarianEngine, tmp_path: Path) -> None:
    assert engine.name == f"marian:{MARIAN.name}"
    caps = engine.capabilities
    # The converter marks the zero start embedding; that flag, not the name,
    # keeps completions in beam search.  The source gets </s> from transkit.
    assert not caps.one_step_prefix and caps.source_eos and caps.prefix_completion
    renamed = shutil.copytree(MARIAN, tmp_path / "translate-de_en-tiny")
    assert isinstance(engine_for(str(renamed)), MarianEngine)
    argos = engine_for(str(TEST_MODELS["argos-tiny"]))
    assert isinstance(argos, ArgosEngine) and argos.capabilities.one_step_prefix


@pytest.mark.parametrize(
    "missing",
    ["model.bin", "config.json", "source.spm", "target.spm", "shared_vocabulary.json"],
)
def test_a_directory_lacking_a_file_is_refused_when_loaded(tmp_path: Path, missing: str) -> None:
    model = _copy(tmp_path)
    (model / missing).unlink()
    with pytest.raises(ModelError) as err:
        engine_for(str(model))  # not at the first translation
    line = err.value.one_line()
    assert f"no {missing}" in line and str(model) in line and "\n" not in line


def test_the_cli_names_the_missing_file(tmp_path: Path) -> None:
    model = _copy(tmp_path)
    (model / "target.spm").unlink()
    src = tmp_path / "a.txt"
    src.write_text("Peking baut.\n", encoding="utf-8")
    proc = subprocess.run(
        [TRANSKIT, "translate", "--model", str(model), "--no-glossary", str(src)],
        env=private_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "no target.spm" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_per_side_vocabularies_translate_like_a_shared_one(
    engine: MarianEngine, tmp_path: Path
) -> None:
    model = _copy(tmp_path)
    shared = model / "shared_vocabulary.json"
    shutil.copy(shared, model / "source_vocabulary.json")
    shared.rename(model / "target_vocabulary.json")
    sources = ["Japan will das Verteidigungsbudget erhöhen.", "Die USA sind wichtig."]
    split = engine_for(str(model)).translate_batch(sources, num_hypotheses=2)
    assert split == engine.translate_batch(sources, num_hypotheses=2)


def test_the_source_is_closed_with_eos_as_marian_was_trained(engine: MarianEngine) -> None:
    """transkit's output is CTranslate2's for the pieces plus ``</s>``; the
    converter's config.json does not ask CTranslate2 to add it."""
    import ctranslate2

    source = "Peking hat Exportkontrollen auf seltene Erden eingeführt."
    raw = ctranslate2.Translator(str(MARIAN), compute_type="int8").translate_batch(
        [[*engine.tokenize(source), "</s>"]],
        beam_size=engine.options.beam_size,
        length_penalty=engine.options.length_penalty,
    )
    expected = engine.detokenize(raw[0].hypotheses[0])
    assert engine.translate_batch([source])[0][0].text == expected
    assert "</s>" not in expected and expected


def test_nbest_sorted_distinct_and_prefix_kept(engine: MarianEngine) -> None:
    sources = ["Japan will das Verteidigungsbudget erhöhen.", "Die Allianz ist stark."]
    for hyps in engine.translate_batch(sources, num_hypotheses=4):
        scores = [h.score for h in hyps]
        assert len(hyps) == 4 and scores == sorted(scores, reverse=True)
        assert len({h.text for h in hyps}) == 4
    (out,) = engine.complete_batch(sources[:1], ["Japan wants to raise"], num_hypotheses=2)
    assert out and all(h.text.startswith("Japan wants to raise ") for h in out)


def test_alignment_drops_the_eos_column(engine: MarianEngine) -> None:
    source = "Peking hat Exportkontrollen auf seltene Erden eingeführt."
    target = "Beijing has introduced export controls on rare earths."
    (al,) = engine.align_batch([source], [target])
    assert al is not None
    assert len(al.source_words) == len(source.rstrip(".").split()) + 1  # words and the stop
    assert all(link is None or link < len(al.source_words) for link in al.links)


def test_tokenize_many_cuts_each_text_as_tokenize_does(engine: MarianEngine) -> None:
    texts = ["Die Regierung in Peking hat am Montag neue Exportkontrollen angekündigt.", "", "Ja."]
    assert engine.tokenize_many(texts) == [engine.tokenize(text) for text in texts]
    assert engine.tokenize_many([]) == []
    assert engine.tokenize_many(texts[:1])[0][-1] != engine.eos_token  # </s> added at decoding


def test_the_language_pair_comes_from_transkit_json_else_de_en(tmp_path: Path) -> None:
    from transkit.engine.families import engine_of
    from transkit.models import resolve_model

    model = _copy(tmp_path)
    assert (resolve_model(str(model)).from_code, resolve_model(str(model)).to_code) == ("de", "en")
    (model / "transkit.json").write_text('{"from_code": "en", "to_code": "de"}\n', "utf-8")
    package = resolve_model(str(model))
    assert (package.from_code, package.to_code, package.family) == ("en", "de", "marian")
    # translate wants de->en and says so in one line; the server serves any pair
    with pytest.raises(ModelError, match="model translates en->de, not de->en"):
        engine_for(str(model))
    assert isinstance(engine_of(package), MarianEngine)
    (model / "transkit.json").write_text("[1]", "utf-8")
    with pytest.raises(ModelError, match="transkit.json is not an object"):
        resolve_model(str(model))
