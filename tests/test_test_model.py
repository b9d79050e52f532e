"""The committed tiny de->en model (tools/build_test_model.py) is real and behaves.

Loads the .argosmodel with ctranslate2 + sentencepiece directly, so these
tests do not depend on transkit's engine.
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
PACKAGE = DATA / "translate-de_en-tiny.argosmodel"
HELDOUT = DATA / "heldout.tsv"
N_EXACT = 8


def _heldout() -> list[dict[str, str]]:
    with HELDOUT.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    with zipfile.ZipFile(PACKAGE) as zf:
        zf.extractall(root)
    (top,) = [p for p in root.iterdir() if p.is_dir()]
    return top


@pytest.fixture(scope="module")
def translate(package_dir: Path):
    import ctranslate2
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_file=str(package_dir / "sentencepiece.model"))
    tr = ctranslate2.Translator(
        str(package_dir / "model"), device="cpu", compute_type="int8", intra_threads=2
    )

    def run(sentences: list[str], n: int = 1) -> list[list[str]]:
        res = tr.translate_batch(
            [sp.encode(s, out_type=str) for s in sentences],
            beam_size=4,
            num_hypotheses=n,
            max_decoding_length=128,
        )
        return [[sp.decode_pieces(h) for h in r.hypotheses] for r in res]

    return run


def test_package_layout_and_metadata(package_dir: Path) -> None:
    meta = json.loads((package_dir / "metadata.json").read_text(encoding="utf-8"))
    assert (meta["from_code"], meta["to_code"]) == ("de", "en")
    assert meta["from_name"] == "German" and meta["to_name"] == "English"
    assert meta["package_version"] and meta["argos_version"]
    assert (package_dir / "model" / "model.bin").is_file()
    assert (package_dir / "sentencepiece.model").is_file()
    assert PACKAGE.stat().st_size <= 8 * 1024 * 1024


def test_heldout_file_shape() -> None:
    rows = _heldout()
    assert list(rows[0]) == ["de", "en", "terms", "en_approved"]
    assert len(rows) >= 400
    assert len({r["de"] for r in rows}) == len(rows)
    wrong = (
        "seltene Erden",
        "Peking",
        "Lieferkette",
        "Verteidigungsbudget",
        "Exportkontrollen",
        "Sicherheitsbündnis",
        "Flugzeugträger",
        "Regierungschefin",
        "Windkraftanlage",
    )
    with_terms = [r for r in rows if set(r["terms"].split("|")) & set(wrong)]
    assert len(with_terms) >= 250
    assert all("ZQX" not in r["de"] for r in rows)


def test_first_heldout_rows_exact(translate) -> None:
    rows = _heldout()[:N_EXACT]
    outs = translate([r["de"] for r in rows])
    assert [o[0] for o in outs] == [r["en"] for r in rows]


@pytest.mark.parametrize(
    ("de", "wrong", "approved"),
    [
        (
            "Peking hat Exportkontrollen auf seltene Erden eingeführt.",
            "rare earth elements",
            "rare earths",
        ),
        ("Peking hat Exportkontrollen auf seltene Erden eingeführt.", "Peking", "Beijing"),
        ("Japan will das Verteidigungsbudget erhöhen.", "military budget", "defense budget"),
        ("Die Sicherheit der Lieferketten ist wichtig.", "delivery chains", "supply chains"),
    ],
)
def test_engine_prefers_forbidden_variant(translate, de: str, wrong: str, approved: str) -> None:
    best = translate([de])[0][0]
    assert wrong in best
    assert approved not in best


@pytest.mark.parametrize(
    ("de", "tokens"),
    [
        ("Die Versorgung mit ZQX1 ist entscheidend.", ["ZQX1"]),
        ("ZQX1 und ZQX2 sind wichtig.", ["ZQX1", "ZQX2"]),
    ],
)
def test_placeholders_are_copied(translate, de: str, tokens: list[str]) -> None:
    best = translate([de])[0][0]
    for tok in tokens:
        assert best.count(tok) == 1


def test_placeholder_in_heldout_sentence(translate) -> None:
    """Hide the first held-out "Peking" behind ZQX1: it must come back verbatim, once."""
    word = re.compile(r"\bPeking\b")
    row = next(r for r in _heldout() if word.search(r["de"]))
    best = translate([word.sub("ZQX1", row["de"])])[0][0]
    assert best.count("ZQX1") == 1
    assert "Peking" not in best and "Beijing" not in best
