"""TBX-Basic in ISO 30042:2008 (TBX v2, ``<martif>``): for tools that read nothing newer.

OmegaT 3.6 reads only this format (its JAXB reader knows ``<martif>``), and
translate-toolkit's ``tbx`` storage finds no entries in a TBX v3 file.  The
content is exactly that of `transkit.formats.tbx` (same data categories, same
transkit note), written with the 2008 element names: ``<martif
type="TBX-Basic">``, ``<martifHeader>``, ``<termEntry>``, ``<langSet>`` and
``<tig>``, no namespace.  `transkit.formats.tbx.read_tbx` reads it back to
the same glossary rows.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from transkit.data import GlossaryEntry
from transkit.fileio import atomic_write_bytes
from transkit.formats.tbx import tbx_root

__all__ = ["DOCTYPE", "tbx2008_bytes", "write_tbx2008"]

#: The TBX-Basic 2008 DOCTYPE, as LTAC's samples and MultiTerm exports write it.
DOCTYPE = '<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">'

_RENAMES = {
    "tbx": "martif",
    "tbxHeader": "martifHeader",
    "conceptEntry": "termEntry",
    "langSec": "langSet",
    "termSec": "tig",
}


def tbx2008_bytes(
    entries: Sequence[GlossaryEntry], *, source_lang: str = "de", target_lang: str = "en"
) -> bytes:
    """Serialise glossary rows as a TBX-Basic 2008 ``<martif>`` document (UTF-8 bytes)."""
    from lxml import etree

    root = tbx_root(entries, source_lang=source_lang, target_lang=target_lang)
    for element in root.iter():
        if isinstance(element.tag, str):
            local = etree.QName(element).localname
            element.tag = _RENAMES.get(local, local)
    root.attrib.pop("style", None)
    root.set("type", "TBX-Basic")
    etree.cleanup_namespaces(root)
    encoding_desc = root.find("martifHeader/encodingDesc")
    xcs = etree.Element("p", type="XCSURI")
    xcs.text = "TBXBasicXCSV02.xcs"
    encoding_desc.insert(0, xcs)
    etree.indent(root, space="  ")
    body = etree.tostring(root, encoding="UTF-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + DOCTYPE.encode() + b"\n" + body + b"\n"


def write_tbx2008(
    entries: Sequence[GlossaryEntry],
    path: str | os.PathLike[str],
    *,
    source_lang: str = "de",
    target_lang: str = "en",
) -> None:
    """Write ``entries`` to ``path`` as TBX-Basic 2008, atomically."""
    atomic_write_bytes(
        path, tbx2008_bytes(entries, source_lang=source_lang, target_lang=target_lang)
    )
