"""OmegaT's glossary format has no escape for a tab or line break: such entries are
reported, and every count says what was really written."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transkit.data import Document, GlossaryEntry, Segment
from transkit.formats.omegat import write_omegat_project
from transkit.formats.termcsv import read_term_csv, write_term_csv

ENTRIES = [
    GlossaryEntry("ok", "Hund", "dog"),
    GlossaryEntry("tab", "Kat\tze", "cat"),
    GlossaryEntry("nl", "Maus", "mou\nse"),
]


def test_export_counts_and_reports_what_omegat_cannot_hold(tmp_path: Path) -> None:
    notes: list[str] = []
    written = write_term_csv(ENTRIES, tmp_path / "g.txt", "omegat", problems=notes)
    lines = (tmp_path / "g.txt").read_text("utf-8").splitlines()
    assert written == len(lines) == 1
    assert len(notes) == 2 and all("not exported to OmegaT" in n for n in notes)


@settings(max_examples=80)
@given(
    st.lists(
        st.tuples(
            st.text("ab\t\n ", min_size=1, max_size=5), st.text("xy\t\n ", min_size=1, max_size=5)
        ),
        max_size=8,
    )
)
def test_written_plus_reported_accounts_for_every_entry(pairs) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    entries = [GlossaryEntry(f"e{i}", de, en) for i, (de, en) in enumerate(pairs)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "g.txt"
        notes: list[str] = []
        written = write_term_csv(entries, path, "omegat", problems=notes)
        text = path.read_text("utf-8")
        assert written == len([line for line in text.split("\n") if line])

        def good(term: str, source: bool) -> bool:
            bad = not term.strip() or any(c in term for c in "\t\r\n")
            return not bad and not (source and term.startswith("#"))

        pairs_ = {(e.de, e.en) for e in entries}
        bad_sources = {de for de, _ in pairs_ if not good(de, True)}
        kept = {(de, en) for de, en in pairs_ if de not in bad_sources}
        assert written == len({p for p in kept if good(p[1], False)})
        assert len(notes) == len(bad_sources) + len({p for p in kept if not good(p[1], False)})
        if written:
            assert len(read_term_csv(path, "omegat")) == written


def test_formats_omegat_reports_left_out_entries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seg = Segment("1", "Der Hund schläft.", "The dog sleeps.", state="mt")
    document = Document(name="x.txt", segments=(seg,))
    with caplog.at_level(logging.WARNING):
        write_omegat_project(document, "x.txt", tmp_path / "p", entries=ENTRIES)
    [note] = [r.getMessage() for r in caplog.records if "not exported to OmegaT" in r.getMessage()]
    assert "2 glossary entries" in note and "\n" not in note
    assert (tmp_path / "p" / "glossary" / "glossary.txt").read_text("utf-8").count("\n") == 1
