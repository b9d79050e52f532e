"""transkit: offline German->English translation that obeys a glossary.

    >>> from transkit import translate_text                      # doctest: +SKIP
    >>> translate_text("Peking kontrolliert seltene Erden.",
    ...                model="de-en", glossary=["glossary/"])  # doctest: +SKIP
    'Beijing controls rare earths.'

Names are imported lazily (PEP 562), so ``import transkit`` costs nothing
and the CLI starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.3.0"

_EXPORTS = {
    "translate_text": "transkit.pipeline",
    "translate_document_text": "transkit.pipeline",
    "translate_file": "transkit.pipeline",
    "run_translate": "transkit.pipeline",
    "TranslateOptions": "transkit.pipeline",
    "Document": "transkit.data",
    "Segment": "transkit.data",
    "GlossaryEntry": "transkit.data",
    "TermMatch": "transkit.data",
    "TermCheck": "transkit.data",
    "Hypothesis": "transkit.data",
    "MemoryMatch": "transkit.data",
    "TranslationMemory": "transkit.tm.memory",
    "ArgosEngine": "transkit.engine.argos",
    "EngineOptions": "transkit.engine.argos",
    "enforce_terms": "transkit.enforce.stages",
    "segment_document": "transkit.text.segment",
    "TranskitError": "transkit.errors",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'transkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
