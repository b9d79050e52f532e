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

from transkit.data import Document
from transkit.enforce.parts import join_parts, split_long_segments
from transkit.engine.argos import EngineOptions
from transkit.engine.base import Engine
from transkit.errors import InputError, OutputError, TranskitError
from transkit.fileio import OutputClaims
from transkit.review.plan import review_plan, write_review_index

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
    "prepare_inputs",
    "load_glossary",
    "apply_memory",
    "review_plan",
    "write_document_outputs",
    "write_file_outputs",
    "write_review_index",
    "split_long_segments",
    "join_parts",
]

FORMATS = ("txt", "xliff", "tmx", "html", "omegat")
#: What is written when no --formats is given (an OmegaT project only on request).
DEFAULT_FORMATS = ("txt", "xliff", "tmx", "html")


@dataclass(frozen=True)
class TranslateOptions:
    """Everything ``transkit translate`` can be told; CLI flags map one to one."""

    model: str | None = None
    engine: EngineOptions = field(default_factory=EngineOptions)
    num_hypotheses: int = 4
    glossary_paths: tuple[Path, ...] = ()
    out_dir: Path = Path("out")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    xliff_version: str = "1.2"
    tm_path: Path | str | None = None  # memory folder (TMX files) or postgresql:// URL; None: none
    tm_threshold: float = 75.0
    #: Hold every document whole even when the inputs are large (``--report`` reads them).
    hold_documents: bool = False


@dataclass(frozen=True)
class FileResult:
    """What happened to one input file."""

    path: str
    document: Document | None = None
    outputs: tuple[str, ...] = ()
    error: str | None = None
    #: A streamed input's `document_summary` (its document is never held whole).
    figures: dict[str, Any] | None = None

    def summary_figures(self) -> dict[str, Any] | None:
        """`document_summary` of the translated input, held whole or streamed."""
        if self.figures is not None:
            return self.figures
        if self.document is None:
            return None
        from transkit.enforce.report import document_summary

        return document_summary(self.document)


@dataclass(frozen=True)
class TranslateRun:
    """The outcome of one ``transkit translate`` run."""

    files: tuple[FileResult, ...]
    seconds: float
    model: str | None = None
    glossaries: tuple[tuple[str, int], ...] = ()
    index: str | None = None  # the review pages' index.html, when one was written
    memory: str | None = None

    @property
    def documents(self) -> list[Document]:
        return [f.document for f in self.files if f.document is not None]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    @property
    def finished(self) -> list[FileResult]:
        """The inputs translated, held whole or streamed."""
        return [f for f in self.files if f.document is not None or f.figures is not None]

    def summary(self) -> dict[str, Any]:
        """The machine-readable summary printed by ``--json``."""
        files = []
        for f in self.files:
            entry: dict[str, Any] = {"file": f.path}
            figures = f.summary_figures()
            if figures is not None:
                entry.update(figures)
                entry["file"] = f.path
                entry["outputs"] = list(f.outputs)
            if f.document is not None and self.memory is not None:
                entry["tm"] = _tm_counts([f.document])
                entry["tm_matches"] = [
                    {
                        "segment": seg.id,
                        "level": m.level,
                        "score": m.score,
                        "source": m.source,
                        "target": m.target,
                        "origin": m.origin,
                        "used": seg.method == f"tm-{m.level}",
                        "note": m.note,
                    }
                    for seg in f.document.segments
                    for m in seg.matches[:1]
                ]
            if f.error:
                entry["error"] = f.error
            files.append(entry)
        docs = self.documents
        tm = _tm_counts(docs)
        # A streamed input uses no memory: every segment is machine-translated.
        tm["mt"] += sum(f.figures["segments"] for f in self.files if f.figures is not None)
        required = sum(x.get("terms_required", 0) for x in files)
        satisfied = sum(x.get("terms_satisfied", 0) for x in files)
        return {
            "model": self.model,
            "glossaries": [{"file": g, "entries": n} for g, n in self.glossaries],
            "files": files,
            "segments": sum(x.get("segments", 0) for x in files),
            "terms_required": required,
            "terms_satisfied": satisfied,
            "terms_failed": required - satisfied,
            "errors": len(self.failed),
            "seconds": round(self.seconds, 3),
            "memory": self.memory,
            "tm": tm,
        }


def _tm_counts(documents: Sequence[Document]) -> dict[str, int]:
    from transkit.tm.leverage import tm_counts

    return tm_counts(documents)


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
    num_hypotheses: int = 4,
    progress: Callable[[int], None] | None = None,
    glossary: Any | None = None,
) -> list[Document]:
    """Translate all segments of all documents in one batch, enforce terms, QA.

    Segments that already have a target (taken from the translation memory)
    are kept as they are.  ``glossary`` (the `Glossary` the terms were
    matched with) tells enforcement the deprecated renderings and every
    forbidden term.  ``progress`` gets the number of parts done (see
    `split_long_segments`: one per segment, or more for an over-long one).
    Identical segments are translated once, in the batches of
    `transkit.batch.plan_batches` (the batches a cluster run forms too).
    """
    from transkit.batch import translate_planned
    from transkit.enforce.report import annotate

    flat = [seg for doc in documents for seg in doc.segments]
    translated = translate_planned(
        flat, engine, glossary=glossary, num_hypotheses=num_hypotheses, progress=progress
    )
    out = []
    cursor = 0
    for doc in documents:
        count = len(doc.segments)
        segments = tuple(translated[cursor : cursor + count])
        cursor += count
        out.append(annotate(replace(doc, segments=segments)))
    return out


def translate_with_progress(
    documents: Sequence[Document],
    engine: Engine,
    *,
    num_hypotheses: int,
    glossary: Any | None,
    progress_factory: Callable[[int], Any] | None,
) -> list[Document]:
    """`translate_documents` with a progress bar (``progress_factory(total)``) when one is given.

    The total counts what `translate_documents` reports: the parts of the
    unique segments still to translate (see `transkit.batch.planned_parts`).
    """
    if progress_factory is None:
        return translate_documents(
            documents, engine, num_hypotheses=num_hypotheses, glossary=glossary
        )
    from transkit.batch import planned_parts

    with progress_factory(planned_parts([s for d in documents for s in d.segments])) as bar:
        last = [0]

        def tick(done: int) -> None:
            bar.update(max(0, done - last[0]))
            last[0] = max(last[0], done)

        return translate_documents(
            documents, engine, num_hypotheses=num_hypotheses, progress=tick, glossary=glossary
        )


def _glossary_of(matcher: Any | None) -> Any | None:
    """The glossary a `TermMatcher` was built from (None without one)."""
    return getattr(matcher, "glossary", None)


def _load_matcher(glossary_paths: Sequence[Path]) -> tuple[Any | None, tuple[tuple[str, int], ...]]:
    matcher, files, _ = load_glossary(glossary_paths)
    return matcher, files


def load_glossary(
    glossary_paths: Sequence[Path],
) -> tuple[Any | None, tuple[tuple[str, int], ...], Any | None]:
    """Matcher, (file, entries) pairs and the `Glossary` itself (for review pages)."""
    if not glossary_paths:
        return None, (), None
    from transkit.terms.glossary import load_glossaries
    from transkit.terms.match import TermMatcher

    glossary = load_glossaries(list(glossary_paths))
    files = tuple((str(path), int(count)) for path, count in glossary.files)
    return TermMatcher.from_glossary(glossary), files, glossary


def translate_text(
    text: str,
    *,
    model: str | None = None,
    glossary: Sequence[str | os.PathLike[str]] = (),
    engine: Engine | None = None,
    options: EngineOptions | None = None,
    num_hypotheses: int = 4,
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
    num_hypotheses: int = 4,
) -> Document:
    """Like `translate_text`, but return the whole `Document` with its QA."""
    from transkit.engine.families import engine_for

    matcher, _ = _load_matcher([Path(p) for p in glossary])
    document = prepare_document(name, text, matcher)
    engine = engine or engine_for(model, options)
    return translate_documents(
        [document], engine, num_hypotheses=num_hypotheses, glossary=_glossary_of(matcher)
    )[0]


def output_paths(source: str, out_dir: Path, formats: Sequence[str]) -> dict[str, Path]:
    """``seeds/x.txt`` -> ``out/x.en.txt``, ``x.de-en.xlf``, ``x.de-en.tmx``, ``x.de-en.html``."""
    stem = Path(source).name
    for suffix in (".txt", ".text", ".md"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    names = {"txt": f"{stem}.en.txt", "xliff": f"{stem}.de-en.xlf", "tmx": f"{stem}.de-en.tmx"}
    names["html"] = f"{stem}.de-en.html"
    names["omegat"] = f"{stem}.omegat"
    return {fmt: out_dir / names[fmt] for fmt in formats}


def write_document_outputs(
    document: Document,
    paths: dict[str, Path],
    xliff_version: str,
    review: dict[str, Any] | None = None,
    pages: list[tuple[str, Path, dict[str, int]]] | None = None,
    glossary_paths: Sequence[Path] = (),
) -> tuple[str, ...]:
    """Write one finished input's outputs as one set, all new or all old (`atomic_write_set`).

    ``review`` holds `transkit.review.write_page` keywords; the page is added
    to ``pages`` (name, path, totals) for the index.  An OmegaT project is a
    folder of its own, written after the set.
    """
    from transkit.fileio import atomic_write_set

    data: dict[Path, bytes] = {}
    page: tuple[str, Path, dict[str, int]] | None = None
    project: Path | None = None
    for fmt, path in paths.items():
        if fmt == "txt":
            data[path] = document.target_text.encode("utf-8")
        elif fmt == "xliff":
            from transkit.formats.xliff import xliff_bytes

            data[path] = xliff_bytes([document], version=xliff_version)
        elif fmt == "tmx":
            from transkit.formats.tmx import tmx_bytes

            data[path] = tmx_bytes([document])
        elif fmt == "html":
            from transkit.review import review_page

            html, totals = review_page(document, path, **(review or {}))
            data[path] = html.encode("utf-8")
            page = (document.name, path, totals)
        elif fmt == "omegat":
            project = path
    atomic_write_set(data)
    if page is not None and pages is not None:
        pages.append(page)
    if project is not None:
        from transkit.formats.omegat import write_omegat_project
        from transkit.terms.glossary import load_glossaries

        entries = load_glossaries(list(glossary_paths)).entries if glossary_paths else ()
        write_omegat_project(document, document.name, project, entries=entries)
    return tuple(str(path) for path in paths.values())


def translate_file(
    path: str | os.PathLike[str], options: TranslateOptions | None = None
) -> FileResult:
    """Translate one file with `run_translate`; raises if it could not be done."""
    run = run_translate([str(path)], options or TranslateOptions())
    result = run.files[0]
    if result.error:
        raise TranskitError(result.error)
    return result


def prepare_inputs(
    inputs: Sequence[str],
    options: TranslateOptions,
    matcher: Any | None,
    stdin_text: str | bytes | None = None,
    claims: OutputClaims | None = None,
) -> list[tuple[str, Document | None, str | None]]:
    """Read, segment and match every input: (name, document, None) or (name, None, error).

    ``claims`` holds the outputs of the whole run (XLIFF inputs' too): an
    output that is an input, or another input's output, refuses that input
    (as that file's error).
    """
    from transkit.text.reading import read_document

    prepared: list[tuple[str, Document | None, str | None]] = []
    if claims is None:
        claims = OutputClaims([*inputs, *options.glossary_paths])
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
                    claims.claim(out, owner=name)
            prepared.append((name, prepare_document(name, text, matcher), None))
        except (InputError, OutputError) as err:
            prepared.append((name, None, err.one_line()))

    return prepared


def run_translate(
    inputs: Sequence[str],
    options: TranslateOptions,
    *,
    stdin_text: str | bytes | None = None,
    engine: Engine | None = None,
    progress_factory: Callable[[int], Any] | None = None,
    claims: OutputClaims | None = None,
) -> TranslateRun:
    """Translate every input file; bad files are reported, the rest still done.

    ``claims``: see `prepare_inputs`.
    ``progress_factory(total)`` returns a context manager with ``update(n)``
    (e.g. a click progress bar), or is None for no progress display.
    Raises only for problems that stop the whole run: no model, bad glossary.
    """

    from transkit.stream import should_stream

    started = time.perf_counter()
    if should_stream(inputs, options.formats, options.tm_path, hold=options.hold_documents):
        return _run_streamed(inputs, options, engine, progress_factory, claims, started)
    matcher, glossary_files, glossary = load_glossary(options.glossary_paths)
    prepared = prepare_inputs(inputs, options, matcher, stdin_text, claims)
    documents = [doc for _, doc, _ in prepared if doc is not None]
    memory = None
    if documents and options.tm_path is not None:
        from transkit.tm.spec import is_url, redact_url

        documents = apply_memory(documents, options)
        spec = str(options.tm_path)
        memory = redact_url(spec) if is_url(spec) else spec
    model_label = None
    translated: list[Document] = []
    pending = sum(s.target is None for d in documents for s in d.segments)
    if documents and not pending:
        from transkit.enforce.report import annotate

        translated = [annotate(d) for d in documents]
    elif documents:
        if engine is None:
            from transkit.engine.families import engine_for

            engine = engine_for(options.model, options.engine)
        model_label = getattr(engine, "name", None)
        translated = translate_with_progress(
            documents,
            engine,
            num_hypotheses=options.num_hypotheses,
            glossary=_glossary_of(matcher),
            progress_factory=progress_factory,
        )

    results = []
    by_doc = iter(translated)
    review, pages, index = review_plan(inputs, options, glossary, glossary_files, model_label)
    for name, doc, error in prepared:
        if doc is None:
            results.append(FileResult(path=name, error=error))
            continue
        done = next(by_doc)
        if name == "-":
            results.append(FileResult(path=name, document=done))
            continue
        results.append(write_file_outputs(name, done, options, review, pages))
    return TranslateRun(
        files=tuple(results),
        seconds=time.perf_counter() - started,
        model=model_label,
        glossaries=glossary_files,
        index=write_review_index(inputs, pages, index, model_label, glossary_files),
        memory=memory,
    )


def write_file_outputs(
    name: str,
    document: Document,
    options: TranslateOptions,
    review: dict[str, Any],
    pages: list[tuple[str, Path, dict[str, int]]],
) -> FileResult:
    """Write one finished input's outputs; a failure is that file's one-line error.

    The one writer of a run's outputs: the local run calls it for each file
    at the end, a cluster driver as soon as a file's last segment is in.
    """
    try:
        paths = output_paths(name, options.out_dir, options.formats)
        outputs = write_document_outputs(
            document, paths, options.xliff_version, review, pages, options.glossary_paths
        )
        return FileResult(path=name, document=document, outputs=outputs)
    except (TranskitError, OSError) as err:
        message = err.one_line() if isinstance(err, TranskitError) else f"{name}: {err}"
        return FileResult(path=name, document=document, error=message)


def _run_streamed(
    inputs: Sequence[str],
    options: TranslateOptions,
    engine: Engine | None,
    progress_factory: Callable[[int], Any] | None,
    claims: OutputClaims | None,
    started: float,
) -> TranslateRun:
    """`run_translate` a window at a time: the same files, figures and bytes."""
    from transkit.stream import StreamSettings, stream_translate, streamed_files

    matcher, glossary_files, glossary = load_glossary(options.glossary_paths)
    claims = claims or OutputClaims([*inputs, *options.glossary_paths])
    paths = [output_paths(name, options.out_dir, options.formats) for name in inputs]
    files = streamed_files(inputs, paths, claims)
    if engine is None:
        from transkit.engine.families import engine_for

        engine = engine_for(options.model, options.engine)
    model_label = getattr(engine, "name", None)
    review, pages, index = review_plan(inputs, options, glossary, glossary_files, model_label)
    settings = StreamSettings(
        engine,
        matcher=matcher,
        glossary=_glossary_of(matcher),
        num_hypotheses=options.num_hypotheses,
        xliff_version=options.xliff_version,
        review=review,
    )
    stream_translate(files, settings, progress_factory=progress_factory)
    results = []
    for f in files:
        if f.error or not f.written:
            results.append(FileResult(path=f.name, error=f.error))
            continue
        outputs = tuple(str(p) for p in f.paths.values())
        results.append(FileResult(path=f.name, outputs=outputs, figures=f.figures))
        if f.page_totals is not None:
            pages.append((f.name, f.paths["html"], f.page_totals))
    return TranslateRun(
        files=tuple(results),
        seconds=time.perf_counter() - started,
        model=model_label,
        glossaries=glossary_files,
        index=write_review_index(inputs, pages, index, model_label, glossary_files),
    )


def apply_memory(documents: list[Document], options: TranslateOptions) -> list[Document]:
    """Exact matches from the memory replace MT; fuzzy ones travel with the segments."""
    from transkit.tm.leverage import leverage_documents
    from transkit.tm.spec import is_url, open_memory

    assert options.tm_path is not None
    if not is_url(options.tm_path) and not Path(options.tm_path).is_dir():
        return documents  # nothing stored yet (a merge creates the folder)
    with open_memory(options.tm_path) as memory:
        memory.refresh()
        return leverage_documents(documents, memory, threshold=options.tm_threshold)
