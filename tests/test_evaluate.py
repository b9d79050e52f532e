"""The held-out test set reader: empty sets refused, fuzzed bytes never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from fuzzing import check_reader, fuzz_settings, mutated
from transkit.errors import FormatError
from transkit.evaluate import EvalResult, read_test_set

HELDOUT = Path(__file__).parent / "data" / "heldout.tsv"


def test_a_header_without_sentences_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("de\ten_approved\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"t\.tsv: test set has no sentences"):
        read_test_set(path)


def test_extra_fields_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("de\ten\n\nPeking.\tBeijing.\textra\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"t\.tsv:3: more than the header's 2"):
        read_test_set(path)


def test_no_terms_means_no_success_rate() -> None:
    result = EvalResult(3, 0, 0, 0, 0, {"none": 3}, 0, 0)
    assert result.success_rate is None
    assert result.as_dict()["success_rate"] is None


@fuzz_settings()
@given(mutated([HELDOUT.read_bytes()[:2000], b"de\nPeking.\n", b"\xef\xbb\xbfde\ten\r\nA\tB\r\n"]))
def test_fuzz_read_test_set(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    check_reader(read_test_set, tmp_path_factory.mktemp("fuzz") / "t.tsv", data)
