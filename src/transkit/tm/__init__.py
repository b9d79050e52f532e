"""Translation memory: approved translations reused before machine translation.

The memory is a folder of TMX files (``./tm/`` in a project) with a SQLite
index beside them that is rebuilt whenever a TMX file changes
(`transkit.tm.memory.TranslationMemory`).  Storage sits behind the small
`transkit.tm.store.TMStore` interface.  A team shares one memory in
PostgreSQL instead (`transkit.tm.pgmemory.PostgresMemory`); `open_memory`
opens either from a ``--tm`` value (folder or ``postgresql://`` URL).
Importing this package is cheap: the submodules are loaded when used.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TMMatch", "TMUnit", "TranslationMemory", "open_memory"]


def __getattr__(name: str) -> Any:
    if name == "TranslationMemory":
        from transkit.tm.memory import TranslationMemory

        return TranslationMemory
    if name == "open_memory":
        from transkit.tm.spec import open_memory

        return open_memory
    if name in ("TMMatch", "TMUnit"):
        from transkit.tm import units

        return getattr(units, name)
    raise AttributeError(f"module 'transkit.tm' has no attribute {name!r}")
