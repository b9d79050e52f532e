"""Input decoding: UTF-8 (with or without BOM), UTF-16 with BOM, clear errors otherwise."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from transkit.errors import InputError
from transkit.text.reading import decode_document, read_document

TEXT = "Peking und Tokio – „Zusammenarbeit“.\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom"],
)
def test_accepted_encodings(data: bytes) -> None:
    assert decode_document(data, "x.txt") == TEXT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Zeile eins\nGrüße".encode("latin-1"), "not valid UTF-8"),
        (TEXT.encode("utf-16-le"), "binary file"),
    ],
    ids=["empty", "whitespace", "binary", "latin1", "utf16-no-bom"],
)
def test_rejected_inputs(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        decode_document(data, "bad.txt")
    assert message in info.value.one_line()
    assert info.value.one_line().startswith("bad.txt")


def test_latin1_error_names_the_line() -> None:
    data = "eins\nzwei\nGrüße".encode("latin-1")
    with pytest.raises(InputError) as info:
        decode_document(data, "old.txt")
    assert info.value.one_line().startswith("old.txt:3: ")


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_document(tmp_path)


def test_stdin_follows_the_file_rules() -> None:
    import io

    from transkit.text.reading import STDIN_NAME, read_stdin_bytes

    crlf = "Peking.\r\nTokio.\r\n"
    assert decode_document(read_stdin_bytes(io.BytesIO(crlf.encode())), STDIN_NAME) == crlf
    utf16 = codecs.BOM_UTF16_LE + crlf.encode("utf-16-le")
    assert decode_document(read_stdin_bytes(io.BytesIO(utf16)), STDIN_NAME) == crlf
    with pytest.raises(InputError, match=r"^<stdin>:1: not valid UTF-8"):
        decode_document(read_stdin_bytes(io.BytesIO("Grüße".encode("latin-1"))), STDIN_NAME)


def test_stdin_size_is_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from transkit.text.reading import read_stdin_bytes

    monkeypatch.setenv("TRANSKIT_MAX_INPUT_MB", "1")
    with pytest.raises(InputError, match=r"^<stdin>: larger than 1 MB"):
        read_stdin_bytes(io.BytesIO(b"a" * (1024 * 1024 + 1)))


# -- fuzzing: files and stdin share one reader; rejections are one line ---------

from hypothesis import given  # noqa: E402

from fuzzing import check_reader, fuzz_settings, mutated, text_variants  # noqa: E402

_SEEDS = text_variants(TEXT * 3) + text_variants("Peking.\n\nTokio – „Gipfel“.\r\n")


@fuzz_settings()
@given(mutated(_SEEDS))
def test_fuzz_read_document(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    check_reader(read_document, tmp_path_factory.mktemp("fuzz") / "in.txt", data)


@fuzz_settings(0.5)
@given(mutated(_SEEDS))
def test_fuzz_stdin_through_the_cli(data: bytes) -> None:
    from click.testing import CliRunner

    from transkit.cli import main

    result = CliRunner().invoke(main, ["segment", "-"], input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    if result.exit_code:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("transkit: error: <stdin>:"), lines
