"""XLIFF, TMX and TBX readers under fuzzing: mutated real files from CAT tools.

Any bytes give documents, or a `TranskitError` in one line naming the file
(malformed XML, DTDs, entities, deep nesting, wrong versions, NULs...).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given

from fuzzing import check_reader, fuzz_settings, mutated

DATA = Path(__file__).resolve().parents[1] / "data"


def _seeds(*names: str) -> list[bytes]:
    return [(DATA / n).read_bytes()[:6000] for n in names]


_XLIFF = _seeds("formats/okapi_resaved.xlf", "formats/resaved_21.xlf", "formats/trados_resaved.xlf")
_TMX = _seeds("formats/omegat_memory.tmx")
_TBX = _seeds(
    "glossary_io/basic_v3_foreign.tbx", "glossary_io/memoq_v2.tbx", "glossary_io/multiterm_v2.tbx"
)


@fuzz_settings()
@given(mutated(_XLIFF))
def test_fuzz_read_xliff(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    from transkit.formats.xliff import read_xliff

    check_reader(read_xliff, tmp_path_factory.mktemp("fuzz") / "x.xlf", data)


@fuzz_settings()
@given(mutated(_TMX))
def test_fuzz_read_tmx(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    from transkit.formats.tmx import read_tmx

    check_reader(read_tmx, tmp_path_factory.mktemp("fuzz") / "m.tmx", data)


@fuzz_settings()
@given(mutated(_TBX))
def test_fuzz_read_tbx(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    from transkit.formats.tbx import read_tbx

    path = tmp_path_factory.mktemp("fuzz") / "t.tbx"
    check_reader(lambda p: read_tbx(p, problems=[]), path, data)
