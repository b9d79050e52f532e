"""Replicas: one loaded model decoding batches side by side (CTranslate2 inter_threads)."""

from __future__ import annotations

import threading
from pathlib import Path

from transkit.engine.argos import ArgosEngine, EngineOptions
from transkit.models import resolve_model

MODEL = Path(__file__).resolve().parents[1] / "data" / "translate-de_en-tiny.argosmodel"
SENTENCES = [
    "Die Regierung in Peking kontrolliert seltene Erden.",
    "Japan und die USA haben ein Bündnis.",
    "Der Export von Rohstoffen wird begrenzt.",
]


def test_replicas_share_the_weights_not_the_caches() -> None:
    engine = ArgosEngine(resolve_model(str(MODEL)), EngineOptions(threads=1, inter_threads=2))
    twin = engine.replica()
    assert twin._translator is engine._translator  # loaded once
    engine.translate_batch(SENTENCES[:1], num_hypotheses=2)
    assert engine._attention and not twin._attention


def test_replicas_in_two_threads_translate_as_one_engine_alone() -> None:
    alone = ArgosEngine(resolve_model(str(MODEL)), EngineOptions(threads=1))
    expected = [[h.text for h in hyps] for hyps in alone.translate_batch(SENTENCES * 4)]
    engine = ArgosEngine(resolve_model(str(MODEL)), EngineOptions(threads=1, inter_threads=2))
    replicas = [engine, engine.replica()]
    got: dict[int, list[list[str]]] = {}

    def run(k: int) -> None:
        for _ in range(3):
            got[k] = [[h.text for h in hyps] for hyps in replicas[k].translate_batch(SENTENCES * 4)]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got[0] == expected and got[1] == expected
