"""TMX 1.4b translation memories: write transkit's segments, read and extend a TM.

One ``<tu>`` per segment that has a target, with a ``<tuv>`` per language and
props a TM manager can filter on:

* ``x-origin``: engine and model that produced the MT (``argos:<package> <version>``);
* ``x-method``: how terms were enforced (``nbest``, ``protected``, ``failed``);
* ``x-state``: the segment state (``mt``, ``translated``, ``reviewed``, ``final``),
  so MT that nobody reviewed can be told from approved translations;
* ``x-document`` and ``x-segment``: where the unit comes from;
* ``x-term-check``: ``passed`` or ``failed: <terms>``, written when the
  segment was term-checked.

Creation dates are ISO 8601 basic UTC (``20250102T030405Z``), as TMX requires.
`add_to_tmx` appends approved units to an existing memory (any tool's TMX,
kept as it is otherwise) without duplicating a source+target pair.
Characters XML 1.0 cannot hold are written as ``<ph type="x-transkit-cp-HHHH"/>``
and read back.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

import transkit
from transkit.data import Document, Segment
from transkit.errors import FormatError
from transkit.fileio import atomic_write_bytes
from transkit.formats import parse_xml, xml_runs

__all__ = [
    "TranslationUnit",
    "add_to_tmx",
    "read_tmx",
    "tmx_bytes",
    "write_tmx",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CP_TYPE = "x-transkit-cp-"
#: States whose translations go into a memory by `add_to_tmx`.
APPROVED_STATES = ("translated", "reviewed", "final")


@dataclass(frozen=True)
class TranslationUnit:
    """One source/target pair read from a TMX file."""

    source: str
    target: str
    source_lang: str
    target_lang: str
    props: tuple[tuple[str, str], ...] = ()
    creationdate: str = ""
    line: int = 0

    def prop(self, name: str) -> str | None:
        """The first ``<prop type=name>`` value, or None."""
        return next((value for key, value in self.props if key == name), None)


def _basic_date(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _primary(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def _flatten(items: Iterable[Document | Segment], document: str) -> list[tuple[Segment, str]]:
    pairs: list[tuple[Segment, str]] = []
    for item in items:
        if isinstance(item, Document):
            name = item.metadata.get("original", item.name)
            pairs.extend((seg, name) for seg in item.segments)
        else:
            pairs.append((item, document))
    return pairs


def _languages(
    items: Sequence[Document | Segment], source_lang: str | None, target_lang: str | None
) -> tuple[str, str]:
    docs = [i for i in items if isinstance(i, Document)]
    src = source_lang or (docs[0].source_lang if docs else None)
    tgt = target_lang or (docs[0].target_lang if docs else None)
    if not src or not tgt:
        raise FormatError("TMX needs source and target languages (pass source_lang/target_lang)")
    for doc in docs:
        if (_primary(doc.source_lang), _primary(doc.target_lang)) != (_primary(src), _primary(tgt)):
            raise FormatError(
                f"{doc.name}: {doc.source_lang}->{doc.target_lang} does not match "
                f"the memory's {src}->{tgt}"
            )
    return src, tgt


def _seg_el(tuv: Any, text: str) -> None:
    seg = etree.SubElement(tuv, "seg")
    for run in xml_runs(text):
        if isinstance(run, str):
            if len(seg):
                seg[-1].tail = (seg[-1].tail or "") + run
            else:
                seg.text = (seg.text or "") + run
        else:
            ph = etree.SubElement(seg, "ph")
            ph.set("type", f"{CP_TYPE}{run:04X}")


def _clean(text: str) -> str:
    return "".join(run for run in xml_runs(text) if isinstance(run, str))


def _tu(seg: Segment, document: str, src: str, tgt: str, date: str) -> Any:
    tu = etree.Element("tu")
    tu.set("creationdate", date)
    tu.set("creationtool", "transkit")
    props = [
        ("x-document", document),
        ("x-segment", seg.id),
        ("x-state", seg.state),
        ("x-origin", seg.origin or ""),
        ("x-method", seg.method or ""),
    ]
    if seg.matches:  # the best translation-memory match
        best = seg.matches[0]
        props += [
            ("x-tm-level", best.level),
            ("x-tm-score", f"{best.score:g}"),
            ("x-tm-origin", best.origin),
        ]
    if seg.checks:
        failed = [c.term for c in seg.checks if not c.satisfied]
        props.append(("x-term-check", "failed: " + ", ".join(failed) if failed else "passed"))
    for key, value in props:
        if value:
            prop = etree.SubElement(tu, "prop")
            prop.set("type", key)
            prop.text = _clean(value)
    for lang, text in ((src, seg.source), (tgt, seg.target or "")):
        tuv = etree.SubElement(tu, "tuv")
        tuv.set(XML_LANG, lang)
        _seg_el(tuv, text)
    return tu


def _indent_tu(tu: Any, level: int) -> None:
    pad = "\n" + "  " * (level + 1)
    tu.text = pad
    for child in tu:
        child.tail = pad
        if child.tag == "tuv":
            child.text = pad + "  "
            child[-1].tail = pad
    tu[-1].tail = "\n" + "  " * level


def _wanted(seg: Segment, approved_only: bool) -> bool:
    if seg.target is None or not seg.target.strip():
        return False
    return seg.state in APPROVED_STATES if approved_only else True


def tmx_bytes(
    items: Sequence[Document | Segment],
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    document: str = "",
    approved_only: bool = False,
    tool_version: str = transkit.__version__,
    now: datetime | None = None,
) -> bytes:
    """Serialise the translated segments of ``items`` as a TMX 1.4b memory.

    Languages come from the documents, or must be given for bare segments;
    ``document`` names the source of bare segments.  Segments without a
    target are left out (a TU needs two variants); with ``approved_only``,
    so are MT segments nobody approved.
    """
    src, tgt = _languages(items, source_lang, target_lang)
    date = _basic_date(now or datetime.now(UTC))
    root = etree.Element("tmx")
    root.set("version", "1.4")
    header = etree.SubElement(root, "header")
    for key, value in (
        ("creationtool", "transkit"),
        ("creationtoolversion", tool_version),
        ("segtype", "sentence"),
        ("o-tmf", "transkit"),
        ("adminlang", "en"),
        ("srclang", src),
        ("datatype", "plaintext"),
        ("creationdate", date),
    ):
        header.set(key, value)
    body = etree.SubElement(root, "body")
    try:
        for seg, name in _flatten(items, document):
            if _wanted(seg, approved_only):
                body.append(_tu(seg, name, src, tgt, date))
    except ValueError as err:
        raise FormatError(f"cannot write TMX: {err}") from None
    root.text = "\n  "
    header.tail = "\n  "
    body.tail = "\n"
    if len(body):
        body.text = "\n    "
        for tu in body:
            _indent_tu(tu, 2)
            tu.tail = "\n    "
        body[-1].tail = "\n  "
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def write_tmx(
    items: Sequence[Document | Segment],
    path: str | os.PathLike[str],
    **options: Any,
) -> None:
    """Write `tmx_bytes` (same options) to ``path`` atomically."""
    atomic_write_bytes(path, tmx_bytes(items, **options))


def _seg_text(seg: Any) -> str:
    parts = [seg.text or ""]
    for child in seg:
        if isinstance(child.tag, str):
            kind = child.get("type") or ""
            if child.tag == "ph" and kind.startswith(CP_TYPE):
                with contextlib.suppress(ValueError):
                    parts.append(chr(int(kind[len(CP_TYPE) :], 16)))
            else:
                parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _tuv_lang(tuv: Any) -> str:
    return tuv.get(XML_LANG) or tuv.get("lang") or ""


def _check_root(root: Any, name: str) -> tuple[Any, Any]:
    if not isinstance(root.tag, str) or etree.QName(root).localname != "tmx":
        raise FormatError(
            f"not a TMX file (root element <{root.tag}>)", file=name, line=root.sourceline
        )
    header = root.find("header")
    body = root.find("body")
    if header is None or body is None:
        raise FormatError("TMX without <header> or <body>", file=name, line=root.sourceline)
    return header, body


def _read_units(root: Any, name: str) -> list[TranslationUnit]:
    header, body = _check_root(root, name)
    srclang = header.get("srclang") or ""
    units = []
    for tu in body.iter("tu"):
        tuvs = [t for t in tu if t.tag == "tuv"]
        langs = [_tuv_lang(t) for t in tuvs]
        if not tuvs or not all(langs):
            raise FormatError("<tuv> without xml:lang", file=name, line=tu.sourceline)
        source_index = 0
        if srclang and srclang != "*all*":
            matching = [i for i, lang in enumerate(langs) if _primary(lang) == _primary(srclang)]
            if not matching:
                continue  # a unit without the source language cannot be used
            source_index = matching[0]
        segs = [t.find("seg") for t in tuvs]
        if any(s is None for s in segs):
            raise FormatError("<tuv> without <seg>", file=name, line=tu.sourceline)
        props = tuple((p.get("type") or "", "".join(p.itertext())) for p in tu if p.tag == "prop")
        source = _seg_text(segs[source_index])
        for i, tuv in enumerate(tuvs):
            if i == source_index:
                continue
            units.append(
                TranslationUnit(
                    source=source,
                    target=_seg_text(segs[i]),
                    source_lang=langs[source_index],
                    target_lang=langs[i],
                    props=props,
                    creationdate=tuv.get("creationdate") or tu.get("creationdate") or "",
                    line=tu.sourceline or 0,
                )
            )
    return units


def read_tmx(path: str | os.PathLike[str]) -> list[TranslationUnit]:
    """Read a TMX 1.1-1.4 file: one `TranslationUnit` per target variant of each ``<tu>``.

    The source variant is the one in the header's ``srclang`` (the first one
    for ``*all*``).  Malformed files raise `FormatError` with file and line.
    """
    name = os.fspath(path)
    return _read_units(parse_xml(name, "TMX"), name)


def add_to_tmx(
    path: str | os.PathLike[str],
    items: Sequence[Document | Segment],
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    document: str = "",
    tool_version: str = transkit.__version__,
    now: datetime | None = None,
) -> int:
    """Add the approved segments of ``items`` to the memory at ``path``; return how many.

    Approved: state translated, reviewed or final, with a non-empty target.
    A pair whose source and target are already in the memory (or earlier in
    ``items``) is skipped.  The file is created when missing; otherwise the
    rest of it is kept as it is.  Writes atomically; a malformed memory
    raises `FormatError` and is left untouched.
    """
    name = os.fspath(path)
    src, tgt = _languages(items, source_lang, target_lang)
    now = now or datetime.now(UTC)
    root = None
    seen: set[tuple[str, str]] = set()
    if Path(name).exists():
        root = parse_xml(name, "TMX")
        header, body = _check_root(root, name)
        srclang = header.get("srclang") or ""
        if srclang not in ("", "*all*") and _primary(srclang) != _primary(src):
            raise FormatError(
                f"memory's source language is {srclang}, not {src}",
                file=name,
                line=header.sourceline,
            )
        seen = {
            (u.source, u.target)
            for u in _read_units(root, name)
            if _primary(u.source_lang) == _primary(src) and _primary(u.target_lang) == _primary(tgt)
        }
    new: list[tuple[Segment, str]] = []
    for seg, doc_name in _flatten(items, document):
        if not _wanted(seg, approved_only=True):
            continue
        key = (seg.source, seg.target or "")
        if key in seen:
            continue
        seen.add(key)
        new.append((seg, doc_name))
    if not new:
        return 0
    if root is None:
        empty = tmx_bytes([], source_lang=src, target_lang=tgt, tool_version=tool_version, now=now)
        root = etree.fromstring(empty)
    body = root.find("body")
    date = _basic_date(now)
    indent = "\n    " if body.text is None or "\n" in (body.text or "") else ""
    try:
        tus = [_tu(seg, doc_name, src, tgt, date) for seg, doc_name in new]
    except ValueError as err:
        raise FormatError(f"cannot write TMX: {err}", file=name) from None
    if len(body):
        last_tail = body[-1].tail
        body[-1].tail = indent or body[-1].tail
    else:
        last_tail = "\n  " if indent else None
        body.text = indent or body.text
    for tu in tus:
        if indent:
            _indent_tu(tu, 2)
        tu.tail = indent or None
        body.append(tu)
    body[-1].tail = last_tail
    tree = root.getroottree()
    data = etree.tostring(tree, xml_declaration=True, encoding=tree.docinfo.encoding or "UTF-8")
    atomic_write_bytes(name, data + b"\n")
    return len(new)
