"""Anything unexpected becomes a 500 in the API's shape: no traceback, no path."""

from __future__ import annotations

import pytest

from transkit.serve.config import ServeConfig

testclient = pytest.importorskip("starlette.testclient", reason="starlette is not installed")


class _Broken:
    """A service whose translation fails the way a bug would (the error-path under test)."""

    pairs = [("de", "en")]
    packages = {("de", "en"): None}

    def start(self) -> None: ...

    async def stop(self) -> None: ...

    def language_names(self) -> dict[str, str]:
        return {"de": "German", "en": "English"}

    async def translate(self, *args, **kwargs):
        raise RuntimeError("boom in /opt/secret/path/module.py line 12")


@pytest.fixture
def client():
    from transkit.serve.app import create_app

    app = create_app(ServeConfig(body_limit=1000), service=_Broken())
    with testclient.TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_libretranslate_500_is_generic(client) -> None:
    response = client.post("/translate", json={"q": "Hallo", "source": "de", "target": "en"})
    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error"}
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"]


def test_deepl_500_is_generic(client) -> None:
    response = client.post(
        "/v2/translate", json={"text": ["Hallo"], "target_lang": "EN-US", "source_lang": "DE"}
    )
    assert response.status_code == 500 and response.json() == {"message": "Internal server error"}


def test_body_limit_413_in_each_shape(client) -> None:
    big = {"q": "x" * 2000, "source": "de", "target": "en"}
    response = client.post("/translate", json=big)
    assert response.status_code == 413 and "too large" in response.json()["error"]
    response = client.post("/v2/translate", json={"text": ["x" * 2000], "target_lang": "EN-US"})
    assert response.status_code == 413 and "too large" in response.json()["message"]


def test_wrong_method_and_path_in_each_shape(client) -> None:
    assert client.get("/detect").json() == {"error": "Method Not Allowed"}
    assert client.get("/v2/nothing").json() == {"message": "Not Found"}
