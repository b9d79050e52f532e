"""`transkit review FILE.xlf`: the page of a post-edited XLIFF, terms checked again."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lhtml

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.errors import FormatError, TranskitError
from transkit.formats.xliff import XLIFF2_NS, XLIFF12_NS, write_xliff
from transkit.review.workflow import review_xliff

GLOSSARY = (
    "id\tde\ten\tstatus\tnote\n"
    "c-peking\tPeking\tBeijing\tpreferred\tThe capital; also the government\n"
    "c-peking\tPeking\tPeking\tforbidden\tOutdated romanization\n"
    "c-rare\tseltene Erden\trare earths\tpreferred\t\n"
)


def _mt_document() -> Document:
    """What the engine delivered: segment 1 used the forbidden form."""

    def seg(i: int, source: str, target: str, terms, checks) -> Segment:
        return Segment(str(i), source, target, leading="\n" if i > 1 else "", terms=terms,
                       checks=checks, method="nbest", origin="argos:test 1.0",
                       state="mt")  # fmt: skip

    peking = TermMatch(
        "c-peking", "Peking", "Peking", 0, 6, required=("Beijing",), forbidden=("Peking",)
    )
    rare = TermMatch("c-rare", "seltene Erden", "Seltene Erden", 0, 13, required=("rare earths",))
    return Document(
        name="news.txt",
        segments=(
            seg(
                1,
                "Peking kontrolliert.",
                "Peking controls.",
                (peking,),
                (TermCheck("c-peking", "Peking", ("Beijing",), False, "", ("Peking",)),),
            ),
            seg(
                2,
                "Seltene Erden sind knapp.",
                "Rare earths are scarce.",
                (rare,),
                (TermCheck("c-rare", "Seltene Erden", ("rare earths",), True, "Rare earths"),),
            ),
            seg(3, "Es regnet.", "It rains.", (), ()),
        ),  # fmt: skip
        metadata={"original": "news.txt"},
    )


def _post_edit(path: Path, targets: dict[int, str]) -> None:
    tree = etree.parse(str(path))
    root = tree.getroot()
    v2 = etree.QName(root).namespace == XLIFF2_NS
    ns = XLIFF2_NS if v2 else XLIFF12_NS
    units = root.findall(f".//{{{ns}}}segment" if v2 else f".//{{{ns}}}trans-unit")
    for index, text in targets.items():
        target = units[index].find(f"{{{ns}}}target")
        for child in list(target):
            target.remove(child)
        target.text = text
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


@pytest.fixture(params=["1.2", "2.1"])
def edited(request, tmp_path: Path) -> tuple[Path, Path]:
    """An XLIFF where the translator fixed segment 1 and broke segment 2."""
    xlf = tmp_path / "news.de-en.xlf"
    write_xliff([_mt_document()], xlf, version=request.param)
    _post_edit(xlf, {0: "Beijing controls.", 1: "Rare earth elements are scarce."})
    glossary = tmp_path / "glossary.tsv"
    glossary.write_text(GLOSSARY, "utf-8")
    return xlf, glossary


def _status(link) -> str:
    return next(c[2:] for c in link.get("class").split() if c.startswith("t-"))


def _rows(page: Path):
    return lhtml.document_fromstring(page.read_text("utf-8")).cssselect("tr.seg")


def test_review_shows_post_edited_targets_with_fresh_verdicts(edited) -> None:
    xlf, glossary = edited
    result = review_xliff(xlf, glossary_paths=(glossary,))
    assert result.pages == (xlf.with_name("news.de-en.html"),) and result.index is None
    rows = _rows(result.pages[0])
    assert [r.cssselect("td.tgt")[0].text_content() for r in rows] == [
        "Beijing controls.",
        "Rare earth elements are scarce.",
        "It rains.",
    ]
    verdicts = [[_status(a) for a in r.cssselect("td.src a.hl")] for r in rows]
    assert verdicts == [["ok"], ["failed"], []]
    assert [("flagged" in r.get("class")) for r in rows] == [False, True, False]
    english = rows[0].cssselect("td.tgt a.hl")[0]
    assert (english.text, _status(english)) == ("Beijing", "ok")
    page = result.pages[0].read_text("utf-8")
    root = lhtml.document_fromstring(page)
    concept_row = root.cssselect("#concepts tbody tr")[0]
    assert "The capital; also the government" in concept_row.text_content()
    assert "note: The capital" in root.cssselect("style")[0].text  # the pop-up text
    assert "argos:test 1.0" in page and "post-editing" in page
    summary = {
        div.cssselect("dt")[0].text_content(): div.cssselect("dd")[0].text_content()
        for div in root.cssselect("#summary > div")
    }
    assert summary["Target states"] == "mt 1, translated 2"  # the two edited segments


def test_review_without_glossary_says_no_term_was_checked(edited) -> None:
    xlf, _ = edited
    result = review_xliff(xlf, out=xlf.with_name("plain.html"))
    page = result.pages[0].read_text("utf-8")
    assert "no glossary given, so no term is checked" in page
    assert not lhtml.document_fromstring(page).cssselect("td a.hl")


def test_several_documents_get_pages_and_an_index(tmp_path: Path) -> None:
    from dataclasses import replace

    first = _mt_document()
    second = replace(first, name="other.txt", metadata={"original": "dir/other.txt"})
    xlf = tmp_path / "batch.xlf"
    write_xliff([first, second], xlf)
    result = review_xliff(xlf)
    assert [p.name for p in result.pages] == ["news.de-en.html", "other.de-en.html"]
    assert result.index == tmp_path / "batch.de-en.html"
    index = lhtml.document_fromstring(result.index.read_text("utf-8"))
    assert [a.get("href") for a in index.cssselect("#files a")] == [
        "news.de-en.html",
        "other.de-en.html",
    ]


def test_bad_inputs_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlf"
    bad.write_text("<xliff><file>", "utf-8")
    with pytest.raises(FormatError, match="bad.xlf"):
        review_xliff(bad)
    assert not list(tmp_path.glob("*.html"))
    xlf = tmp_path / "news.xlf"
    write_xliff([_mt_document()], xlf)
    with pytest.raises(TranskitError, match="overwrite the XLIFF"):
        review_xliff(xlf, out=xlf)
    (tmp_path / "dir.html").mkdir()
    with pytest.raises(TranskitError, match="is a directory"):
        review_xliff(xlf, out=tmp_path / "dir.html")


def _transkit() -> str:
    return shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"


def test_cli_review_writes_the_page_and_strict_fails_on_terms(edited, tmp_path: Path) -> None:
    xlf, glossary = edited
    cmd = [_transkit(), "review", str(xlf), "--glossary", str(glossary)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "news.txt: 3 segments, 2 terms required, 1 satisfied, 1 failed" in proc.stdout
    assert xlf.with_name("news.de-en.html").exists()
    proc = subprocess.run([*cmd, "--strict"], capture_output=True, text=True, check=False)
    assert proc.returncode == 3 and "1 glossary term(s) failed" in proc.stderr


def test_cli_review_reports_a_missing_file_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [_transkit(), "review", str(tmp_path / "none.xlf"), "--no-glossary"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and "none.xlf" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_merge_rechecks_post_edited_targets(edited, tmp_path: Path) -> None:
    from transkit.merge import merge_xliff

    xlf, glossary = edited
    result = merge_xliff(xlf, glossary_paths=(glossary,))
    (counts,) = result.documents
    assert (counts.terms_required, counts.terms_failed) == (2, 1)
    assert "terms re-checked: 2 required, 1 satisfied, 1 failed" in counts.summary()
    assert [str(f) for f in result.failures] == [
        "news.txt: segment 2: 'Seltene Erden' needs 'rare earths'"
    ]
    plain = merge_xliff(xlf)
    assert plain.failures == () and plain.documents[0].terms_required is None
    proc = subprocess.run(
        [_transkit(), "merge", str(xlf), "--glossary", str(glossary), "--strict-terms"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert "term failed: news.txt: segment 2" in proc.stdout


def test_merge_does_not_count_a_kept_source_as_a_failed_term(tmp_path: Path) -> None:
    from transkit.merge import merge_xliff

    xlf = tmp_path / "news.de-en.xlf"
    write_xliff([_mt_document()], xlf)
    _post_edit(xlf, {0: "", 1: "Rare earths are scarce."})  # unit 1 emptied: source kept
    glossary = tmp_path / "glossary.tsv"
    glossary.write_text(GLOSSARY, "utf-8")
    result = merge_xliff(xlf, glossary_paths=(glossary,))
    (counts,) = result.documents
    assert counts.untranslated == 1
    assert (counts.terms_required, counts.terms_failed) == (1, 0)
    assert result.failures == ()
    page = review_xliff(xlf, glossary_paths=(glossary,)).pages[0]
    first = _rows(page)[0]
    assert "untranslated" in first.get("data-flags")
    assert [_status(a) for a in first.cssselect("td.src a.hl")] == ["pending"]
