"""The post-editing round trip: a translator's XLIFF back to an English document.

`merge_xliff` reads an XLIFF (1.2, 2.0 or 2.1) that a CAT tool re-saved,
rebuilds each ``<file>``'s English text with the original spacing and
paragraph breaks (untranslated segments keep their German source, as in
``Document.target_text``), and optionally adds the approved segments to a
TMX memory.

Output files: with ``out``, the XLIFF must hold exactly one ``<file>``.
Without it, each document is written next to the XLIFF: ``x.de-en.xlf``
with one file gives ``x.en.txt``; with several files, each is named after
its ``original`` attribute (``a.txt`` -> ``a.en.txt``; directories in
``original`` are ignored, so a file cannot write outside that folder).

Everything is read and checked before anything is written, and every write
is atomic: a malformed XLIFF or TMX leaves no output file behind.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from transkit.data import Document
from transkit.errors import FormatError, TranskitError
from transkit.fileio import atomic_write_text
from transkit.formats.tmx import APPROVED_STATES, add_to_tmx, read_tmx
from transkit.formats.xliff import read_xliff

__all__ = ["DocumentCounts", "MergeResult", "default_output", "merge_xliff"]


@dataclass(frozen=True)
class DocumentCounts:
    """What one merged document contained."""

    name: str
    output: Path
    segments: int
    approved: int
    mt: int
    untranslated: int

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.output}: {self.segments} segments, {self.approved} approved, "
            f"{self.mt} still MT, {self.untranslated} untranslated"
        )


@dataclass(frozen=True)
class MergeResult:
    """The documents written by `merge_xliff`, and what went into the memory."""

    documents: tuple[DocumentCounts, ...]
    tmx: Path | None = None
    tmx_added: int = 0
    memory: Path | None = None
    memory_added: int = 0

    @property
    def approved(self) -> int:
        """Approved segments over all documents."""
        return sum(d.approved for d in self.documents)

    @property
    def mt(self) -> int:
        """Segments still holding unreviewed MT."""
        return sum(d.mt for d in self.documents)

    @property
    def untranslated(self) -> int:
        """Segments without a target (their German source was kept)."""
        return sum(d.untranslated for d in self.documents)


def default_output(xliff_path: str | os.PathLike[str], target_lang: str) -> Path:
    """``x.de-en.xlf`` -> ``x.en.txt`` next to it (``x.xlf`` -> ``x.en.txt``).

    >>> default_output("out/x.de-en.xlf", "en").as_posix()
    'out/x.en.txt'
    """
    path = Path(xliff_path)
    stem = path.name
    for suffix in (".xlf", ".xliff", ".sdlxliff", ".mqxliff"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    stem = re.sub(
        r"\.[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*-[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*$", "", stem
    )
    return path.with_name(f"{stem}.{target_lang or 'target'}.txt")


def _named_output(xliff_path: Path, document: Document) -> Path:
    original = document.metadata.get("original", document.name)
    base = PureWindowsPath(PurePosixPath(original).name).name or "document"
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    return xliff_path.with_name(f"{stem}.{document.target_lang or 'target'}.txt")


def _counts(document: Document, output: Path) -> DocumentCounts:
    states = [s.state for s in document.segments]
    return DocumentCounts(
        name=document.name,
        output=output,
        segments=len(states),
        approved=sum(s in APPROVED_STATES for s in states),
        mt=states.count("mt"),
        untranslated=states.count("new"),
    )


def merge_xliff(
    xliff_path: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    tmx: str | os.PathLike[str] | None = None,
    memory: str | os.PathLike[str] | None = None,
) -> MergeResult:
    """Rebuild the English documents of a post-edited XLIFF; optionally feed a TM.

    ``memory`` is a translation-memory folder (`transkit.tm`): approved
    segments go into it with their neighbours as context.  ``tmx`` is a
    single TMX file to add them to (an export, kept for other tools).

    Raises `FormatError` (file and line) for malformed XLIFF or TMX and
    `TranskitError` for an ``out`` that cannot be used; nothing is written then.
    """
    source = Path(xliff_path)
    documents = read_xliff(source)
    if out is not None:
        if len(documents) != 1:
            raise TranskitError(
                f"holds {len(documents)} documents; --out takes exactly one "
                "(leave --out off to write each next to the XLIFF)",
                file=str(source),
            )
        outputs = [Path(out)]
    elif len(documents) == 1:
        outputs = [default_output(source, documents[0].target_lang)]
    else:
        outputs = [_named_output(source, doc) for doc in documents]
    if len(set(outputs)) != len(outputs):
        raise TranskitError(
            f"two documents would be written to the same file {sorted(map(str, outputs))}",
            file=str(source),
        )
    for output in outputs:
        if output.resolve() == source.resolve() or (
            tmx is not None and output.resolve() == Path(tmx).resolve()
        ):
            raise TranskitError(
                f"refusing to overwrite {output} with the merged text", file=str(source)
            )
        if output.is_dir():
            raise TranskitError(f"output {output} is a directory", file=str(source))
    if tmx is not None:
        for doc in documents:
            if not doc.source_lang or not doc.target_lang:
                raise FormatError(
                    "languages unknown (no source/target language), cannot add to a memory",
                    file=str(source),
                )
        if Path(tmx).exists():
            read_tmx(tmx)  # fail on a malformed memory before writing anything
    if memory is not None:
        from transkit.tm.memory import TranslationMemory

        with TranslationMemory(memory) as tm:
            tm.refresh()  # fail on a malformed memory file before writing anything
    texts = [doc.target_text for doc in documents]
    for output, text in zip(outputs, texts, strict=True):
        atomic_write_text(output, text)
    added = 0
    if tmx is not None:
        added = add_to_tmx(tmx, documents)
    memory_added = 0
    if memory is not None:
        from transkit.tm.memory import TranslationMemory, units_from_segments

        units = units_from_segments(documents, states=APPROVED_STATES)
        if units:
            with TranslationMemory(memory) as tm:
                memory_added = tm.add_units(units)
    return MergeResult(
        documents=tuple(_counts(d, o) for d, o in zip(documents, outputs, strict=True)),
        tmx=Path(tmx) if tmx is not None else None,
        tmx_added=added,
        memory=Path(memory) if memory is not None else None,
        memory_added=memory_added,
    )
