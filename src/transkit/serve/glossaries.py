"""Glossaries on the server: the deployment's, and DeepL glossaries made over the API.

The deployment glossary (``--glossary``, default ``./glossary/``) applies to
every de->en request.  A DeepL ``glossary_id`` adds the entries of a
glossary created through ``POST /v2/glossaries``; each is kept as a
transkit glossary TSV file in ``DATA/glossaries/<id>.tsv`` (the format
editors keep in git) with its name and date beside it in ``<id>.json``.

When both have the German term, the deployment glossary wins: it is the
approved terminology, and a client must not be able to bring back a term
the deployment forbids.  Forbidden terms are scrubbed from every answer
(`Terminology.scrub`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from transkit.serve.errors import ApiError

__all__ = ["GlossaryStore", "Terminology", "parse_entries"]

_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Terminology:
    """A glossary ready for requests: the `Glossary`, its matcher, its forbidden terms."""

    glossary: Any  # transkit.terms.glossary.Glossary
    matcher: Any  # transkit.terms.match.TermMatcher
    forbidden: Any  # compiled pattern of forbidden English terms, or None
    replacement: dict[str, str]  # forbidden term (lower case) -> preferred term

    @classmethod
    def build(cls, glossary: Any) -> Terminology:
        from transkit.terms.match import TermMatcher

        approved = {t.lower() for c in glossary.concepts() for t in c.required}
        replacement: dict[str, str] = {}
        for concept in glossary.concepts():
            for bad in concept.forbidden:
                if bad.lower() not in approved and concept.preferred:
                    replacement.setdefault(bad.lower(), concept.preferred)
        pattern = None
        if replacement:
            words = sorted(replacement, key=len, reverse=True)
            pattern = re.compile(
                r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
            )
        return cls(glossary, TermMatcher.from_glossary(glossary), pattern, replacement)

    def scrub(self, text: str) -> str:
        """``text`` with every forbidden term replaced by its concept's preferred term."""
        if self.forbidden is None or not text:
            return text
        return self.forbidden.sub(lambda m: self.replacement[m.group(1).lower()], text)

    def with_entries(self, extra: Any) -> Terminology:
        """This glossary plus ``extra``'s concepts whose German terms it lacks (it wins)."""
        from transkit.terms.glossary import Glossary, fold_term

        known = {fold_term(e.de) for e in self.glossary.entries}
        added = tuple(e for e in extra.entries if fold_term(e.de) not in known)
        return Terminology.build(
            Glossary(self.glossary.entries + added, self.glossary.files + extra.files)
        )


def parse_entries(data: str, entries_format: str) -> list[tuple[str, str]]:
    """DeepL glossary entries (``tsv``: source TAB target; ``csv``) as pairs; 400 if bad."""
    if entries_format not in ("tsv", "csv"):
        raise ApiError(400, "Value for 'entries_format' not supported.")
    rows: list[list[str]]
    if entries_format == "tsv":
        rows = [line.split("\t") for line in data.splitlines() if line.strip()]
    else:
        rows = [row for row in csv.reader(io.StringIO(data)) if any(c.strip() for c in row)]
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, 1):
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise ApiError(
                400, f"Invalid glossary entries: entry {number} needs a source and a target term"
            )
        source, target = row[0].strip(), row[1].strip()
        if any(ch in source + target for ch in "\t\n\r"):
            raise ApiError(
                400, f"Invalid glossary entries: entry {number} holds a control character"
            )
        if source in seen:
            raise ApiError(400, f"Invalid glossary entries: duplicate source term {source!r}")
        seen.add(source)
        pairs.append((source, target))
    if not pairs:
        raise ApiError(400, "Invalid glossary entries: no entries")
    if len(pairs) > MAX_ENTRIES:
        raise ApiError(400, f"Invalid glossary entries: more than {MAX_ENTRIES}")
    return pairs


def _now() -> str:
    """DeepL's timestamp form, which the client parses: 2021-08-03T14:16:18.329Z."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class GlossaryStore:
    """DeepL glossaries as TSV files plus a JSON sidecar, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] = {}  # id -> Glossary

    def _paths(self, glossary_id: str) -> tuple[Path, Path]:
        if not _ID.match(glossary_id):
            raise ApiError(404, "Glossary not found")
        return self.folder / f"{glossary_id}.tsv", self.folder / f"{glossary_id}.json"

    def create(self, name: str, source: str, target: str, pairs: list[tuple[str, str]]) -> dict:
        """Write a new glossary; its info as DeepL gives it."""
        from transkit.data import GlossaryEntry
        from transkit.fileio import atomic_write_bytes
        from transkit.terms.tsv import COLUMNS, format_row

        glossary_id = str(uuid.uuid4())
        tsv, meta = self._paths(glossary_id)
        lines = [f"# DeepL glossary {name!r} ({source}->{target}), made over the API"]
        lines.append("\t".join(COLUMNS))
        for number, (de, en) in enumerate(pairs, 1):
            entry = GlossaryEntry(id=f"deepl-{number}", de=de, en=en, status="preferred")
            lines.append(format_row(entry))
        info = {
            "glossary_id": glossary_id,
            "name": name,
            "ready": True,
            "source_lang": source,
            "target_lang": target,
            "creation_time": _now(),
            "entry_count": len(pairs),
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            atomic_write_bytes(tsv, ("\n".join(lines) + "\n").encode("utf-8"))
            try:
                self._glossary(glossary_id)
            except ApiError:
                tsv.unlink(missing_ok=True)
                raise
            atomic_write_bytes(meta, json.dumps(info, ensure_ascii=False).encode("utf-8"))
        return info

    def info(self, glossary_id: str) -> dict:
        _, meta = self._paths(glossary_id)
        try:
            return json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ApiError(404, "Glossary not found") from None

    def all(self) -> list[dict]:
        if not self.folder.is_dir():
            return []
        found = []
        for meta in sorted(self.folder.glob("*.json")):
            try:
                found.append(json.loads(meta.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return sorted(found, key=lambda i: i.get("creation_time", ""))

    def entries(self, glossary_id: str) -> list[tuple[str, str]]:
        self.info(glossary_id)
        return [(e.de, e.en) for e in self._glossary(glossary_id).entries]

    def delete(self, glossary_id: str) -> None:
        tsv, meta = self._paths(glossary_id)
        self.info(glossary_id)
        with self._lock:
            meta.unlink(missing_ok=True)
            tsv.unlink(missing_ok=True)
            self._loaded.pop(glossary_id, None)

    def glossary(self, glossary_id: str) -> Any:
        """The stored glossary as a transkit `Glossary` (404 when there is none)."""
        self.info(glossary_id)
        return self._glossary(glossary_id)

    def _glossary(self, glossary_id: str) -> Any:
        from transkit.errors import TranskitError
        from transkit.terms.glossary import load_glossary

        cached = self._loaded.get(glossary_id)
        if cached is not None:
            return cached
        tsv, _ = self._paths(glossary_id)
        try:
            loaded = load_glossary(tsv)
        except TranskitError as err:
            message = str(err.one_line()).replace(str(tsv), "entries")
            raise ApiError(400, f"Invalid glossary entries: {message}") from None
        self._loaded[glossary_id] = loaded
        return loaded
