"""Which memory a ``--tm`` value (or ``TRANSKIT_TM_URL``) names: a folder or a server URL.

A value with a scheme (``name://``) is a URL, never a folder: ``postgresql://``
and ``postgres://`` open a `transkit.tm.pgmemory.PostgresMemory`; any other
scheme is refused (exit 2), so a typo cannot silently create a local folder
named ``postgresql:``.  Everything else is a folder of TMX files
(`transkit.tm.memory.TranslationMemory`).  The CLI, the server and the
cluster workers all open their memory through `open_memory`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from transkit.errors import TranskitError
from transkit.tm.urls import SCHEME, is_url, redact_url

__all__ = [
    "ENV_URL",
    "MemorySpecError",
    "is_url",
    "memory_url",
    "open_memory",
    "redact_url",
]

#: Environment variable naming the memory when ``--tm`` is not given.
ENV_URL = "TRANSKIT_TM_URL"
#: Schemes that select the PostgreSQL memory.
POSTGRES_SCHEMES = ("postgresql", "postgres")


class MemorySpecError(TranskitError):
    """A ``--tm`` URL with a scheme transkit does not know: a usage error (exit 2)."""

    exit_code = 2


def memory_url(spec: str | os.PathLike[str]) -> str | None:
    """The PostgreSQL URL ``spec`` names, None for a folder; an unknown scheme is refused."""
    text = os.fspath(spec)
    found = SCHEME.match(text)
    if found is None:
        return None
    if found.group(1).lower() not in POSTGRES_SCHEMES:
        raise MemorySpecError(
            f"unknown translation memory URL scheme '{found.group(1)}://' "
            f"(use postgresql://, or a folder path)",
            file=redact_url(text),
        )
    return text


def open_memory(
    spec: str | os.PathLike[str],
    *,
    source_lang: str = "de",
    target_lang: str = "en",
    pool_size: int = 0,
) -> Any:
    """The memory ``spec`` names: `TranslationMemory` (folder) or `PostgresMemory` (URL).

    ``pool_size`` > 0 gives the PostgreSQL memory a connection pool of that
    many connections (for a server answering many requests at once).
    """
    url = memory_url(spec)
    if url is not None:
        from transkit.tm.pgmemory import PostgresMemory

        return PostgresMemory(
            url, source_lang=source_lang, target_lang=target_lang, pool_size=pool_size
        )
    from transkit.tm.memory import TranslationMemory

    return TranslationMemory(Path(spec), source_lang=source_lang, target_lang=target_lang)
