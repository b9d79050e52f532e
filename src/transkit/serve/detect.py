"""Language identification for ``source=auto`` and ``/detect``: `langdetect`.

langdetect (a port of Google's language-detection library) is pure Python,
offline, and small; its profiles load on first use.  Answers are limited to
the languages the server serves, as LibreTranslate limits them to its
installed ones, with confidence in percent like LibreTranslate's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["detect_languages"]

_lock = threading.Lock()
_factory: list[Any] = []


def _detector(text: str) -> Any:
    from langdetect import DetectorFactory
    from langdetect.detector_factory import init_factory

    with _lock:
        if not _factory:
            init_factory()
            from langdetect import detector_factory

            DetectorFactory.seed = 0
            _factory.append(detector_factory._factory)
    detector = _factory[0].create()
    detector.append(text)
    return detector


def detect_languages(texts: Sequence[str], languages: Iterable[str]) -> list[dict[str, Any]]:
    """Candidates, best first: ``[{"confidence": 92.0, "language": "de"}, ...]``."""
    allowed = set(languages)
    scores: dict[str, float] = {}
    total = 0
    for text in texts:
        if not any(ch.isalpha() for ch in text):
            continue
        try:
            found = _detector(text).get_probabilities()
        except Exception:  # langdetect raises its own error for feature-less text
            continue
        weight = len(text)
        total += weight
        for item in found:
            code = str(item.lang).split("-")[0]
            if code in allowed:
                scores[code] = scores.get(code, 0.0) + float(item.prob) * weight
    if not scores or not total:
        return [{"confidence": 0.0, "language": "en"}]
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    return [{"confidence": round(100 * s / total, 1), "language": c} for c, s in ranked]
