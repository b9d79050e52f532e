"""Where a run's review pages go: the page keywords, and ``OUT/index.html`` in input order.

Shared by every way of running (the local run, a streamed run, a cluster
driver), which write pages in different orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["review_plan", "write_review_index"]


def review_plan(
    inputs: Sequence[str],
    options: Any,
    glossary: Any | None,
    glossary_files: tuple[tuple[str, int], ...],
    model: str | None,
) -> tuple[dict[str, Any], list[tuple[str, Path, dict[str, int]]], Path | None]:
    """Keywords for the review pages, a list to collect them, and the index path.

    The index (``OUT/index.html``) is written when more than one file gets a page.
    """
    files = [name for name in inputs if name != "-"]
    index = options.out_dir / "index.html" if "html" in options.formats and len(files) > 1 else None
    review = {"glossary": glossary, "model": model, "glossaries": glossary_files, "index": index}
    return review, [], index


def write_review_index(
    inputs: Sequence[str],
    pages: list[tuple[str, Path, dict[str, int]]],
    index: Path | None,
    model: str | None,
    glossary_files: tuple[tuple[str, int], ...],
) -> str | None:
    """``OUT/index.html`` over the review pages, in input order (pages may have been
    written in any order); its path, or None when there is no index to write."""
    if index is None or not pages:
        return None
    from transkit.review import write_index

    place_of = {name: k for k, name in enumerate(inputs)}
    pages.sort(key=lambda page: place_of.get(page[0], len(place_of)))
    write_index(pages, index, model=model, glossaries=glossary_files)
    return str(index)
