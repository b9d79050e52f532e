"""Zip packages (OOXML, ODF) read defensively and written back part for part.

DOCX and ODT are zip files of XML parts.  What arrives may be hostile or
broken, so reading refuses, in one line naming the file: an encrypted file
(OOXML encryption is an OLE compound file, not a zip), a damaged zip, a zip
bomb (too many members, too large unpacked, or a compression ratio no office
suite writes), a part with a DOCTYPE (external entities), and malformed XML.
Writing copies every member it was not asked to change unchanged, in the
same order and with the same compression (ODF's ``mimetype`` stays first and
stored), so nothing outside the translated text moves.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from transkit.errors import FormatError

__all__ = ["Package", "MAX_UNPACKED", "parse_part", "serialize_part"]

#: The most a package may unpack to, all members together (bytes).
MAX_UNPACKED = 512 * 1024 * 1024
#: The most members a package may have.
MAX_MEMBERS = 20_000
#: No office suite compresses XML better than this; a zip bomb does.
MAX_RATIO = 200

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Package:
    """The members of a zip package, checked before any is unpacked."""

    def __init__(self, data: bytes, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        if data[:8] == _OLE_MAGIC:
            raise FormatError(
                f"password-protected (encrypted) or old binary {kind} file; "
                "remove the password or save it as a current document first",
                file=name,
            )
        if data[:4] != b"PK\x03\x04":
            raise FormatError(f"not a {kind} file (not a zip package)", file=name)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as err:
            raise FormatError(f"damaged {kind} file: {err}", file=name) from None
        if len(self.infos) > MAX_MEMBERS:
            raise FormatError(f"{kind} file has {len(self.infos)} members; refusing", file=name)
        total = 0
        for info in self.infos:
            total += info.file_size
            if info.flag_bits & 0x1:
                raise FormatError(f"{kind} file has an encrypted member {info.filename}", file=name)
            ratio = info.file_size / info.compress_size if info.compress_size else 0
            if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
                raise FormatError(
                    f"{info.filename} unpacks {ratio:.0f}x its packed size; refusing a zip bomb",
                    file=name,
                )
        if total > MAX_UNPACKED:
            raise FormatError(
                f"{kind} file unpacks to {total // (1024 * 1024)} MB; refusing a zip bomb",
                file=name,
            )
        self.names = [info.filename for info in self.infos]

    def has(self, member: str) -> bool:
        return member in self.names

    def read(self, member: str) -> bytes:
        """One member's bytes, read no further than its declared size."""
        info = self.zip.getinfo(member)
        try:
            with self.zip.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as err:
            raise FormatError(
                f"damaged {self.kind} file: {member}: {err}", file=self.name
            ) from None
        if len(data) > info.file_size:
            raise FormatError(f"{member} is larger than its zip entry says", file=self.name)
        return data

    def xml(self, member: str) -> Any:
        """A member parsed as XML (see `parse_part`)."""
        return parse_part(self.read(member), self.name, member)

    def rebuilt(self, replaced: Mapping[str, bytes]) -> bytes:
        """The package with ``replaced`` members swapped in, everything else copied as it was."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in self.infos:
                data = (
                    replaced[info.filename]
                    if info.filename in replaced
                    else self.read(info.filename)
                )
                clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                clone.compress_type = info.compress_type
                clone.external_attr = info.external_attr
                clone.create_system = info.create_system
                clone.comment = info.comment
                clone.extra = info.extra
                target.writestr(clone, data)
        return out.getvalue()


def parse_part(data: bytes, name: str, member: str) -> Any:
    """Parse one XML part: no DTD, no entities, no network; errors name file, part and line."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line = err.lineno or 0
        raise FormatError(f"malformed XML in {member}: {err.msg}", file=name, line=line) from None
    if root.getroottree().docinfo.doctype:
        raise FormatError(
            f"{member} has a DOCTYPE; office documents never do, refusing its entities",
            file=name,
        )
    return root


def serialize_part(root: Any) -> bytes:
    """A part back to bytes, with the XML declaration office suites write."""
    from lxml import etree

    standalone = root.getroottree().docinfo.standalone
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True if standalone else None
    )
