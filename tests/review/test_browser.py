"""The review page in a real browser: Debian's headless Chromium via chromedriver.

The seed is translated by the real pipeline (the project's tiny test model and
the project glossary); the page and the JSON QA report of that same run are
compared in the browser's DOM.  Skips, saying why, without chromium.

``TRANSKIT_SCREENSHOT=docs/review.png`` also copies the screenshot there (that
is how the README's picture is made).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from chromium_harness import console_errors, open_browser, require_chromium

from transkit.data import Document, Segment, TermCheck, TermMatch
from transkit.review import render_review

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]
SECOND = ROOT / "tests" / "data" / "formats" / "sample.de.txt"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    with open_browser() as driver:
        yield driver


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The seed (and a second file) translated by the installed ``transkit`` command.

    Returns the seed's review page and the JSON QA report of the same run.
    """
    from conftest import private_env

    base = tmp_path_factory.mktemp("seed")
    out = base / "out"
    exe = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"
    proc = subprocess.run(
        [exe, "translate", str(SEED.relative_to(ROOT)), str(SECOND.relative_to(ROOT)),
         "--model", str(MODEL), "--glossary", "glossary", "--out", str(out),
         "--formats", "txt,html", "--report", str(base / "report.json"), "-q"],
        capture_output=True, text=True, env=private_env(base), check=False, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    stem = SEED.name[: -len(".txt")]
    assert names == sorted(
        [f"{stem}.en.txt", f"{stem}.de-en.html", "sample.de.en.txt", "sample.de.de-en.html"]
        + ["index.html"]
    )
    return out / f"{stem}.de-en.html", json.loads((base / "report.json").read_text("utf-8"))


def _open(driver: Any, path: Path) -> None:
    driver.get_log("browser")  # drop messages from earlier pages
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def _rows(driver: Any) -> list[Any]:
    return driver.find_elements("css selector", "#segments tbody tr.seg")


_CELL_TEXT = "return arguments[0].textContent;"
#: (concept id, verdict) of each term link in an element: the verdict is the
#: link's ``t-*`` class, the concept the glossary row its ``k*`` class names.
_TERMS = """
return Array.from(arguments[0].querySelectorAll('a.hl')).map(a => {
  const cls = Array.from(a.classList);
  const key = cls.find(c => /^k[0-9]+$/.test(c));
  const row = key && document.getElementById(key);
  return [row ? row.querySelector('th').textContent : null,
          cls.find(c => c.startsWith('t-')).slice(2)];
});
"""
_POP_UP = "return getComputedStyle(arguments[0], '::before').content;"
_CONTENT_VISIBILITY = "return getComputedStyle(arguments[0].closest('tbody')).contentVisibility;"


def test_every_segment_is_present_and_term_highlights_match_the_qa_report(
    browser: Any, seed_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    page, report = seed_run
    _open(browser, page)
    file_report = report["files"][0]
    assert file_report["file"] == str(SEED.relative_to(ROOT))
    detail = file_report["segments_detail"]
    rows = _rows(browser)
    assert len(rows) == len(detail) == file_report["segments"]
    for row, seg in zip(rows, detail, strict=True):
        assert row.get_attribute("data-id") == seg["id"]
        src = row.find_element("css selector", "td.src")
        tgt = row.find_element("css selector", "td.tgt")
        assert browser.execute_script(_CELL_TEXT, src) == seg["source"]
        assert browser.execute_script(_CELL_TEXT, tgt) == seg["target"]
        assert (src.get_attribute("lang"), tgt.get_attribute("lang")) == ("de", "en")
        # German: one highlight per check, same concept, same verdict, in order.
        german = [tuple(pair) for pair in browser.execute_script(_TERMS, src)]
        expected = [
            (
                c["concept"],
                "ok" if c["satisfied"] else ("forbidden" if c["forbidden_found"] else "failed"),
            )
            for c in seg["checks"]
        ]
        assert [g for g in german if g[1] != "compound"] == expected, seg["id"]
        # English: every satisfied term is highlighted as found (the pipeline may
        # capitalise it afterwards at the start of a sentence), nothing else is "ok".
        english_ok = sorted(
            a.get_attribute("textContent").casefold()
            for a in tgt.find_elements("css selector", "a.hl.t-ok")
        )
        assert english_ok == sorted(c["found"].casefold() for c in seg["checks"] if c["satisfied"])
        forbidden = tgt.find_elements("css selector", "a.hl.t-forbidden")
        assert len(forbidden) == sum(len(c["forbidden_found"]) for c in seg["checks"])
    summary = {
        d.find_element("tag name", "dt").text: d.find_element("tag name", "dd").text
        for d in browser.find_elements("css selector", "#summary > div")
    }
    assert summary["Terms required"] == str(file_report["terms_required"])
    assert summary["Terms satisfied"] == str(file_report["terms_satisfied"])
    assert summary["Terms failed"] == str(file_report["terms_failed"])
    assert summary["Model"] == report["model"]
    glossary = report["glossaries"][0]
    assert summary["Glossary"] == f"glossary/geopolitics.tsv ({glossary['entries']} entries)"
    assert glossary["file"].endswith("glossary/geopolitics.tsv")

    # Focus a satisfied term: its concept pops up and its English partner is outlined.
    link = browser.find_element("css selector", "td.src a.hl.t-ok")
    assert browser.execute_script(_POP_UP, link) == "none"
    browser.execute_script("arguments[0].focus()", link)
    pop_up = browser.execute_script(_POP_UP, link)
    concept = browser.execute_script(_TERMS, link.find_element("xpath", ".."))[0][0]
    assert "satisfied" in pop_up and "approved: " in pop_up and f"concept: {concept}" in pop_up
    assert f"{link.text.rstrip()} \u2192 " in pop_up  # spaces survive the CSS escapes
    # The cell is rendered normally while focused, so the pop-up is not clipped.
    assert browser.execute_script(_CONTENT_VISIBILITY, link) == "visible"
    # The same concept, described for screen readers: verdict and glossary row.
    verdict, row = link.get_attribute("aria-describedby").split()
    assert browser.find_element("id", verdict).text == "satisfied"
    assert browser.find_element("id", row).find_element("tag name", "th").text == concept
    partner = browser.find_element("id", link.get_attribute("href").split("#")[1])
    assert "linked" in partner.get_attribute("class")
    shot = tmp_path / "review.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    if os.environ.get("TRANSKIT_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["TRANSKIT_SCREENSHOT"])
    assert console_errors(browser) == []


def _visible_rows(driver: Any) -> list[str]:
    return [r.get_attribute("data-id") for r in _rows(driver) if r.is_displayed()]


def _check_filter(driver: Any, doc: Document) -> None:
    flagged = [
        s.id
        for s in doc.segments
        if s.target is None or not all(c.satisfied for c in s.checks) or s.method == "failed"
    ]
    satisfied = [s.id for s in doc.segments if s.id not in flagged]
    assert flagged and satisfied, "the sample needs both kinds of segment"
    assert _visible_rows(driver) == [s.id for s in doc.segments]
    driver.find_element("css selector", 'label[for="only-flagged"]').click()
    assert driver.find_element("id", "only-flagged").is_selected()
    assert _visible_rows(driver) == flagged
    driver.find_element("css selector", 'label[for="only-flagged"]').click()
    assert _visible_rows(driver) == [s.id for s in doc.segments]


def test_filter_hides_the_satisfied_segments(
    browser: Any, sample_document: Document, tmp_path: Path
) -> None:
    page = tmp_path / "sample.de-en.html"
    page.write_text(render_review(sample_document), "utf-8")
    _open(browser, page)
    _check_filter(browser, sample_document)
    shown = browser.find_element("id", "shown").text
    assert (
        shown
        == f"Showing {len(sample_document.segments)} of {len(sample_document.segments)} segments."
    )
    assert console_errors(browser) == []


def test_filter_and_pop_ups_work_without_javascript(
    sample_document: Document, tmp_path: Path
) -> None:
    require_chromium()
    page = tmp_path / "sample.de-en.html"
    page.write_text(render_review(sample_document), "utf-8")
    with open_browser(javascript=False) as driver:
        _open(driver, page)
        assert driver.find_element("id", "shown").text == ""  # the script did not run
        _check_filter(driver, sample_document)
        link = driver.find_element("css selector", "td.src a.hl")
        assert driver.execute_script(_POP_UP, link) == "none"
        driver.execute_script("arguments[0].focus()", link)
        assert "approved: " in driver.execute_script(_POP_UP, link)


def test_keyboard_reaches_filter_and_terms_and_n_jumps_to_flagged(
    browser: Any, sample_document: Document, tmp_path: Path
) -> None:
    from selenium.webdriver.common.keys import Keys

    page = tmp_path / "sample.de-en.html"
    page.write_text(render_review(sample_document), "utf-8")
    _open(browser, page)
    body = browser.find_element("tag name", "body")
    seen = []
    for _ in range(12):
        body = browser.switch_to.active_element
        body.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
        seen.append((active.tag_name, active.get_attribute("id") or active.get_attribute("class")))
    assert seen[0] == ("a", "skip")
    assert ("input", "only-flagged") in seen
    assert any(cls == "hl" or (tag == "a" and cls.endswith("-de")) for tag, cls in seen)
    # Space on the focused checkbox turns the filter on.
    box = browser.find_element("id", "only-flagged")
    browser.execute_script("arguments[0].focus()", box)
    box.send_keys(Keys.SPACE)
    assert box.is_selected()
    browser.switch_to.active_element.send_keys(Keys.SPACE)
    assert not box.is_selected()
    # "n" moves focus to the first flagged segment's number.
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    browser.find_element("tag name", "body").send_keys("n")
    active = browser.switch_to.active_element
    row = active.find_element("xpath", "ancestor::tr")
    assert "flagged" in row.get_attribute("class")
    assert console_errors(browser) == []


_CONTRAST = """
function rgb(c) { const m = c.match(/[\\d.]+/g).map(Number); return m; }
function lum(c) {
  const [r, g, b] = rgb(c).slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function bg(el) {
  for (; el; el = el.parentElement) {
    const c = getComputedStyle(el).backgroundColor; const v = rgb(c);
    if (v.length < 4 || v[3] > 0) return c;
  }
  return 'rgb(255, 255, 255)';
}
const out = [];
for (const el of document.querySelectorAll(arguments[0])) {
  const a = lum(getComputedStyle(el).color), b = lum(bg(el));
  out.push([el.className + ':' + el.textContent.slice(0, 20),
            (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
}
return out;
"""


def test_text_and_highlights_have_enough_contrast(
    browser: Any, sample_document: Document, tmp_path: Path
) -> None:
    page = tmp_path / "sample.de-en.html"
    page.write_text(render_review(sample_document), "utf-8")
    _open(browser, page)
    ratios = browser.execute_script(
        _CONTRAST,
        "a.hl, td.src, td.tgt, .flagtag, td.chk > span, dl.summary dt, dl.summary dd, th",
    )
    assert ratios
    low = [(name, round(r, 2)) for name, r in ratios if r < 4.5]
    assert low == []


def test_print_layout_shows_every_row_and_no_controls(
    browser: Any, sample_document: Document, tmp_path: Path
) -> None:
    page = tmp_path / "sample.de-en.html"
    page.write_text(render_review(sample_document), "utf-8")
    _open(browser, page)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element("id", "only-flagged").is_displayed()
        assert len(_visible_rows(browser)) == len(sample_document.segments)
        last = browser.find_elements("css selector", "td.src a.hl")[-1]
        assert browser.execute_script(_CONTENT_VISIBILITY, last) == "visible"
        glyph = browser.execute_script(
            "return getComputedStyle(document.querySelector('a.hl.t-ok'), '::after').content"
        )
        assert glyph == '"\u2713"'
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {})["data"])
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2


def _long_document(doc: Document, groups: int = 3) -> Document:
    """The sample's segments repeated over several row groups (new ids)."""
    from transkit.review.chunks import ROWS_PER_GROUP

    n = groups * ROWS_PER_GROUP - 4
    pool = doc.segments
    return replace(doc, segments=tuple(replace(pool[i % len(pool)], id=f"r{i}") for i in range(n)))


_GROUP_HEIGHTS = """
return Array.from(document.querySelectorAll('#segments > tbody')).map(
  b => [b.className, getComputedStyle(b).contentVisibility, b.getBoundingClientRect().height]);
"""


def test_row_groups_off_screen_are_skipped_yet_reachable(
    browser: Any, sample_document: Document, tmp_path: Path
) -> None:
    doc = _long_document(sample_document, groups=8)  # more than a screen when filtered
    page = tmp_path / "long.de-en.html"
    page.write_text(render_review(doc), "utf-8")
    _open(browser, page)
    assert len(_rows(browser)) == len(doc.segments)
    groups = browser.execute_script(_GROUP_HEIGHTS)
    assert len(groups) == 8 and {cv for _, cv, _ in groups} == {"auto"}
    # "n" and "p" step through the flagged segments, into skipped groups too.
    flagged = [r.get_attribute("id") for r in browser.find_elements("css selector", "tr.flagged")]
    assert len(flagged) > 4 and flagged[3] not in {
        r.get_attribute("id") for r in _rows(browser)[:25]
    }
    browser.find_element("tag name", "body").send_keys("n")
    for key, expected in (("n", 1), ("n", 2), ("n", 3), ("p", 2)):
        browser.switch_to.active_element.send_keys(key)
        active = browser.switch_to.active_element
        assert active.find_element("xpath", "ancestor::tr").get_attribute("id") == flagged[expected]
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    # The last group is off screen: not laid out, it takes its estimated height.
    last_class, _, last_height = groups[-1]
    assert last_height == int(last_class[1:]) * 100
    # A link into it shows the row, clear of the sticky header.
    number = max(i for i, s in enumerate(doc.segments, 1) if s.terms)
    browser.get(f"{page.as_uri()}#s{number}")
    row = browser.find_element("id", f"s{number}")
    header = browser.find_element("css selector", "#segments > thead")
    assert row.is_displayed()
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", row)
    assert top >= header.size["height"]
    # Its terms pop up when focused; the group is then rendered in full.
    link = row.find_element("css selector", "td.src a.hl")
    browser.execute_script("arguments[0].focus()", link)
    assert "approved: " in browser.execute_script(_POP_UP, link)
    assert browser.execute_script(_CONTENT_VISIBILITY, link) == "visible"
    # The filter leaves no gap where a group holds no flagged row.
    flagged = sum(
        1 for s in doc.segments if s.target is None or not all(c.satisfied for c in s.checks)
    )
    browser.find_element("css selector", 'label[for="only-flagged"]').click()
    assert len(_visible_rows(browser)) == flagged
    assert {cv for _, cv, _ in browser.execute_script(_GROUP_HEIGHTS)} == {"visible"}
    visible_height = browser.execute_script(
        "return Array.from(document.querySelectorAll('#segments tr.seg'))"
        ".reduce((sum, r) => sum + r.getBoundingClientRect().height, 0);"
    )
    groups_height = sum(h for _, _, h in browser.execute_script(_GROUP_HEIGHTS))
    assert groups_height == pytest.approx(visible_height, abs=1)
    browser.find_element("css selector", 'label[for="only-flagged"]').click()
    assert console_errors(browser) == []


def test_table_semantics_survive_the_grid_layout(sample_document: Document, tmp_path: Path) -> None:
    """With accessibility on (as under a screen reader), Chromium exposes every row,
    header and cell, skipped groups included, as a table."""
    import collections

    doc = _long_document(sample_document)
    page = tmp_path / "long.de-en.html"
    page.write_text(render_review(doc), "utf-8")
    require_chromium()
    with open_browser(arguments=("--force-renderer-accessibility",)) as driver:
        _open(driver, page)
        nodes = driver.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
        roles = collections.Counter(
            n.get("role", {}).get("value") for n in nodes if not n.get("ignored")
        )
        count = "return document.querySelectorAll(arguments[0]).length;"
        assert roles["row"] == driver.execute_script(count, "tr")
        assert roles["rowheader"] == driver.execute_script(count, 'th[scope="row"]')
        assert roles["columnheader"] == driver.execute_script(count, 'th[scope="col"]')
        assert roles["cell"] == driver.execute_script(count, "td")
        assert roles["table"] == driver.execute_script(count, "table")
        assert driver.execute_script(count, "#segments tr.seg") == len(doc.segments)


def test_hostile_text_runs_no_script(browser: Any, tmp_path: Path) -> None:
    hostile = (
        '"><script>window.pwned=1</script><img src=x onerror="window.pwned=2">\u202eevil\u202c'
    )
    seg = Segment(
        "1",
        "Peking " + hostile,
        "Beijing " + hostile,
        terms=(TermMatch("c<x>", "Peking", "Peking", 0, 6, required=("Beijing",)),),
        checks=(TermCheck("c<x>", "Peking", ("Beijing",), True, "Beijing"),),
        origin=hostile,
        notes=(hostile,),
    )
    page = tmp_path / "evil.html"
    page.write_text(render_review(Document(name=hostile, segments=(seg,))), "utf-8")
    _open(browser, page)
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_elements("css selector", "img") == []
    src = browser.find_element("css selector", "td.src")
    assert "<script>window.pwned=1</script>" in src.text
    assert [b.text for b in src.find_elements("css selector", ".ctl")] == ["U+202E", "U+202C"]
    assert console_errors(browser) == []


def test_index_links_every_page(browser: Any, sample_document: Document, tmp_path: Path) -> None:
    from transkit.review import write_review

    other = replace(sample_document, name="b.txt", segments=sample_document.segments[:3])
    write_review(
        [(sample_document, tmp_path / "a.de-en.html"), (other, tmp_path / "b.de-en.html")],
        index=tmp_path / "index.html",
    )
    _open(browser, tmp_path / "index.html")
    links = browser.find_elements("css selector", "#files tbody a")
    assert [a.text for a in links] == [sample_document.name, "b.txt"]
    links[1].click()
    assert len(_rows(browser)) == 3
    browser.find_element("css selector", "nav a").click()
    assert browser.current_url.endswith("/index.html")
    assert console_errors(browser) == []


def test_seed_page_matches_the_qa_report_read_with_lxml(
    seed_run: tuple[Path, dict[str, Any]],
) -> None:
    """The same comparison without a browser (runs where chromium is missing)."""
    from lxml import html as lhtml

    page, report = seed_run
    root = lhtml.document_fromstring(page.read_text("utf-8"))
    concept_of = {
        tr.get("id"): tr.cssselect("th")[0].text for tr in root.cssselect("#concepts tr[id]")
    }
    detail = report["files"][0]["segments_detail"]
    rows = root.cssselect("#segments tbody tr.seg")
    assert [r.get("data-id") for r in rows] == [s["id"] for s in detail]
    for row, seg in zip(rows, detail, strict=True):
        got = []
        for a in row.cssselect("td.src a.hl"):
            classes = a.get("class").split()
            key = next((c for c in classes if c[1:].isdigit() and c[0] == "k"), None)
            status = next(c[2:] for c in classes if c.startswith("t-"))
            if status != "compound":
                got.append((concept_of.get(key), status))
        expected = [
            (
                c["concept"],
                "ok" if c["satisfied"] else "forbidden" if c["forbidden_found"] else "failed",
            )
            for c in seg["checks"]
        ]
        assert got == expected, seg["id"]
