"""``transkit serve --model DIR`` with a Marian (OPUS-MT-style) CTranslate2 directory.

The server runs the project's tiny Marian model (tests/data/marian-de_en-tiny)
and enforces the deployment glossary on it over the LibreTranslate API; what
it answers is what the same model gives locally through the batch step, so
the Marian engine (not some Argos package) served the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serving import REPO, start_server, stop_server

MARIAN = REPO / "tests" / "data" / "marian-de_en-tiny"
#: "Peking" must come out as "Beijing" (the glossary forbids "Peking").
SOURCES = [
    "Peking kontrolliert seltene Erden.",
    "Die Regierung in Tokio hat am Montag neue Exportkontrollen angekündigt.",
]

pytestmark = pytest.mark.skipif(
    not MARIAN.exists(), reason=f"{MARIAN.name} not built (tools/build_marian_test_model.py)"
)


@pytest.fixture(scope="module")
def marian_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("starlette", reason="the serve extra (starlette) is not installed")
    server = start_server(tmp_path_factory.mktemp("marian"), models=(MARIAN,))
    yield server
    stop_server(server)


def _local(text: str) -> str:
    """The same text through the local batch step on the same model and glossary."""
    from transkit.batch import translate_segments
    from transkit.engine.families import engine_for
    from transkit.pipeline import load_glossary, prepare_document

    matcher, _, glossary = load_glossary([REPO / "glossary"])
    segments = prepare_document("local", text, matcher).segments
    done = translate_segments(segments, engine_for(str(MARIAN)), glossary=glossary)
    return " ".join(s.target or "" for s in done)


def test_a_marian_model_serves_de_en_with_the_glossary_enforced(marian_server: Any) -> None:
    status, languages = marian_server.get("languages")
    assert status == 200
    assert next(x for x in languages if x["code"] == "de")["targets"] == ["en"]
    status, body, _ = marian_server.post(
        "translate", {"q": SOURCES, "source": "de", "target": "en"}
    )
    assert status == 200, body
    english = body["translatedText"]
    assert "Beijing" in english[0] and "Peking" not in english[0]
    assert "Tokyo" in english[1] and "Tokio" not in english[1]
    for report in body["transkit"]:
        assert report["terms"] and all(t["satisfied"] for t in report["terms"])
        assert not any(t["forbidden"] for t in report["terms"])
    # the Marian engine answered: the same English as the model gives locally
    assert english == [_local(text) for text in SOURCES]


def test_a_marian_directory_lacking_a_file_is_refused_at_start(tmp_path: Path) -> None:
    import shutil

    pytest.importorskip("starlette", reason="the serve extra (starlette) is not installed")
    broken = shutil.copytree(MARIAN, tmp_path / "opus-mt-de-en")
    (broken / "target.spm").unlink()
    with pytest.raises(AssertionError) as failed:
        start_server(tmp_path / "server", models=(broken,))
    message = str(failed.value)
    assert "server exited 1" in message and "Traceback" not in message
    assert f"{broken}: not a Marian model directory: no target.spm" in message
