"""Reading and segmenting a large input a piece at a time.

`segment_document` needs the whole text; a 50 MB input as one string, its
segments and everything learned about them is gigabytes.  The segmenter
decides every boundary inside one line (a line is a paragraph, see
`transkit.text.segment`), so the text can be decoded in chunks, cut after
the last line break of each, and segmented line by line: the segments
(ids, offsets, leading text) and the trailing text are exactly those of
`segment_document` on the whole text.  The decoding rules and the errors
are those of `transkit.text.reading`: UTF-8 with or without BOM, UTF-16
with a BOM, one error naming the file (and the line of undecodable bytes).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from transkit.data import Segment
from transkit.errors import InputError
from transkit.fileio import max_input_bytes

__all__ = ["CHUNK_BYTES", "SegmentStream", "stream_segments"]

#: Bytes decoded at a time.
CHUNK_BYTES = 1 << 20

_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass
class SegmentStream:
    """The end of a stream: what trails the last segment, and how many there were."""

    trailing: str = ""
    count: int = 0


def _decoded_chunks(path: Path, name: str, chunk_bytes: int) -> Iterator[str]:
    """The file's text in pieces, by `transkit.text.reading`'s rules."""
    from transkit.text.reading import _UTF16_BOMS

    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a text file", file=name) from None
    except PermissionError:
        raise InputError("permission denied", file=name) from None
    except OSError as err:
        raise InputError(f"cannot read ({err.strerror or err})", file=name) from None
    limit = max_input_bytes()  # as a file read whole: /dev/zero is not text
    with handle:
        head = handle.read(max(chunk_bytes, 8192))  # the BOM and NUL checks see 8 kB
        if not head:
            raise InputError("empty file, nothing to translate", file=name)
        encoding, skip = "utf-8", 0
        if head.startswith(codecs.BOM_UTF8):
            skip = len(codecs.BOM_UTF8)
        elif head.startswith(_UTF16_BOMS):
            encoding = "utf-16"
        elif b"\x00" in head[:8192]:
            raise InputError(
                "binary file (NUL bytes); expected UTF-8 text, or UTF-16 with a BOM", file=name
            )
        decoder = codecs.getincrementaldecoder(encoding)()
        offset, lines, data = 0, 0, head[skip:]
        while True:
            final = not data
            held = decoder.getstate()[0]  # bytes of a character cut by the last chunk
            try:
                text = decoder.decode(data, final=final)
            except UnicodeDecodeError as err:
                joined = held + data
                line = lines - held.count(b"\n") + joined[: err.start].count(b"\n") + 1
                bad = joined[err.start] if err.start < len(joined) else 0
                raise InputError(
                    f"not valid {encoding.upper()} (byte 0x{bad:02x} at offset "
                    f"{offset - len(held) + err.start}); save the file as UTF-8",
                    file=name,
                    line=line if encoding == "utf-8" else None,
                ) from None
            if "\x00" in text:
                raise InputError("binary file (NUL characters)", file=name)
            if text:
                yield text
            if final:
                return
            offset += len(data)
            lines += data.count(b"\n")
            if offset + skip > limit:
                raise InputError(
                    f"larger than {limit // (1024 * 1024)} MB; not read "
                    "(TRANSKIT_MAX_INPUT_MB raises the limit)",
                    file=name,
                )
            try:
                data = handle.read(chunk_bytes)
            except OSError as err:
                raise InputError(f"cannot read ({err.strerror or err})", file=name) from None


def stream_segments(
    path: str | Path, end: SegmentStream, *, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[Segment]:
    """The segments of a text file, as `segment_document` makes them, one by one.

    When the iterator is exhausted, ``end`` holds the trailing text and the
    count.  Raises `InputError` for what `read_document` refuses (an empty or
    whitespace-only file, bad bytes), at the point where it is found.
    """
    from transkit.text.segment import segment_spans

    name = str(path)
    p = Path(path)
    if p.is_dir():
        raise InputError("is a directory, not a text file", file=name)
    carry = ""  # text after the last line break so far
    base = 0  # document offset of carry[0]
    previous = 0  # document offset where the last segment ended
    pending = ""  # the text since ``previous`` not yet given to a segment
    number = 0
    for text in _decoded_chunks(p, name, chunk_bytes):
        buffer = carry + text
        cut = max(buffer.rfind(c) for c in _BREAKS) + 1
        if cut == 0:
            carry = buffer
            continue
        piece, carry = buffer[:cut], buffer[cut:]
        for segment in _segments_of(piece, base, previous, pending, number, segment_spans):
            number += 1
            previous = segment.end
            yield segment
        pending = piece[previous - base :] if previous >= base else pending + piece
        base += len(piece)
    if carry:
        for segment in _segments_of(carry, base, previous, pending, number, segment_spans):
            number += 1
            previous = segment.end
            yield segment
        pending = carry[previous - base :] if previous >= base else pending + carry
    if number == 0:
        raise InputError("file holds only whitespace, nothing to translate", file=name)
    end.trailing = pending
    end.count = number


def _segments_of(
    piece: str,
    base: int,
    previous: int,
    pending: str,
    number: int,
    spans_of: Callable[[str], list[tuple[int, int]]],
) -> Iterator[Segment]:
    """The segments of ``piece`` (starting at document offset ``base``).

    ``pending`` is the text between the previous segment's end and ``base``:
    the first segment's leading text begins with it.
    """
    first = True
    for start, end in spans_of(piece):
        number += 1
        if first:
            leading = pending + piece[:start] if previous < base else piece[previous - base : start]
            first = False
        else:
            leading = piece[previous - base : start]
        yield Segment(
            id=str(number),
            source=piece[start:end],
            leading=leading,
            start=base + start,
            end=base + end,
        )
        previous = base + end
