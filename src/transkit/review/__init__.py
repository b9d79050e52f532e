"""The bilingual review page: every segment, term and flag in one HTML file.

`render_review` turns a translated `Document` into a self-contained page
(German and English side by side, glossary terms highlighted and linked,
a summary and a "flagged only" filter); `write_review` writes one page per
document, plus ``index.html`` when there is more than one, atomically.

The view model lives in `transkit.review.view` (pure, no HTML) and the
lxml page builder in `transkit.review.page`; lxml is imported only when a
page is rendered.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transkit.data import Document

__all__ = [
    "page_name",
    "relative_href",
    "render_review",
    "review_page",
    "review_context",
    "write_index",
    "write_page",
    "write_review",
]


def page_name(name: str) -> str:
    """``seeds/x.txt`` -> ``x.de-en.html``; ``x.de-en.xlf`` -> ``x.de-en.html``."""
    stem = Path(name.replace("\\", "/")).name or "document"
    for suffix in (".txt", ".text", ".md", ".xlf", ".xliff"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    if not stem.endswith(".de-en"):
        stem += ".de-en"
    return f"{stem}.html"


def _shown_path(path: str) -> str:
    """A glossary path as the page shows it: relative to here when it is below here."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path


def review_context(
    *,
    model: str | None = None,
    glossaries: Sequence[tuple[str, int]] = (),
    subtitle: str = "",
    index_href: str | None = None,
) -> Any:
    """A `transkit.review.page.PageContext` stamped with this transkit's version."""
    from transkit import __version__
    from transkit.review.page import PageContext

    return PageContext(
        model=model,
        glossaries=tuple((_shown_path(str(p)), int(n)) for p, n in glossaries),
        generator=f"transkit {__version__}",
        subtitle=subtitle,
        index_href=index_href,
    )


def _concepts(document: Document, glossary: Any | None) -> dict[str, Any]:
    from transkit.review.view import concepts_for

    if glossary is None:
        return {}
    ids = {t.concept_id for s in document.segments for t in s.terms}
    return concepts_for(glossary, sorted(ids))


def render_review(
    document: Document, *, glossary: Any | None = None, context: Any | None = None
) -> str:
    """The review page of one document as an HTML string.

    ``glossary`` (a loaded `Glossary`) fills the term pop-ups with every
    approved, admitted and forbidden form and the notes; without it they
    show what the term matches carry.
    """
    from transkit.review.page import render_page
    from transkit.review.view import document_view

    view = document_view(document, _concepts(document, glossary))
    return render_page(view, context or review_context())


def review_page(
    document: Document,
    path: str | os.PathLike[str],
    *,
    glossary: Any | None = None,
    model: str | None = None,
    glossaries: Sequence[tuple[str, int]] = (),
    subtitle: str = "",
    index: str | os.PathLike[str] | None = None,
) -> tuple[str, dict[str, int]]:
    """The page to be written at ``path`` (HTML text) and its totals, for an index.

    ``index`` is the ``index.html`` the page links back to, if any.  Nothing
    is written: callers that write several files as one set use this.
    """
    from transkit.review.page import render_page
    from transkit.review.view import document_view

    target = Path(path)
    href = None
    if index is not None:
        href = relative_href(index, target.parent)
    context = review_context(model=model, glossaries=glossaries, subtitle=subtitle, index_href=href)
    view = document_view(document, _concepts(document, glossary))
    return render_page(view, context), dict(view.totals)


def write_page(
    document: Document,
    path: str | os.PathLike[str],
    **options: Any,
) -> dict[str, int]:
    """Write `review_page` atomically at ``path``; return the page's totals."""
    from transkit.fileio import atomic_write_text

    text, totals = review_page(document, path, **options)
    atomic_write_text(path, text)
    return totals


def relative_href(page: str | os.PathLike[str], base: str | os.PathLike[str]) -> str:
    """A link from folder ``base`` to ``page`` that opens it whatever its name.

    Every path segment is percent-encoded (``:`` too, so ``javascript:x.html``
    can never be read as a scheme; ``#``, ``?``, ``%`` and spaces stay part of
    the name): with no ``:`` left, a relative link cannot start with a scheme.
    """
    from urllib.parse import quote

    relative = os.path.relpath(Path(page), Path(base)).replace(os.sep, "/")
    return "/".join(quote(part, safe="") for part in relative.split("/"))


def write_index(
    pages: Sequence[tuple[str, str | os.PathLike[str], dict[str, int]]],
    path: str | os.PathLike[str],
    *,
    model: str | None = None,
    glossaries: Sequence[tuple[str, int]] = (),
) -> None:
    """Write ``index.html``: (document name, page path, totals) per row, linked."""
    from transkit.fileio import atomic_write_text
    from transkit.review.page import IndexEntry, render_index

    index = Path(path)
    entries = [
        IndexEntry(name, relative_href(page, index.parent), totals) for name, page, totals in pages
    ]
    context = review_context(model=model, glossaries=glossaries)
    atomic_write_text(index, render_index(entries, context))


def write_review(
    pages: Sequence[tuple[Document, str | os.PathLike[str]]],
    *,
    glossary: Any | None = None,
    model: str | None = None,
    glossaries: Sequence[tuple[str, int]] = (),
    subtitle: str = "",
    index: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write each document's page to its path, and ``index`` (if given) linking them.

    Returns the paths written.  Every file is written atomically.
    """
    written: list[Path] = []
    rows = []
    for document, target in pages:
        totals = write_page(
            document,
            target,
            glossary=glossary,
            model=model,
            glossaries=glossaries,
            subtitle=subtitle,
            index=index,
        )
        written.append(Path(target))
        rows.append((document.name, target, totals))
    if index is not None:
        write_index(rows, index, model=model, glossaries=glossaries)
        written.append(Path(index))
    return written
