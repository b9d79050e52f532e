"""``transkit review FILE.xlf``: the review page of a post-edited XLIFF.

The page shows the targets as they are in the file now (after a translator
worked on them in a CAT tool), and every glossary term is found and checked
again on those targets, so the verdicts are about the current text, not
the machine translation that was first delivered.

One document in the XLIFF gives one page (``x.de-en.xlf`` ->
``x.de-en.html`` next to it, or ``out``).  Several documents give one page
each, named after their ``original`` attribute, plus an index at that same
path linking them.  Everything is read and checked before anything is
written, and every write is atomic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from transkit.data import Document
from transkit.errors import TranskitError

__all__ = ["ReviewResult", "review_summary", "review_xliff"]


@dataclass(frozen=True)
class ReviewResult:
    """What `review_xliff` wrote, and the re-checked documents behind it."""

    documents: tuple[Document, ...]
    pages: tuple[Path, ...]
    index: Path | None
    glossaries: tuple[tuple[str, int], ...]
    model: str | None


def _model_label(documents: list[Document]) -> str | None:
    origins = sorted({s.origin for d in documents for s in d.segments if s.origin})
    return ", ".join(origins) if origins else None


def _page_for(folder: Path, document: Document) -> Path:
    from transkit.review import page_name

    original = document.metadata.get("original", document.name)
    base = PureWindowsPath(PurePosixPath(original).name).name or "document"
    return folder / page_name(base)


def review_xliff(
    xliff_path: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    glossary_paths: tuple[Path, ...] = (),
) -> ReviewResult:
    """Render the review page(s) of an XLIFF with its terms checked again.

    Raises `FormatError` for a malformed XLIFF, `GlossaryError` for a bad
    glossary and `TranskitError` for an output that cannot be used.
    """
    from transkit.enforce.recheck import recheck_document
    from transkit.formats.xliff import read_xliff
    from transkit.review import page_name, write_index, write_page

    source = Path(xliff_path)
    documents = read_xliff(source)
    matcher = glossary = None
    files: tuple[tuple[str, int], ...] = ()
    if glossary_paths:
        from transkit.terms.glossary import load_glossaries
        from transkit.terms.match import TermMatcher

        glossary = load_glossaries(list(glossary_paths))
        files = tuple((str(p), int(n)) for p, n in glossary.files)
        matcher = TermMatcher.from_glossary(glossary)
    checked = [recheck_document(d, matcher) for d in documents]

    entry = Path(out) if out is not None else source.with_name(page_name(source.name))
    if entry.is_dir():
        raise TranskitError(f"output {entry} is a directory", file=str(source))
    if len(checked) == 1:
        pages = [entry]
        index = None
    else:
        pages = [_page_for(entry.parent, d) for d in checked]
        index = entry
    targets = [*pages, *([index] if index else [])]
    if len({p.resolve() for p in targets}) != len(targets):
        raise TranskitError(
            f"two pages would be written to the same file {sorted(map(str, targets))}",
            file=str(source),
        )
    if any(p.resolve() == source.resolve() for p in targets):
        raise TranskitError("refusing to overwrite the XLIFF with a review page", file=str(source))

    model = _model_label(checked)
    how = (
        "term checks run again on them with " + "; ".join(f for f, _ in files)
        if files
        else "no glossary given, so no term is checked"
    )
    subtitle = f"From {source}: the current targets (after post-editing); {how}."
    rows = []
    for document, page in zip(checked, pages, strict=True):
        totals = write_page(
            document,
            page,
            glossary=glossary,
            model=model,
            glossaries=files,
            subtitle=subtitle,
            index=index,
        )
        rows.append((document.name, page, totals))
    if index is not None:
        write_index(rows, index, model=model, glossaries=files)
    return ReviewResult(tuple(checked), tuple(pages), index, files, model)


def review_summary(result: ReviewResult) -> list[str]:
    """Lines for the terminal: per document its checks, then what was written."""
    from transkit.enforce.report import document_summary

    lines = []
    for document, page in zip(result.documents, result.pages, strict=True):
        s = document_summary(document)
        lines.append(
            f"{document.name}: {s['segments']} segments, {s['terms_required']} terms required, "
            f"{s['terms_satisfied']} satisfied, {s['terms_failed']} failed"
        )
        lines.append(f"  wrote {page}")
    if result.index is not None:
        lines.append(f"wrote {result.index}")
    return lines
