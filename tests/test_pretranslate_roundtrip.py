"""Round trip over random files (300 cases): pre-translate, then `merge_xliff`.

Random XLIFF 1.2 and 2.1 files whose units hold random inline-code trees go
through `run_pretranslate` with a stand-in engine that reverses the word
order (so code placement cannot simply copy the source positions).  The
codes must come back complete and nested in every target, and merging the
pre-translated file must give the English document: each unit's
translation, joined as the merge joins units.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from inline_strategies import sources
from transkit.data import Hypothesis
from transkit.formats.xliff_common import XLIFF2_NS, XLIFF12_NS
from transkit.formats.xliff_inline import code_signature, parse_inline
from transkit.merge import merge_xliff
from transkit.pipeline import TranslateOptions
from transkit.pretranslate import run_pretranslate
from transkit.text.typography import match_initial_case


class ReversingEngine:
    """English stand-in: the German words in reverse order; no attention to offer."""

    name = "reversing"

    def translate_batch(
        self, sources: Sequence[str], *, num_hypotheses: int = 1, progress=None
    ) -> list[list[Hypothesis]]:
        return [[Hypothesis(" ".join(reversed(s.split())), 0.0)] * num_hypotheses for s in sources]


def _english(plain: str) -> str:
    core = plain.strip()
    lead = plain[: len(plain) - len(plain.lstrip())]
    trail = plain[len(plain.rstrip()) :]
    # The pipeline capitalises an English sentence whose German starts with a capital.
    return lead + match_initial_case(core, " ".join(reversed(core.split()))) + trail


@st.composite
def files(draw):
    ns = draw(st.sampled_from([XLIFF12_NS, XLIFF2_NS]))
    contents = draw(
        st.lists(
            sources(ns).filter(lambda s: any(c.isalpha() for c in "".join(s.itertext()))),
            min_size=1,
            max_size=3,
        )
    )
    root = etree.Element(f"{{{ns}}}xliff", nsmap={None: ns})
    if ns == XLIFF12_NS:
        root.set("version", "1.2")
        file_el = etree.SubElement(root, f"{{{ns}}}file")
        for key, value in (
            ("original", "random.txt"),
            ("source-language", "de"),
            ("target-language", "en"),
            ("datatype", "plaintext"),
        ):
            file_el.set(key, value)
        body = etree.SubElement(file_el, f"{{{ns}}}body")
        for n, source in enumerate(contents, 1):
            tu = etree.SubElement(body, f"{{{ns}}}trans-unit", id=f"u{n}")
            tu.append(source)
    else:
        root.set("version", "2.1")
        root.set("srcLang", "de")
        root.set("trgLang", "en")
        file_el = etree.SubElement(root, f"{{{ns}}}file", id="f1")
        for n, source in enumerate(contents, 1):
            unit = etree.SubElement(file_el, f"{{{ns}}}unit", id=f"u{n}")
            segment = etree.SubElement(unit, f"{{{ns}}}segment", id=f"s{n}")
            segment.append(source)
    return ns, etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files())
def test_pretranslated_codes_are_complete_and_merge_gives_the_english(tmp_path: Path, case) -> None:
    ns, data = case
    source_path = tmp_path / "in.xlf"
    source_path.write_bytes(data)
    out = tmp_path / "out"
    run = run_pretranslate(
        [str(source_path)],
        TranslateOptions(out_dir=out, glossary_paths=()),
        engine=ReversingEngine(),
    )
    assert not run.failed, run.failed
    root = etree.parse(str(out / "in.xlf")).getroot()
    sources_ = list(root.iter(f"{{{ns}}}source"))
    targets = list(root.iter(f"{{{ns}}}target"))
    assert len(sources_) == len(targets)
    expected = []
    for source, target in zip(sources_, targets, strict=True):
        assert Counter(code_signature(target)) == Counter(code_signature(source))
        plain = parse_inline(source).text
        english = _english(plain)
        assert parse_inline(target).text.split() == english.split()
        expected.append(english)
    merged = tmp_path / "merged.txt"
    merge_xliff(out / "in.xlf", out=merged)
    text = merged.read_text(encoding="utf-8")
    if ns == XLIFF12_NS:
        assert text == " ".join(expected) + "\n"
    else:
        assert text == "\n".join(expected)


_ENGINES: dict[str, object] = {}


def _trained_engine(name: str):
    """A trained test model's engine, loaded once for all examples."""
    from conftest import TEST_MODELS
    from transkit.engine.families import engine_for

    if name not in _ENGINES:
        _ENGINES[name] = engine_for(str(TEST_MODELS[name]))
    return _ENGINES[name]


@pytest.mark.parametrize("model", ["argos-tiny-noph", "marian-tiny"])
def test_real_models_lose_and_double_no_inline_code(tmp_path_factory, model: str) -> None:
    """The same random files through a trained model (its attention places
    the codes): every code of every source is in its target exactly once."""
    from conftest import TEST_MODELS

    if not TEST_MODELS[model].exists():
        pytest.skip(f"{TEST_MODELS[model].name} not built")
    engine = _trained_engine(model)

    @settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(files())
    def check(case) -> None:
        ns, data = case
        work = tmp_path_factory.mktemp("case")
        (work / "in.xlf").write_bytes(data)
        run = run_pretranslate(
            [str(work / "in.xlf")],
            TranslateOptions(out_dir=work / "out", glossary_paths=()),
            engine=engine,
        )
        assert not run.failed, run.failed
        root = etree.parse(str(work / "out" / "in.xlf")).getroot()
        sources_ = list(root.iter(f"{{{ns}}}source"))
        targets = list(root.iter(f"{{{ns}}}target"))
        assert len(sources_) == len(targets)
        for source, target in zip(sources_, targets, strict=True):
            assert Counter(code_signature(target)) == Counter(code_signature(source))

    check()
