"""Recent translations: repeats answered without MT, memory first, bounded, forgotten."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from transkit.data import Segment
from transkit.serve.recent import RecentTranslations

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "tests" / "data" / "translate-de_en-tiny.argosmodel"
KIND = (("de", "en"), None)


def _seg(n: int, source: str, **kw) -> Segment:
    return Segment(id=str(n), source=source, leading=" " * n, start=n, end=n + len(source), **kw)


def test_a_repeat_gets_the_first_answer_at_its_own_place() -> None:
    recent = RecentTranslations(10)
    asked = [_seg(1, "Japan und die USA.")]
    done = [replace(asked[0], target="Japan and the USA.", method="nbest")]
    recent.keep(KIND, asked, done)
    again = recent.fill(KIND, [_seg(7, "Japan und die USA."), _seg(8, "Neu.")])
    assert again[0].target == "Japan and the USA." and again[0].method == "nbest"
    assert (again[0].id, again[0].leading, again[0].start) == ("7", " " * 7, 7)
    assert again[1].target is None  # never seen
    assert (recent.hits, recent.misses) == (1, 1)
    # another glossary is another kind: no answer made with a different glossary
    assert recent.fill((("de", "en"), "g1"), [_seg(1, "Japan und die USA.")])[0].target is None


def test_bounded_oldest_first_and_forgotten_with_its_glossary() -> None:
    recent = RecentTranslations(3)
    for n in range(5):
        s = _seg(0, f"Satz {n}.")
        recent.keep((("de", "en"), "g" if n == 4 else None), [s], [replace(s, target=f"S {n}.")])
    assert len(recent) == 3
    assert recent.fill(KIND, [_seg(0, "Satz 0.")])[0].target is None  # dropped first
    assert recent.fill(KIND, [_seg(0, "Satz 3.")])[0].target == "S 3."
    recent.forget("g")
    assert recent.fill((("de", "en"), "g"), [_seg(0, "Satz 4.")])[0].target is None
    assert recent.fill(KIND, [_seg(0, "Satz 3.")])[0].target == "S 3."


def test_memory_answers_and_size_zero_are_never_kept() -> None:
    recent = RecentTranslations(10)
    s = _seg(0, "Ein Satz.")
    recent.keep(KIND, [s], [replace(s, target="From memory.", method="tm-exact")])
    recent.keep(KIND, [replace(s, target="given")], [replace(s, target="given")])
    assert len(recent) == 0
    off = RecentTranslations(0)
    off.keep(KIND, [s], [replace(s, target="A sentence.")])
    assert len(off) == 0 and off.fill(KIND, [s])[0].target is None


def _service(tmp_path: Path, tmx: str | None = None):
    pytest.importorskip("starlette", reason="the serve extra (starlette) is not installed")
    from transkit.engine.argos import EngineOptions
    from transkit.serve.config import ServeConfig
    from transkit.serve.service import TranslationService

    tm = None
    if tmx is not None:
        tm = tmp_path / "tm"
        tm.mkdir()
        (tm / "approved.tmx").write_text(tmx, encoding="utf-8")
    config = ServeConfig(
        models=(str(MODEL),),
        glossary_paths=(REPO / "glossary",),
        tm_path=tm,
        data_dir=tmp_path / "data",
        replicas=2,
        engine=EngineOptions(threads=1),
    )
    service = TranslationService(config)
    service.load()
    return service


SENTENCE = "Die Regierung in Peking kontrolliert seltene Erden."


def test_the_service_answers_a_repeat_without_a_batch_and_identically(tmp_path: Path) -> None:
    service = _service(tmp_path)

    async def main():
        service.start()
        try:
            first = await service.translate(("de", "en"), [SENTENCE])
            batches = service.batcher.batches
            second = await service.translate(("de", "en"), [f"  {SENTENCE}"])
            return first, batches, second, service.batcher.batches
        finally:
            await service.stop()

    first, batches, second, after = asyncio.run(main())
    assert after == batches  # no MT for the repeat
    assert service.recent.hits >= 1
    assert second[0].text.strip() == first[0].text.strip()
    assert second[0].terms == first[0].terms and all(t["satisfied"] for t in first[0].terms)


def test_the_memory_still_comes_first_after_a_recent_answer(tmp_path: Path) -> None:
    empty = (
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="t" '
        'creationtoolversion="1" segtype="sentence" o-tmf="none" adminlang="en" srclang="de" '
        'datatype="plaintext"/><body>{}</body></tmx>'
    )
    service = _service(tmp_path, empty.format(""))
    approved = "Beijing controls rare earths (approved)."

    async def main():
        service.start()
        try:
            mt = await service.translate(("de", "en"), [SENTENCE])
            unit = (
                '<tu creationdate="20260101T000000Z">'
                f'<tuv xml:lang="de"><seg>{SENTENCE}</seg></tuv>'
                f'<tuv xml:lang="en"><seg>{approved}</seg></tuv></tu>'
            )
            (tmp_path / "tm" / "approved.tmx").write_text(empty.format(unit), encoding="utf-8")
            service._refreshed = float("-inf")  # as after MEMORY_REFRESH_SECONDS
            return mt, await service.translate(("de", "en"), [SENTENCE])
        finally:
            await service.stop()

    mt, now = asyncio.run(main())
    assert mt[0].text != approved and mt[0].memory == 0
    assert now[0].text == approved and now[0].memory == 1
