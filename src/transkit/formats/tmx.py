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
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

import transkit
from transkit.data import Document, Segment
from transkit.errors import FormatError
from transkit.fileio import atomic_write_bytes, creation_time
from transkit.formats import parse_xml, parse_xml_bytes, read_xml_bytes, xml_runs

__all__ = [
    "TranslationUnit",
    "add_to_tmx",
    "lang_matches",
    "plan_tmx_append",
    "read_tmx",
    "rewrite_tmx",
    "seg_text",
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


def _subtags(tag: str) -> list[str]:
    return [t for t in tag.strip().replace("_", "-").lower().split("-") if t]


def lang_matches(tag: str, wanted: str) -> bool:
    """BCP 47 basic filtering (RFC 4647): does language ``tag`` fall under range ``wanted``?

    Case-insensitive, ``_`` read as ``-``; ``de`` matches ``de-DE`` and
    ``DE-de``, ``de-DE`` does not match ``de`` or ``de-AT``; ``*`` matches all.

    >>> lang_matches("DE-DE", "de"), lang_matches("de", "de-DE"), lang_matches("en_US", "en-us")
    (True, False, True)
    """
    want = _subtags(wanted)
    if want == ["*"]:
        return True
    return bool(want) and _subtags(tag)[: len(want)] == want


def _compatible(a: str, b: str) -> bool:
    """Either tag falls under the other (``de`` and ``de-DE``): the same language for a TM."""
    return lang_matches(a, b) or lang_matches(b, a)


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


def _tu(
    seg: Segment, document: str, src: str, tgt: str, date: str, lang_attr: str = XML_LANG
) -> Any:
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
        failed = [
            f"{c.term} ({c.reason})" if c.reason else c.term for c in seg.checks if not c.satisfied
        ]
        props.append(("x-term-check", "failed: " + ", ".join(failed) if failed else "passed"))
    for key, value in props:
        if value:
            prop = etree.SubElement(tu, "prop")
            prop.set("type", key)
            prop.text = _clean(value)
    for lang, text in ((src, seg.source), (tgt, seg.target or "")):
        tuv = etree.SubElement(tu, "tuv")
        tuv.set(lang_attr, lang)
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
    date = _basic_date(now or creation_time())
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


#: Inline code elements of TMX 1.4b.
INLINE_CODES = frozenset(("bpt", "ept", "ph", "it", "ut"))


def seg_text(seg: Any, *, codes: bool = True) -> str:
    """The text of a ``<seg>``: characters XML cannot hold come back from their
    ``<ph type="x-transkit-cp-…">``; ``codes=False`` leaves out what inline
    codes hold (a memory matches on the words, not on the markup).  Walked
    with a stack, so a hostile file's 10,000 nested ``<hi>`` read too."""
    parts = [seg.text or ""]
    stack: list[tuple[Iterator[Any], Any]] = [(iter(seg), None)]
    while stack:
        children, owner = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if owner is not None:
                parts.append(owner.tail or "")
            continue
        if isinstance(child.tag, str):
            kind = child.get("type") or ""
            if child.tag == "ph" and kind.startswith(CP_TYPE):
                with contextlib.suppress(ValueError):
                    parts.append(chr(int(kind[len(CP_TYPE) :], 16)))
            elif codes or child.tag not in INLINE_CODES:
                parts.append(child.text or "")
                stack.append((iter(child), child))
                continue  # its tail follows its content
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
            # The variant in srclang: the same tag, else one BCP 47 relates (de / de-DE),
            # else one in the same language (en-GB for en-US).
            matching = (
                [i for i, lang in enumerate(langs) if lang.lower() == srclang.lower()]
                or [i for i, lang in enumerate(langs) if _compatible(lang, srclang)]
                or [i for i, lang in enumerate(langs) if _primary(lang) == _primary(srclang)]
            )
            if not matching:
                continue  # a unit without the source language cannot be used
            source_index = matching[0]
        segs = [t.find("seg") for t in tuvs]
        if any(s is None for s in segs):
            raise FormatError("<tuv> without <seg>", file=name, line=tu.sourceline)
        props = tuple((p.get("type") or "", "".join(p.itertext())) for p in tu if p.tag == "prop")
        source = seg_text(segs[source_index])
        for i, tuv in enumerate(tuvs):
            if i == source_index:
                continue
            units.append(
                TranslationUnit(
                    source=source,
                    target=seg_text(segs[i]),
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


def rewrite_tmx(
    path: str | os.PathLike[str],
    edit: Callable[[Any], int],
    *,
    limit: int | None = None,
) -> int:
    """Change a TMX file in place in its own conventions; return ``edit``'s count.

    The one way every writer rewrites an existing memory (``tm remove``,
    ``tm import``'s appends, ``merge --tmx``): ``edit(root)`` changes the
    parsed tree and says how many units it changed; when that is not 0 the
    file is written back with its XML declaration, encoding and byte order
    mark (UTF-16 stays UTF-16), DOCTYPE (internal entities expanded, so the
    file stays well-formed with or without it), comments and layout, through
    `transkit.fileio`'s policy (a symlink is followed: the shared file
    changes).  ``limit`` (bytes) overrides the input size limit.
    """
    name = os.fspath(path)
    root, raw = load_tmx_tree(name, limit=limit)
    changed = edit(root)
    if changed:
        atomic_write_bytes(name, _serialise_like(root, raw))
    return changed


def load_tmx_tree(path: str | os.PathLike[str], *, limit: int | None = None) -> tuple[Any, bytes]:
    """The parsed root of a TMX file (checked: ``<header>`` and ``<body>``) and its bytes."""
    name = os.fspath(path)
    if limit is None:
        raw = read_xml_bytes(name, "TMX")
    else:
        from transkit.fileio import read_limited

        raw = read_limited(name, limit)
    root = parse_xml_bytes(raw, name, "TMX")
    _check_root(root, name)
    return root, raw


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

    `plan_tmx_append` decides what to write (see there); this writes it
    atomically.  A malformed or mismatched memory raises `FormatError` and is
    left untouched.
    """
    data, added = plan_tmx_append(
        path,
        items,
        source_lang=source_lang,
        target_lang=target_lang,
        document=document,
        tool_version=tool_version,
        now=now,
    )
    if added:
        atomic_write_bytes(os.fspath(path), data)  # `plan_tmx_append` kept its conventions
    return added


def plan_tmx_append(
    path: str | os.PathLike[str],
    items: Sequence[Document | Segment],
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    document: str = "",
    tool_version: str = transkit.__version__,
    now: datetime | None = None,
) -> tuple[bytes, int]:
    """The memory at ``path`` with the approved segments of ``items`` added, and how many.

    Writes nothing, so a caller can check everything before writing anything.
    Approved: state translated, reviewed or final, with a non-empty target.
    A pair whose source and target are already in the memory (or earlier in
    ``items``) is skipped.  A missing file gives a new TMX 1.4b memory.  An
    existing memory keeps its own conventions: its language tags (``DE-DE``,
    ``en-us``: tags are compared as BCP 47 does, so ``de`` matches ``de-DE``),
    ``lang`` (TMX 1.1/1.2) or ``xml:lang``, its encoding and byte order mark
    (UTF-16 stays UTF-16), DOCTYPE, comments and layout.  A memory whose
    ``srclang`` is another language is refused.
    """
    name = os.fspath(path)
    src, tgt = _languages(items, source_lang, target_lang)
    now = now or creation_time()
    root = None
    raw = b""
    lang_attr = XML_LANG
    seen: set[tuple[str, str]] = set()
    if Path(name).exists():
        root, raw = load_tmx_tree(name)
        header, body = _check_root(root, name)
        srclang = header.get("srclang") or ""
        if srclang not in ("", "*all*") and not _compatible(srclang, src):
            raise FormatError(
                f"memory's source language is {srclang}, not {src}: refusing to add "
                f"{src} -> {tgt} units",
                file=name,
                line=header.sourceline,
            )
        units = _read_units(root, name)
        tuv_langs = [_tuv_lang(t) for t in root.iter("tuv")]
        src = _memory_tag(src, tuv_langs, srclang)
        tgt = _memory_tag(tgt, tuv_langs)
        lang_attr = _lang_attribute(root)
        seen = {
            (u.source, u.target)
            for u in units
            if _compatible(u.source_lang, src) and _compatible(u.target_lang, tgt)
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
        return raw, 0
    if root is None:
        empty = tmx_bytes([], source_lang=src, target_lang=tgt, tool_version=tool_version, now=now)
        root = etree.fromstring(empty)
    body = root.find("body")
    date = _basic_date(now)
    indent = "\n    " if body.text is None or "\n" in (body.text or "") else ""
    try:
        tus = [_tu(seg, doc_name, src, tgt, date, lang_attr) for seg, doc_name in new]
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
    return _serialise_like(root, raw), len(new)


def _memory_tag(ours: str, variants: Sequence[str], srclang: str = "") -> str:
    """The memory's own spelling of language ``ours``, or ``ours``.

    The most used variant tag equal to ours (ignoring case), else the most
    used compatible one (``DE-DE`` for ``de``), else the header's srclang.
    """
    for same in (True, False):
        counts: dict[str, int] = {}
        for tag in variants:
            if not tag or tag == "*all*":
                continue
            if (tag.lower() == ours.lower()) if same else _compatible(tag, ours):
                counts[tag] = counts.get(tag, 0) + 1
        if counts:
            return max(counts, key=lambda t: counts[t])
    if srclang and srclang != "*all*" and _compatible(srclang, ours):
        return srclang
    return ours


def _lang_attribute(root: Any) -> str:
    """``lang`` where the memory uses it (TMX 1.1/1.2), else ``xml:lang``."""
    for tuv in root.iter("tuv"):
        if tuv.get(XML_LANG):
            return XML_LANG
        if tuv.get("lang"):
            return "lang"
    return "lang" if (root.get("version") or "").strip() in ("1.1", "1.2") else XML_LANG


_BOMS = ((b"\xef\xbb\xbf", "UTF-8"), (b"\xff\xfe", "UTF-16LE"), (b"\xfe\xff", "UTF-16BE"))
_DECLARATION = re.compile(r"<\?xml[^>]*\?>")


def _serialise_like(root: Any, raw: bytes) -> bytes:
    """Serialise the tree as the file was: its XML declaration, encoding and byte order mark.

    Characters the encoding cannot hold (Latin-1 memories) become character references.
    """
    tree = root.getroottree()
    declared = tree.docinfo.encoding or "UTF-8"
    if not raw:
        return etree.tostring(tree, xml_declaration=True, encoding=declared) + b"\n"
    bom, encoding = next(((b, e) for b, e in _BOMS if raw.startswith(b)), (b"", declared))
    start = raw[len(bom) : len(bom) + 400].decode(encoding, errors="ignore")
    found = _DECLARATION.match(start)
    head = (found.group() + "\n").encode(encoding) if found else b""
    body = etree.tostring(tree, encoding=encoding, xml_declaration=False)
    return bom + head + body + "\n".encode(encoding)
