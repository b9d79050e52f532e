"""TBX glossary exchange: ISO 30042:2019 TBX-Basic out, TBX v3 and v2 in.

Export writes TBX-Basic (DCA style, namespace ``urn:iso:std:iso:30042:ed-2``):
one ``<conceptEntry>`` per glossary concept id, a ``<langSec>`` per language
and a ``<termSec>`` per term.  The mapping of a `GlossaryEntry` row:

========================  ================================================
transkit                  TBX-Basic
========================  ================================================
``id``                    ``conceptEntry/@id`` (an ``xs:ID``; an id that is
                          not a valid NCName, or clashes, gets a safe id and
                          the original travels in a concept-level note)
``de`` / ``en``           ``<term>`` in ``langSec xml:lang="de"`` / ``"en"``
``status``                ``termNote type="administrativeStatus"`` on the
                          English term: preferred -> preferredTerm-admn-sts,
                          admitted -> admittedTerm-admn-sts, deprecated ->
                          deprecatedTerm-admn-sts, forbidden ->
                          deprecatedTerm-admn-sts (TBX-Basic's value set has
                          nothing stronger) plus ``status=forbidden`` in the
                          transkit note below
``pos``                   ``termNote type="partOfSpeech"`` (noun, verb,
                          adjective, adverb, other); any other value is
                          written as the nearest of those plus ``pos=...``
``domain``                ``descrip type="subjectField"`` on the concept
``note``                  ``<note>`` on the English term
``dnt``, ``case_sensitive``  no TBX-Basic data category exists: carried in
                          the transkit note as ``do-not-translate`` and
                          ``case-sensitive``
========================  ================================================

The *transkit note* is an extra ``<note>`` on the English ``termSec`` (and,
for a rewritten id, on the concept) that starts with ``transkit:`` followed
by space-separated flags and ``key=value`` pairs, values percent-encoded,
e.g. ``transkit: status=forbidden do-not-translate``.  It is written only
when needed, so other tools see ordinary TBX-Basic and a human-readable note.
It also records which German terms an English term pairs with (``de=1,3``)
when that is not all of them, so ``read_tbx(write_tbx(x)) == x`` holds for
every glossary (rows come back grouped by concept, then by English term).

Import reads TBX v3 (``<tbx>``, DCA or DCT style, ed-2 or ed:3.0
namespace) and TBX v2 / MARTIF (``<martif>``, ``<termEntry>``,
``<langSet>``, ``<tig>``/``<ntig>``) as exported by Trados MultiTerm, memoQ
and others.  Concepts without both languages are skipped (reported through
``problems``).  Whitespace inside text is kept exactly in files written by
transkit and normalised (pretty-printing removed) in all others.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from transkit.data import TERM_STATUSES, GlossaryEntry
from transkit.errors import FormatError
from transkit.fileio import atomic_write_bytes
from transkit.formats import refuse_entities
from transkit.formats.tbx_categories import (
    META_RE,
    MIN_CATEGORIES,
    MIN_CONTAINERS,
    STATUS_TO_TBX,
    lang_matches,
    meta_text,
    parse_meta,
    status_from_tbx,
    tbx_pos,
)
from transkit.formats.termcsv import term_slug

__all__ = ["TBX_NAMESPACE", "read_tbx", "tbx_bytes", "tbx_root", "write_tbx"]

#: ISO 30042:2019 (TBX v3) namespace, as validated by TBXcoreStructV03.rng.
TBX_NAMESPACE = "urn:iso:std:iso:30042:ed-2"
_TBX_NAMESPACES = {TBX_NAMESPACE, "urn:iso:std:iso:30042:ed:3.0", None}
_NS = "{" + TBX_NAMESPACE + "}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_RNG_PI = (
    'href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/'
    'TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"'
)
_SCH_PI = (
    'href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/'
    'TBX-Basic_DCA.sch" type="application/xml" '
    'schematypens="http://purl.oclc.org/dsdl/schematron"'
)
#: Header marker: text in this file is exact (no pretty-print whitespace).
_EXACT_MARK = "transkit"
_EXACT_VALUE = "exact-whitespace"

_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


# ----------------------------------------------------------------- writing
def _concept_ids(entries: Sequence[GlossaryEntry]) -> dict[str, str]:
    """Map each transkit id to a unique ``xs:ID`` for ``conceptEntry/@id``."""
    result: dict[str, str] = {}
    used: set[str] = set()
    for entry in entries:
        if entry.id in result:
            continue
        xml_id = entry.id if _NCNAME.fullmatch(entry.id) else "c-" + term_slug(entry.id)
        base, n = xml_id, 2
        while xml_id in used:
            xml_id = f"{base}-{n}"
            n += 1
        used.add(xml_id)
        result[entry.id] = xml_id
    return result


def _set_text(element, text: str, entry: GlossaryEntry, what: str) -> None:
    if what.endswith("term") and not text.strip():
        # read_tbx (and every TBX tool) rejects an empty <term>: never write one.
        raise FormatError(
            f"concept {entry.id!r}: the {what} is blank",
            file=entry.file or None,
            line=entry.line or None,
        )
    try:
        element.text = text
    except ValueError as err:
        raise FormatError(
            f"concept {entry.id!r}: the {what} {text!r} has characters XML cannot carry",
            file=entry.file or None,
            line=entry.line or None,
        ) from err


def _sub(parent, tag: str, text: str | None = None, **attrs: str):
    from lxml import etree

    element = etree.SubElement(parent, _NS + tag, attrs)
    if text is not None:
        element.text = text
    return element


def tbx_bytes(
    entries: Sequence[GlossaryEntry], *, source_lang: str = "de", target_lang: str = "en"
) -> bytes:
    """Serialise glossary rows as a TBX-Basic (ISO 30042:2019) document (UTF-8 bytes)."""
    from lxml import etree

    root = tbx_root(entries, source_lang=source_lang, target_lang=target_lang)
    tree = etree.ElementTree(root)
    root.addprevious(etree.ProcessingInstruction("xml-model", _RNG_PI))
    root.addprevious(etree.ProcessingInstruction("xml-model", _SCH_PI))
    etree.indent(tree, space="  ")
    # lxml writes the declaration with single quotes; the usual form has double.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
        tree, encoding="UTF-8", pretty_print=True
    )


def tbx_root(entries: Sequence[GlossaryEntry], *, source_lang: str = "de", target_lang: str = "en"):
    """The TBX v3 ``<tbx>`` element for glossary rows (`transkit.formats.tbx2008` converts it)."""
    from lxml import etree

    root = etree.Element(
        _NS + "tbx",
        {"type": "TBX-Basic", "style": "dca", _XML_LANG: "en"},
        nsmap={None: TBX_NAMESPACE},
    )
    header = _sub(root, "tbxHeader")
    file_desc = _sub(header, "fileDesc")
    source_desc = _sub(file_desc, "sourceDesc")
    _sub(source_desc, "p", f"transkit glossary export ({source_lang}-{target_lang})")
    encoding_desc = _sub(header, "encodingDesc")
    _sub(encoding_desc, "p", _EXACT_VALUE, type=_EXACT_MARK)
    text = _sub(root, "text")

    concepts: dict[str, list[GlossaryEntry]] = {}
    for entry in entries:
        concepts.setdefault(entry.id, []).append(entry)
    xml_ids = _concept_ids(entries)
    body = _sub(text, "body") if concepts else None
    for concept_id, rows in concepts.items():
        _write_concept(body, concept_id, xml_ids[concept_id], rows, source_lang, target_lang)
    return root


def _write_concept(body, concept_id, xml_id, rows, source_lang, target_lang) -> None:
    concept = _sub(body, "conceptEntry", id=xml_id)
    domain = rows[0].domain
    if domain:
        _set_text(_sub(concept, "descrip", type="subjectField"), domain, rows[0], "domain")
    if xml_id != concept_id:
        _set_text(_sub(concept, "note"), meta_text([("id", concept_id)]), rows[0], "id")

    de_terms: list[str] = []
    de_pos: dict[str, str] = {}
    for row in rows:
        if row.de not in de_pos:
            de_terms.append(row.de)
            de_pos[row.de] = row.pos
    de_sec = _sub(concept, "langSec", **{_XML_LANG: source_lang})
    for term in de_terms:
        term_sec = _sub(de_sec, "termSec")
        _set_text(_sub(term_sec, "term"), term, rows[0], "German term")
        if de_pos[term]:
            _sub(term_sec, "termNote", tbx_pos(de_pos[term]), type="partOfSpeech")

    # One English termSec per distinct (en, attributes); it lists its German terms.
    groups: dict[tuple, tuple[GlossaryEntry, list[str]]] = {}
    for row in rows:
        key = (row.en, row.status, row.pos, row.dnt, row.case_sensitive, row.note, row.domain)
        first, des = groups.setdefault(key, (row, []))
        if row.de not in des:
            des.append(row.de)
    en_sec = _sub(concept, "langSec", **{_XML_LANG: target_lang})
    for (en, status, pos, dnt, case_sensitive, note, row_domain), (row, des) in groups.items():
        term_sec = _sub(en_sec, "termSec")
        _set_text(_sub(term_sec, "term"), en, row, "English term")
        meta: list[tuple[str, str | None]] = []
        if pos:
            basic_pos = tbx_pos(pos)
            _sub(term_sec, "termNote", basic_pos, type="partOfSpeech")
            if basic_pos != pos:
                meta.append(("pos", pos))
        if status not in STATUS_TO_TBX:
            raise FormatError(
                f"concept {concept_id!r}: unknown status {status!r} "
                f"(expected one of {', '.join(TERM_STATUSES)})",
                file=row.file or None,
                line=row.line or None,
            )
        _sub(term_sec, "termNote", STATUS_TO_TBX[status], type="administrativeStatus")
        if status == "forbidden":
            meta.append(("status", "forbidden"))
        if dnt:
            meta.append(("do-not-translate", None))
        if case_sensitive:
            meta.append(("case-sensitive", None))
        if row_domain != domain:
            meta.append(("domain", row_domain))
        ordered = [d for d in de_terms if d in des]
        if ordered != de_terms:
            meta.append(("de", ",".join(str(de_terms.index(d) + 1) for d in ordered)))
        if note:
            _set_text(_sub(term_sec, "note"), note, row, "note")
        if meta or META_RE.fullmatch(note):
            # Always written when the user's note looks like a transkit note,
            # so the reader can tell the two apart (the last one is ours).
            _sub(term_sec, "note", meta_text(meta))


def write_tbx(
    entries: Sequence[GlossaryEntry],
    path: str | os.PathLike[str],
    *,
    source_lang: str = "de",
    target_lang: str = "en",
) -> None:
    """Write ``entries`` to ``path`` as TBX-Basic v3, atomically.

    For ISO 30042:2008 (``<martif>``, what OmegaT 3.6 and translate-toolkit
    read) see `transkit.formats.tbx2008.write_tbx2008`.
    """
    atomic_write_bytes(path, tbx_bytes(entries, source_lang=source_lang, target_lang=target_lang))


# ----------------------------------------------------------------- reading
def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(element) -> str | None:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else None


class _Reader:
    """Turns one parsed TBX tree into glossary rows."""

    def __init__(
        self,
        name: str,
        exact: bool,
        source_lang: str,
        target_lang: str,
        problems: list[str] | None,
        minimal: bool = False,
    ):
        self.minimal = minimal  # TBX-Min 1.0: data categories are plain child elements
        self.name = name
        self.exact = exact
        self.source_lang = source_lang
        self.target_lang = target_lang
        self.problems = problems
        self.used_ids: set[str] = set()

    def text(self, element) -> str:
        value = "".join(element.itertext())
        return value if self.exact else " ".join(value.split())

    def data_categories(self, element):
        """(type, text, element) for the data categories directly in ``element``.

        Unwraps ``*Grp`` groups and reads DCT-style elements (``<basic:partOfSpeech>``).
        """
        for child in element:
            local = _local(child)
            if not local:
                continue
            if local.endswith("Grp") and local not in {"transacGrp"}:
                yield from self.data_categories(child)
            elif self.minimal and local not in MIN_CONTAINERS:
                yield MIN_CATEGORIES.get(local, local), self.text(child), child
            elif _namespace(child) not in _TBX_NAMESPACES:
                yield local, self.text(child), child
            elif local in {"termNote", "descrip", "admin"}:
                yield child.get("type", ""), self.text(child), child
            elif local == "note":
                yield "note", self.text(child), child

    def fail(self, message: str, element) -> FormatError:
        return FormatError(message, file=self.name, line=element.sourceline)

    def bad(self, message: str, element) -> None:
        """A broken term: an error without ``problems``; with it, the term is skipped and told."""
        if self.problems is None:
            raise self.fail(message, element)
        self.problems.append(f"{self.name}:{element.sourceline}: {message} skipped")

    def term_secs(self, lang_sec):
        """Yield (term text, term element, container) for each term in a langSec/langSet."""
        for child in lang_sec:
            local = _local(child)
            if local in {"termSec", "tig", "termGroup"}:
                container, term = child, _find(child, "term")
            elif local == "ntig":
                container = _find(child, "termGrp")
                if container is None:
                    self.bad("<ntig> without <termGrp>", child)
                    continue
                term = _find(container, "term")
            else:
                continue
            if term is None:
                self.bad(f"<{local}> without <term>", child)
                continue
            value = self.text(term)
            if not value.strip():
                self.bad("empty <term>", term)
                continue
            if local == "ntig":
                yield value, term, [container, child]
            else:
                yield value, term, [container]

    def concept(self, entry) -> list[GlossaryEntry]:
        concept_id = entry.get("id", "")
        concept_domains: list[str] = []
        definitions: list[str] = []
        for dc_type, value, element in self.data_categories(entry):
            if dc_type == "subjectField" and value:
                concept_domains.append(value)
            elif dc_type == "definition" and value:
                definitions.append(value)
            elif dc_type == "note" and _local(element) == "note":
                meta = parse_meta(value)
                if meta and "id" in meta:
                    concept_id = meta["id"]
        de_secs, en_secs = [], []
        for lang_sec in entry:
            if _local(lang_sec) not in {"langSec", "langSet", "langGroup"}:
                continue
            lang = lang_sec.get(_XML_LANG) or lang_sec.get("lang")
            if lang_matches(lang, self.source_lang):
                de_secs.append(lang_sec)
            elif lang_matches(lang, self.target_lang):
                en_secs.append(lang_sec)
                for dc_type, value, _element in self.data_categories(lang_sec):
                    if dc_type == "definition" and value:
                        definitions.append(value)
        de_terms = [t for sec in de_secs for t, _el, _c in self.term_secs(sec)]
        en_terms = [item for sec in en_secs for item in self.term_secs(sec)]
        if not de_terms or not en_terms:
            if self.problems is not None:
                where = f"{self.name}:{entry.sourceline}"
                self.problems.append(
                    f"{where}: concept {concept_id or '(no id)'} skipped: it has no "
                    f"{self.source_lang if not de_terms else self.target_lang} term"
                    + ("" if de_secs and en_secs else " (no such language section)")
                )
            return []
        if not concept_id:
            concept_id = term_slug(de_terms[0])
        base, n = concept_id, 2
        while concept_id in self.used_ids and not self.exact:
            concept_id = f"{base}-{n}"
            n += 1
        self.used_ids.add(concept_id)

        rows: list[GlossaryEntry] = []
        for index, (en, term_element, containers) in enumerate(en_terms):
            status = pos = None
            notes: list[str] = []
            meta: dict[str, str] = {}
            dnt = False
            for container in containers:
                for dc_type, value, element in self.data_categories(container):
                    if element is term_element:
                        continue
                    if dc_type in {"administrativeStatus", "normativeAuthorization"}:
                        status = status or status_from_tbx(value)
                    elif dc_type == "partOfSpeech":
                        pos = pos or value
                    elif dc_type == "translationNote" and value.strip().lower() == "no":
                        dnt = True
                    elif dc_type == "note":
                        parsed = parse_meta(value)
                        if parsed is not None:
                            meta = parsed  # the last transkit note wins
                        else:
                            notes.append(value)
            if status is None:
                status = "preferred" if index == 0 else "admitted"
            status = meta.get("status", status)
            if status not in TERM_STATUSES:
                raise self.fail(f"unknown status {status!r} in concept {concept_id}", term_element)
            if self.exact:
                note = _exact_note(containers[0])
            else:
                notes.extend(f"Definition: {d}" for d in definitions)
                note = "; ".join(notes)
            pairs = de_terms
            if "de" in meta:
                try:
                    pairs = [de_terms[int(i) - 1] for i in meta["de"].split(",")]
                except (ValueError, IndexError) as err:
                    raise self.fail(f"bad transkit note de={meta['de']!r}", term_element) from err
            domain = meta.get("domain", ", ".join(concept_domains))
            for de in pairs:
                rows.append(
                    GlossaryEntry(
                        id=concept_id,
                        de=de,
                        en=en,
                        status=status,
                        pos=meta.get("pos", pos or ""),
                        dnt=dnt or "do-not-translate" in meta,
                        case_sensitive="case-sensitive" in meta,
                        domain=domain,
                        note=note,
                        file=self.name,
                        line=term_element.sourceline or 0,
                    )
                )
        return rows


def _exact_note(container) -> str:
    """The user's note in a transkit file: the first ``<note>`` unless it is our meta."""
    notes = [child for child in container if _local(child) == "note"]
    texts = ["".join(n.itertext()) for n in notes]
    metas = [i for i, t in enumerate(texts) if META_RE.fullmatch(t)]
    if metas:
        del texts[metas[-1]]
    return texts[0] if texts else ""


def _find(element, local: str):
    for child in element:
        if _local(child) == local:
            return child
    return None


def read_tbx(
    path: str | os.PathLike[str],
    *,
    source_lang: str = "de",
    target_lang: str = "en",
    problems: list[str] | None = None,
) -> list[GlossaryEntry]:
    """Read German-English rows from a TBX v3 or v2 (MARTIF) file.

    Also reads TBX-Min 1.0 (``<TBX dialect="TBX-Min">``).  Raises `FormatError`
    naming the file and line for unreadable XML, a DTD that declares entities
    (refused: an entity could pull in a local file) or, without ``problems``,
    a malformed entry.  With ``problems`` a list, a malformed term or concept
    is skipped and described there, so one bad concept never costs the
    rest of the file; concepts that lack either language are skipped (and
    described there when it is a list).
    """
    from lxml import etree

    name = str(path)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )
    try:
        tree = etree.parse(os.fspath(path), parser)
    except OSError as err:
        raise FormatError(f"cannot read TBX file: {err}", file=name) from err
    except etree.XMLSyntaxError as err:
        raise FormatError(f"not well-formed XML: {err.msg}", file=name, line=err.lineno) from err
    root = tree.getroot()
    refuse_entities(root, name, "TBX")
    local = _local(root)
    minimal = local == "TBX"  # TBX-Min 1.0: <TBX dialect="TBX-Min"><header/><body>
    if local == "tbx" and _namespace(root) in _TBX_NAMESPACES:
        entry_tag = "conceptEntry"
    elif local == "martif":
        entry_tag = "termEntry"
    elif minimal:
        entry_tag = "conceptEntry" if root.find(".//conceptEntry") is not None else "termEntry"
    else:
        raise FormatError(
            f"not a TBX file: root element <{local}> (expected <tbx>, <martif> or TBX-Min <TBX>)",
            file=name,
            line=root.sourceline,
        )
    exact = any(
        p.get("type") == _EXACT_MARK and (p.text or "") == _EXACT_VALUE
        for p in root.iter()
        if _local(p) == "p"
    )
    text = root if minimal else _find(root, "text")
    if text is None:
        raise FormatError(f"<{local}> without <text>", file=name, line=root.sourceline)
    body = _find(text, "body")
    reader = _Reader(name, exact, source_lang, target_lang, problems, minimal)
    rows: list[GlossaryEntry] = []
    for entry in body if body is not None else ():
        if _local(entry) == entry_tag:
            try:
                rows.extend(reader.concept(entry))
            except FormatError as err:
                if problems is None:
                    raise
                problems.append(
                    f"{name}:{entry.sourceline}: concept {entry.get('id') or '(no id)'} "
                    f"skipped: {err.message}"
                )
        elif _local(entry) in {"conceptEntry", "termEntry"}:
            raise FormatError(
                f"<{_local(entry)}> in a {'TBX v3' if entry_tag == 'conceptEntry' else 'TBX v2'}"
                " file",
                file=name,
                line=entry.sourceline,
            )
    return rows
