"""A run over large text inputs, read, translated and written a window at a time.

`transkit.pipeline.run_translate` holds every document whole: a 50 MB
input (400,000 sentences) would hold gigabytes of segments, n-best lists
and serialised files.  Here the run's segments (files one after another)
flow in the windows of the batch plan (`transkit.batch.plan_windows`):
each window is read (`transkit.text.streaming`), its terms matched,
translated through the seam (`transkit.batch.translate_planned`, which
length-sorts it into the plan's batches), annotated, and appended to its
files' outputs (`transkit.formats.streaming`, into temporary files of a
`StreamedSet`); a file's outputs are renamed into place together when its
last window is done.  What is held at once is one window.

The batches are the plan's, so the bytes are those of a run held whole;
the progress total (the parts of each window) and the per-file figures
(`document_summary`, added up window by window) are the same too.  A
first pass reads every input once to validate it (a bad file is refused
before anything is written) and count its segments (the XLIFF header says
how many); with a progress bar, a second one counts the parts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from transkit.data import Document, Segment
from transkit.engine.base import Engine
from transkit.errors import InputError, OutputError, TranskitError

__all__ = [
    "STREAM_MB",
    "REVIEW_SEGMENTS",
    "StreamSettings",
    "StreamedFile",
    "add_figures",
    "needs_review",
    "should_stream",
    "stream_translate",
    "streamed_files",
]

#: Inputs larger than this in all (MB) are translated a window at a time;
#: ``TRANSKIT_STREAM_MB`` overrides (0: always, where the run allows it).
STREAM_MB = 8.0


@dataclass
class StreamedFile:
    """One input of a streamed run: where it goes, and what happened."""

    name: str
    paths: dict[str, Path]  # format -> output path
    figures: dict[str, Any] = field(default_factory=dict)  # `document_summary`, summed
    error: str | None = None
    count: int = 0  # segments
    written: bool = False
    page_totals: dict[str, int] | None = None  # of its review page, for the index


def should_stream(
    inputs: Sequence[str], formats: Sequence[str], tm_path: Any | None, *, hold: bool = False
) -> bool:
    """Whether a run goes window by window instead of holding its documents.

    It does when the text inputs are large (`STREAM_MB`) and every output
    can be written a window at a time: TXT, XLIFF, TMX and the review page
    (of the segments that need a look, see `_Outputs`).  An OmegaT project,
    a memory, standard input and ``--report`` (``hold``) need the whole
    documents; such a run holds them.
    """
    import os

    from transkit.formats.streaming import STREAMED_FORMATS

    if hold or "-" in inputs or not inputs or not set(formats) <= {*STREAMED_FORMATS, "html"}:
        return False
    if tm_path is not None:
        from transkit.tm.spec import is_url

        if is_url(str(tm_path)) or Path(tm_path).is_dir():
            return False
    try:
        limit = float(os.environ.get("TRANSKIT_STREAM_MB", "") or STREAM_MB)
    except ValueError:
        limit = STREAM_MB
    size = 0
    for name in inputs:
        try:
            size += os.stat(name).st_size
        except OSError:
            continue
    return limit == 0 or size > limit * 1_000_000


def streamed_files(
    inputs: Sequence[str], paths: Sequence[dict[str, Path]], claims: Any
) -> list[StreamedFile]:
    """One `StreamedFile` per input; its outputs claimed (`OutputClaims`) or its error."""
    files: list[StreamedFile] = []
    for name, outputs in zip(inputs, paths, strict=True):
        item = StreamedFile(name=name, paths=outputs)
        try:
            if Path(name).is_dir():
                raise InputError("is a directory, not a text file", file=name)
            for out in outputs.values():
                claims.claim(out, owner=name)
        except (InputError, OutputError) as err:
            item.error = err.one_line()
        files.append(item)
    return files


def add_figures(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Two `document_summary` figures of one document's pieces, added up."""
    if not total:
        return part
    out = dict(total)
    for key, value in part.items():
        if key == "file":
            continue
        if isinstance(value, dict):
            merged = dict(total.get(key, {}))
            for name, n in value.items():
                merged[name] = merged.get(name, 0) + n
            out[key] = dict(sorted(merged.items())) if key == "methods" else merged
        else:
            out[key] = total.get(key, 0) + value
    return out


def _matched(segments: Iterator[Segment], matcher: Any | None) -> Iterator[Segment]:
    if matcher is None:
        yield from segments
        return
    for seg in segments:
        yield replace(seg, terms=tuple(matcher.find(seg.source)))


def _events(
    files: Sequence[StreamedFile], matcher: Any | None
) -> Iterator[tuple[int, Segment | str]]:
    """The run's segments, file by file, each file closed by its trailing text."""
    from transkit.text.streaming import SegmentStream, stream_segments

    for number, item in enumerate(files):
        if item.error:
            continue
        end = SegmentStream()
        try:
            for seg in _matched(stream_segments(item.name, end), matcher):
                yield number, seg
        except InputError as err:  # changed since the first pass
            item.error = err.one_line()
        yield number, end.trailing


def _windows(
    events: Iterator[tuple[int, Segment | str]], window: int
) -> Iterator[list[tuple[int, Segment | str]]]:
    """Events in groups of ``window`` segments (a file's end goes with its last)."""
    group: list[tuple[int, Segment | str]] = []
    count = 0
    for event in events:
        if count == window and isinstance(event[1], Segment):
            yield group
            group, count = [], 0
        group.append(event)
        count += isinstance(event[1], Segment)
    if group:
        yield group


#: Segments serialised at a time: a window's XLIFF is tens of megabytes.
WRITE_SEGMENTS = 500

#: The most segments the review page of a streamed input lists.
REVIEW_SEGMENTS = 2_000


@dataclass(frozen=True)
class StreamSettings:
    """What every window of a streamed run is translated and written with."""

    engine: Engine
    matcher: Any | None = None
    glossary: Any | None = None  # the matcher's `Glossary`, for enforcement
    num_hypotheses: int = 4
    xliff_version: str = "1.2"
    review: dict[str, Any] | None = None  # `review_page` keywords, for "html"
    window: int = 0  # 0: `window_segments()`


def stream_translate(
    files: Sequence[StreamedFile],
    settings: StreamSettings,
    *,
    progress_factory: Callable[[int], Any] | None = None,
) -> None:
    """Translate ``files`` a window at a time; each gets its figures or its error.

    Outputs are written to temporary files as windows finish and renamed
    into place when the file is complete (all of a file's outputs together).
    """
    from transkit.batch import window_segments

    if not settings.window:
        settings = replace(settings, window=window_segments())
    total = _count(files, settings.matcher, settings.window, progress_factory is not None)
    if progress_factory is None:
        _translate_windows(files, settings)
        return
    with progress_factory(total) as bar:
        last = [0]

        def tick(done: int) -> None:
            bar.update(max(0, done - last[0]))
            last[0] = max(last[0], done)

        _translate_windows(files, settings, tick)


def _count(files: Sequence[StreamedFile], matcher: Any | None, window: int, parts: bool) -> int:
    """The first pass: every file read once (errors recorded) and its segments
    counted; with ``parts``, the progress total of the good files' windows
    (a second read, with the terms matched: the parts depend on them)."""
    from transkit.batch import planned_parts

    for number, event in _events(files, None):
        if isinstance(event, Segment):
            files[number].count += 1
    total = 0
    if parts:
        for group in _windows(_events(files, matcher), window):
            total += planned_parts([e for _, e in group if isinstance(e, Segment)], window=window)
    return total


def needs_review(segment: Segment) -> bool:
    """A segment the review page of a large input lists: a term failed or
    repaired, or a note to read."""
    return bool(segment.notes or segment.repairs or any(not c.satisfied for c in segment.checks))


class _Outputs:
    """The open outputs of the file being written.

    The review page of a large input lists the segments that need a look
    (`needs_review`, at most `REVIEW_SEGMENTS`) with the file's true count
    in its subtitle: 400,000 rows is no page a person reads, and every
    segment is in the XLIFF.
    """

    def __init__(self, item: StreamedFile, settings: StreamSettings) -> None:
        from transkit.fileio_streamed import StreamedSet
        from transkit.formats.streaming import open_stream

        shell = Document(name=item.name)
        self.item = item
        self.settings = settings
        self.page = item.paths.get("html")
        self.writers = {
            path: open_stream(fmt, shell, item.count, xliff_version=settings.xliff_version)
            for fmt, path in item.paths.items()
            if fmt != "html"
        }
        self.listed: list[Segment] = []
        self.flagged = 0
        self.files = StreamedSet(item.paths.values())

    def add(self, segments: list[Segment]) -> None:
        from transkit.enforce.report import document_summary

        for start in range(0, len(segments), WRITE_SEGMENTS):
            part = segments[start : start + WRITE_SEGMENTS]
            for path, writer in self.writers.items():
                self.files.write(path, writer.add(part))
        figures = document_summary(Document(name=self.item.name, segments=tuple(segments)))
        self.item.figures = add_figures(self.item.figures, figures)
        if self.page is not None:
            for seg in filter(needs_review, segments):
                self.flagged += 1
                if len(self.listed) < REVIEW_SEGMENTS:
                    self.listed.append(seg)

    def end(self, trailing: str) -> None:
        for path, writer in self.writers.items():
            self.files.write(path, writer.end(trailing))
        if self.page is not None:
            self.files.write(self.page, self._page())
        self.files.commit()
        self.item.written = True

    def _page(self) -> bytes:
        from transkit.review import review_page

        shown = len(self.listed)
        subtitle = (
            f"A large input: {self.item.count:,} segments. This page lists the "
            f"{shown:,} that need a look (a term failed or repaired, or a note)"
            + (f", the first {shown:,} of {self.flagged:,}" if shown < self.flagged else "")
            + "; its totals count those. Every segment is in the XLIFF."
        )
        document = Document(name=self.item.name, segments=tuple(self.listed))
        keywords = dict(self.settings.review or {})
        html, totals = review_page(document, self.page, subtitle=subtitle, **keywords)
        self.item.page_totals = totals
        return html.encode("utf-8")


def _translate_windows(
    files: Sequence[StreamedFile],
    settings: StreamSettings,
    progress: Callable[[int], None] | None = None,
) -> None:
    from transkit.batch import planned_parts, translate_planned
    from transkit.enforce.report import segment_notes

    done = 0
    window = settings.window
    current: _Outputs | None = None
    try:
        for group in _windows(_events(files, settings.matcher), window):
            segments = [event for _, event in group if isinstance(event, Segment)]

            def tick(n: int, base: int = done) -> None:
                if progress is not None:
                    progress(base + n)

            translated = translate_planned(
                segments,
                settings.engine,
                glossary=settings.glossary,
                num_hypotheses=settings.num_hypotheses,
                progress=tick,
                window=window,
            )
            if progress is not None:
                done += planned_parts(segments, window=window)
            results = iter(translated)
            piece: list[Segment] = []
            for number, event in group:
                item = files[number]
                if isinstance(event, Segment):
                    seg = next(results)
                    piece.append(replace(seg, notes=segment_notes(seg)))
                    continue
                current = _flush(current, item, piece, settings)
                piece = []
                if current is not None:
                    _close(current, event)
                current = None
            if piece:
                current = _flush(current, files[group[-1][0]], piece, settings)
    finally:
        if current is not None:
            current.files.discard()


def _flush(
    current: _Outputs | None, item: StreamedFile, piece: list[Segment], settings: StreamSettings
) -> _Outputs | None:
    """Append ``piece`` (the next segments of ``item``) to its outputs, opened at its first."""
    if item.error:
        if current is not None and current.item is item:
            current.files.discard()  # the file went bad while it was read
            return None
        return current
    try:
        if current is None:
            current = _Outputs(item, settings)
        if piece:
            current.add(piece)
    except (TranskitError, OSError) as err:
        item.error = err.one_line() if isinstance(err, TranskitError) else f"{item.name}: {err}"
        if current is not None:
            current.files.discard()
        return None
    return current


def _close(current: _Outputs, trailing: str) -> None:
    try:
        current.end(trailing)
    except (OutputError, TranskitError, OSError) as err:
        item = current.item
        item.error = err.one_line() if isinstance(err, TranskitError) else f"{item.name}: {err}"
        current.files.discard()
