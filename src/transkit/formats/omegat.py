"""An OmegaT project, ready to open, that cuts the text exactly where transkit did.

``transkit translate --formats omegat`` writes ``OUT/x.omegat/``:

* ``omegat.project``: German -> English, sentence segmentation on;
* ``source/x.txt``: the German document as read;
* ``tm/auto/x.de-en.tmx``: transkit's translation memory (OmegaT inserts its
  100 % matches, so console-translate fills every segment);
* ``glossary/glossary.txt``: the glossary in OmegaT's tab-separated format
  (`transkit.formats.termcsv`, as ``transkit glossary export --format omegat``),
  so OmegaT shows the terms while editing;
* ``omegat/filters.xml``: the plain-text filter with one paragraph per line,
  as transkit reads text (OmegaT's default joins lines until an empty line,
  which merges a heading with the next sentence);
* ``omegat/segmentation.conf``: project-specific segmentation rules.  SRX
  rules cannot express transkit's segmenter in general, so the project gets
  one break rule per sentence boundary transkit found (the text just before
  and just after it, quoted), and no other rule: OmegaT breaks where transkit
  did and nowhere else.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from transkit.data import Document, GlossaryEntry
from transkit.fileio import atomic_write_bytes, atomic_write_text

__all__ = ["boundary_rules", "java_quote", "segmentation_conf", "write_omegat_project"]

#: Characters of context each side of a boundary in a break rule.
CONTEXT = 40
_OMEGAT_SEG = "org.omegat.core.segmentation"


def java_quote(text: str) -> str:
    r"""A Java regex matching ``text`` literally (``\Q…\E``).

    >>> java_quote(r"a\Eb")
    '\\Qa\\E\\\\E\\Qb\\E'
    """
    return "\\Q" + text.replace("\\E", "\\E\\\\E\\Q") + "\\E"


def boundary_rules(document: Document) -> list[tuple[str, str]]:
    """(beforebreak, afterbreak) for each sentence boundary inside a line."""
    rules = []
    segments = document.segments
    text = document.source_text
    for previous, seg in zip(segments, segments[1:], strict=False):
        if seg.paragraph_break:
            continue
        line_start = max(text.rfind("\n", 0, previous.end), text.rfind("\r", 0, previous.end)) + 1
        before = text[max(line_start, previous.end - CONTEXT) : previous.end]
        after = seg.leading + seg.source[:CONTEXT]
        rule = (java_quote(before), java_quote(after))
        if rule not in rules:
            rules.append(rule)
    return rules


def _void(parent: Any, prop: str, kind: str, value: str) -> None:
    void = etree.SubElement(parent, "void", property=prop)
    etree.SubElement(void, kind).text = value


def _list(void: Any) -> Any:
    """A new ArrayList as the property's value (OmegaT's beans start with none)."""
    return etree.SubElement(void, "object", **{"class": "java.util.ArrayList"})


def segmentation_conf(rules: Sequence[tuple[str, str]]) -> bytes:
    """OmegaT's ``segmentation.conf`` (java.beans XML) holding only ``rules``."""
    java = etree.Element("java", version="1.8.0", **{"class": "java.beans.XMLDecoder"})
    srx = etree.SubElement(java, "object", **{"class": f"{_OMEGAT_SEG}.SRX"})
    mapping = _list(etree.SubElement(srx, "void", property="mappingRules"))
    add = etree.SubElement(mapping, "void", method="add")
    maprule = etree.SubElement(add, "object", **{"class": f"{_OMEGAT_SEG}.MapRule"})
    _void(maprule, "language", "string", "transkit")
    _void(maprule, "pattern", "string", ".*")
    holder = _list(etree.SubElement(maprule, "void", property="rules"))
    for before, after in rules:
        rule_add = etree.SubElement(holder, "void", method="add")
        rule = etree.SubElement(rule_add, "object", **{"class": f"{_OMEGAT_SEG}.Rule"})
        _void(rule, "afterbreak", "string", after)
        _void(rule, "beforebreak", "string", before)
        _void(rule, "breakRule", "boolean", "true")
    _void(srx, "segmentSubflows", "boolean", "true")
    _void(srx, "version", "string", "0.2.2")
    return etree.tostring(java, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def filters_xml(source_name: str) -> bytes:
    """The plain-text filter, one paragraph per line, for ``source_name``."""
    filters = etree.Element(
        "filters",
        removeTags="false",
        removeSpacesNonseg="false",
        preserveSpaces="false",
        ignoreFileContext="false",
    )
    text = etree.SubElement(
        filters, "filter", className="org.omegat.filters2.text.TextFilter", enabled="true"
    )
    masks = ["*.txt", "*.text"]
    if source_name not in masks and not source_name.lower().endswith((".txt", ".text")):
        masks.append(source_name)
    for mask in masks:
        etree.SubElement(
            text,
            "files",
            sourceFilenameMask=mask,
            targetFilenamePattern="${filename}",
            sourceEncoding="UTF-8",
            targetEncoding="UTF-8",
        )
    etree.SubElement(text, "option", name="segmentOn", value="BREAKS")
    etree.SubElement(text, "option", name="lineLength", value="")
    etree.SubElement(text, "option", name="maxLineLength", value="")
    return etree.tostring(filters, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def project_xml(source_lang: str, target_lang: str) -> bytes:
    omegat = etree.Element("omegat")
    project = etree.SubElement(omegat, "project", version="1.0")
    settings = {
        "source_dir": "__DEFAULT__",
        "source_dir_excludes": None,
        "target_dir": "__DEFAULT__",
        "tm_dir": "__DEFAULT__",
        "glossary_dir": "__DEFAULT__",
        "glossary_file": "__DEFAULT__",
        "dictionary_dir": "__DEFAULT__",
        "source_lang": source_lang,
        "target_lang": target_lang,
        "source_tok": "org.omegat.tokenizer.LuceneGermanTokenizer",
        "target_tok": "org.omegat.tokenizer.LuceneEnglishTokenizer",
        "sentence_seg": "true",
        "support_default_translations": "true",
        "remove_tags": "false",
    }
    for name, value in settings.items():
        if value is None:
            continue
        etree.SubElement(project, name).text = value
    return etree.tostring(omegat, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_omegat_project(
    document: Document,
    source_name: str,
    folder: str | os.PathLike[str],
    *,
    entries: Sequence[GlossaryEntry] = (),
) -> Path:
    """Write the project for one translated ``document`` into ``folder``."""
    from transkit.formats.termcsv import write_term_csv
    from transkit.formats.tmx import tmx_bytes

    root = Path(folder)
    for sub in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    name = Path(source_name).name
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    atomic_write_text(root / "source" / name, document.source_text)
    atomic_write_bytes(root / "tm" / "auto" / f"{stem}.de-en.tmx", tmx_bytes([document]))
    glossary = root / "glossary" / "glossary.txt"
    left_out: list[str] = []
    write_term_csv(entries, glossary, "omegat", problems=left_out)
    if left_out:  # OmegaT's glossary format has no escape for a tab or line break
        logging.getLogger("transkit.formats").warning(
            "transkit: note: %s: %d glossary entr%s not exported to OmegaT: %s",
            glossary,
            len(left_out),
            "y" if len(left_out) == 1 else "ies",
            "; ".join(" ".join(n.split()) for n in left_out),
        )
    atomic_write_bytes(root / "omegat" / "filters.xml", filters_xml(name))
    atomic_write_bytes(
        root / "omegat" / "segmentation.conf", segmentation_conf(boundary_rules(document))
    )
    atomic_write_bytes(
        root / "omegat.project", project_xml(document.source_lang, document.target_lang)
    )
    return root
