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

Nothing is lost: as in a CAT tool, a unit whose target is missing or empty,
or that is marked ``translate="no"``, keeps its source text; such units are
counted and listed (`DocumentCounts.kept`), and ``strict`` turns them, and
every problem the reader found (duplicate ids, units deleted from a transkit
file, an edited source, an empty target marked translated), into an error.
The language pair of every ``<file>`` must match ``source_lang`` /
``target_lang`` the way BCP 47 basic filtering does (``de`` matches
``de-DE``; ``de-DE`` does not match ``de-AT``).

Everything is read and checked before anything is written (the memory's new
content is built in memory first), and every write is atomic: a malformed
or mismatched XLIFF or TMX leaves no output file behind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from transkit.data import Document, Segment
from transkit.enforce.recheck import TermFailure, recheck_segment, term_failures
from transkit.errors import FormatError, TranskitError
from transkit.fileio import atomic_write_bytes, atomic_write_text
from transkit.formats.tmx import APPROVED_STATES, lang_matches, plan_tmx_append
from transkit.formats.xliff import read_xliff

__all__ = [
    "DocumentCounts",
    "MergeResult",
    "default_output",
    "kept_source_reason",
    "merge_xliff",
    "merged_text",
]

#: Why a unit keeps its source text.
KEPT_REASONS = ("no target", "empty target", "translate=no")


def kept_source_reason(segment: Segment) -> str | None:
    """Why ``segment`` keeps its source in the merged text, or None when its target is used."""
    if not segment.translate:
        return "translate=no"
    if segment.target is None:
        return "no target" if segment.source.strip() else None
    if not segment.target.strip() and segment.source.strip():
        return "empty target"
    return None


def merged_text(document: Document) -> str:
    """The target document: each unit's target, or its source where `kept_source_reason` says."""
    parts = [
        s.leading + (s.source if kept_source_reason(s) or s.target is None else s.target)
        for s in document.segments
    ]
    return "".join(parts) + document.trailing


@dataclass(frozen=True)
class DocumentCounts:
    """What one merged document contained."""

    name: str
    output: Path
    segments: int
    approved: int
    mt: int
    untranslated: int
    #: (unit id, reason) for each unit that kept its source text.
    kept: tuple[tuple[str, str], ...] = ()
    terms_required: int | None = None  # None: no glossary, terms not re-checked
    terms_failed: int = 0

    def summary(self) -> str:
        """One line for the terminal."""
        line = (
            f"{self.output}: {self.segments} segments, {self.approved} approved, "
            f"{self.mt} still MT, {self.untranslated} untranslated"
        )
        if self.kept:
            by_reason = [
                f"{sum(r == reason for _, r in self.kept)} {reason}"
                for reason in KEPT_REASONS
                if any(r == reason for _, r in self.kept)
            ]
            line += f" (source kept: {', '.join(by_reason)})"
        if self.terms_required is not None:
            satisfied = self.terms_required - self.terms_failed
            line += (
                f"; terms re-checked: {self.terms_required} required, {satisfied} satisfied, "
                f"{self.terms_failed} failed"
            )
        return line


@dataclass(frozen=True)
class MergeResult:
    """The documents written by `merge_xliff`, and what went into the memory."""

    documents: tuple[DocumentCounts, ...]
    tmx: Path | None = None
    tmx_added: int = 0
    #: What the reader found that a person should look at (``file:line: ...``).
    problems: tuple[str, ...] = ()
    #: Glossary terms the final targets miss (with ``glossary_paths``).
    failures: tuple[TermFailure, ...] = ()
    memory: Path | str | None = None  # a folder, or a URL without its password
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
        """Units that kept their source text (no or empty target, translate=no)."""
        return sum(d.untranslated for d in self.documents)


def _check_outputs(
    source: Path,
    outputs: Sequence[Path],
    tmx: str | os.PathLike[str] | None,
    glossary_paths: Sequence[Any],
) -> None:
    """Claim every output of the merge and check it can be written, before the first write."""
    from transkit.fileio import OutputClaims, preflight

    claims = OutputClaims([source, *glossary_paths])
    for output in outputs:
        claims.claim(output)
        preflight(output)
    if tmx is not None:
        claims.claim(tmx)
        preflight(tmx)


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


def _counts(document: Document, output: Path, rechecked: bool = False) -> DocumentCounts:
    kept = tuple(
        (s.id, reason) for s in document.segments if (reason := kept_source_reason(s)) is not None
    )
    used = [s for s in document.segments if kept_source_reason(s) is None]
    return DocumentCounts(
        name=document.name,
        output=output,
        segments=len(document.segments),
        approved=sum(s.state in APPROVED_STATES for s in used),
        mt=sum(s.state == "mt" for s in used),
        untranslated=len(kept),
        kept=kept,
        terms_required=sum(len(s.checks) for s in used) if rechecked else None,
        terms_failed=sum(not c.satisfied for s in used for c in s.checks),
    )


def _recheck(document: Document, matcher: object) -> Document:
    """Term checks on the targets the merged text uses; units that keep their source get none."""
    segments = tuple(
        recheck_segment(s, matcher) if kept_source_reason(s) is None else replace(s, checks=())
        for s in document.segments
    )
    return replace(document, segments=segments)


def _check_languages(
    documents: list[Document], source_lang: str, target_lang: str, name: str
) -> list[str]:
    """Refuse a ``<file>`` in another language pair; note a pair the file does not state."""
    notes = []
    for doc in documents:
        for what, have, want in (
            ("source", doc.source_lang, source_lang),
            ("target", doc.target_lang, target_lang),
        ):
            if not have:
                notes.append(f"{name}: {doc.name}: no {what} language stated; taken as {want}")
            elif not lang_matches(have, want):
                raise FormatError(
                    f"{doc.name}: language pair {doc.source_lang or '?'} -> "
                    f"{doc.target_lang or '?'}, not {source_lang} -> {target_lang} "
                    "(--source-lang/--target-lang merge another pair)",
                    file=name,
                )
    return notes


def merge_xliff(
    xliff_path: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    tmx: str | os.PathLike[str] | None = None,
    source_lang: str = "de",
    target_lang: str = "en",
    strict: bool = False,
    glossary_paths: tuple[Path, ...] = (),
    memory: str | os.PathLike[str] | None = None,
) -> MergeResult:
    """Rebuild the target documents of a post-edited XLIFF; optionally feed a TM.

    ``memory`` is a translation-memory folder or ``postgresql://`` URL
    (`transkit.tm.spec.open_memory`): approved
    segments go into it with their neighbours as context.  ``tmx`` is a
    single TMX file to add them to (an export, kept for other tools).

    Raises `FormatError` (file and line) for malformed XLIFF or TMX or a
    language pair other than ``source_lang`` -> ``target_lang``, and
    `TranskitError` for an ``out`` that cannot be used or, with ``strict``,
    for units that kept their source and for the reader's problems; nothing
    is written then.

    With ``glossary_paths``, every glossary term is found again in the
    sources and checked on the final targets; failures are in the result
    (reported, not fixed: the text is the translator's).
    """
    source = Path(xliff_path)
    problems: list[str] = []
    documents = read_xliff(source, problems=problems)
    if tmx is not None:
        for doc in documents:
            if not doc.source_lang or not doc.target_lang:
                raise FormatError(
                    f"{doc.name}: languages unknown (no source/target language), "
                    "cannot add to a memory",
                    file=str(source),
                )
    problems.extend(_check_languages(documents, source_lang, target_lang, str(source)))
    documents = [
        replace(
            d,
            source_lang=d.source_lang or source_lang.replace("*", ""),
            target_lang=d.target_lang or target_lang.replace("*", ""),
        )
        for d in documents
    ]
    skeleton = _document_skeleton(source)
    if out is not None:
        if len(documents) != 1:
            raise TranskitError(
                f"holds {len(documents)} documents; --out takes exactly one "
                "(leave --out off to write each next to the XLIFF)",
                file=str(source),
            )
        outputs = [Path(out)]
    elif skeleton is not None:
        from transkit.formats.documents import output_for

        outputs = [output_for(source, skeleton[1], documents[0].target_lang)]
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
    matcher = None
    if glossary_paths:
        from transkit.terms.glossary import load_glossaries
        from transkit.terms.match import TermMatcher

        matcher = TermMatcher.from_glossary(load_glossaries(list(glossary_paths)))
        documents = [_recheck(d, matcher) for d in documents]
    rechecked = matcher is not None
    counts = tuple(_counts(d, o, rechecked) for d, o in zip(documents, outputs, strict=True))
    if strict:
        kept = sum(c.untranslated for c in counts)
        if kept or problems:
            what = [f"{kept} unit(s) kept their source"] if kept else []
            what += [f"{len(problems)} problem(s): {problems[0]}"] if problems else []
            raise TranskitError(
                "--strict: " + "; ".join(what) + " (nothing written)", file=str(source)
            )
    tmx_plan: tuple[bytes, int] | None = None
    if tmx is not None:
        # Build the memory's new content first: a refusal leaves nothing written.
        tmx_plan = plan_tmx_append(tmx, [_for_memory(d) for d in documents])
    _check_outputs(source, outputs, tmx, glossary_paths)
    if memory is not None:
        from transkit.tm.spec import open_memory

        with open_memory(memory) as tm:  # a server memory must be reachable, too
            check_writable = getattr(tm, "check_writable", None)
            if check_writable is not None:
                check_writable()  # a read-only memory is refused before --out is written
            tm.refresh()  # fail on a malformed memory file before writing anything
    if skeleton is not None:
        atomic_write_bytes(outputs[0], skeleton[2])
    else:
        texts = [merged_text(doc) for doc in documents]
        for output, text in zip(outputs, texts, strict=True):
            atomic_write_text(output, text)
    added = 0
    if tmx is not None and tmx_plan is not None:
        data, added = tmx_plan
        if added:
            atomic_write_bytes(tmx, data)
    memory_added = 0
    if memory is not None:
        from transkit.tm.memory import units_from_segments
        from transkit.tm.spec import open_memory

        units = units_from_segments(
            documents,
            states=APPROVED_STATES,
            accept=lambda seg: kept_source_reason(seg) is None,
        )
        if units:
            with open_memory(memory) as tm:
                memory_added = tm.add_units(units)
    return MergeResult(
        documents=counts,
        tmx=Path(tmx) if tmx is not None else None,
        tmx_added=added,
        problems=tuple(problems),
        failures=tuple(term_failures(documents)) if rechecked else (),
        memory=_memory_label(memory),
        memory_added=memory_added,
    )


def _memory_label(memory: str | os.PathLike[str] | None) -> Path | str | None:
    """The memory as the summary names it: its folder, or its URL without the password."""
    from transkit.tm.spec import is_url, redact_url

    if memory is None:
        return None
    return redact_url(os.fspath(memory)) if is_url(memory) else Path(memory)


def _document_skeleton(source: Path) -> tuple[str, str, bytes] | None:
    """(format, original name, rebuilt document) when the XLIFF was made from a document.

    Such an XLIFF embeds the original (``<skl><internal-file>``), so merging it
    rebuilds the translated DOCX, ODT, HTML or Markdown, formatting and all.
    """
    from transkit.formats import parse_xml
    from transkit.formats.documents import rebuild_from_xliff

    return rebuild_from_xliff(parse_xml(source, "XLIFF"), str(source))


def _for_memory(document: Document) -> Document:
    """Only units whose target the merged text uses go into a memory."""
    return replace(
        document,
        segments=tuple(s for s in document.segments if kept_source_reason(s) is None),
    )
