"""Tests for transkit.terms.glossary: the shipped glossary, loading checks, editing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transkit.data import GlossaryEntry
from transkit.errors import GlossaryError
from transkit.terms.edit import add_entries, add_entry, merge_plan, new_concept_id, remove_entries
from transkit.terms.glossary import (
    Glossary,
    check_entries,
    default_glossary_paths,
    load_glossaries,
    load_glossary,
    resolve_glossary_paths,
)
from transkit.terms.lint import lint_glossary
from transkit.terms.tsv import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "glossary" / "geopolitics.tsv"
HEADER = "\t".join(COLUMNS) + "\n"


def row(*cells: str) -> str:
    cells = cells + ("",) * (len(COLUMNS) - len(cells))
    return "\t".join(cells) + "\n"


def write(tmp_path: Path, text: str, name: str = "g.tsv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# ------------------------------------------------------------ shipped glossary


@pytest.fixture(scope="module")
def shipped() -> Glossary:
    return load_glossary(SHIPPED)


def test_shipped_glossary_is_large_enough(shipped: Glossary) -> None:
    assert len(shipped.entries) >= 40
    assert len(shipped.concepts()) >= 40
    assert shipped.files[0].entries == len(shipped.entries)


@pytest.mark.parametrize(
    ("de", "en"),
    [
        ("seltene Erden", "rare earths"),
        ("Exportkontrollen", "export controls"),
        ("Lieferketten", "supply chains"),
        ("Peking", "Beijing"),
        ("Tokio", "Tokyo"),
        ("Flugzeugträger", "aircraft carrier"),
        ("Verteidigungsbudget", "defense budget"),
        ("Verteidigungsausgaben", "defense spending"),
        ("Sicherheitsbündnis", "security alliance"),
        ("Unabhängigkeitserklärung", "Declaration of Independence"),
        ("US-Marine", "U.S. Navy"),
        ("Premierministerin", "prime minister"),
        ("Kirschbäume", "cherry trees"),
        ("Windkraftanlagen", "wind turbines"),
        ("Elektrofahrzeuge", "electric vehicles"),
        ("Nordkorea", "North Korea"),
        ("Außen- und Sicherheitspolitik", "foreign and security policy"),
    ],
)
def test_shipped_glossary_has_required_terms(shipped: Glossary, de: str, en: str) -> None:
    concepts = [c for c in shipped.concepts() if de in c.de]
    assert len(concepts) == 1
    assert concepts[0].preferred == en


def test_shipped_glossary_forbids_peking_and_covers_regierungschefin(shipped: Glossary) -> None:
    assert "Peking" in shipped.concept("geo-peking").forbidden
    assert "Regierungschefin" in shipped.concept("geo-regierungschefin").de


@pytest.mark.parametrize("british", ["defence", "co-operation", "colour", "organisation"])
def test_shipped_glossary_uses_us_english(shipped: Glossary, british: str) -> None:
    for concept in shipped.concepts():
        for english in concept.required:
            assert british not in english.lower(), (concept.id, english)


def test_shipped_glossary_lints_clean() -> None:
    assert lint_glossary([SHIPPED]) == []


# --------------------------------------------------------------------- loading


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (row("a", "Haus", "house", "prefered"), 2, "unknown status 'prefered'"),
        (row("a", "", "house", "preferred"), 2, "empty field 'de'"),
        (row("", "Haus", "house", "preferred"), 2, "empty field 'id'"),
        (row("a", "Haus", "", "preferred"), 2, "empty field 'en'"),
        (row("a", "Haus", "house", "preferred", "Nomen"), 2, "unknown part of speech"),
        (row("a", "Haus", "house", "preferred", "", "maybe"), 2, "dnt must be yes or no"),
        (row("a", "Haus", "house", "preferred", "", "", "upper"), 2, "case must be"),
        (row("a", "Japan", "Nippon", "preferred", "", "yes"), 2, "dnt=yes but English"),
        ("a\tHaus\n", 2, "expected 9 tab-separated fields, found 2"),
        (row("a", "Haus", "house", "preferred") * 2, 3, "duplicate entry a"),
        (
            row("a", "Haus", "house", "preferred") + row("a", "Haus", "home", "preferred"),
            3,
            "conflicting targets: concept a has several preferred",
        ),
        (
            row("a", "Haus", "house", "preferred") + row("b", "haus", "home", "preferred"),
            3,
            "conflicting targets: German 'haus'",
        ),
        (
            row("a", "Haus", "house", "preferred") + row("b", "Haus", "house", "preferred"),
            3,
            "duplicate German term 'Haus'",
        ),
        (row("a", "Haus", "house", "admitted"), 2, "concept a has no preferred English term"),
        (
            row("a", "Haus", "house", "preferred") + row("a", "Haus", "house", "forbidden"),
            3,
            "conflicting targets: 'house' is forbidden here but preferred",
        ),
        (
            row("a", "Haus", "house", "preferred", "noun")
            + row("a", "Haus", "home", "admitted", "verb"),
            3,
            "disagree on 'pos'",
        ),
    ],
)
def test_each_problem_is_reported_with_file_and_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    path = write(tmp_path, HEADER + body)
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    expected = f"{path}:{line}: "
    assert any(p.startswith(expected) and message in p for p in info.value.problems), (
        info.value.problems
    )
    assert info.value.one_line().startswith(str(path))


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    body = (
        "# comment\n"
        + HEADER
        + row("a", "Haus", "house", "bogus")
        + "\n"
        + row("b", "", "tree", "preferred")
        + row("c", "Baum", "tree", "preferred", "", "perhaps")
    )
    path = write(tmp_path, body)
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    lines = sorted(int(p.split(":")[1]) for p in info.value.problems)
    assert lines[:3] == [3, 5, 6]
    assert "and 2 more problems" in info.value.one_line()


def test_bad_encoding_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.tsv"
    path.write_bytes(
        (HEADER + row("a", "Haus", "house", "preferred")).encode()
        + row("b", "Größe", "size", "preferred").encode("latin-1")
    )
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    assert info.value.problems == [f"{path}:3: bad encoding: not UTF-8 (byte 0xf6 at column 5)"]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "id\tde\ten\n"])
def test_missing_or_incomplete_header(tmp_path: Path, text: str) -> None:
    with pytest.raises(GlossaryError, match="header"):
        load_glossary(write(tmp_path, text))


def test_optional_columns_bom_crlf_and_escapes(tmp_path: Path) -> None:
    text = "\ufeffid\tde\tstatus\ten\r\n# c\r\nx\tHaus\tpreferred\thouse\\tboat\r\n"
    g = load_glossary(write(tmp_path, text))
    (entry,) = g.entries
    assert (entry.id, entry.de, entry.en, entry.status, entry.line) == (
        "x",
        "Haus",
        "house\tboat",
        "preferred",
        3,
    )


def test_dnt_with_empty_english_means_same_as_german(tmp_path: Path) -> None:
    g = load_glossary(write(tmp_path, HEADER + row("j", "Japan", "", "preferred", "", "yes")))
    assert g.concept("j").preferred == "Japan"
    assert g.concept("j").dnt


def test_concepts_group_rows(shipped: Glossary) -> None:
    usa = shipped.concept("geo-usa")
    assert usa.preferred == "United States"
    assert usa.admitted == ("U.S.",)
    assert usa.deprecated == ("US",)
    assert usa.case_sensitive
    assert usa.required == ("United States", "U.S.")


def test_folder_loads_every_tsv_sorted_and_counts(tmp_path: Path) -> None:
    write(tmp_path, HEADER + row("b1", "Baum", "tree", "preferred"), "b.tsv")
    write(tmp_path, HEADER + row("a1", "Haus", "house", "preferred") * 1, "a.tsv")
    write(tmp_path, "not a glossary", "notes.md")
    g = load_glossary(tmp_path)
    assert [Path(f.path).name for f in g.files] == ["a.tsv", "b.tsv"]
    assert [e.id for e in g.entries] == ["a1", "b1"]
    assert "2 entries" in g.summary()


def test_same_id_in_two_files_is_a_problem(tmp_path: Path) -> None:
    a = write(tmp_path, HEADER + row("x", "Haus", "house", "preferred"), "a.tsv")
    b = write(tmp_path, HEADER + row("x", "Heim", "home", "admitted"), "b.tsv")
    with pytest.raises(GlossaryError, match="id 'x' is also used"):
        load_glossaries([a, b])


def test_resolve_glossary_paths(tmp_path: Path) -> None:
    assert resolve_glossary_paths([], False, tmp_path) == []
    folder = tmp_path / "glossary"
    folder.mkdir()
    write(folder, HEADER, "z.tsv")
    write(folder, HEADER, "a.tsv")
    assert default_glossary_paths(tmp_path) == [folder]
    assert [p.name for p in resolve_glossary_paths([], False, tmp_path)] == ["a.tsv", "z.tsv"]
    assert resolve_glossary_paths([], True, tmp_path) == []
    assert resolve_glossary_paths(["glossary/z.tsv"], False, tmp_path) == [folder / "z.tsv"]
    with pytest.raises(GlossaryError, match="contradict"):
        resolve_glossary_paths(["glossary"], True, tmp_path)
    with pytest.raises(GlossaryError, match="no such glossary"):
        resolve_glossary_paths(["missing.tsv"], False, tmp_path)


# ------------------------------------------------------------------------ lint


def test_lint_reports_load_problems_and_warnings(tmp_path: Path) -> None:
    body = HEADER + "".join(
        [
            row("a", "Lieferkette", "supply chain", "preferred"),
            row("b", "Lieferketten", "supply chains", "preferred"),
            row("c", "Verteidigungsbudget", "defense budget", "preferred"),
            row("d", "Verteidigungsbudgett", "defense budget", "preferred"),
            row("e", "...", "dots", "preferred"),
            row("f", "Haus", "house ", "bogus"),
        ]
    )
    path = write(tmp_path, body)
    problems = [str(p) for p in lint_glossary([path])]
    assert any(f"{path}:3: warning: near-duplicate: 'Lieferketten'" in p for p in problems)
    assert any(f"{path}:5: warning: near-duplicate: 'Verteidigungsbudgett'" in p for p in problems)
    assert any(
        f"{path}:6: warning: '...' (e) never matches its own German form" in p for p in problems
    )
    assert any(f"{path}:7: unknown status 'bogus'" in p for p in problems)
    assert any(f"{path}:7: warning: field with leading or trailing spaces" in p for p in problems)


# --------------------------------------------------------------------- editing

EDITABLE = (
    "# Glossary under test\n"
    + HEADER
    + "\n# --- places\n"
    + row("p", "Peking", "Beijing", "preferred", "properNoun")
    + row("t", "Tokio", "Tokyo", "preferred", "properNoun")
    + "# trailing comment\n"
)


def test_add_then_remove_restores_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, EDITABLE)
    line = add_entry(path, GlossaryEntry("x", "Lieferkette", "supply chain"))
    lines = path.read_text().splitlines(keepends=True)
    assert lines[line - 1].startswith("x\tLieferkette\tsupply chain\tpreferred")
    assert "".join(lines[: line - 1] + lines[line:]) == EDITABLE
    remove_entries(path, "x")
    assert path.read_text() == EDITABLE


def test_add_joins_its_concept_block(tmp_path: Path) -> None:
    path = write(tmp_path, EDITABLE)
    line = add_entry(path, GlossaryEntry("p", "Peking", "Peking", "forbidden"))
    lines = path.read_text().splitlines()
    assert line == 6 and lines[5].startswith("p\tPeking\tPeking\tforbidden")
    assert lines[6].startswith("t\tTokio")
    assert load_glossary(path).concept("p").forbidden == ("Peking",)


def test_remove_by_german_term_and_english(tmp_path: Path) -> None:
    path = write(tmp_path, EDITABLE)
    add_entry(path, GlossaryEntry("p", "Peking", "Peking", "forbidden"))
    removed = remove_entries(path, "peking", en="Peking")
    assert [(e.de, e.en, e.line) for e in removed] == [("Peking", "Peking", 6)]
    assert path.read_text() == EDITABLE


@pytest.mark.parametrize(
    "entry",
    [
        GlossaryEntry("p", "Peking", "Peiping", "preferred"),  # second preferred
        GlossaryEntry("q", "peking", "Beijing", "preferred"),  # German term in two concepts
        GlossaryEntry("r", "Haus", "house", "unknown"),
    ],
)
def test_edits_that_add_problems_are_refused_and_write_nothing(
    tmp_path: Path, entry: GlossaryEntry
) -> None:
    path = write(tmp_path, EDITABLE)
    with pytest.raises(GlossaryError):
        add_entry(path, entry)
    assert path.read_text() == EDITABLE
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_removing_a_preferred_term_that_others_depend_on_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, EDITABLE)
    add_entry(path, GlossaryEntry("p", "Peking", "Peking", "forbidden"))
    before = path.read_bytes()
    with pytest.raises(GlossaryError, match="no preferred"):
        remove_entries(path, "p", en="Beijing")
    assert path.read_bytes() == before
    with pytest.raises(GlossaryError, match="no entry 'Paris'"):
        remove_entries(path, "Paris")


def test_edits_keep_crlf_and_bom(tmp_path: Path) -> None:
    original = ("\ufeff" + EDITABLE).replace("\n", "\r\n").encode()
    path = tmp_path / "g.tsv"
    path.write_bytes(original)
    add_entry(path, GlossaryEntry("x", "Haus", "house"))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\nx\tHaus\thouse" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    remove_entries(path, "x")
    assert path.read_bytes() == original


def test_add_creates_a_new_file_with_header(tmp_path: Path) -> None:
    path = tmp_path / "new.tsv"
    add_entry(path, GlossaryEntry("x", "Haus", "house", dnt=False, domain="home"))
    assert path.read_text().splitlines()[0] == "\t".join(COLUMNS)
    assert load_glossary(path).concept("x").domain == "home"


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from(["\t", "\n", "\\", "\r"]),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() == s and s.strip() and not s.startswith("#"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(_text, _text, st.sampled_from(["noun", "verb", ""]), st.booleans(), _text),
        min_size=1,
        max_size=5,
        unique_by=lambda r: r[0].casefold(),
    )
)
def test_written_entries_read_back_identically(tmp_path: Path, rows) -> None:
    path = tmp_path / "h.tsv"
    path.unlink(missing_ok=True)
    entries = [
        GlossaryEntry(f"id{i}", de, en, "preferred", pos, False, case, "dom", note)
        for i, (de, en, pos, case, note) in enumerate(rows)
    ]
    add_entries(path, entries)
    loaded = load_glossary(path).entries
    assert [(e.id, e.de, e.en, e.pos, e.case_sensitive, e.note) for e in loaded] == [
        (e.id, e.de, e.en, e.pos, e.case_sensitive, e.note) for e in entries
    ]


# --------------------------------------------------------------- import merging


def test_merge_plan_joins_concepts_and_skips_conflicts() -> None:
    existing = [GlossaryEntry("geo-peking", "Peking", "Beijing")]
    incoming = [
        GlossaryEntry("c1", "Peking", "Beijing"),  # already there
        GlossaryEntry("c1", "Peking", "Peking", "forbidden"),  # joins geo-peking
        GlossaryEntry("c2", "Peking", "Peiping"),  # second preferred: conflict
        GlossaryEntry("geo-peking", "Tokio", "Tokyo"),  # id taken: renamed
    ]
    to_add, skipped, already = merge_plan(existing, incoming)
    assert [(e.id, e.en, e.status) for e in to_add] == [
        ("geo-peking", "Peking", "forbidden"),
        ("tokio", "Tokyo", "preferred"),
    ]
    assert already == 1 and len(skipped) == 1 and "Peiping" in skipped[0]


@pytest.mark.parametrize(
    ("de", "taken", "expected"),
    [
        ("seltene Erden", [], "seltene-erden"),
        ("Außenpolitik", [], "aussenpolitik"),
        ("Haus", ["haus"], "haus-2"),
        ("—", [], "term"),
    ],
)
def test_new_concept_id(de: str, taken: list[str], expected: str) -> None:
    assert new_concept_id(de, taken) == expected


def test_check_entries_accepts_the_shipped_rows(shipped: Glossary) -> None:
    assert check_entries(shipped.entries) == []
