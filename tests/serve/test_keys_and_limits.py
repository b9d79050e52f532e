"""API keys (hashed, with limits), LibreTranslate's key errors, and refusing exposure."""

from __future__ import annotations

import subprocess
import sys

from serving import REPO, server_env


def test_libretranslate_key_errors_and_limit(keyed_server) -> None:
    server, keys = keyed_server
    body = {"q": "Hallo.", "source": "de", "target": "en"}
    status, answer, _ = server.post("translate", body)
    assert (status, answer) == (
        400,
        {"error": "Please contact the server operator to get an API key"},
    )
    status, answer, _ = server.post("translate", {**body, "api_key": "not-a-key"})
    assert (status, answer) == (403, {"error": "Invalid API key"})
    status, answer, _ = server.post("translate", {**body, "api_key": keys["main"]})
    assert status == 200 and answer["translatedText"]
    statuses = []
    for _ in range(4):
        status, answer, headers = server.post(
            "detect", {"q": "Hallo Welt", "api_key": keys["tight-lt"]}
        )
        statuses.append(status)
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    assert answer["error"].startswith("Slowdown:") and headers.get("retry-after")


def test_keys_file_holds_only_hashes(keyed_server) -> None:
    server, keys = keyed_server
    text = (server.base / "keys.tsv").read_text()
    assert all(key not in text for key in keys.values())
    assert text.count("sha256:") == len(keys) == 4


def test_refuses_a_reachable_address_without_keys(tmp_path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "transkit",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "1",
            "--model",
            str(REPO / "tests" / "data" / "translate-de_en-tiny.argosmodel"),
        ],
        env=server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert "refusing to listen on 0.0.0.0 without --api-keys" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_keys_file_is_one_line(tmp_path) -> None:
    keys = tmp_path / "keys.tsv"
    keys.write_text("alice\tplaintext-key\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "transkit",
            "serve",
            "--api-keys",
            str(keys),
            "--port",
            "1",
            "--model",
            str(REPO / "tests" / "data" / "translate-de_en-tiny.argosmodel"),
        ],
        env=server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode != 0 and f"{keys}:1:" in done.stderr and "Traceback" not in done.stderr
