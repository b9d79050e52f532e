"""The batch seam: repeats translated once, progress totals, token batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from transkit.batch import pending_parts, translate_segments
from transkit.data import Hypothesis, Segment
from transkit.engine.ct2 import token_batches


class RecordingEngine:
    """Upper-cases each source and records every source it was asked for."""

    name = "recording"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def translate_batch(
        self,
        sources: Sequence[str],
        *,
        num_hypotheses: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> list[list[Hypothesis]]:
        self.asked.extend(sources)
        if progress:
            progress(len(sources))
        return [[Hypothesis(s.upper(), 0.0)] for s in sources]


def _segments(texts: Sequence[str]) -> list[Segment]:
    out, start = [], 0
    for i, text in enumerate(texts):
        out.append(Segment(id=str(i + 1), source=text, leading=" " * i, start=start))
        start += len(text) + i
    return out


def test_repeated_sources_are_translated_once_and_keep_their_place() -> None:
    segments = _segments(["Guten Tag.", "Wie geht es?", "Guten Tag.", "Guten Tag."])
    engine = RecordingEngine()
    done = translate_segments(segments, engine)
    assert sorted(engine.asked) == ["Guten Tag.", "Wie geht es?"]
    assert [s.target for s in done] == ["GUTEN TAG.", "WIE GEHT ES?", "GUTEN TAG.", "GUTEN TAG."]
    assert [(s.id, s.leading, s.start) for s in done] == [
        (s.id, s.leading, s.start) for s in segments
    ]


def test_progress_reaches_the_total_pending_parts_announces() -> None:
    segments = _segments(["Eins.", "Zwei.", "Eins.", "Drei."])
    seen: list[int] = []
    translate_segments(segments, RecordingEngine(), progress=seen.append)
    assert pending_parts(segments) == 3
    assert max(seen) == pending_parts(segments)


def test_segments_with_a_target_are_not_translated() -> None:
    segments = _segments(["Eins.", "Zwei."])
    segments[0] = Segment(id="1", source="Eins.", target="One.")
    engine = RecordingEngine()
    done = translate_segments(segments, engine)
    assert engine.asked == ["Zwei."]
    assert done[0].target == "One."


def test_token_batches_fill_up_to_the_budget_and_keep_empties_apart() -> None:
    lengths = [0, 0, 3, 3, 4, 5, 9, 20]
    batches = list(token_batches(lengths, lambda n: n, 10))
    assert [n for batch in batches for n in batch] == lengths
    assert batches[0] == [0, 0]
    for batch in batches[1:]:
        assert sum(batch) <= 10 or len(batch) == 1
    # Greedy: no batch could have taken the next one's first item.
    for batch, following in zip(batches[1:], batches[2:], strict=False):
        assert sum(batch) + following[0] > 10
    assert batches[-1] == [20]


def test_windows_give_the_same_segments_and_one_rising_progress() -> None:
    texts = [f"Satz {n}." for n in range(7)] + ["Satz 1."]
    whole_engine, windowed_engine = RecordingEngine(), RecordingEngine()
    whole = translate_segments(_segments(texts), whole_engine)
    seen: list[int] = []
    windowed = translate_segments(_segments(texts), windowed_engine, window=3, progress=seen.append)
    assert windowed == whole
    assert sorted(windowed_engine.asked) == sorted(whole_engine.asked)
    assert seen == sorted(seen) and seen[-1] == pending_parts(_segments(texts)) == 7


def test_token_batches_end_where_the_shared_setting_changes() -> None:
    items = [(3, "a"), (3, "a"), (4, "b"), (2, "b"), (5, "c")]
    batches = list(token_batches(items, lambda item: item[0], 100, same=lambda item: item[1]))
    assert [[tag for _, tag in batch] for batch in batches] == [["a", "a"], ["b", "b"], ["c"]]


def test_argos_tokenize_many_equals_one_by_one() -> None:
    from pathlib import Path

    from transkit.engine.argos import ArgosEngine
    from transkit.models import resolve_model

    model = Path(__file__).parent / "data" / "translate-de_en-tiny.argosmodel"
    engine = ArgosEngine(resolve_model(str(model)))
    texts = ["Guten Tag.", "Die Lieferketten sind entscheidend.", ""]
    assert engine.tokenize_many(texts) == [engine.tokenize(t) for t in texts]
    assert engine.tokenize_many([]) == []
