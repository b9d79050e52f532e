"""Servers shared by the serve tests (one per kind for the whole session)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

pytest.importorskip("starlette", reason="the serve extra (starlette) is not installed")
pytest.importorskip("uvicorn", reason="the serve extra (uvicorn) is not installed")

from serving import EN_DE_MODEL, MODEL, Server, server_env, start_server, stop_server  # noqa: E402


@pytest.fixture(scope="session")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """No keys; de->en, and en->de when the test model is there."""
    models = (MODEL, EN_DE_MODEL) if EN_DE_MODEL.is_file() else (MODEL,)
    server = start_server(
        tmp_path_factory.mktemp("open"),
        "--batch-limit",
        "25",
        "--char-limit",
        "2000",
        "--body-limit",
        "200000",
        models=models,
    )
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def keyed_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, dict[str, str]]]:
    """API keys (one with tiny limits), mounted under /mt."""
    base = tmp_path_factory.mktemp("keyed")
    keys_file = base / "keys.tsv"
    keys = {}
    for name, requests, chars in (
        ("main", "", ""),
        ("tight", "3/minute", ""),
        ("tight-lt", "3/minute", ""),
        ("small", "", "40/day"),
    ):
        made = subprocess.run(
            [
                sys.executable,
                "-m",
                "transkit",
                "api-key",
                name,
                "--file",
                str(keys_file),
                "--requests",
                requests,
                "--characters",
                chars,
            ],
            env=server_env(base),
            capture_output=True,
            text=True,
            check=True,
        )
        keys[name] = made.stdout.strip()
    server = start_server(base, "--api-keys", str(keys_file), "--root-path", "/mt")
    yield server, keys
    stop_server(server)
