"""`transkit.text.streaming`: a file read in chunks segments as the whole text does."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from transkit.errors import InputError
from transkit.text.reading import read_document
from transkit.text.segment import segment_document
from transkit.text.streaming import SegmentStream, stream_segments

REPO = Path(__file__).resolve().parents[2]

_PIECES = [
    "Satz eins. ",
    "Zweiter Satz!  ",
    "\r\n",
    "\n\n",
    "Dr. Müller kam am 3. Oktober. ",
    "\u2028",
    "  \t",
    "Großartig! 👍 Weiter so! ",
    "„Kommst du?“ fragte sie. ",
    "ä" * 7,
    "\r",
    "Überschrift ohne Punkt",
]


def _layout_text(seed: int, pieces: int = 1500) -> str:
    """Text with every kind of line break, blank line and boundary rule, at random."""
    rng = random.Random(seed)
    return "  \n" + "".join(rng.choice(_PIECES) for _ in range(pieces)) + "\n\n  "


def _texts() -> list[tuple[str, str]]:
    texts = [(f"layout{seed}", _layout_text(seed)) for seed in range(3)]
    texts += [(p.name, p.read_text(encoding="utf-8")) for p in sorted((REPO / "seeds").glob("*"))]
    texts.append(("no final newline", "Ein Satz. Noch einer"))
    return texts


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
@pytest.mark.parametrize(("label", "text"), _texts(), ids=[label for label, _ in _texts()])
def test_chunks_give_the_whole_texts_segments(
    tmp_path: Path, label: str, text: str, chunk: int
) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(text.encode("utf-8"))
    whole = segment_document(str(path), text)
    end = SegmentStream()
    segments = tuple(stream_segments(path, end, chunk_bytes=chunk))
    assert segments == whole.segments
    assert end.trailing == whole.trailing
    assert end.count == len(whole.segments)


@pytest.mark.parametrize(
    ("prefix", "codec"), [(codecs.BOM_UTF8, "utf-8"), (b"", "utf-16"), (b"", "utf-16-be")]
)
def test_byte_order_marks_as_when_read_whole(tmp_path: Path, prefix: bytes, codec: str) -> None:
    text = _layout_text(7, 300)
    data = prefix + (codecs.BOM_UTF16_BE if codec == "utf-16-be" else b"") + text.encode(codec)
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    whole = segment_document(str(path), read_document(path))
    for chunk in (3, 100):
        assert tuple(stream_segments(path, SegmentStream(), chunk_bytes=chunk)) == whole.segments


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \n\t\n",
        b"Hallo Welt.\nZwei\n" * 3000 + b"ab\xffc\n",
        b"Hallo\x00Welt",
        b"Gut. " * 3000 + b"\xc3",  # a character cut at the end of the file
    ],
    ids=["empty", "whitespace", "bad byte far in", "NUL", "cut character"],
)
def test_errors_are_those_of_read_document(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as whole:
        read_document(path)
    for chunk in (5, 1 << 20):
        with pytest.raises(InputError) as streamed:
            list(stream_segments(path, SegmentStream(), chunk_bytes=chunk))
        assert streamed.value.one_line() == whole.value.one_line()


def test_a_directory_or_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        list(stream_segments(tmp_path, SegmentStream()))
    with pytest.raises(InputError, match="no such file"):
        list(stream_segments(tmp_path / "nope.txt", SegmentStream()))


def test_the_input_size_limit_holds_as_for_a_file_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSKIT_MAX_INPUT_MB", "1")
    path = tmp_path / "big.txt"
    path.write_bytes(b"Ein Satz.\n" * 110_000)  # 1.1 MB
    with pytest.raises(InputError) as whole:
        read_document(path)
    with pytest.raises(InputError) as streamed:
        list(stream_segments(path, SegmentStream(), chunk_bytes=4096))
    assert streamed.value.one_line() == whole.value.one_line()
    assert "larger than 1 MB" in streamed.value.one_line()
