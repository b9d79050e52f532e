"""Streaming TMX reading and writing for the memory's files (millions of units).

`formats.tmx` reads a whole TMX into memory, which is right for a document's
memory but not for a million-unit import.  Here `iter_tmx` walks a TMX 1.1 -
1.4 file with ``lxml.etree.iterparse`` (any encoding the XML declaration or
BOM names, UTF-16 included) and yields, for each ``<tu>`` that holds the
wanted language pair, a `TMUnit` (plain text) and a normalised ``<tu>``
element that `TMXWriter` writes back unchanged - inline codes
(``<bpt> <ept> <ph> <it> <ut> <hi>``) included.

Plain text drops the native code inside ``<bpt> <ept> <ph> <it> <ut>`` (it is
markup such as ``<b>`` or ``{1}``, not words) and keeps ``<hi>`` content;
transkit's ``<ph type="x-transkit-cp-HHHH"/>`` becomes its character again.
Language codes match on their primary subtag (``DE-DE`` is ``de``); TMX 1.1's
``lang`` attribute is read like ``xml:lang``.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from transkit.errors import FormatError
from transkit.fileio import creation_time
from transkit.formats.tmx import seg_text
from transkit.tm.units import TMUnit, primary_lang

__all__ = [
    "ImportCounts",
    "TMXWriter",
    "append_tus",
    "iter_tmx",
    "make_tu",
    "rewrite_without",
    "tmx_date",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: States (``x-state`` prop) whose units are not approved translations.
UNAPPROVED_STATES = frozenset(("new", "mt", "needs-translation", "needs-review-translation"))
_DATE = re.compile(r"^\d{8}T\d{6}Z$")
#: Props that hold the neighbouring sources (ours, and OmegaT's).
PREV_PROPS = ("x-context-prev", "prev")
NEXT_PROPS = ("x-context-next", "next")


@dataclass
class ImportCounts:
    """What a pass over a TMX file found."""

    units: int = 0
    other_languages: int = 0
    unapproved: int = 0
    empty: int = 0


def tmx_date(now: datetime | None = None) -> str:
    """``20250102T030405Z``: TMX's ISO 8601 basic UTC date."""
    return (now or creation_time()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(*values: str | None) -> str:
    good = [v for v in values if v and _DATE.match(v)]
    return sys.intern(max(good)) if good else ""  # a memory holds few distinct dates


def make_tu(unit: TMUnit, source_seg: Any = None, target_seg: Any = None) -> Any:
    """A TMX 1.4 ``<tu>`` for ``unit`` (with the given ``<seg>`` elements, or plain ones)."""
    from lxml import etree

    tu = etree.Element("tu")
    if unit.date:
        tu.set("creationdate", unit.date)
    keys = {key for key, _ in unit.props}
    extra = [
        (key, value)
        for key, value, known in (
            ("x-origin", unit.origin, ("x-origin",)),
            ("x-document", unit.document, ("x-document",)),
            ("x-context-prev", unit.prev, PREV_PROPS),
            ("x-context-next", unit.next, NEXT_PROPS),
        )
        if value and not keys.intersection(known)
    ]
    for key, value in (*unit.props, *extra):
        prop = etree.SubElement(tu, "prop")
        prop.set("type", key)
        prop.text = value
    for lang, text, seg in (
        (unit.source_lang, unit.source, source_seg),
        (unit.target_lang, unit.target, target_seg),
    ):
        tuv = etree.SubElement(tu, "tuv")
        tuv.set(XML_LANG, lang)
        if seg is None:
            seg = etree.SubElement(tuv, "seg")
            seg.text = text
        else:
            seg = copy.deepcopy(seg)
            seg.tail = None
            tuv.append(seg)
    return tu


def _syntax_error(name: str, err: Any) -> FormatError:
    line = getattr(err, "lineno", None) or (
        err.position[0] if getattr(err, "position", None) else None
    )
    message = re.sub(r",? line \d+, column \d+$", "", getattr(err, "msg", "") or str(err))
    return FormatError(f"malformed TMX (not well-formed XML): {message}", file=name, line=line)


def iter_tmx(
    path: str | os.PathLike[str],
    *,
    source_lang: str = "de",
    target_lang: str = "en",
    counts: ImportCounts | None = None,
    keep_unapproved: bool = False,
) -> Iterator[tuple[TMUnit, bytes]]:
    """Yield ``(unit, <tu> as TMX 1.4 bytes)`` for each source->target pair in a TMX file.

    Units in other language pairs, with an empty side, or (unless
    ``keep_unapproved``) marked ``x-state`` mt/new are counted in ``counts``
    and left out.  Raises `FormatError` with file and line for files that
    are not TMX or not well-formed.
    """
    from lxml import etree

    name = os.fspath(path)
    counts = counts if counts is not None else ImportCounts()
    want_src, want_tgt = primary_lang(source_lang), primary_lang(target_lang)
    try:
        handle: IO[bytes] = open(name, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise FormatError("TMX file not found", file=name) from None
    except IsADirectoryError:
        raise FormatError("expected a TMX file, found a directory", file=name) from None
    except OSError as err:
        raise FormatError(f"cannot read TMX file: {err.strerror}", file=name) from None
    srclang = ""
    seen_header = False
    root = None
    try:
        with handle:
            if not handle.read(4096).strip(b" \t\r\n\x00\xff\xfe\xef\xbb\xbf"):
                raise FormatError("empty file, not TMX", file=name)
            handle.seek(0)
            entities = _declared_entities(handle, name)
            handle.seek(0)
            # Internal entities (<!ENTITY co "ACME">) are expanded within libxml2's
            # amplification limits (huge_tree would lift them), so their text is indexed.
            events = etree.iterparse(
                handle,
                events=("end",),
                tag=("header", "tu"),
                resolve_entities="internal" if entities else False,
                no_network=True,
                load_dtd=False,
                huge_tree=not entities,
                strip_cdata=True,
                remove_comments=True,
            )
            for _, elem in events:
                if not seen_header:
                    _check_root(elem, name)
                    if elem.tag == "header":
                        seen_header = True
                        srclang = elem.get("srclang") or ""
                        continue
                    raise FormatError("TMX without <header>", file=name, line=elem.sourceline)
                if elem.tag != "tu":
                    continue
                found = _unit(elem, name, srclang, want_src, want_tgt, counts, keep_unapproved)
                if found is not None:
                    unit, tu = found
                    if tu is elem:
                        tu.tail = None
                    yield unit, etree.tostring(tu, encoding="UTF-8")
                elem.clear(keep_tail=False)
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
            root = events.root
    except etree.XMLSyntaxError as err:
        if "Document is empty" in str(err) or "Start tag expected" in str(err):
            raise FormatError("empty file or not XML, not TMX", file=name) from None
        raise _syntax_error(name, err) from None
    if not seen_header:
        if root is not None and (not isinstance(root.tag, str) or root.tag != "tmx"):
            raise FormatError(
                f"not a TMX file (root element <{root.tag}>)", file=name, line=root.sourceline
            )
        raise FormatError("TMX without <header>", file=name)


def _declared_entities(handle: IO[bytes], name: str) -> bool:
    """True when the file's DTD declares internal entities; refuse external ones.

    Reads only up to the root element's start tag, whatever the encoding.
    """
    from lxml import etree

    events = etree.iterparse(
        handle, events=("start",), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        for _event, elem in events:
            dtd = elem.getroottree().docinfo.internalDTD
            break
        else:
            return False
    except etree.XMLSyntaxError:
        return False  # the real pass reports it with its line
    if dtd is None:
        return False
    declared = {e.name: e.content is not None and not e.system_url for e in dtd.iterentities()}
    external = sorted(n for n, internal in declared.items() if not internal)
    if external:
        raise FormatError(
            f"TMX file declares external entities ({', '.join(external)}); refusing to read them",
            file=name,
            line=1,
        )
    return bool(declared)


def _check_root(elem: Any, name: str) -> None:
    root = elem
    while root.getparent() is not None:
        root = root.getparent()
    if not isinstance(root.tag, str) or root.tag != "tmx":
        raise FormatError(
            f"not a TMX file (root element <{root.tag}>)", file=name, line=root.sourceline
        )


def _unit(
    tu: Any,
    name: str,
    srclang: str,
    want_src: str,
    want_tgt: str,
    counts: ImportCounts,
    keep_unapproved: bool,
) -> tuple[TMUnit, Any] | None:
    tuvs = []
    props = []
    for child in tu:
        tag = child.tag
        if tag == "tuv":
            tuvs.append(child)
        elif tag == "prop":
            props.append((child.get("type") or "", child.text or "".join(child.itertext())))
    langs = [t.get(XML_LANG) or t.get("lang") or "" for t in tuvs]
    if not all(langs):
        raise FormatError("<tuv> without xml:lang", file=name, line=tu.sourceline)
    src_i = tgt_i = None
    for i, lang in enumerate(langs):
        primary = primary_lang(lang)
        if primary == want_src:
            # the variant tagged exactly as the header's srclang, else the first German one
            if src_i is None or (srclang and lang.lower() == srclang.lower()):
                src_i = i
        elif primary == want_tgt and tgt_i is None:
            tgt_i = i
    if src_i is None or tgt_i is None:
        counts.other_languages += 1
        return None
    prop = dict(reversed(props)) if props else {}
    if prop and not keep_unapproved and prop.get("x-state", "") in UNAPPROVED_STATES:
        counts.unapproved += 1
        return None
    src_seg, tgt_seg = tuvs[src_i].find("seg"), tuvs[tgt_i].find("seg")
    if src_seg is None or tgt_seg is None:
        raise FormatError("<tuv> without <seg>", file=name, line=tu.sourceline)
    # a <seg> without inline codes (most of a big memory) is its text
    source = seg_text(src_seg, codes=False) if len(src_seg) else src_seg.text or ""
    target = seg_text(tgt_seg, codes=False) if len(tgt_seg) else tgt_seg.text or ""
    if not source.strip() or not target.strip():
        counts.empty += 1
        return None
    tuv = tuvs[tgt_i]
    created = tu.get("creationdate") or ""
    others = (tuv.get("changedate"), tuv.get("creationdate"), tu.get("changedate"))
    if any(others):
        date = _date(created, *others)
    else:
        date = sys.intern(created) if _DATE.match(created) else ""
    unit = TMUnit(
        source=source,
        target=target,
        source_lang=langs[src_i],
        target_lang=langs[tgt_i],
        date=date,
        prev=next((prop[k] for k in PREV_PROPS if k in prop), "") if prop else "",
        next=next((prop[k] for k in NEXT_PROPS if k in prop), "") if prop else "",
        origin=prop.get("x-origin", "") if prop else "",
        document=prop.get("x-document", "") if prop else "",
        props=tuple(props),
    )
    counts.units += 1
    plain = len(tuvs) == 2 and tuvs[0].get(XML_LANG) and tuvs[1].get(XML_LANG) and date == created
    return unit, tu if plain else make_tu(unit, src_seg, tgt_seg)


class TMXWriter:
    """Write ``<tu>`` elements (or their bytes) into a TMX 1.4 file, streaming.

    Use as a context manager around a binary file handle; the file is a
    complete UTF-8 TMX document once the context exits without error.
    """

    def __init__(self, handle: IO[bytes], *, source_lang: str = "de", tool_version: str = ""):
        self._handle = handle
        self._source_lang = source_lang
        self._tool_version = tool_version
        self._tail = b""
        self.written = 0

    def __enter__(self) -> TMXWriter:
        from lxml import etree

        root = etree.Element("tmx", version="1.4")
        root.text = "\n"
        header = etree.SubElement(root, "header")
        for key, value in (
            ("creationtool", "transkit"),
            ("creationtoolversion", self._tool_version or "0"),
            ("segtype", "sentence"),
            ("o-tmf", "transkit"),
            ("adminlang", "en"),
            ("srclang", self._source_lang),
            ("datatype", "plaintext"),
            ("creationdate", tmx_date()),
        ):
            header.set(key, value)
        header.tail = "\n"
        body = etree.SubElement(root, "body")
        body.text = "\n"
        body.tail = "\n"
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"
        cut = data.rindex(b"</body>")
        self._handle.write(data[:cut])
        self._tail = data[cut:]
        return self

    def write(self, tu: Any) -> None:
        """Append one ``<tu>`` (an element, or its serialised bytes)."""
        if not isinstance(tu, bytes):
            from lxml import etree

            tu.tail = None
            tu = etree.tostring(tu, encoding="UTF-8")
        self._handle.write(tu)
        self._handle.write(b"\n")
        self.written += 1

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._handle.write(self._tail)


_UTF8_DECL = re.compile(rb"^<\?xml[^>]*encoding=[\"'](utf-?8)[\"']", re.I)
_END = re.compile(rb"</body>\s*</tmx>\s*$")


def _new_file(path: Path, tus: Sequence[Any], source_lang: str) -> None:
    import transkit
    from transkit.fileio import open_output

    with (
        open_output(path) as handle,
        TMXWriter(handle, source_lang=source_lang, tool_version=transkit.__version__) as writer,
    ):
        for tu in tus:
            writer.write(tu)


def append_tus(
    path: str | os.PathLike[str], tus: Sequence[Any], *, source_lang: str = "de"
) -> None:
    """Append ``<tu>`` elements to a TMX file (created when missing), atomically.

    A UTF-8 file that ends in ``</body></tmx>`` gets the units spliced in
    before ``</body>`` without re-parsing it (fast for big memories, and every
    byte of it kept); any other TMX is rewritten in its own conventions
    (`transkit.formats.tmx.rewrite_tmx`).
    """
    from lxml import etree

    from transkit.fileio import atomic_write_bytes
    from transkit.formats.tmx import rewrite_tmx

    target = Path(path)
    if not target.exists():
        _new_file(target, tus, source_lang)
        return
    data = target.read_bytes()
    end = _END.search(data)
    head = data[:200]
    utf8 = not head.startswith((b"\xff\xfe", b"\xfe\xff")) and (
        not head.startswith(b"<?xml") or _UTF8_DECL.match(head) is not None
    )
    if end is not None and utf8:
        for tu in tus:
            tu.tail = "\n"
        added = b"".join(etree.tostring(tu, encoding="UTF-8") for tu in tus)
        atomic_write_bytes(target, data[: end.start()] + added + data[end.start() :])
        return

    def append(root: Any) -> int:
        body = root.find("body")
        for tu in tus:
            body.append(tu)
        return len(tus)

    rewrite_tmx(target, append, limit=_NO_LIMIT)


#: Memory files are the user's own data, not a stranger's input: no size limit.
_NO_LIMIT = 1 << 62


def rewrite_without(
    path: str | os.PathLike[str],
    drop: Callable[[TMUnit], bool],
    *,
    source_lang: str = "de",
    target_lang: str = "en",
) -> int:
    """Rewrite a TMX file without the ``<tu>``s whose unit ``drop`` selects; return how many.

    Everything else is kept in the file's own conventions
    (`transkit.formats.tmx.rewrite_tmx`: encoding, DOCTYPE, comments, layout;
    a symlink is followed).  A file left without units is deleted (a symlink:
    its shared file is kept, with an empty body).
    """
    from transkit.formats.tmx import rewrite_tmx

    name = os.fspath(path)
    want_src, want_tgt = primary_lang(source_lang), primary_lang(target_lang)
    left = [0]

    def remove(root: Any) -> int:
        header = root.find("header")
        srclang = (header.get("srclang") if header is not None else "") or ""
        counts = ImportCounts()
        removed = 0
        for tu in list(root.iter("tu")):
            found = _unit(tu, name, srclang, want_src, want_tgt, counts, True)
            if found is not None and drop(found[0]):
                parent = tu.getparent()
                previous = tu.getprevious()
                if previous is not None:
                    previous.tail = tu.tail
                else:
                    parent.text = tu.tail if parent.text is None else parent.text
                parent.remove(tu)
                removed += 1
            else:
                left[0] += 1
        return removed

    removed = rewrite_tmx(name, remove, limit=_NO_LIMIT)
    if removed and not left[0] and not os.path.islink(name):
        os.unlink(name)
    return removed
