"""Real LibreTranslate clients against a running server: libretranslatepy,
Weblate's requests, OmegaT's plugin request; LibreTranslate's answers and errors."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from serving import EN_DE_MODEL, TM_SOURCE, TM_TARGET


def test_libretranslatepy_translate_languages_detect(open_server) -> None:
    lt_api = pytest.importorskip("libretranslatepy", reason="libretranslatepy is not installed")
    client = lt_api.LibreTranslateAPI(open_server.url)
    english = client.translate("Peking kontrolliert seltene Erden.", "de", "en")
    assert "Beijing" in english and "Peking" not in english  # the glossary held
    languages = client.languages()  # a GET with a form body
    de = next(lang for lang in languages if lang["code"] == "de")
    assert "en" in de["targets"] and de["name"]
    detected = client.detect("Die Regierung in Peking hat neue Regeln für den Export.")
    assert detected[0]["language"] == "de" and 0 < detected[0]["confidence"] <= 100


def test_weblate_batch_of_twenty_with_empty_key(open_server) -> None:
    """weblate/machinery/libretranslate.py: JSON, q a list, api_key "" (no key set)."""
    texts = [f"Die Regierung in Peking hat {n} neue Regeln." for n in range(20)]
    status, body, _ = open_server.post(
        "translate", {"api_key": "", "q": texts, "source": "de", "target": "en"}
    )
    assert status == 200
    assert isinstance(body["translatedText"], list) and len(body["translatedText"]) == 20
    assert all(t and "Peking" not in t for t in body["translatedText"])
    assert all(r["terms"][0]["satisfied"] for r in body["transkit"])
    status, languages = open_server.get("languages")
    assert status == 200 and "de" in [x["code"] for x in languages]


def test_weblate_settings_check_en_de(open_server) -> None:
    """Weblate validates its settings by translating "test" from en to de."""
    if not EN_DE_MODEL.is_file():
        pytest.skip(f"no en->de test model at {EN_DE_MODEL}")
    status, body, _ = open_server.post(
        "translate", {"api_key": "", "q": ["test"], "source": "en", "target": "de"}
    )
    assert status == 200, body
    assert isinstance(body["translatedText"][0], str) and body["translatedText"][0].strip()
    status, languages = open_server.get("languages")
    assert "de" in next(x for x in languages if x["code"] == "en")["targets"]
    status, body, _ = open_server.post(
        "translate",
        {"q": "The government in Beijing has new rules.", "source": "en", "target": "de"},
    )
    assert status == 200 and "Regierung" in body["translatedText"]  # a real en->de model


def test_omegat_plugin_get_request(open_server) -> None:
    """OmegaT's LibreTranslate plugin: GET <url>?q=…&source=de&target=en, reads translatedText."""
    query = urllib.parse.urlencode(
        {"q": "Peking kontrolliert seltene Erden.", "source": "de", "target": "en"}
    )
    with urllib.request.urlopen(f"{open_server.url}translate?{query}", timeout=60) as response:
        body = json.loads(response.read().decode("utf-8"))
    assert "Beijing" in body["translatedText"]


def test_memory_answers_first(open_server) -> None:
    status, body, _ = open_server.post(
        "translate", {"q": TM_SOURCE, "source": "de", "target": "en"}
    )
    assert status == 200
    assert body["translatedText"] == TM_TARGET
    assert body["transkit"]["memory"] == 1


def test_auto_source_and_alternatives(open_server) -> None:
    status, body, _ = open_server.post(
        "translate",
        {
            "q": "Die Regierung hat neue Regeln.",
            "source": "auto",
            "target": "en",
            "alternatives": 3,
        },
    )
    assert status == 200
    assert body["detectedLanguage"]["language"] == "de"
    assert isinstance(body["alternatives"], list) and len(body["alternatives"]) <= 3
    assert body["translatedText"] not in body["alternatives"]


def test_html_tags_are_placed_not_copied(open_server) -> None:
    html = "<p>Die <b>Regierung</b> in Peking hat neue Regeln.</p><p>Ein <i>zweiter</i> Satz.</p>"
    status, body, _ = open_server.post(
        "translate", {"q": html, "source": "de", "target": "en", "format": "html"}
    )
    assert status == 200
    out = body["translatedText"]
    assert out.startswith("<p>") and out.count("<p>") == 2 and out.count("</p>") == 2
    assert out.count("<b>") == 1 and out.count("</b>") == 1 and out.count("<i>") == 1
    inside = out.split("<b>")[1].split("</b>")[0]
    assert inside.strip() and "Regierung" not in out  # the English word, not the German


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"source": "de", "target": "en"}, "Invalid request: missing q parameter"),
        ({"q": "Hallo", "target": "en"}, "Invalid request: missing source parameter"),
        ({"q": "Hallo", "source": "de"}, "Invalid request: missing target parameter"),
        ({"q": "Hallo", "source": "xx", "target": "en"}, "xx is not supported"),
        (
            {"q": "Hallo", "source": "de", "target": "en", "format": "pdf"},
            "pdf format is not supported",
        ),
        ({"q": "Hallo", "source": "de", "target": "en", "alternatives": "x"}, "not a number"),
        ({"q": "Hallo", "source": "de", "target": "en", "alternatives": 9}, "must be <= 3"),
        ({"q": ["a"] * 26, "source": "de", "target": "en"}, "exceeds text limit (25)"),
        ({"q": "a" * 2001, "source": "de", "target": "en"}, "exceeds text limit (2000)"),
        ({"q": {"x": 1}, "source": "de", "target": "en"}, "q must be a string"),
    ],
)
def test_errors_in_libretranslate_shape(open_server, body, message) -> None:
    status, answer, _ = open_server.post("translate", body)
    assert status == 400
    assert set(answer) == {"error"} and message in answer["error"]


def test_invalid_json_and_oversized_body(open_server) -> None:
    request = urllib.request.Request(
        open_server.url + "translate",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=30)
    assert err.value.code == 400 and json.loads(err.value.read()) == {
        "error": "Invalid JSON format"
    }
    status, answer, _ = open_server.post(
        "translate", {"q": "x" * 300_000, "source": "de", "target": "en"}
    )
    assert status == 413 and "too large" in answer["error"]


def test_health_settings_spec_and_unknown_path(open_server) -> None:
    assert open_server.get("health") == (200, {"status": "ok"})
    status, settings = open_server.get("frontend/settings")
    assert status == 200 and settings["charLimit"] == 2000 and settings["apiKeys"] is False
    status, spec = open_server.get("spec")
    assert status == 200 and "/translate" in spec["paths"] and "/v2/translate" in spec["paths"]
    status, answer = open_server.get("no/such/path")
    assert status == 404 and set(answer) == {"error"}


def test_every_log_line_has_a_request_id(open_server) -> None:
    status, _, headers = open_server.post(
        "translate", {"q": "Hallo", "source": "de", "target": "en"}, {"X-Request-ID": "abc-123"}
    )
    assert status == 200 and headers["x-request-id"] == "abc-123"
    lines = open_server.log.read_text().splitlines()
    assert any("[abc-123]" in line and "POST /translate" in line for line in lines)
    assert not any(" [] " in line for line in lines)
