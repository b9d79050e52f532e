"""Links in the review index open the page they name, whatever the name, and never run code."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lhtml

from transkit.data import Document, Segment
from transkit.formats.xliff import write_xliff
from transkit.review import relative_href
from transkit.review.workflow import review_xliff

HOSTILE_NAMES = [
    "javascript:alert(9).txt",
    "JaVaScRiPt:alert(1)",
    "data:text/html,x.txt",
    "a#b.txt",
    "what?.txt",
    "100%.txt",
    " leading space.txt",
    "%2e%2e.txt",
    "über & <b>.txt",
]


def _document(name: str) -> Document:
    seg = Segment("1", "Der Hund schläft.", "The dog sleeps.", state="translated")
    return Document(name=name, segments=(seg,), metadata={"original": name})


def _assert_opens(href: str, folder: Path) -> None:
    parts = urlsplit(href)
    assert parts.scheme == "" and parts.netloc == "" and not parts.query and not parts.fragment
    assert (folder / unquote(parts.path)).is_file(), href


def test_hostile_originals_get_working_links_and_no_scheme(tmp_path: Path) -> None:
    documents = [_document(name) for name in HOSTILE_NAMES]
    xlf = tmp_path / "batch.xlf"
    write_xliff(documents, xlf)
    result = review_xliff(xlf)
    assert result.index is not None
    index = lhtml.document_fromstring(result.index.read_text("utf-8"))
    hrefs = [a.get("href") for a in index.cssselect("#files a")]
    assert len(hrefs) == len(HOSTILE_NAMES)
    for href in hrefs:
        assert ":" not in href  # so no scheme, whatever a browser's parser does
        _assert_opens(href, result.index.parent)
    for page in result.pages:
        back = lhtml.document_fromstring(page.read_text("utf-8")).cssselect("nav a")[0]
        _assert_opens(back.get("href"), page.parent)


@settings(max_examples=200)
@given(
    name=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
        min_size=1,
        max_size=30,
    ).filter(lambda n: n not in (".", "..")),
    depth=st.integers(0, 2),
)
def test_relative_href_round_trips_any_name(name: str, depth: int) -> None:
    base = Path("/srv/out")
    page = base.joinpath(*(["sub"] * depth), name)
    href = relative_href(page, base)
    parts = urlsplit(href)
    assert parts.scheme == "" and not parts.query and not parts.fragment
    assert unquote(parts.path) == "/".join([*(["sub"] * depth), name])


def test_same_stem_documents_still_differ(tmp_path: Path) -> None:
    first = _document("a#1.txt")
    second = replace(_document("a#2.txt"))
    xlf = tmp_path / "two.xlf"
    write_xliff([first, second], xlf)
    result = review_xliff(xlf)
    index = lhtml.document_fromstring(result.index.read_text("utf-8"))
    assert [a.get("href") for a in index.cssselect("#files a")] == [
        "a%231.de-en.html",
        "a%232.de-en.html",
    ]
