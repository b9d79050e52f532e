"""Shared fixtures: schema validation of XML outputs, and a sample translated document."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings as _hypothesis_settings
from lxml import etree

from transkit.data import Document, Segment, TermCheck, TermMatch

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED = TESTS.parents[1] / "shared"
XMLCHECK = SHARED / "tools" / "xmlcheck"
FORMATS_DATA = TESTS / "data" / "formats"

#: The project's trained test models, by family and name: the Argos one that
#: copies placeholders, the Argos "stranger" that never saw one, and the Marian
#: (OPUS-MT-style) stranger converted by CTranslate2's own converter.  Tests
#: of enforcement and pre-translation run on every one (the ``trained_model``
#: fixture, or this list for a ``parametrize``).
TEST_MODELS = {
    "argos-tiny": TESTS / "data" / "translate-de_en-tiny.argosmodel",
    "argos-tiny-noph": TESTS / "data" / "translate-de_en-tiny-noph.argosmodel",
    "marian-tiny": TESTS / "data" / "marian-de_en-tiny",
}

_XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
_XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
_TBX = "urn:iso:std:iso:30042:ed-2"


def _structure_errors(root: etree._Element) -> list[str]:
    """A minimal check, without the schemas, that the core structure is there."""
    qname = etree.QName(root)
    errors: list[str] = []

    def need(ok: bool, message: str) -> None:
        if not ok:
            errors.append(message)

    if qname.localname == "xliff" and qname.namespace == _XLIFF12:
        need(root.get("version") == "1.2", "xliff@version must be 1.2")
        files = root.findall(f"{{{_XLIFF12}}}file")
        need(bool(files), "no <file>")
        for f in files:
            for attr in ("original", "source-language", "datatype"):
                need(bool(f.get(attr)), f"<file> without {attr}")
            need(f.find(f"{{{_XLIFF12}}}body") is not None, "<file> without <body>")
        for tu in root.iter(f"{{{_XLIFF12}}}trans-unit"):
            need(bool(tu.get("id")), "<trans-unit> without id")
            need(
                len(tu) > 0 and tu[0].tag == f"{{{_XLIFF12}}}source",
                "<trans-unit> must start with <source>",
            )
    elif qname.localname == "xliff" and qname.namespace == _XLIFF2:
        need(bool(root.get("srcLang")), "xliff without srcLang")
        for unit in root.iter(f"{{{_XLIFF2}}}unit"):
            kids = [etree.QName(c).localname for c in unit if isinstance(c.tag, str)]
            core = [k for k in kids if k in ("segment", "ignorable")]
            need(bool(core), f"<unit id={unit.get('id')}> has no segment")
            first_core = kids.index(core[0]) if core else len(kids)
            need(
                all(
                    etree.QName(c).namespace == _XLIFF2
                    for c in unit[first_core:]
                    if isinstance(c.tag, str)
                ),
                "module element after <segment>",
            )
    elif qname.localname == "tmx":
        header = root.find("header")
        need(header is not None, "no <header>")
        if header is not None:
            for attr in (
                "creationtool",
                "creationtoolversion",
                "segtype",
                "o-tmf",
                "adminlang",
                "srclang",
                "datatype",
            ):
                need(bool(header.get(attr)), f"<header> without {attr}")
        for tu in root.iter("tu"):
            need(bool(tu.findall("tuv")), "<tu> without <tuv>")
    elif qname.localname == "tbx" and qname.namespace == _TBX:
        need(root.find(f"{{{_TBX}}}tbxHeader") is not None, "no <tbxHeader>")
        need(root.find(f"{{{_TBX}}}text") is not None, "no <text>")
    else:
        errors.append(f"unknown root element {root.tag}")
    return errors


@pytest.fixture(scope="session")
def xmlcheck() -> Callable[[Path], str]:
    """Validate an XLIFF/TMX/TBX file; fail the test with the validator's message.

    Always parses with lxml and checks the core structure; when the shared
    schemas exist (``../shared/tools/xmlcheck``), validates against them too.
    Returns the kind the validator reported (e.g. ``"xliff-1.2"``), or
    ``"structure"`` when only the lxml check ran.
    """

    def check(path: Path) -> str:
        root = etree.parse(
            str(path), etree.XMLParser(no_network=True, resolve_entities=False)
        ).getroot()
        errors = _structure_errors(root)
        assert not errors, f"{path}: {errors}"
        if not XMLCHECK.exists():
            return "structure"
        proc = subprocess.run(
            [sys.executable, str(XMLCHECK), str(path)], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout.split()[1]

    return check


# --------------------------------------------------------------------------
# A sample document: the seed text, segmented, with fake MT and glossary terms.

#: concept id -> (German term as found, English term)
SAMPLE_GLOSSARY = {
    "c-usa": ("Vereinigten Staaten", "United States"),
    "c-peking": ("Peking", "Beijing"),
    "c-rare": ("seltene Erden", "rare earths"),
    "c-tokio": ("Tokio", "Tokyo"),
    "c-allianz": ("Allianz", "alliance"),
}
#: The concept whose fake MT "forgets" the glossary (the term check fails).
FAILED_CONCEPT = "c-peking"


def _seed_text() -> str:
    for folder in (REPO / "seeds", SHARED / "seeds"):
        seeds = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        if seeds:
            return seeds[0].read_text(encoding="utf-8")
    return (FORMATS_DATA / "sample.de.txt").read_text(encoding="utf-8")


def stand_in_segment(name: str, text: str) -> Document:
    """Split ``text`` into sentences with the project's segmenter."""
    from transkit.text.segment import segment_document

    return segment_document(name, text)


def fake_translate(segment: Segment) -> Segment:
    """Glossary terms and checks on ``segment``, and a fake MT target that uses them."""
    terms, checks = [], []
    target = segment.source
    for concept, (german, english) in SAMPLE_GLOSSARY.items():
        for match in re.finditer(re.escape(german), segment.source):
            terms.append(
                TermMatch(
                    concept,
                    german,
                    german,
                    match.start(),
                    match.end(),
                    required=(english,),
                    forbidden=(german,) if german != english else (),
                )
            )
        if german in segment.source:
            ok = concept != FAILED_CONCEPT
            if ok:
                target = target.replace(german, english)
            checks.append(
                TermCheck(
                    concept,
                    german,
                    (english,),
                    ok,
                    found=english if ok else "",
                    forbidden_found=() if ok else (german,),
                )
            )
    return Segment(
        id=segment.id,
        source=segment.source,
        target=f"EN: {target}",
        leading=segment.leading,
        start=segment.start,
        end=segment.end,
        terms=tuple(sorted(terms, key=lambda t: t.start)),
        checks=tuple(checks),
        method="nbest" if all(c.satisfied for c in checks) else "failed",
        origin="argos:translate-de_en 1.9",
        state="mt",
        notes=("Number check: 250 appears once in the source, twice in the target.",)
        if "250" in segment.source
        else (),
    )


@pytest.fixture(scope="session")
def sample_document() -> Document:
    """The seed document as transkit would translate it (MT targets, terms, checks)."""
    doc = stand_in_segment("000_seed.txt", _seed_text())
    segments = tuple(fake_translate(s) for s in doc.segments)
    return Document(
        name=doc.name, segments=segments, trailing=doc.trailing, metadata={"original": doc.name}
    )


def private_env(base: Path) -> dict[str, str]:
    """Environment for running ``transkit`` with an empty package directory and
    private caches under ``base``, so no test touches the user's home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGOS_", "TRANSKIT_"))}
    env.update(
        HOME=str(base / "home"),
        ARGOS_PACKAGES_DIR=str(base / "packages"),
        TRANSKIT_CACHE_DIR=str(base / "cache"),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_DATA_HOME=str(base / "data"),
        XDG_CACHE_HOME=str(base / "xdgcache"),
    )
    return env


# No per-example deadline: CI machines are shared and timing varies; the
# properties, not their speed, are under test here.
# Fixtures of the cluster and serve tests, as plugins: a conftest.py in their folders
# would shadow this one for ``from conftest import …``.
pytest_plugins = ["cluster_fixtures", "serve_fixtures"]

_hypothesis_settings.register_profile("transkit", deadline=None)
_hypothesis_settings.load_profile("transkit")


@pytest.fixture
def scratch_cwd(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a scratch folder that sees the repository's glossary but has its own ./tm/.

    Commands such as `transkit merge` feed the project memory in ./tm/ by
    default; tests must never write into the repository.
    """
    scratch = tmp_path_factory.mktemp("project")
    (scratch / "glossary").symlink_to(REPO / "glossary", target_is_directory=True)
    monkeypatch.chdir(scratch)
    return scratch


def _model_or_skip(name: str) -> Path:
    path = TEST_MODELS[name]
    if not path.exists():
        builder = (
            "tools/build_marian_test_model.py"
            if name.startswith("marian")
            else "tools/build_test_model.py"
        )
        pytest.skip(f"{path.name} not built ({builder})")
    return path


@pytest.fixture(scope="module", params=sorted(TEST_MODELS))
def trained_model(request: pytest.FixtureRequest) -> Path:
    """Each trained test model in turn (skipped, saying so, where one is not built)."""
    return _model_or_skip(request.param)


# A throwaway PostgreSQL server (tests/pgcluster.py) for the PostgreSQL memory's tests.
from pgcluster import pg_cluster, pg_url  # noqa: E402, F401
