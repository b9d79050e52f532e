"""Large inputs a window at a time (`transkit.stream`): same bytes, figures and
progress as a run held whole, outputs replaced together, memory flat."""

from __future__ import annotations

import json
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import _model_or_skip
from transkit.batch import plan_batches
from transkit.cli import main
from transkit.data import Hypothesis, Segment
from transkit.pipeline import TranslateOptions, run_translate
from transkit.stream import should_stream

REPO = Path(__file__).resolve().parents[1]
FORMATS = ("txt", "xliff", "tmx")


def _generated(sentences: int, seed: int = 23) -> str:
    """A German document of ``sentences`` sentences in paragraphs of five."""
    sys.path.insert(0, str(REPO / "tools"))
    from de_en_grammar import generate

    rows = [pair.de for pair in generate(seed=seed, n=sentences, placeholder_rate=0.0)]
    return "\n\n".join(" ".join(rows[i : i + 5]) for i in range(0, len(rows), 5)) + "\n"


class RecordingEngine:
    """Reverses each source and records every call's sources (the batches formed)."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate_batch(
        self,
        sources: Sequence[str],
        *,
        num_hypotheses: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> list[list[Hypothesis]]:
        self.calls.append(list(sources))
        if progress:
            progress(len(sources))
        return [[Hypothesis(s[::-1], 0.0)] for s in sources]


def _inputs(folder: Path, sizes: Sequence[int] = (40, 23)) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    seed = sorted((REPO / "seeds").glob("*.txt"))[0]
    (folder / "seed.txt").write_bytes(seed.read_bytes())
    names.append(str(folder / "seed.txt"))
    for n, size in enumerate(sizes):
        path = folder / f"doc{n}.txt"
        path.write_text(_generated(size, seed=23 + n), encoding="utf-8")
        names.append(str(path))
    return names


def _cli_run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize("model", ["argos-tiny", "argos-tiny-noph"])
@pytest.mark.parametrize("version", ["1.2", "2.1"])
def test_a_windowed_run_writes_the_bytes_and_figures_of_a_whole_run(
    tmp_path: Path, model: str, version: str
) -> None:
    path = _model_or_skip(model)
    inputs = _inputs(tmp_path / "in")
    outputs, summaries = {}, {}
    for mode, stream_mb in (("whole", "100000"), ("streamed", "0")):
        env = {
            "TRANSKIT_WINDOW_SEGMENTS": "7",
            "TRANSKIT_STREAM_MB": stream_mb,
            "SOURCE_DATE_EPOCH": "1700000000",
        }
        out = tmp_path / mode
        code, text = _cli_run(
            [
                "translate",
                "--model",
                str(path),
                "--no-tm",
                "--glossary",
                str(REPO / "glossary"),
                "--formats",
                ",".join(FORMATS),
                "--xliff-version",
                version,
                "--out",
                str(out),
                "--json",
                "-q",
                *inputs,
            ],
            env,
        )
        assert code == 0, text
        outputs[mode] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
        summary = json.loads(text)
        for entry in summary["files"]:
            entry["outputs"] = [Path(p).name for p in entry["outputs"]]
        summary.pop("seconds")
        summaries[mode] = summary
    assert len(outputs["whole"]) == 3 * len(inputs)
    assert outputs["streamed"] == outputs["whole"]
    assert summaries["streamed"] == summaries["whole"]
    assert summaries["whole"]["terms_required"] > 0


def test_windows_plan_their_own_batches_and_progress_counts_the_same(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in", sizes=(30, 30))
    runs: dict[str, tuple[RecordingEngine, list[int], list[int]]] = {}
    for mode, stream_mb in (("whole", "100000"), ("streamed", "0")):
        engine = RecordingEngine()
        totals: list[int] = []
        steps: list[int] = []

        class Bar:
            """A progress bar that records what it is told."""

            def __init__(self, steps: list[int] = steps) -> None:
                self.steps = steps

            def __enter__(self) -> Bar:
                return self

            def __exit__(self, *_: object) -> None:
                return None

            def update(self, n: int) -> None:
                self.steps.append(n)

        def factory(total: int, totals: list[int] = totals) -> Bar:
            totals.append(total)
            return Bar()

        with pytest.MonkeyPatch.context() as env:
            env.setenv("TRANSKIT_WINDOW_SEGMENTS", "9")
            env.setenv("TRANSKIT_STREAM_MB", stream_mb)
            options = TranslateOptions(out_dir=tmp_path / mode, formats=("txt",))
            run = run_translate(inputs, options, engine=engine, progress_factory=factory)
        assert not run.failed
        runs[mode] = (engine, totals, steps)
    (whole, w_totals, w_steps), (streamed, s_totals, s_steps) = runs["whole"], runs["streamed"]
    assert streamed.calls == whole.calls
    assert s_totals == w_totals and sum(s_steps) == sum(w_steps) == w_totals[0]
    # Every call holds sentences of one window: 9 consecutive segments at most.
    assert max(len(call) for call in whole.calls) <= 9
    for mode in ("whole", "streamed"):
        english = [(tmp_path / mode / f"{Path(n).stem}.en.txt").read_text() for n in inputs]
        assert english == [
            (tmp_path / "whole" / f"{Path(n).stem}.en.txt").read_text() for n in inputs
        ]


def test_a_window_as_large_as_the_run_is_the_plan_of_a_run_held_whole() -> None:
    segments = [Segment(str(i), f"Satz {'x' * (i * 7 % 13)} {i % 17}.") for i in range(60)]
    batches, places = plan_batches(segments, size=8, window=60)
    order = [key for batch in batches for key in batch]
    assert order == sorted(order, key=lambda key: (len(key.source), key.source))
    assert len(order) == len({key.source for key in order}) == len({s.source for s in segments})
    assert (
        sum(len(where[key]) for batch, where in zip(batches, places, strict=True) for key in batch)
        == 60
    )
    small, small_places = plan_batches(segments, size=8, window=10)
    for batch, where in zip(small, small_places, strict=True):
        windows = {i // 10 for key in batch for i in where[key]}
        assert len(windows) == 1  # a batch never mixes windows


def test_a_bad_file_is_refused_before_anything_is_written_and_the_rest_done(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(_generated(12), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Ein Satz.\n" * 500 + b"kaputt \xff\n")
    out = tmp_path / "out"
    options = TranslateOptions(out_dir=out, formats=FORMATS)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRANSKIT_STREAM_MB", "0")
        run = run_translate([str(bad), str(good)], options, engine=RecordingEngine())
    assert [f.error for f in run.files] == [
        f"{bad}:501: not valid UTF-8 (byte 0xff at offset 5007); save the file as UTF-8",
        None,
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "good.de-en.tmx",
        "good.de-en.xlf",
        "good.en.txt",
    ]
    assert run.summary()["errors"] == 1 and run.summary()["segments"] == 12


class FailingEngine(RecordingEngine):
    """Fails on its third call: a run stopped in the middle of a file."""

    def translate_batch(self, sources: Sequence[str], **kwargs: Any) -> list[list[Hypothesis]]:
        if len(self.calls) == 2:
            raise RuntimeError("engine gave up")
        return super().translate_batch(sources, **kwargs)


def test_a_run_stopped_midway_leaves_the_old_outputs_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    source = tmp_path / "doc.txt"
    source.write_text(_generated(40), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    old = {out / "doc.en.txt": b"old text\n", out / "doc.de-en.tmx": b"old tmx\n"}
    for path, data in old.items():
        path.write_bytes(data)
    options = TranslateOptions(out_dir=out, formats=FORMATS)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRANSKIT_STREAM_MB", "0")
        env.setenv("TRANSKIT_WINDOW_SEGMENTS", "10")
        with pytest.raises(RuntimeError, match="gave up"):
            run_translate([str(source)], options, engine=FailingEngine())
    assert {p: p.read_bytes() for p in out.iterdir()} == old


def test_large_inputs_stream_only_when_every_output_can(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Ein Satz. " * 1000)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRANSKIT_STREAM_MB", "0.005")
        assert should_stream([str(big)], FORMATS, None)
        assert should_stream([str(big)], (*FORMATS, "html"), None)
        assert not should_stream([str(big)], (*FORMATS, "omegat"), None)
        assert not should_stream([str(big)], FORMATS, tmp_path)  # a memory folder
        assert not should_stream([str(big)], FORMATS, None, hold=True)
        assert not should_stream([str(big), "-"], FORMATS, None)
        env.setenv("TRANSKIT_STREAM_MB", "1")
        assert not should_stream([str(big)], FORMATS, None)


@pytest.mark.parametrize("model", ["argos-tiny"])
def test_the_review_page_of_a_large_input_lists_what_needs_a_look(
    tmp_path: Path, model: str
) -> None:
    from transkit.stream import needs_review

    path = _model_or_skip(model)
    inputs = _inputs(tmp_path / "in", sizes=(30,))
    out = tmp_path / "out"
    env = {"TRANSKIT_STREAM_MB": "0", "TRANSKIT_WINDOW_SEGMENTS": "8"}
    code, text = _cli_run(
        [
            "translate",
            "--model",
            str(path),
            "--no-tm",
            "--glossary",
            str(REPO / "glossary"),
            "--out",
            str(out),
            "--json",
            "-q",
            *inputs,
        ],
        env,
    )
    assert code == 0, text
    summary = json.loads(text)
    assert (out / "index.html").is_file()
    from transkit.formats.xliff import read_xliff

    listed = []
    for entry, name in zip(summary["files"], inputs, strict=True):
        stem = Path(name).stem
        segments = read_xliff(out / f"{stem}.de-en.xlf")[0].segments
        assert len(segments) == entry["segments"]
        page = (out / f"{stem}.de-en.html").read_text(encoding="utf-8")
        assert f"A large input: {entry['segments']:,} segments" in page
        listed.append((page.count(' data-id="'), entry["segments"]))
    assert all(0 < rows <= count for rows, count in listed), listed
    assert any(rows < count for rows, count in listed), listed  # not every segment
    assert needs_review(Segment("1", "a", "b", repairs=("x",)))
    assert not needs_review(Segment("1", "a", "b"))


def _peak_bytes(path: Path, out: Path, stream_mb: str) -> int:
    """Peak Python memory of one run over ``path`` (tracemalloc), in bytes.

    The engine keeps nothing; CTranslate2's own memory is per batch, so
    what could grow with the input is transkit's.
    """
    options = TranslateOptions(out_dir=out, formats=FORMATS)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRANSKIT_STREAM_MB", stream_mb)
        env.setenv("TRANSKIT_WINDOW_SEGMENTS", "100")
        env.setenv("TRANSKIT_MAX_INPUT_MB", "1")  # reads in pieces of at most 1 MB
        engine = RecordingEngine()
        engine.calls = _Forgetful()
        tracemalloc.start()
        try:
            run = run_translate([str(path)], options, engine=engine)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert not run.failed
    return peak


class _Forgetful(list):  # type: ignore[type-arg]
    """A call log that keeps nothing, so the engine holds no memory of its own."""

    def append(self, item: object) -> None:
        return None


def test_peak_memory_follows_the_window_not_the_input(tmp_path: Path) -> None:
    peaks: dict[tuple[str, int], int] = {}
    warm = tmp_path / "warm.txt"
    warm.write_text(_generated(20), encoding="utf-8")
    for stream_mb in ("0", "100000"):  # imports done before anything is measured
        _peak_bytes(warm, tmp_path / "warm", stream_mb)
    for sentences in (400, 1600):
        source = tmp_path / f"doc{sentences}.txt"
        source.write_text(_generated(sentences), encoding="utf-8")
        for mode, stream_mb in (("streamed", "0"), ("whole", "100000")):
            peaks[mode, sentences] = _peak_bytes(source, tmp_path / mode, stream_mb)
    # Four times the input: the whole run's peak grows with it, the streamed one's
    # (windows of 100 segments) hardly moves.
    whole = peaks["whole", 1600] - peaks["whole", 400]
    streamed = peaks["streamed", 1600] - peaks["streamed", 400]
    assert whole > 1_000_000, peaks
    assert streamed < 0.15 * whole, peaks
