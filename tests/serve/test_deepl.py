"""The official ``deepl`` client (1.32), unchanged, against a running server."""

from __future__ import annotations

import pytest

deepl = pytest.importorskip("deepl", reason="the deepl client is not installed")


@pytest.fixture
def translator(open_server):
    return deepl.Translator("any-key:fx", server_url=open_server.url)


def test_translate_text_billed_characters(translator) -> None:
    result = translator.translate_text("Peking kontrolliert seltene Erden.", target_lang="EN-US")
    assert "Beijing" in result.text and "Peking" not in result.text
    assert result.detected_source_lang == "DE"
    assert result.billed_characters == len("Peking kontrolliert seltene Erden.")
    results = translator.translate_text(
        ["Hallo.", "Die Regierung hat Regeln."], source_lang="DE", target_lang="EN-GB"
    )
    assert len(results) == 2 and all(r.text for r in results)


def test_glossary_created_by_the_client_is_applied(translator) -> None:
    pairs = translator.get_glossary_languages()
    assert ("DE", "EN") in {(p.source_lang.upper(), p.target_lang.upper()) for p in pairs}
    source = "Die Regierung hat neue Regeln."
    plain = translator.translate_text(source, source_lang="DE", target_lang="EN-US").text
    glossary = translator.create_glossary(
        "test words", source_lang="DE", target_lang="EN", entries={"Regierung": "cabinet"}
    )
    try:
        assert glossary.entry_count == 1 and glossary.ready
        done = translator.translate_text(
            source, source_lang="DE", target_lang="EN-US", glossary=glossary
        ).text
        assert "cabinet" in done.lower() and "cabinet" not in plain.lower()
        assert translator.get_glossary_entries(glossary) == {"Regierung": "cabinet"}
        assert glossary.glossary_id in [g.glossary_id for g in translator.list_glossaries()]
        assert translator.get_glossary(glossary.glossary_id).name == "test words"
    finally:
        translator.delete_glossary(glossary)
    with pytest.raises(deepl.GlossaryNotFoundException):
        translator.get_glossary(glossary.glossary_id)


def test_deployment_glossary_wins_over_a_request_glossary(translator) -> None:
    glossary = translator.create_glossary(
        "tries Peking", source_lang="DE", target_lang="EN", entries={"Peking": "Peking"}
    )
    try:
        done = translator.translate_text(
            "Peking kontrolliert seltene Erden.",
            source_lang="DE",
            target_lang="EN-US",
            glossary=glossary,
        ).text
        assert "Beijing" in done and "Peking" not in done  # the forbidden term never leaves
    finally:
        translator.delete_glossary(glossary)


def test_glossary_from_csv_and_bad_entries(translator) -> None:
    glossary = translator.create_glossary_from_csv(
        "csv", source_lang="DE", target_lang="EN", csv_data="Regel,rule\nExport,export\n"
    )
    try:
        assert translator.get_glossary_entries(glossary) == {"Regel": "rule", "Export": "export"}
    finally:
        translator.delete_glossary(glossary)
    with pytest.raises(deepl.DeepLException, match="Bad request"):
        translator.create_glossary_from_csv("bad", "DE", "EN", csv_data="only-one-column\n")


def test_languages_and_usage(translator) -> None:
    assert "DE" in [lang.code for lang in translator.get_source_languages()]
    targets = [lang.code for lang in translator.get_target_languages()]  # type from the body
    assert "EN-US" in targets and "EN-GB" in targets
    usage = translator.get_usage()
    assert usage.character.valid and usage.character.count >= 0


def test_tag_handling_xml_places_tags(translator) -> None:
    result = translator.translate_text(
        "Die <b>Regierung</b> hat neue Regeln.",
        source_lang="DE",
        target_lang="EN-US",
        tag_handling="xml",
    )
    assert result.text.count("<b>") == 1 and result.text.count("</b>") == 1
    assert "Regierung" not in result.text


def test_errors_in_deepl_shape(open_server, translator) -> None:
    with pytest.raises(deepl.DeepLException, match="Bad request, message: Value for 'target_lang'"):
        translator.translate_text("Hallo", source_lang="DE", target_lang="FR")
    status, body, _ = open_server.post("v2/translate", {"target_lang": "EN-US"})
    assert status == 400 and set(body) == {"message"}
    status, body, _ = open_server.post(
        "v2/translate", {"text": ["Hallo"], "target_lang": "EN-US", "tag_handling": "pdf"}
    )
    assert status == 400 and "tag_handling" in body["message"]


def test_keys_root_path_quota_and_rate_limit(keyed_server, monkeypatch) -> None:
    server, keys = keyed_server
    monkeypatch.setattr(deepl.http_client, "max_network_retries", 0)
    assert server.url.endswith("/mt/")  # the client's urljoin keeps the prefix
    good = deepl.Translator(keys["main"], server_url=server.url)
    assert good.translate_text("Hallo.", source_lang="DE", target_lang="EN-US").text
    with pytest.raises(deepl.AuthorizationException):
        deepl.Translator("wrong-key", server_url=server.url).get_usage()
    small = deepl.Translator(keys["small"], server_url=server.url)
    small.translate_text("Die Regierung hat Regeln.", source_lang="DE", target_lang="EN-US")
    with pytest.raises(deepl.QuotaExceededException):  # 456 once 40 characters are used
        small.translate_text(
            "Die Regierung hat neue Regeln.", source_lang="DE", target_lang="EN-US"
        )
    tight = deepl.Translator(keys["tight"], server_url=server.url)
    with pytest.raises(deepl.TooManyRequestsException):  # 429 after 3 requests a minute
        for _ in range(4):
            tight.get_usage()
