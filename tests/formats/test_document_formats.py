"""Document formats (DOCX, ODT, HTML, Markdown): extract/rebuild pairs, without a model.

Rebuilding with each unit's own source must give the same text, the same
formatting elements and the same everything-else; rebuilding with other
text must change only the text.  Hostile and broken files get one line.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED
from document_builders import (
    BUILDERS,
    SUFFIX,
    build_docx,
    build_odt,
    identity_targets,
    outside_text,
    zip_bytes,
)
from transkit.errors import FormatError
from transkit.formats.documents import (
    document_format,
    extract_document,
    rebuild_document,
    rebuild_from_xliff,
    translated_name,
    xliff_for_document,
)
from transkit.formats.inline_units import Close, Open, Point, parts_text

DOCUMENTS = SHARED / "interop" / "documents"
INTEROP = sorted(
    p for p in DOCUMENTS.glob("*/*") if p.is_file() and document_format(p.name) is not None
)
needs_interop = pytest.mark.skipif(
    not INTEROP, reason=f"interop documents not found at {DOCUMENTS} (needs ../shared)"
)


def _words_of(text: str) -> list[str]:
    """Text as a reader sees it: runs of white space are one (HTML, ODF and a
    rewrapped Markdown paragraph all render them so)."""
    return text.split()


def _identity(fmt: str, data: bytes, name: str) -> bytes:
    return rebuild_document(fmt, data, name, identity_targets(fmt, data, name))


@needs_interop
@pytest.mark.parametrize("path", INTEROP, ids=lambda p: p.name)
def test_interop_identity_rebuild_keeps_text_formatting_and_the_rest(path: Path) -> None:
    fmt = document_format(path.name)
    data = path.read_bytes()
    before = extract_document(fmt, data, path.name)
    out = _identity(fmt, data, path.name)
    after = extract_document(fmt, out, path.name)
    assert [_words_of(u.text) for u in after.units] == [_words_of(u.text) for u in before.units]
    assert after.elements == before.elements
    assert outside_text(fmt, out, path.name) == outside_text(fmt, data, path.name)


def test_interop_files_are_counted() -> None:
    """Say how many interop documents there are (the parametrized test skips without them)."""
    if not INTEROP:
        pytest.skip(f"interop documents not found at {DOCUMENTS} (needs ../shared)")
    by_format: dict[str, int] = {}
    for path in INTEROP:
        by_format[document_format(path.name)] = by_format.get(document_format(path.name), 0) + 1
    print(f"interop documents: {by_format}")
    assert set(by_format) == {"docx", "odt", "html", "markdown"}


_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß ", min_size=1, max_size=12).filter(
    lambda t: t.strip() != ""
)
_style = st.sets(st.sampled_from(["b", "i", "link:https://example.org/x"]), max_size=2)
_paragraph = st.lists(st.tuples(_words, _style), min_size=1, max_size=6)


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
@settings(max_examples=40)
@given(paragraphs=st.lists(_paragraph, min_size=1, max_size=4))
def test_identity_rebuild_property(fmt: str, paragraphs: list) -> None:
    name = "x" + SUFFIX[fmt]
    data = BUILDERS[fmt](paragraphs)
    before = extract_document(fmt, data, name)
    out = _identity(fmt, data, name)
    after = extract_document(fmt, out, name)
    assert [_words_of(u.text) for u in after.units] == [_words_of(u.text) for u in before.units]
    assert after.elements == before.elements
    assert outside_text(fmt, out, name) == outside_text(fmt, data, name)


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_new_text_keeps_every_code_and_nothing_else_changes(fmt: str) -> None:
    paragraphs = [
        [
            ("Die ", set()),
            ("seltenen Erden", {"b"}),
            (" kommen aus ", set()),
            ("Peking", {"link:https://example.org/p"}),
            (".", set()),
        ],
        [("Kursiv", {"i"}), (" und normal.", set())],
    ]
    name = "x" + SUFFIX[fmt]
    data = BUILDERS[fmt](paragraphs)
    source = identity_targets(fmt, data, name)
    # upper-case every text part, and drop the codes of the second unit: they must come back
    targets = {}
    for k, (ident, parts) in enumerate(source.items()):
        upper = [p.upper() if isinstance(p, str) else p for p in parts]
        targets[ident] = [p for p in upper if isinstance(p, str)] if k == len(source) - 1 else upper
    out = rebuild_document(fmt, data, name, targets)
    before = extract_document(fmt, data, name)
    after = extract_document(fmt, out, name)
    assert after.elements == before.elements
    assert outside_text(fmt, out, name) == outside_text(fmt, data, name)
    for unit, wanted in zip(after.units, targets.values(), strict=True):
        assert unit.text.split() == parts_text(wanted).split()
    # the bold code still covers the upper-cased term
    first = after.units[-2] if fmt == "html" else after.units[0]
    opened = [p for p in first.parts if isinstance(p, Open)]
    assert opened and "SELTENEN ERDEN" in first.text


def test_xliff_embeds_the_document_and_rebuilds_it(tmp_path: Path) -> None:
    from lxml import etree

    data = build_docx([[("Ein ", set()), ("fetter", {"b"}), (" Satz.", set())]])
    fmt, extracted, xliff = xliff_for_document("dir/brief.docx", data)
    assert fmt == "docx" and len(extracted.units) == 1
    root = etree.fromstring(xliff)
    ns = "urn:oasis:names:tc:xliff:document:1.2"
    assert root.find(f"{{{ns}}}file").get("original") == "brief.docx"
    source = root.find(f".//{{{ns}}}source")
    assert [el.tag.split("}")[1] for el in source] == ["g"]
    target = etree.SubElement(source.getparent(), f"{{{ns}}}target")
    target.text = "A "
    g = etree.SubElement(target, f"{{{ns}}}g", id=source[0].get("id"))
    g.text = "bold"
    g.tail = " sentence."
    rebuilt = rebuild_from_xliff(root, "brief.de-en.xlf")
    assert rebuilt is not None and rebuilt[:2] == ("docx", "brief.docx")
    (unit,) = extract_document("docx", rebuilt[2], "brief.docx").units
    assert unit.text == "A bold sentence."
    assert isinstance(unit.parts[1], Open) and unit.parts[2] == "bold"


def test_xliff_validates_against_the_official_schema(tmp_path: Path, xmlcheck) -> None:
    for fmt, builder in BUILDERS.items():
        data = builder(
            [[("Text mit ", set()), ("Verweis", {"link:https://example.org/"}), (".", set())]]
        )
        _, _, xliff = xliff_for_document("x" + SUFFIX[fmt], data)
        path = tmp_path / f"{fmt}.xlf"
        path.write_bytes(xliff)
        assert xmlcheck(path) in ("xliff-1.2", "structure"), fmt


def test_translated_names() -> None:
    assert translated_name("in/Brief.docx") == "Brief.en.docx"
    assert translated_name("notes.md") == "notes.en.md"
    assert translated_name("README") == "README.en"


# -- bad input: one line, naming the file -------------------------------------------------
def _docx_with(document_xml: str, content_type: str = "") -> bytes:
    good = build_docx([[("x", set())]], content_type=content_type)
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["word/document.xml"] = document_xml.encode("utf-8")
    return zip_bytes(members)


BAD = {
    "encrypted.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    "truncated.docx": build_docx([[("Ein Satz.", set())]])[:200],
    "pdf.docx": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "text.odt": b"Nur Text, kein Paket.\n",
    "odt-named.docx": build_odt([[("Ein Satz.", set())]]),
    "docx-named.odt": build_docx([[("Ein Satz.", set())]]),
    "macro.docx": build_docx(
        [[("x", set())]],
        content_type="application/vnd.ms-word.document.macroEnabled.main+xml",
    ),
    "xxe.docx": _docx_with(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{"http://schemas.openxmlformats.org/wordprocessingml/2006/main"}">'
        "<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    ),
    "malformed.docx": _docx_with("<w:document><w:body><w:p>"),
    "encrypted.odt": build_odt(
        [[("x", set())]],
        manifest_extra='<manifest:file-entry manifest:full-path="x" manifest:media-type="">'
        "<manifest:encryption-data/></manifest:file-entry>",
    ),
    "binary.md": b"\x00\x01\x02PK",
    "latin1.md": "Gr\xfc\xdfe aus K\xf6ln.\n".encode("latin-1"),
    "zip.html": zip_bytes({"a.txt": "x"}),
}


def _bomb() -> bytes:
    good = build_docx([[("x", set())]])
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["word/media/zeros.bin"] = b"\x00" * (40 * 1024 * 1024)
    return zip_bytes(members)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_documents_get_one_line(name: str) -> None:
    fmt = document_format(name)
    with pytest.raises(FormatError) as info:
        extract_document(fmt, BAD[name], name)
    line = info.value.one_line()
    assert line.startswith(name) and "\n" not in line
    assert "Traceback" not in line


def test_zip_bomb_is_refused() -> None:
    with pytest.raises(FormatError, match="zip bomb"):
        extract_document("docx", _bomb(), "bomb.docx")


def test_tracked_changes_are_accepted_and_said() -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    data = _docx_with(
        f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t xml:space="preserve">Alt </w:t></w:r>'
        '<w:del w:id="1" w:author="a"><w:r><w:delText>gelöscht </w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>eingefügt</w:t></w:r></w:ins>'
        "</w:p></w:body></w:document>"
    )
    extracted = extract_document("docx", data, "changes.docx")
    assert [u.text for u in extracted.units] == ["Alt eingefügt"]
    assert extracted.notes and "tracked change" in extracted.notes[0]


def test_points_keep_their_xml() -> None:
    """An image or a field inside a sentence comes back byte for byte, wherever it goes."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    data = _docx_with(
        f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t xml:space="preserve">Seite </w:t></w:r>'
        '<w:fldSimple w:instr="PAGE"><w:r><w:t>3</w:t></w:r></w:fldSimple>'
        '<w:r><w:t xml:space="preserve"> von vielen.</w:t></w:r></w:p></w:body></w:document>'
    )
    targets = identity_targets("docx", data, "f.docx")
    (ident,) = targets
    point = next(p for p in targets[ident] if isinstance(p, Point))
    targets[ident] = ["Page ", point, " of many."]
    out = rebuild_document("docx", data, "f.docx", targets)
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        xml = z.read("word/document.xml")
    assert b'<w:fldSimple w:instr="PAGE"><w:r><w:t>3</w:t></w:r></w:fldSimple>' in xml
    assert outside_text("docx", out, "f.docx") == outside_text("docx", data, "f.docx")
    (unit,) = extract_document("docx", out, "f.docx").units
    assert unit.text.split() == ["Page", "of", "many."]
    assert xml.index(b"Page") < xml.index(b"PAGE") < xml.index(b"of many")


def test_markdown_keeps_every_byte_outside_text() -> None:
    src = (
        "---\ntitle: Ein kurzer Titel\nslug: ein-titel\n---\n\n"
        "# Überschrift\n\n> Ein *Zitat* mit [Verweis][r].\n\n```\ncode bleibt\n```\n\n"
        "- Punkt eins\n- Punkt `zwei`\n\n| A | B |\n|---|---|\n| Zelle | x \\| y |\n\n[r]: https://example.org\n"
    ).encode()
    targets = identity_targets("markdown", src, "x.md")
    assert _identity("markdown", src, "x.md") == src
    upper = {k: [p.upper() if isinstance(p, str) else p for p in v] for k, v in targets.items()}
    out = rebuild_document("markdown", src, "x.md", upper).decode()
    assert "code bleibt" in out and "slug: ein-titel" in out and "[r]: https://example.org" in out
    assert "title: EIN KURZER TITEL" in out
    assert "> EIN *ZITAT* MIT [VERWEIS][r]." in out
    assert "| ZELLE | X \\| Y |" in out
    assert isinstance(Close("1"), Close)
