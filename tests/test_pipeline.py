"""The pipeline stages and `run_translate`, with a small deterministic fake engine."""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from transkit.data import Hypothesis
from transkit.pipeline import (
    TranslateOptions,
    output_paths,
    prepare_document,
    run_translate,
    translate_document_text,
    translate_text,
)

ROOT = Path(__file__).resolve().parents[1]
WORDS = {
    "peking": "Peking",
    "handelt": "acts",
    "und": "and",
    "tokio": "Tokyo",
    "wartet": "waits",
    "seltene": "rare",
    "erden": "earth elements",
    "sind": "are",
    "knapp": "scarce",
    "hallo": "hello",
}


class WordEngine:
    """Word-by-word toy engine: deterministic, copies placeholders, n-best by variants."""

    name = "fake:words"

    def translate_batch(
        self, sources: Sequence[str], *, num_hypotheses: int = 1
    ) -> list[list[Hypothesis]]:
        out = []
        for src in sources:
            text = re.sub(r"\w+", lambda m: WORDS.get(m.group().lower(), m.group()), src)
            text = re.sub(r"^(\W*)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)
            out.append([Hypothesis(text, -1.0)] * num_hypotheses)
        return out


@pytest.fixture
def glossary_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "glossary"
    folder.mkdir()
    (folder / "g.tsv").write_text(
        "id\tde\ten\tstatus\tpos\tdnt\tcase\tdomain\tnote\n"
        "g1\tPeking\tBeijing\tpreferred\tproperNoun\tno\tinsensitive\tplace\t\n"
        "g1\tPeking\tPeking\tforbidden\tproperNoun\tno\tinsensitive\tplace\t\n"
        "g2\tseltene Erden\trare earths\tpreferred\tnoun\tno\tinsensitive\ttrade\t\n",
        encoding="utf-8",
    )
    return folder


def test_prepare_document_segments_and_matches(glossary_dir: Path) -> None:
    from transkit.terms.glossary import load_glossaries
    from transkit.terms.match import TermMatcher

    matcher = TermMatcher.from_glossary(load_glossaries([glossary_dir]))
    doc = prepare_document("x", "Peking handelt.\n\nSeltene Erden sind knapp.\n", matcher)
    assert [s.source for s in doc.segments] == ["Peking handelt.", "Seltene Erden sind knapp."]
    assert [[t.term for t in s.terms] for s in doc.segments] == [["Peking"], ["seltene Erden"]]
    assert doc.source_text == "Peking handelt.\n\nSeltene Erden sind knapp.\n"


def test_translate_text_enforces_and_keeps_layout(glossary_dir: Path) -> None:
    text = "Peking handelt.\n\n„Seltene Erden sind knapp.“ Hallo.\n"
    english = translate_text(text, engine=WordEngine(), glossary=[glossary_dir])
    assert english == "Beijing acts.\n\n“Rare earths are scarce.” Hello.\n"
    doc = translate_document_text(text, engine=WordEngine(), glossary=[glossary_dir])
    assert [s.method for s in doc.segments] == ["protected", "protected", "none"]
    assert all(c.satisfied for s in doc.segments for c in s.checks)


def test_run_translate_reports_bad_files_and_writes_good_ones(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Peking handelt.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    options = TranslateOptions(out_dir=tmp_path / "out", formats=("txt",))
    run = run_translate(
        [str(tmp_path / "a.txt"), str(tmp_path / "empty.txt"), str(tmp_path / "nope.txt")],
        options,
        engine=WordEngine(),
    )
    assert [f.error is None for f in run.files] == [True, False, False]
    assert (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8") == "Peking acts.\n"
    summary = run.summary()
    assert summary["errors"] == 2 and summary["segments"] == 1
    assert "empty file" in run.files[1].error and "no such file" in run.files[2].error


def test_output_collisions_are_refused(tmp_path: Path) -> None:
    for sub in ("one", "two"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.txt").write_text("Hallo.\n", encoding="utf-8")
    run = run_translate(
        [str(tmp_path / "one/x.txt"), str(tmp_path / "two/x.txt")],
        TranslateOptions(out_dir=tmp_path / "out", formats=("txt",)),
        engine=WordEngine(),
    )
    assert run.files[0].error is None
    assert "would overwrite" in run.files[1].error


def test_output_paths() -> None:
    paths = output_paths("seeds/x.txt", Path("out"), ("txt", "xliff", "tmx"))
    assert {k: str(v) for k, v in paths.items()} == {
        "txt": "out/x.en.txt",
        "xliff": "out/x.de-en.xlf",
        "tmx": "out/x.de-en.tmx",
    }


def test_progress_factory_sees_every_segment(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Hallo. Peking handelt.\nTokio wartet.\n", encoding="utf-8")
    seen: dict[str, int] = {"total": 0, "done": 0}

    @contextmanager
    def factory(total: int):
        seen["total"] = total

        class Bar:
            def update(self, n: int) -> None:
                seen["done"] += n

        yield Bar()

    class ProgressEngine(WordEngine):
        def translate_batch(self, sources, *, num_hypotheses=1, progress=None):
            result = super().translate_batch(sources, num_hypotheses=num_hypotheses)
            if progress:
                progress(len(sources))
            return result

    run_translate(
        [str(tmp_path / "a.txt")],
        TranslateOptions(out_dir=tmp_path / "o", formats=("txt",)),
        engine=ProgressEngine(),
        progress_factory=factory,
    )
    assert seen == {"total": 3, "done": 3}


def test_strict_exit_code_when_a_term_fails(
    tmp_path: Path, glossary_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Stubborn(WordEngine):
        """Drops the term (and any placeholder) and cannot re-decode: nothing to
        substitute, nothing to force, so the term is flagged."""

        def translate_batch(self, sources, *, num_hypotheses=1):
            return super().translate_batch(
                [s.replace("ZQX1", "It").replace("Peking", "It") for s in sources],
                num_hypotheses=num_hypotheses,
            )

    monkeypatch.setattr("transkit.engine.argos.engine_for", lambda *a, **k: Stubborn())
    from transkit.cli import main

    src = tmp_path / "p.txt"
    src.write_text("Peking handelt.\n", encoding="utf-8")
    args = [
        "translate",
        "--glossary",
        str(glossary_dir),
        "--out",
        str(tmp_path / "o"),
        "--formats",
        "txt",
        str(src),
    ]
    lenient = CliRunner().invoke(main, args)
    assert lenient.exit_code == 0, lenient.output
    assert "1 failed" in lenient.output
    strict = CliRunner().invoke(main, [*args, "--strict"])
    assert strict.exit_code == 3
    assert "glossary term(s) failed" in strict.output


def test_library_translates_a_file_with_the_test_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`from transkit import translate_file` works without the CLI."""
    import csv

    from transkit import TranslateOptions as Options
    from transkit import translate_file

    monkeypatch.setenv("TRANSKIT_CACHE_DIR", str(tmp_path / "cache"))
    with (ROOT / "tests" / "data" / "heldout.tsv").open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    src = tmp_path / "one.txt"
    src.write_text(row["de"] + "\n", encoding="utf-8")
    model = str(ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel")
    result = translate_file(src, Options(model=model, out_dir=tmp_path / "out"))
    assert result.document is not None and result.document.target_text == row["en"] + "\n"
    assert sorted(Path(p).name for p in result.outputs) == [
        "one.de-en.html",
        "one.de-en.tmx",
        "one.de-en.xlf",
        "one.en.txt",
    ]


def test_html_review_pages_and_an_index_for_several_files(
    tmp_path: Path, glossary_dir: Path
) -> None:
    from lxml import html as lhtml

    for name, text in (("a", "Peking handelt.\n"), ("b", "Seltene Erden sind knapp.\n")):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    options = TranslateOptions(out_dir=out, formats=("html",), glossary_paths=(glossary_dir,))
    files = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), str(tmp_path / "nope.txt")]
    run = run_translate(files, options, engine=WordEngine())
    assert [Path(p).name for f in run.files for p in f.outputs] == ["a.de-en.html", "b.de-en.html"]
    assert run.index == str(out / "index.html")
    index = lhtml.document_fromstring((out / "index.html").read_text("utf-8"))
    assert [a.get("href") for a in index.cssselect("#files a")] == ["a.de-en.html", "b.de-en.html"]
    page = lhtml.document_fromstring((out / "a.de-en.html").read_text("utf-8"))
    assert page.cssselect("nav a")[0].get("href") == "index.html"
    assert [a.text for a in page.cssselect("td.tgt a.hl")] == ["Beijing"]
    # One file: a page, no index.
    single = run_translate(files[:1], TranslateOptions(out_dir=tmp_path / "one", formats=("html",)),
                           engine=WordEngine())  # fmt: skip
    assert single.index is None and not (tmp_path / "one" / "index.html").exists()
    assert output_paths("seeds/x.txt", out, ("html",))["html"] == out / "x.de-en.html"


# -- long unpunctuated paragraphs are enforced in parts -----------------------------


def test_long_segments_are_enforced_in_parts_and_joined_whole() -> None:
    from dataclasses import replace

    from transkit.data import Segment, TermMatch
    from transkit.enforce.parts import PART_CHARS, join_parts, split_long_segments

    piece = "Peking kontrolliert seltene Erden und die Regierung in Tokio reagiert "
    source = (piece * 40).strip()
    terms = []
    for at in range(0, len(source), len(piece)):
        terms.append(TermMatch("c1", "Peking", "Peking", at, at + 6, "exact", ("Beijing",)))
        s = at + piece.index("seltene")
        terms.append(
            TermMatch("c2", "seltene Erden", "seltene Erden", s, s + 13, "exact", ("rare earths",))
        )
    seg = Segment("1", source, terms=tuple(terms))
    short = Segment("2", "Peking.", terms=(terms[0],))
    parts, owners = split_long_segments([seg, short])
    assert len(parts) > 5 and owners[-1] == 1 and parts[-1] is short
    assert all(len(p.source) <= PART_CHARS for p in parts)
    kept = [(t.found, p.source[t.start : t.end]) for p in parts[:-1] for t in p.terms]
    assert len(kept) == len(terms) and all(a == b for a, b in kept)  # no term was cut
    done = [replace(p, target=p.source.upper(), method="nbest") for p in parts]
    done[1] = replace(done[1], method="failed")
    joined = join_parts([seg, short], done, owners)
    assert [s.source for s in joined] == [source, "Peking."]
    assert joined[0].target == " ".join(p.source.upper() for p in parts[:-1])
    assert joined[0].method == "failed" and joined[0].terms == seg.terms
