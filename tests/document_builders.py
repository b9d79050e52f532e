"""Test helpers for documents: small DOCX/ODT/HTML/Markdown files built from runs, and
the checks the document tests share (what is outside translated text, identity rebuilds).

A paragraph is a list of runs ``(text, style)``; ``style`` is a set of
"b", "i" and ``"link:URL"``.  The builders write the minimal valid package
each format needs (Word and LibreOffice open them).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

Run = tuple[str, frozenset[str] | set[str]]
Paragraph = Sequence[Run]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _link(style: Iterable[str]) -> str | None:
    return next((s[5:] for s in style if s.startswith("link:")), None)


def build_docx(
    paragraphs: Sequence[Paragraph], *, extra_body: str = "", content_type: str = ""
) -> bytes:
    """A DOCX whose body holds ``paragraphs`` (bold/italic runs, hyperlinks)."""
    links: dict[str, str] = {}
    body = []
    for para in paragraphs:
        out = []
        for text, style in para:
            props = ("<w:b/>" if "b" in style else "") + ("<w:i/>" if "i" in style else "")
            run = (
                f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}"
                f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
            )
            url = _link(style)
            if url:
                rid = links.setdefault(url, f"rIdL{len(links) + 1}")
                run = f'<w:hyperlink r:id="{rid}">{run}</w:hyperlink>'
            out.append(run)
        body.append(f"<w:p>{''.join(out)}</w:p>")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{"".join(body)}{extra_body}'
        "<w:sectPr/></w:body></w:document>"
    )
    main = content_type or (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    doc_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/hyperlink" Target="{escape(url)}" TargetMode="External"/>'
            for url, rid in links.items()
        )
        + "</Relationships>"
    )
    return zip_bytes(
        {
            "[Content_Types].xml": types,
            "_rels/.rels": rels,
            "word/document.xml": document,
            "word/_rels/document.xml.rels": doc_rels,
        }
    )


ODF_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
}


def build_odt(
    paragraphs: Sequence[Paragraph], *, manifest_extra: str = "", body_extra: str = ""
) -> bytes:
    """An ODT whose body holds ``paragraphs`` (bold/italic spans, links)."""
    decls = " ".join(f'xmlns:{k}="{v}"' for k, v in ODF_NS.items())
    body = []
    for para in paragraphs:
        out = []
        for text, style in para:
            piece = escape(text)
            name = ("B" if "b" in style else "") + ("I" if "i" in style else "")
            if name:
                piece = f'<text:span text:style-name="T{name}">{piece}</text:span>'
            url = _link(style)
            if url:
                piece = f'<text:a xlink:type="simple" xlink:href="{escape(url)}">{piece}</text:a>'
            out.append(piece)
        body.append(f'<text:p text:style-name="Standard">{"".join(out)}</text:p>')
    styles = "".join(
        f'<style:style style:name="{name}" style:family="text">'
        f"<style:text-properties {props}/></style:style>"
        for name, props in (
            ("TB", 'fo:font-weight="bold"'),
            ("TI", 'fo:font-style="italic"'),
            ("TBI", 'fo:font-weight="bold" fo:font-style="italic"'),
        )
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {decls} office:version="1.2">'
        f"<office:automatic-styles>{styles}</office:automatic-styles>"
        f"<office:body><office:text>{body_extra}{''.join(body)}</office:text></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        f"{manifest_extra}</manifest:manifest>"
    )
    return zip_bytes(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": content,
            "META-INF/manifest.xml": manifest,
        },
        stored=("mimetype",),
    )


def build_html(paragraphs: Sequence[Paragraph], title: str = "Titel") -> bytes:
    out = []
    for para in paragraphs:
        pieces = []
        for text, style in para:
            piece = escape(text)
            if "b" in style:
                piece = f"<b>{piece}</b>"
            if "i" in style:
                piece = f"<i>{piece}</i>"
            url = _link(style)
            if url:
                piece = f'<a href="{escape(url)}">{piece}</a>'
            pieces.append(piece)
        out.append(f"<p>{''.join(pieces)}</p>")
    return (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n"
        + "\n".join(out)
        + "\n</body>\n</html>\n"
    ).encode("utf-8")


def build_markdown(paragraphs: Sequence[Paragraph]) -> bytes:
    out = []
    for para in paragraphs:
        pieces = []
        for text, style in para:
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            core = text.strip()
            if not core:
                pieces.append(text)
                continue
            if "b" in style:
                core = f"**{core}**"
            if "i" in style:
                core = f"*{core}*"
            url = _link(style)
            if url:
                core = f"[{core}]({url})"
            pieces.append(lead + core + trail)
        out.append("".join(pieces))
    return ("\n\n".join(out) + "\n").encode("utf-8")


BUILDERS = {"docx": build_docx, "odt": build_odt, "html": build_html, "markdown": build_markdown}
SUFFIX = {"docx": ".docx", "odt": ".odt", "html": ".html", "markdown": ".md"}


def zip_bytes(members: dict[str, str | bytes], stored: Sequence[str] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


# -- checks ----------------------------------------------------------------------------------
def identity_targets(fmt: str, data: bytes, name: str) -> dict[str, list[Any]]:
    """Each unit's source parts, read back from the XLIFF made for the document."""
    from lxml import etree

    from transkit.formats.documents import xliff_for_document
    from transkit.formats.inline_units import XLIFF12_NS, target_parts

    _, _, xliff = xliff_for_document(name, data)
    root = etree.fromstring(xliff)
    return {
        tu.get("id"): target_parts(tu.find(f"{{{XLIFF12_NS}}}source"))
        for tu in root.iter(f"{{{XLIFF12_NS}}}trans-unit")
    }


def outside_text(fmt: str, data: bytes, name: str) -> tuple[Any, ...]:
    """Everything of a document that is not translated text, in comparable form.

    Per package part: the bytes of parts without text; for text parts, the
    XML with each unit's content emptied.  Plus every point code's XML (images,
    fields, notes…), which must come back unchanged.  Tracked changes are
    accepted in the input first, as the reader does.
    """
    from lxml import etree

    if fmt == "docx":
        from transkit.formats import docx as module

        package, roots, extracted = module._read(data, name)
    elif fmt == "odt":
        from transkit.formats import odt as module

        package, roots, extracted = module._read(data, name)
    elif fmt == "html":
        from transkit.formats import html as module

        root, extracted = module._read(data, name)
        for unit in extracted.units:
            if unit.handle[0] == "attr":
                unit.handle[1].set(unit.handle[2], "\ue000")
            else:
                _, parent, slot, children, _, _ = unit.handle
                for child in children:
                    if child.getparent() is parent:
                        parent.remove(child)
                if slot is None:
                    parent.text = "\ue000"
                else:
                    slot.tail = "\ue000"
        points = sorted(
            etree.tostring(c.payload, method="html", with_tail=False)
            for u in extracted.units
            for c in u.codes.values()
            if not c.paired
        )
        # a walk, not a serialisation: libxml2 leaves out optional end tags of empty
        # elements (``<li></li>``), which a re-parse reads differently but equally
        walk = tuple(
            (
                str(el.tag),
                tuple(sorted(el.attrib.items())),
                (el.text or "").strip(),
                (el.tail or "").strip(),
            )
            for el in root.iter()
        )
        return (walk, tuple(points))
    else:
        from transkit.formats import markdown as module

        _, lines, extracted = module._read(data, name)
        kept = list(lines)
        dropped: set[int] = set()
        # right to left, so that masking a cell keeps the columns of the cells before it
        for unit in sorted(extracted.units, key=lambda u: u.handle.lines[0][:2], reverse=True):
            rows = unit.handle.lines
            first, a, _ = rows[0]
            last, _, b = rows[-1]
            kept[first] = (
                kept[first][:a] + "\ue000" + (kept[last] if last != first else kept[first])[b:]
            )
            dropped.update(r for r, _, _ in rows[1:])
        # hard breaks are line layout inside the text (one at a block's edge is dropped:
        # CommonMark ignores it there)
        points = sorted(
            str(c.payload)
            for u in extracted.units
            for c in u.codes.values()
            if not c.paired and c.kind != "lb"
        )
        return (tuple(line for k, line in enumerate(kept) if k not in dropped), tuple(points))
    for unit in extracted.units:
        p = unit.handle[0] if isinstance(unit.handle, tuple) else unit.handle
        for child in list(p):
            if not (isinstance(child.tag, str) and child.tag.endswith("}pPr")):
                p.remove(child)
        p.text = None
    points = sorted(
        b"".join(etree.tostring(e, method="c14n") for e in c.payload)
        if isinstance(c.payload, list)
        else etree.tostring(c.payload, method="c14n", with_tail=False)
        for u in extracted.units
        for c in u.codes.values()
        if not c.paired
    )
    parts = []
    for member in package.names:
        if member in roots:
            parts.append((member, etree.tostring(roots[member], method="c14n")))
        else:
            parts.append((member, package.read(member)))
    return (tuple(parts), tuple(points))
