"""Attention-based word alignment, and the engine's prefix-forced decoding."""

from __future__ import annotations

import pytest

from conftest import TEST_MODELS
from transkit.engine.align import char_spans, piece_words, word_alignment
from transkit.engine.base import can_constrain

MODELS = list(TEST_MODELS.values())


def test_piece_words_groups_by_word_start_and_splits_punctuation() -> None:
    pieces = ["▁Peking", "▁", "has", "▁ra", "re", "▁earths", ".", "▁„", "neu"]
    assert piece_words(pieces) == [[0], [1, 2], [3, 4], [5], [6], [7], [8]]


def test_char_spans_follow_the_text() -> None:
    pieces = ["▁Peking", "▁", "has", "▁ra", "re", "."]
    words = piece_words(pieces)
    text = "Peking has rare."
    assert [text[a:b] for a, b in char_spans(text, pieces, words)] == [
        "Peking",
        "has",
        "rare",
        ".",
    ]


def test_word_alignment_links_to_most_attended_content_word() -> None:
    source, src = "Peking kontrolliert Erden.", ["▁Peking", "▁kontrolliert", "▁Erden", "."]
    target, tgt = "Beijing controls earths.", ["▁Beijing", "▁controls", "▁earth", "s", "."]
    attention = [
        [0.9, 0.05, 0.0, 0.05],
        [0.1, 0.3, 0.0, 0.6],  # most mass on ".": a sink, ignored
        [0.0, 0.1, 0.8, 0.1],
        [0.0, 0.0, 0.5, 0.5],
        [0.0, 0.0, 0.0, 1.0],
    ]
    al = word_alignment(source, src, target, tgt, attention)
    assert al.links == (0, 1, 2, None)
    assert [target[a:b] for a, b in al.target_words] == ["Beijing", "controls", "earths", "."]
    assert al.targets_of(*_span(source, "Erden")) == [2]
    assert al.insertion_word(*_span(source, "Erden")) == 2


def test_insertion_word_for_an_unrendered_source_word_follows_its_left_neighbour() -> None:
    source, src = "Peking kontrolliert Erden.", ["▁Peking", "▁kontrolliert", "▁Erden", "."]
    target, tgt = "Beijing controls.", ["▁Beijing", "▁controls", "."]
    attention = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
    al = word_alignment(source, src, target, tgt, attention)
    assert al.targets_of(*_span(source, "Erden")) == []
    assert al.insertion_word(*_span(source, "Erden")) == 2  # after "controls"


def _span(text: str, word: str) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


@pytest.fixture(scope="module", params=MODELS, ids=lambda p: p.stem)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Each trained test model's engine, loaded once per module."""
    from transkit.engine.families import engine_for

    if not request.param.exists():
        pytest.skip(f"{request.param.name} not built")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRANSKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    try:
        return engine_for(str(request.param))
    finally:
        mp.undo()


def test_complete_batch_keeps_the_prefix_and_finishes(engine) -> None:
    assert can_constrain(engine)
    sources = ["Japan will das Verteidigungsbudget erhöhen.", "Die USA sind wichtig."]
    out = engine.complete_batch(sources, ["Japan wants to increase the defense budget", ""])
    assert out[0][0].text.startswith("Japan wants to increase the defense budget")
    assert len(out[0][0].text) > len("Japan wants to increase the defense budget")
    plain = engine.translate_batch(sources[1:])
    assert out[1][0].text == plain[0][0].text


def test_align_batch_links_a_name_to_itself(engine) -> None:
    source = "Peking hat Exportkontrollen auf seltene Erden eingeführt."
    target = "Peking has introduced export restrictions on rare earth elements."
    (al,) = engine.align_batch([source], [target])
    assert al is not None
    assert len(al.target_words) == 10
    first = al.links[0]
    assert first is not None and source[slice(*al.source_words[first])] == "Peking"


def test_word_alignment_takes_compact_rows_and_imports_no_numpy() -> None:
    """The translate path stores attention as array('f') rows and must not
    pay for importing numpy (a tenth of a second) to align them."""
    import subprocess
    import sys

    code = (
        "import sys; from array import array\n"
        "from transkit.engine.align import word_alignment\n"
        "a = word_alignment('Peking baut.', ['▁Peking', '▁baut', '.'], 'Beijing builds.',"
        " ['▁Beijing', '▁builds', '.'],"
        " [array('f', [0.9, 0.05, 0.05]), array('f', [0.1, 0.8, 0.1]), array('f', [0, 0, 1])])\n"
        "assert a.links == (0, 1, None), a.links\n"
        "assert 'numpy' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_completions_differ_right_after_the_prefix(engine) -> None:
    """Where the model allows CTranslate2's alternatives mode (the Argos test
    models), the two completions of a forced prefix start differently, so one
    that stops dead has an alternative that goes on.  The Marian model's
    decoder starts from a zero embedding (a model.bin flag): beam search,
    two distinct completions that both keep the prefix."""
    from transkit.modelbin import model_bin_scalars

    out = engine.complete_batch(
        ["Japan will das Verteidigungsbudget erhöhen."], ["Japan"], num_hypotheses=2
    )
    flags = model_bin_scalars(engine.model_dir / "model.bin")
    zero_start = bool(flags.get("decoder/start_from_zero_embedding"))
    assert engine.capabilities.one_step_prefix is not zero_start
    assert zero_start is (engine.family == "marian")
    assert len(out[0]) == 2 and all(h.text.startswith("Japan ") for h in out[0])
    if engine.capabilities.one_step_prefix:
        first, second = (h.text[len("Japan") :].split()[:1] for h in out[0])
        assert first != second
    else:
        assert out[0][0].text != out[0][1].text
