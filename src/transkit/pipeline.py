"""The translation pipeline: read -> segment -> match terms -> translate ->
enforce -> QA -> write.

Each stage is a function from documents to documents; `run_translate` is
the edge that reads files, writes outputs and collects per-file errors so
that one bad input never stops the others.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from transkit.data import Document, Segment
from transkit.engine.argos import EngineOptions
from transkit.engine.base import Engine
from transkit.errors import InputError, TranskitError

__all__ = [
    "FORMATS",
    "TranslateOptions",
    "FileResult",
    "TranslateRun",
    "prepare_document",
    "translate_documents",
    "translate_text",
    "translate_file",
    "output_paths",
    "run_translate",
    "split_long_segments",
    "join_parts",
]

FORMATS = ("txt", "xliff", "tmx")


@dataclass(frozen=True)
class TranslateOptions:
    """Everything ``transkit translate`` can be told; CLI flags map one to one."""

    model: str | None = None
    engine: EngineOptions = field(default_factory=EngineOptions)
    num_hypotheses: int = 8
    glossary_paths: tuple[Path, ...] = ()
    out_dir: Path = Path("out")
    formats: tuple[str, ...] = FORMATS
    xliff_version: str = "1.2"


@dataclass(frozen=True)
class FileResult:
    """What happened to one input file."""

    path: str
    document: Document | None = None
    outputs: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class TranslateRun:
    """The outcome of one ``transkit translate`` run."""

    files: tuple[FileResult, ...]
    seconds: float
    model: str | None = None
    glossaries: tuple[tuple[str, int], ...] = ()

    @property
    def documents(self) -> list[Document]:
        return [f.document for f in self.files if f.document is not None]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    def summary(self) -> dict[str, Any]:
        """The machine-readable summary printed by ``--json``."""
        from transkit.terms.qa import document_summary

        files = []
        for f in self.files:
            entry: dict[str, Any] = {"file": f.path}
            if f.document is not None:
                entry.update(document_summary(f.document))
                entry["file"] = f.path
                entry["outputs"] = list(f.outputs)
            if f.error:
                entry["error"] = f.error
            files.append(entry)
        docs = self.documents
        required = sum(x.get("terms_required", 0) for x in files)
        satisfied = sum(x.get("terms_satisfied", 0) for x in files)
        return {
            "model": self.model,
            "glossaries": [{"file": g, "entries": n} for g, n in self.glossaries],
            "files": files,
            "segments": sum(len(d.segments) for d in docs),
            "terms_required": required,
            "terms_satisfied": satisfied,
            "terms_failed": required - satisfied,
            "errors": len(self.failed),
            "seconds": round(self.seconds, 3),
        }


def prepare_document(name: str, text: str, matcher: Any | None = None) -> Document:
    """Segment a text and find glossary terms in every segment."""
    from transkit.text.segment import segment_document

    document = segment_document(name, text)
    if matcher is None:
        return document
    segments = tuple(replace(s, terms=tuple(matcher.find(s.source))) for s in document.segments)
    return replace(document, segments=segments)


def translate_documents(
    documents: Sequence[Document],
    engine: Engine,
    *,
    num_hypotheses: int = 8,
    progress: Callable[[int], None] | None = None,
) -> list[Document]:
    """Translate all segments of all documents in one batch, enforce terms, QA.

    ``progress`` gets the number of parts done (see `split_long_segments`:
    one per segment, or more for an over-long one).
    """
    from transkit.terms.enforce import enforce_terms
    from transkit.terms.qa import annotate
    from transkit.text.typography import english_quotes, match_initial_case

    flat = [seg for doc in documents for seg in doc.segments]
    parts, owners = split_long_segments(flat)  # progress counts these parts
    translated = join_parts(
        flat,
        enforce_terms(parts, engine, num_hypotheses=num_hypotheses, progress=progress),
        owners,
    )
    translated = [
        replace(s, target=english_quotes(match_initial_case(s.source, s.target or "")))
        for s in translated
    ]
    out = []
    cursor = 0
    for doc in documents:
        count = len(doc.segments)
        segments = tuple(translated[cursor : cursor + count])
        cursor += count
        out.append(annotate(replace(doc, segments=segments)))
    return out


#: Segments longer than this (characters) are enforced in parts; see `split_long_segments`.
PART_CHARS = 400


def split_long_segments(
    segments: Sequence[Segment], limit: int = PART_CHARS
) -> tuple[list[Segment], list[int]]:
    """Cut over-long segments into parts at clause boundaries, for term enforcement.

    A paragraph without punctuation is one segment; enforced whole, one
    missing term anywhere sends all of it to a second, protected translation,
    and every check scans all of it.  In parts of at most ``limit``
    characters (cut where `transkit.text.segment.split_long` cuts, never
    inside a glossary term) it costs what the same text in sentences costs.
    Returns the parts and, for each, the index of its segment.
    """
    import bisect

    from transkit.text.segment import split_long

    parts: list[Segment] = []
    owners: list[int] = []
    for index, seg in enumerate(segments):
        spans = split_long(seg.source, limit) if len(seg.source) > limit else []
        if spans:
            spans = _keep_terms_whole(spans, seg.terms)
        if len(spans) <= 1:
            parts.append(seg)
            owners.append(index)
            continue
        ordered = sorted(seg.terms, key=lambda t: t.start)
        starts = [t.start for t in ordered]
        for start, end in spans:
            first, last = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
            terms = tuple(
                replace(t, start=t.start - start, end=t.end - start)
                for t in ordered[first:last]
                if t.end <= end
            )
            parts.append(replace(seg, source=seg.source[start:end], terms=terms))
            owners.append(index)
    return parts, owners


def _keep_terms_whole(spans: list[tuple[int, int]], terms: Sequence[Any]) -> list[tuple[int, int]]:
    """Join neighbouring spans wherever a term crosses the cut between them."""
    import bisect

    ends = [end for _, end in spans]
    joined = [False] * len(spans)  # joined[k]: span k continues into span k + 1
    for term in terms:
        k = bisect.bisect_right(ends, term.start)
        while k < len(spans) - 1 and term.end > ends[k]:
            joined[k] = True
            k += 1
    merged = [spans[0]]
    for k in range(1, len(spans)):
        if joined[k - 1]:
            merged[-1] = (merged[-1][0], spans[k][1])
        else:
            merged.append(spans[k])
    return merged


def join_parts(
    segments: Sequence[Segment], parts: Sequence[Segment], owners: Sequence[int]
) -> list[Segment]:
    """Put the translated parts of each segment back together (see `split_long_segments`)."""
    grouped: dict[int, list[Segment]] = {}
    for owner, part in zip(owners, parts, strict=True):
        grouped.setdefault(owner, []).append(part)
    out = []
    for index, seg in enumerate(segments):
        mine = grouped.get(index, [])
        if len(mine) == 1 and mine[0].source == seg.source:
            out.append(mine[0])
            continue
        methods = {p.method for p in mine}
        method = next((m for m in ("failed", "protected", "nbest") if m in methods), mine[0].method)
        out.append(
            replace(
                mine[0],
                source=seg.source,
                terms=seg.terms,
                target=" ".join(p.target for p in mine if p.target),
                checks=tuple(c for p in mine for c in p.checks),
                method=method,
                notes=tuple(dict.fromkeys(n for p in mine for n in p.notes)),
            )
        )
    return out


def _load_matcher(glossary_paths: Sequence[Path]) -> tuple[Any | None, tuple[tuple[str, int], ...]]:
    if not glossary_paths:
        return None, ()
    from transkit.terms.glossary import load_glossaries
    from transkit.terms.match import TermMatcher

    glossary = load_glossaries(list(glossary_paths))
    files = tuple((str(path), int(count)) for path, count in glossary.files)
    return TermMatcher.from_glossary(glossary), files


def translate_text(
    text: str,
    *,
    model: str | None = None,
    glossary: Sequence[str | os.PathLike[str]] = (),
    engine: Engine | None = None,
    options: EngineOptions | None = None,
    num_hypotheses: int = 8,
) -> str:
    """Translate a German string to English, keeping its layout.

    ``glossary`` names TSV files or folders to enforce; ``model`` is an
    installed package code or an ``.argosmodel``/directory path.
    """
    document = translate_document_text(
        text,
        model=model,
        glossary=glossary,
        engine=engine,
        options=options,
        num_hypotheses=num_hypotheses,
    )
    return document.target_text


def translate_document_text(
    text: str,
    *,
    name: str = "<text>",
    model: str | None = None,
    glossary: Sequence[str | os.PathLike[str]] = (),
    engine: Engine | None = None,
    options: EngineOptions | None = None,
    num_hypotheses: int = 8,
) -> Document:
    """Like `translate_text`, but return the whole `Document` with its QA."""
    from transkit.engine.argos import engine_for

    matcher, _ = _load_matcher([Path(p) for p in glossary])
    document = prepare_document(name, text, matcher)
    engine = engine or engine_for(model, options)
    return translate_documents([document], engine, num_hypotheses=num_hypotheses)[0]


def output_paths(source: str, out_dir: Path, formats: Sequence[str]) -> dict[str, Path]:
    """``seeds/x.txt`` -> ``out/x.en.txt``, ``out/x.de-en.xlf``, ``out/x.de-en.tmx``."""
    stem = Path(source).name
    for suffix in (".txt", ".text", ".md"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    names = {"txt": f"{stem}.en.txt", "xliff": f"{stem}.de-en.xlf", "tmx": f"{stem}.de-en.tmx"}
    return {fmt: out_dir / names[fmt] for fmt in formats}


def _write_outputs(
    document: Document, paths: dict[str, Path], xliff_version: str
) -> tuple[str, ...]:
    """Write one input's outputs as a set: all new, or all old (`atomic_write_set`)."""
    from transkit.fileio import atomic_write_set

    data: dict[Path, bytes] = {}
    for fmt, path in paths.items():
        if fmt == "txt":
            data[path] = document.target_text.encode("utf-8")
        elif fmt == "xliff":
            from transkit.formats.xliff import xliff_bytes

            data[path] = xliff_bytes([document], version=xliff_version)
        elif fmt == "tmx":
            from transkit.formats.tmx import tmx_bytes

            data[path] = tmx_bytes([document])
    atomic_write_set(data)
    return tuple(str(path) for path in data)


def translate_file(
    path: str | os.PathLike[str], options: TranslateOptions | None = None
) -> FileResult:
    """Translate one file with `run_translate`; raises if it could not be done."""
    run = run_translate([str(path)], options or TranslateOptions())
    result = run.files[0]
    if result.error:
        raise TranskitError(result.error)
    return result


def run_translate(
    inputs: Sequence[str],
    options: TranslateOptions,
    *,
    stdin_text: str | bytes | None = None,
    engine: Engine | None = None,
    progress_factory: Callable[[int], Any] | None = None,
) -> TranslateRun:
    """Translate every input file; bad files are reported, the rest still done.

    ``progress_factory(total)`` returns a context manager with ``update(n)``
    (e.g. a click progress bar), or is None for no progress display.
    Raises only for problems that stop the whole run: no model, bad glossary.
    """
    from transkit.text.reading import read_document

    started = time.perf_counter()
    matcher, glossary_files = _load_matcher(options.glossary_paths)

    prepared: list[tuple[str, Document | None, str | None]] = []
    seen_outputs: dict[Path, str] = {}
    for name in inputs:
        try:
            if name == "-":
                if stdin_text is None:
                    raise InputError("no standard input given", file="-")
                text = stdin_text
                if isinstance(text, bytes):  # decoded by a file's rules
                    from transkit.text.reading import STDIN_NAME, decode_document

                    text = decode_document(text, STDIN_NAME)
                if not text.strip():
                    raise InputError("empty input, nothing to translate", file="<stdin>")
            else:
                text = read_document(name)
                for out in output_paths(name, options.out_dir, options.formats).values():
                    if out in seen_outputs:
                        raise InputError(
                            f"would overwrite {out}, also written for {seen_outputs[out]}",
                            file=name,
                        )
                    seen_outputs[out] = name
            prepared.append((name, prepare_document(name, text, matcher), None))
        except InputError as err:
            prepared.append((name, None, err.one_line()))

    documents = [doc for _, doc, _ in prepared if doc is not None]
    model_label = None
    translated: list[Document] = []
    if documents:
        if engine is None:
            from transkit.engine.argos import engine_for

            engine = engine_for(options.model, options.engine)
        model_label = getattr(engine, "name", None)
        flat = [seg for doc in documents for seg in doc.segments]
        total = len(split_long_segments(flat)[0])  # the unit translate_documents reports
        if progress_factory is not None:
            with progress_factory(total) as bar:
                last = [0]

                def tick(done: int) -> None:
                    bar.update(max(0, done - last[0]))
                    last[0] = max(last[0], done)

                translated = translate_documents(
                    documents, engine, num_hypotheses=options.num_hypotheses, progress=tick
                )
        else:
            translated = translate_documents(
                documents, engine, num_hypotheses=options.num_hypotheses
            )

    results = []
    by_doc = iter(translated)
    for name, doc, error in prepared:
        if doc is None:
            results.append(FileResult(path=name, error=error))
            continue
        done = next(by_doc)
        if name == "-":
            results.append(FileResult(path=name, document=done))
            continue
        try:
            paths = output_paths(name, options.out_dir, options.formats)
            outputs = _write_outputs(done, paths, options.xliff_version)
            results.append(FileResult(path=name, document=done, outputs=outputs))
        except (TranskitError, OSError) as err:
            message = err.one_line() if isinstance(err, TranskitError) else f"{name}: {err}"
            results.append(FileResult(path=name, document=done, error=message))
    return TranslateRun(
        files=tuple(results),
        seconds=time.perf_counter() - started,
        model=model_label,
        glossaries=glossary_files,
    )
