"""The server side of `bench/serve.py`: start, watch and stop the servers it measures.

Each server runs in its own process group on 127.0.0.1, with its output in a
log file under ``bench/_work/``; `Server.stop` (called from ``finally``) ends
the whole group.  LibreTranslate 1.9.6 gets its own virtual environment and a
private Argos package folder, so it starts offline and touches nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "Server",
    "free_port",
    "lt_environment",
    "SITECUSTOMIZE",
]

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work"

#: Dropped into the LibreTranslate venv's site-packages only.  argostranslate's
#: sentence splitters (MiniSBD, Stanza, spaCy) download a model at first use;
#: offline that fails, so every splitter class gets the same regex split.
SITECUSTOMIZE = '''"""bench/serve.py: argostranslate's sentence split as a regex, offline.

This venv only (LibreTranslate for the benchmark); MiniSBD would download a model.
"""
import re as _re

_SPLIT = _re.compile(r"(?<=[.!?])\\s+(?=[A-ZÄÖÜ0-9\\"„])")


def _split(self, text, *args, **kwargs):
    return [s for s in _SPLIT.split(text) if s.strip()]


def _patch():
    try:
        import argostranslate.sbd as sbd
    except Exception:
        return
    for name in dir(sbd):
        cls = getattr(sbd, name)
        if isinstance(cls, type) and hasattr(cls, "split_sentences"):
            cls.split_sentences = _split
            if hasattr(cls, "lazy_pipeline"):
                cls.lazy_pipeline = lambda self: None


class _Finder:
    """Patch argostranslate.sbd right after it is first imported."""

    def find_spec(self, name, path=None, target=None):
        if name != "argostranslate.sbd":
            return None
        import importlib.util
        import sys

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):
            original(module)
            _patch()

        loader.exec_module = exec_module
        return spec


import sys as _sys

_sys.meta_path.insert(0, _Finder())
'''


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One server process (and its group) that the bench started."""

    def __init__(
        self, name: str, argv: Sequence[str], *, port: int, env: dict[str, str], cwd: Path
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.port = port
        self.env = env
        self.cwd = cwd
        self.log_path = WORK / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str = "/languages", timeout_s: float = 180.0) -> float:
        """Start it and wait until ``ready_path`` answers 200; seconds it took."""
        WORK.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = started + timeout_s
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode} while starting; "
                    f"see {self.log_path}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=5) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f} s; see {self.log_path}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def rss_bytes(self) -> int:
        """Resident memory of the server process and its children, from /proc."""
        if self.process is None:
            return 0
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                with open(f"/proc/{pid}/status", encoding="ascii") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total

    def terminate(self) -> None:
        """SIGTERM to the server process itself (the drain test)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """End the whole process group: SIGTERM, then SIGKILL after 10 s."""
        if self.process is None:
            return
        try:
            pgid = os.getpgid(self.process.pid)
        except ProcessLookupError:
            pgid = None
        if pgid is not None and self.process.poll() is None:
            os.killpg(pgid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        if pgid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (via /proc/<pid>/task/*/children)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def lt_environment(venv: Path, packages: Sequence[Path], *, pip_log: Path) -> dict[str, str]:
    """A ready LibreTranslate 1.9.6 venv: install it if absent, patch its sentence
    splitter, install ``packages`` into a private Argos folder; returns its env."""
    python = venv / "bin" / "python"
    if not (venv / "bin" / "libretranslate").exists():
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        print(f"installing LibreTranslate 1.9.6 into {venv} (log {pip_log}) ...", flush=True)
        with pip_log.open("wb") as log:
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "torch==2.13.0", "libretranslate==1.9.6"],
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
            )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    custom = Path(site) / "sitecustomize.py"
    if not custom.exists() or custom.read_text(encoding="utf-8") != SITECUSTOMIZE:
        custom.write_text(SITECUSTOMIZE, encoding="utf-8")
    home = WORK / "lt-home"
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "ARGOS_PACKAGES_DIR": str(home / "packages"),
        "ARGOS_DEVICE_TYPE": "cpu",
        "HF_HUB_OFFLINE": "1",
        "NO_PROXY": "*",
        "LANG": "C.UTF-8",
    }
    home.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(home / "packages", ignore_errors=True)  # exactly ``packages``, fresh
    install = (
        "import sys, pathlib, argostranslate.package as p\n"
        "for path in sys.argv[1:]:\n"
        "    p.install_from_path(pathlib.Path(path))\n"
        "print(sorted((k.from_code, k.to_code) for k in p.get_installed_packages()))\n"
    )
    done = subprocess.run(
        [str(python), "-c", install, *(str(Path(p).resolve()) for p in packages)],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"installing the packages for LibreTranslate failed:\n{done.stderr}")
    return env
