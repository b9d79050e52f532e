"""Helpers: a real ``transkit serve`` in a subprocess on 127.0.0.1, for real clients.

Each server gets a free port, a private package folder and cache, the
repository's glossary, a one-unit translation memory and its own data
folder; the finalizer stops it (SIGTERM, then kill).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def private_env(base: Path) -> dict[str, str]:
    """An empty package folder and private caches under ``base`` (as tests/conftest.py's)."""
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


MODEL = REPO / "tests" / "data" / "translate-de_en-tiny.argosmodel"
EN_DE_MODEL = REPO / "tests" / "data" / "translate-en_de-tiny.argosmodel"
#: A sentence the memory holds, and its approved English.
TM_SOURCE = "Die Regierung in Peking hat neue Regeln für den Export."
TM_TARGET = "Beijing's government has new export rules (approved)."

_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="test" creationtoolversion="1" segtype="sentence"
 o-tmf="none" adminlang="en" srclang="de" datatype="plaintext"/>
<body><tu creationdate="20260101T000000Z"><tuv xml:lang="de"><seg>{de}</seg></tuv>
<tuv xml:lang="en"><seg>{en}</seg></tuv></tu></body></tmx>
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str  # ends with "/"
    process: subprocess.Popen
    log: Path
    base: Path

    def get(self, path: str) -> tuple[int, dict | list]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def post(self, path: str, body: dict, headers: dict | None = None) -> tuple[int, dict, dict]:
        request = urllib.request.Request(
            self.url + path.lstrip("/"),
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read()), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read()), dict(err.headers)


def server_env(base: Path) -> dict[str, str]:
    env = private_env(base)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start_server(base: Path, *args: str, models: tuple[Path, ...] = (MODEL,)) -> Server:
    """``transkit serve`` with ``args``; waits until /health answers."""
    base.mkdir(parents=True, exist_ok=True)
    tm = base / "tm"
    tm.mkdir(exist_ok=True)
    (tm / "approved.tmx").write_text(_TMX.format(de=TM_SOURCE, en=TM_TARGET), encoding="utf-8")
    port = free_port()
    log = base / "server.log"
    command = [sys.executable, "-m", "transkit", "serve", "--port", str(port)]
    for model in models:
        command += ["--model", str(model)]
    command += ["--glossary", str(REPO / "glossary"), "--tm", str(tm), "--data", str(base / "data")]
    command += list(args)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=server_env(base), stdout=out, stderr=subprocess.STDOUT, cwd=base
        )
    prefix = ""
    if "--root-path" in args:
        prefix = args[args.index("--root-path") + 1].strip("/") + "/"
    server = Server(f"http://127.0.0.1:{port}/{prefix}", process, log, base)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited {process.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise AssertionError(f"server did not start:\n{log.read_text()}")


def stop_server(server: Server) -> int:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    return server.process.returncode
