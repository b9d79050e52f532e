"""Recent translations: a sentence asked for again is answered without MT.

Translators' tools ask for the same strings over and over: Weblate sends a
component's strings again after each change, OmegaT asks again when a
segment is revisited, a web page's navigation repeats on every page.  The
batch step already translates a sentence repeated within one batch once
(`transkit.batch.translate_segments`); this keeps that across requests, for
the last ``size`` distinct sentences, so a repeat costs a dictionary lookup.

The memory still comes first: an approved translation from `merge` answers
before anything here.  Keys are the language pair, the DeepL glossary (if
any) and the segment without its place (`transkit.batch.dedup_key`), which
holds its source and its matched terms, so a changed glossary never gets an
old answer; dropping a glossary forgets its entries.  Entries are the
finished segments, checked and scrubbed, exactly as first answered.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from transkit.data import Segment

__all__ = ["RecentTranslations"]


class RecentTranslations:
    """A bounded, thread-safe LRU of finished segments (replica threads write)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[Hashable, Segment], Segment] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def fill(self, kind: Hashable, segments: Sequence[Segment]) -> list[Segment]:
        """``segments`` with a target wherever a recent translation is known."""
        from transkit.batch import dedup_key, place

        if not self.size:
            return list(segments)
        out: list[Segment] = []
        with self._lock:
            for seg in segments:
                if seg.target is not None or not seg.source.strip():
                    out.append(seg)
                    continue
                key = (kind, dedup_key(seg))
                known = self._entries.get(key)
                if known is None:
                    self.misses += 1
                    out.append(seg)
                    continue
                self.hits += 1
                self._entries.move_to_end(key)
                out.append(place(known, seg))
        return out

    def keep(self, kind: Hashable, asked: Sequence[Segment], done: Sequence[Segment]) -> None:
        """Remember each segment of ``done`` that MT translated from ``asked``."""
        from transkit.batch import dedup_key

        if not self.size:
            return
        with self._lock:
            for before, after in zip(asked, done, strict=True):
                if before.target is not None or after.target is None:
                    continue  # a memory or recent hit, or nothing came out
                if (after.method or "").startswith("tm-"):
                    continue
                key = (kind, dedup_key(before))
                self._entries[key] = after
                self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, glossary_id: str) -> None:
        """Drop every entry made with ``glossary_id`` (a deleted DeepL glossary)."""
        with self._lock:
            # a kind is (language pair, DeepL glossary id or None)
            for key in [k for k in self._entries if k[0][1] == glossary_id]:
                del self._entries[key]
