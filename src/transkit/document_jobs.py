"""A document (DOCX, ODT, HTML, Markdown) as a pre-translation job: in and out.

Pre-translation (`transkit.pretranslate`) fills the XLIFF made from a
document like a CAT tool's; this module makes that XLIFF and, once it is
filled, writes the translated document beside it with its TMX and review
page, as one set of files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transkit.data import Document
from transkit.errors import InputError

__all__ = ["DocumentJob", "document_output_paths", "prepare_document_job", "write_document_job"]


@dataclass
class DocumentJob:
    """A document translated through the XLIFF made from it."""

    format: str
    data: bytes  # the original document
    paths: dict[str, Path]  # output format ("txt": the document itself) -> path
    notes: tuple[str, ...] = ()  # what the reader did that the user should know


def document_output_paths(name: str, out_dir: Path, formats: Sequence[str]) -> dict[str, Path]:
    """``x.docx`` -> ``OUT/x.en.docx`` ("txt"), ``x.de-en.xlf``, ``.tmx`` and ``.html``."""
    from transkit.formats.documents import translated_name

    base = Path(name).name
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    names = {
        "txt": translated_name(base),
        "xliff": f"{stem}.de-en.xlf",
        "tmx": f"{stem}.de-en.tmx",
        "html": f"{stem}.de-en.html",
    }
    return {fmt: out_dir / names[fmt] for fmt in formats if fmt in names}


def prepare_document_job(
    name: str, out_dir: Path, formats: Sequence[str]
) -> tuple[Any, DocumentJob]:
    """The XLIFF made from a document, opened for filling, and where its outputs go."""
    from transkit.formats import parse_xml_bytes
    from transkit.formats.documents import read_document_bytes, xliff_for_document
    from transkit.formats.xliff_fill import XliffFill

    data = read_document_bytes(name)
    fmt, extracted, xliff = xliff_for_document(name, data)
    paths = document_output_paths(name, out_dir, formats)
    for path in paths.values():
        if path.resolve() == Path(name).resolve():
            raise InputError(
                f"--out {out_dir} would overwrite the input; choose another folder", file=name
            )
    root = parse_xml_bytes(xliff, name, "XLIFF")
    job = DocumentJob(fmt, data, paths, tuple(extracted.notes))
    return XliffFill(name, xliff, root, False), job


def write_document_job(
    job: DocumentJob, name: str, xliff: bytes, document: Document, review: dict[str, Any]
) -> None:
    """The translated document, its filled XLIFF, TMX and review page, written as one set."""
    from lxml import etree

    from transkit.fileio import atomic_write_set
    from transkit.formats.documents import rebuild_from_xliff

    files: dict[Path, bytes] = {}
    rebuilt = rebuild_from_xliff(etree.fromstring(xliff), name)
    assert rebuilt is not None  # the XLIFF was made from the document
    for fmt, path in job.paths.items():
        if fmt == "txt":
            files[path] = rebuilt[2]
        elif fmt == "xliff":
            files[path] = xliff
        elif fmt == "tmx":
            from transkit.formats.tmx import tmx_bytes

            files[path] = tmx_bytes([document])
        elif fmt == "html":
            from transkit.review import review_page

            page, _ = review_page(document, path, **review)
            files[path] = page.encode("utf-8")
    atomic_write_set(files)
