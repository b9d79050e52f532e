"""The glossary TSV reader under fuzzing: any bytes load, or fail in one line naming the file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given

from fuzzing import check_reader, fuzz_settings, mutated
from transkit.terms.glossary import load_glossary

ROOT = Path(__file__).resolve().parents[2]
_SEEDS = [
    (ROOT / "glossary" / "geopolitics.tsv").read_bytes()[:3000],
    b"id\tde\ten\tstatus\nc1\tPeking\tBeijing\tpreferred\nc1\tPeking\tPeking\tforbidden\n",
    b"\xef\xbb\xbfde\ten\r\nZoll\ttariff\r\n",
]


@fuzz_settings()
@given(mutated(_SEEDS))
def test_fuzz_load_glossary(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    check_reader(load_glossary, tmp_path_factory.mktemp("fuzz") / "g.tsv", data)
