"""Servers shared by the serve tests (one per kind for the whole session).

A plugin of tests/conftest.py rather than tests/serve/conftest.py: a second
conftest.py would shadow the root one's ``from conftest import …``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _serving() -> Any:
    """tests/serve/serving.py, once the serve extra is known to be there."""
    pytest.importorskip("starlette", reason="the serve extra (starlette) is not installed")
    pytest.importorskip("uvicorn", reason="the serve extra (uvicorn) is not installed")
    folder = str(Path(__file__).parent / "serve")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import serving

    return serving


@pytest.fixture(scope="session")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """No keys; de->en, and en->de when the test model is there."""
    serving = _serving()
    MODEL, EN_DE_MODEL = serving.MODEL, serving.EN_DE_MODEL  # noqa: N806
    start_server, stop_server = serving.start_server, serving.stop_server
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
) -> Iterator[tuple[Any, dict[str, str]]]:
    """API keys (one with tiny limits), mounted under /mt."""
    serving = _serving()
    server_env, start_server, stop_server = (
        serving.server_env,
        serving.start_server,
        serving.stop_server,
    )
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
