"""XLIFF 1.2 and 2.1 for CAT tools: write transkit's output, read post-edited files back.

Layout choice, and why
----------------------
**XLIFF 1.2: one ``<trans-unit>`` per sentence, one ``<group restype="x-paragraph">``
per paragraph.**  The alternative, one trans-unit per paragraph with
``<seg-source>``/``<mrk mtype="seg">``, is read segment by segment only by
Okapi (and OmegaT through the Okapi plugin).  translate-toolkit's
``translate.storage.xliff`` ignores ``<seg-source>`` and would show whole
paragraphs; OmegaT's own XLIFF filter and most commercial tools resegment the
plain ``<source>`` themselves, so their segments would not be ours.  One
trans-unit per sentence is read the same way by all of them: clean segments,
one target each, and a state per sentence.

The exact text between sentences (spaces, line breaks, blank lines) must
survive so that the document rebuilds byte for byte.  The strict 1.2 schema
allows no foreign attributes or elements (``processContents="strict"``), so
it travels in the standard tool-data attributes of the trans-unit:
``extype="x-transkit-leading"`` and ``extradata`` holding the text with
backslash escapes (``\\n``), which no parser normalises and every tool keeps.
Text after the last sentence is on the last group
(``extype="x-transkit-trailing"``).  If a tool drops them anyway, the reader
falls back to the structure: a new group is a line break, a new trans-unit a
space.  Each trans-unit has ``xml:space="preserve"``.

**XLIFF 2.1: one ``<unit>`` per paragraph, one ``<segment>`` per sentence,
the whitespace between sentences in ``<ignorable>``** -- exactly what
ignorable is for; tools show segments and skip ignorables, and the merge
concatenates both in order (honouring ``<target order>``), so even a tool
that joins or splits segments still rebuilds the document.

What the translator sees
------------------------
* MT targets: 1.2 ``state="needs-review-translation"``
  ``state-qualifier="leveraged-mt"`` with ``phase-name`` pointing to the MT
  phase, and the MT as an ``<alt-trans origin="...">`` proposal; 2.1
  ``state="translated" subState="transkit:mt"`` and an ``<mtc:match
  type="mt" origin="...">``.
* Glossary terms: ``<mrk mtype="term">`` (1.2) / ``<mrk type="term">`` with
  ITS ``termConfidence`` (2.1) around the German term in the source and the
  English term in the target; also a note listing the terms (1.2) or a
  ``<gls:glossary>`` (2.1).
* A failed term check is a priority-1 note on the target.

States map both ways (`STATES_12`, `STATES_2`; see `state_from_12` and
`state_from_2` for how other tools' values are read).  Characters XML 1.0
cannot hold become ``<x ctype="x-transkit-cp-HHHH"/>`` (1.2) or ``<cp hex>``
(2.1) and come back on reading.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lxml import etree

import transkit
from transkit.data import Document
from transkit.errors import FormatError
from transkit.fileio import atomic_write_bytes, creation_time
from transkit.formats import parse_xml
from transkit.formats.xliff2 import (
    build_2,
    read_2,
)
from transkit.formats.xliff12 import (
    build_12,
    read_12,
)
from transkit.formats.xliff_common import (
    APPROVED_STATES,
    STATES_2,
    STATES_12,
    XLIFF1_NAMESPACES,
    XLIFF2_NAMESPACES,
    XLIFF2_NS,
    XLIFF12_NS,
    find_source_terms,
    find_target_terms,
    local_name,
    namespace_of,
    state_from_2,
    state_from_12,
)

# --------------------------------------------------------------------------
# Public writers


__all__ = [
    "APPROVED_STATES",
    "STATES_12",
    "STATES_2",
    "XLIFF12_NS",
    "XLIFF1_NAMESPACES",
    "XLIFF2_NAMESPACES",
    "XLIFF2_NS",
    "find_source_terms",
    "find_target_terms",
    "read_xliff",
    "state_from_12",
    "state_from_2",
    "write_xliff",
    "xliff_bytes",
]


def xliff_bytes(
    documents: Sequence[Document],
    *,
    version: str = "1.2",
    tool_version: str = transkit.__version__,
    now: datetime | None = None,
) -> bytes:
    """Serialise ``documents`` as one XLIFF file (one ``<file>`` per document).

    ``now`` fixes the creation date (for reproducible output).  Raises
    `FormatError` for an unknown version or text XML cannot carry at all
    (lone surrogates).
    """
    now = now or creation_time()
    try:
        if version == "1.2":
            root = build_12(documents, tool_version, now)
        elif version in ("2.1", "2"):
            root = build_2(documents, tool_version, now)
        else:
            raise FormatError(f"unsupported XLIFF version {version!r}; choose 1.2 or 2.1")
    except ValueError as err:
        raise FormatError(f"cannot write XLIFF: {err}") from None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def write_xliff(
    documents: Sequence[Document],
    path: str | os.PathLike[str],
    *,
    version: str = "1.2",
    tool_version: str = transkit.__version__,
    now: datetime | None = None,
) -> None:
    """Write `xliff_bytes` to ``path`` atomically."""
    atomic_write_bytes(
        path, xliff_bytes(documents, version=version, tool_version=tool_version, now=now)
    )


_VERSIONS_1 = ("1.0", "1.1", "1.2")
_VERSIONS_2 = ("2.0", "2.1", "2.2")


def read_xliff(
    path: str | os.PathLike[str], *, problems: list[str] | None = None
) -> list[Document]:
    """Read an XLIFF 1.0-1.2 or 2.0-2.2 file into one `Document` per ``<file>``.

    Tolerates what CAT tools do when they re-save: other prefixes and
    attribute order, CDATA, character references, indentation, comments,
    internal entities and unknown extension elements (ignored).  Raises
    `FormatError` with file and line for malformed XML, a file that is not
    XLIFF, or an XLIFF version transkit does not know.  When ``problems`` is
    a list, things a person should look at (duplicate ids, an empty target
    marked translated, a source that differs from the one transkit wrote,
    units missing from a transkit file) are appended as ``file:line: ...``.
    """
    name = os.fspath(path)
    root = parse_xml(name, "XLIFF")
    if local_name(root) != "xliff":
        raise FormatError(
            f"not an XLIFF file (root element <{local_name(root) or root.tag}>)",
            file=name,
            line=root.sourceline,
        )
    ns = namespace_of(root)
    version = (root.get("version") or "").strip()
    if ns in XLIFF2_NAMESPACES or (ns is None and version.startswith("2")):
        if version and version not in _VERSIONS_2:
            raise _bad_version(version, ns, name, root)
        if ns == XLIFF2_NAMESPACES[1] and version and version != "2.2":
            raise _bad_version(version, ns, name, root)
        return read_2(root, name, version or "2.0", ns or XLIFF2_NS, problems)
    if ns in XLIFF1_NAMESPACES or ns is None:
        if version and version not in _VERSIONS_1:
            raise _bad_version(version, ns, name, root)
        implied = {XLIFF12_NS: "1.2", XLIFF1_NAMESPACES[1]: "1.1", XLIFF1_NAMESPACES[2]: "1.0"}
        return read_12(root, name, version or implied.get(ns or "", "1.2"), problems)
    raise FormatError(
        f"unknown XLIFF namespace {ns!r} (transkit reads XLIFF 1.0-1.2 and 2.0-2.2)",
        file=name,
        line=root.sourceline,
    )


def _bad_version(version: str, ns: str | None, name: str, root: Any) -> FormatError:
    return FormatError(
        f"unsupported XLIFF version {version!r}"
        + (f" in namespace {ns}" if ns else "")
        + " (transkit reads XLIFF 1.0-1.2 and 2.0-2.2)",
        file=name,
        line=root.sourceline,
    )
