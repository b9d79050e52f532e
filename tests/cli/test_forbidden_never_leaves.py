"""A forbidden English term never leaves transkit, whatever the engine says.

The installed ``transkit`` translates the out-of-grammar news set and the
seed article with each test model (both prefer forbidden variants such as
"Peking" and "delivery chains"; one never saw a placeholder).  Every English
text it writes is searched: the .en.txt, XLIFF and TMX targets and notes,
the QA report (all but the German fields), the ``qa`` table and stdout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from conftest import private_env
from transkit.enforce.find import find_term
from transkit.terms.glossary import load_glossaries

ROOT = Path(__file__).resolve().parents[2]
MODELS = [
    ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel",
    ROOT / "tests" / "data" / "translate-de_en-tiny-noph.argosmodel",
]
NEWS = ROOT / "tests" / "data" / "heldout_news.tsv"
SEED = next((ROOT / "seeds").glob("*.txt"))
GLOSSARY = ROOT / "glossary"
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Report fields that hold German (the source, the German term and its surface
#: form), file names or concept ids, not English.
GERMAN_FIELDS = {"source", "term", "found", "file", "concept"}


def _forbidden() -> list[str]:
    glossary = load_glossaries([GLOSSARY])
    return sorted({bad for concept in glossary.concepts() for bad in concept.forbidden})


def _hits(text: str, forbidden: list[str]) -> list[str]:
    return [bad for bad in forbidden if find_term(text, bad)]


def _xliff_texts(path: Path) -> tuple[list[str], list[str]]:
    """(targets, everything else but the German sources) of an XLIFF file."""
    root = etree.parse(str(path)).getroot()
    targets, other = [], []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        names = {etree.QName(a).localname for a in [el, *el.iterancestors()]}
        if names & {"source", "seg-source"}:
            continue
        (targets if "target" in names else other).append(el.text or "")
        other.extend(v for k, v in el.attrib.items() if k != "original")
    return targets, other


def _tmx_texts(path: Path) -> tuple[list[str], list[str]]:
    root = etree.parse(str(path)).getroot()
    targets = [
        "".join(tuv.itertext())
        for tuv in root.iter("tuv")
        if not tuv.get(XML_LANG, "").lower().startswith("de")
    ]
    return targets, ["".join(p.itertext()) for p in root.iter("prop")]


def _report_strings(node: object, key: str = "") -> list[tuple[str, str]]:
    """(field, text) for every string of the report outside its German fields."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _report_strings(v, k)]
    if isinstance(node, list):
        return [s for v in node for s in _report_strings(v, key)]
    if isinstance(node, str) and key not in GERMAN_FIELDS:
        return [(key, node)]
    return []


def _german_labels(report: dict) -> list[str]:
    """German terms and concept ids as the report records them (notes, repair
    lines and tables quote them; "geo-peking" is an identifier, not English)."""
    labels: set[str] = set()
    for f in report["files"]:
        for seg in f["segments_detail"]:
            for t in seg["terms"]:
                labels.update((t["term"], t["found"], t["concept"]))
    return sorted(labels, key=len, reverse=True)


def _unlabel(text: str, labels: list[str]) -> str:
    for label in labels:
        text = text.replace(label, " ")
    return text


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_no_forbidden_term_in_any_output(model: Path, tmp_path: Path) -> None:
    if not model.exists():
        pytest.skip(f"{model.name} not built (tools/build_test_model.py --no-placeholders)")
    env = private_env(tmp_path)
    news = tmp_path / "news.txt"
    lines = NEWS.read_text(encoding="utf-8").splitlines()[1:]
    news.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [
            TRANSKIT,
            "translate",
            "--model",
            str(model),
            "--glossary",
            str(GLOSSARY),
            "--out",
            str(out),
            "--report",
            str(tmp_path / "qa.json"),
            str(news),
            str(SEED),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    forbidden = _forbidden()
    assert "Peking" in forbidden and "delivery chains" in forbidden
    report = json.loads((tmp_path / "qa.json").read_text(encoding="utf-8"))
    labels = _german_labels(report)
    targets: dict[str, list[str]] = {}
    others: dict[str, list[str]] = {}
    for path in sorted(out.iterdir()):
        if path.suffix == ".txt":
            targets[path.name] = [path.read_text(encoding="utf-8")]
        elif path.suffix == ".xlf":
            targets[path.name], others[path.name] = _xliff_texts(path)
        elif path.suffix == ".tmx":
            targets[path.name], others[path.name] = _tmx_texts(path)
    strings = _report_strings(report)
    targets["report targets"] = [text for key, text in strings if key == "target"]
    others["report"] = [text for key, text in strings if key != "target"]
    table = subprocess.run(
        [TRANSKIT, "qa", str(tmp_path / "qa.json")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    others["qa table"] = [table.stdout]
    others["stdout"] = [result.stdout + result.stderr]
    # English targets: nothing may match.  Elsewhere German terms are quoted as
    # labels ("Peking: 'Beijing' ..."); with those taken out, nothing may match.
    found = {k: _hits("\n".join(v), forbidden) for k, v in targets.items()}
    found.update({k: _hits(_unlabel("\n".join(v), labels), forbidden) for k, v in others.items()})
    assert not {k: v for k, v in found.items() if v}, found
    assert targets["report targets"] and all(targets.values())
    # Every term holds, and the report says what was repaired.
    totals = report["totals"]
    assert totals["terms_failed"] == 0, totals
    assert totals["stages"]["substituted"] + totals["stages"]["redecoded"] > 0
    assert totals["repairs"] > 0
