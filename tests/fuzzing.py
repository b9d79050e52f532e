"""Shared helpers for the reader fuzz tests (Hypothesis).

Every reader gets hostile bytes: random data, and mutations of valid
samples (bytes flipped, cut, repeated; DTDs, entities, deep nesting, NULs,
BOMs, surrogates spliced in).  The property is always the same: the reader
returns, or raises a `TranskitError` whose message is one line starting with
the file's name.  Anything else - any other exception - is a traceback a
user would see, and fails the test.

``TRANSKIT_FUZZ_EXAMPLES`` sets the examples per test (default 60, so CI
stays quick); the big run in the README uses 3000.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from transkit.errors import GlossaryError, TranskitError

EXAMPLES = int(os.environ.get("TRANSKIT_FUZZ_EXAMPLES", "60"))

#: Snippets that have broken parsers before.
SNIPPETS = [
    b"\x00",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xed\xa0\x80",  # a UTF-8-encoded surrogate
    b"\r\n",
    b"\r",
    b"\t",
    b'"',
    b"'",
    b"=cmd|' /C calc'!A0",
    b"<!DOCTYPE x [<!ENTITY e 'boom'>]>",
    b'<!DOCTYPE x SYSTEM "file:///etc/passwd">',
    b"&e;",
    b"&co;",
    b"&#0;",
    b"&#xD800;",
    b"<![CDATA[",
    b"]]>",
    b"<g>" * 200,
    b"</g>",
    b"<?xml version='1.0' encoding='latin-1'?>",
    b"<!--",
    b"-->",
    b'xml:lang="de"',
    b'version="3.0"',
    b"\xc3\x28",
    "Grüße aus Peking".encode("latin-1"),
    "seltene Erden".encode("utf-16"),
    b"9" * 40,
    b"-1",
    b"null",
    b"[]",
    b"{}",
]


def fuzz_settings(scale: float = 1.0) -> Any:
    """Hypothesis settings for a fuzz test: ``EXAMPLES * scale`` examples."""
    return settings(
        max_examples=max(5, int(EXAMPLES * scale)),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


@st.composite
def mutated(draw: Callable[..., Any], seeds: list[bytes]) -> bytes:
    """A valid sample, then a few random edits (or, sometimes, random bytes)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2000))
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "delete", "repeat", "snippet"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            data = data[:at]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "repeat":
            piece = data[at : at + draw(st.integers(1, 200))]
            data[at:at] = piece * draw(st.integers(1, 20))
        else:
            data[at:at] = draw(st.sampled_from(SNIPPETS))
    return bytes(data)


def text_variants(text: str) -> list[bytes]:
    """``text`` in the encodings a user might save it in."""
    return [
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("utf-16"),
        text.replace("\n", "\r\n").encode("utf-8"),
    ]


def check_reader(read: Callable[[Path], Any], path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and read it: a result, or one clean line naming the file."""
    path.write_bytes(data)
    try:
        read(path)
    except TranskitError as err:
        assert_one_line(err, str(path))


def assert_one_line(err: TranskitError, name: str) -> None:
    """The user sees ``NAME[:LINE]: message`` - one line, naming the file."""
    lines = [err.one_line()]
    if isinstance(err, GlossaryError):
        lines += list(err.problems)
    for line in lines:
        assert "\n" not in line and "\r" not in line, line
        assert line.startswith(name), f"{line!r} does not name {name}"
        assert line[len(name) :].startswith(":"), line
