"""A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, pg_ctl, stopped after.

The server listens on a unix socket inside its own folder and on
127.0.0.1 with a free port only; ``fsync`` is off (nothing here must
survive a crash).  As root, ``initdb``/``postgres`` refuse to run, so they
run as the ``postgres`` OS user (Debian's package creates it) through
``runuser``.  Without PostgreSQL's programs, psycopg, or a user to run as,
the fixtures skip and say which is missing.  ``pytest-postgresql`` was not
used: its process fixture runs ``pg_ctl`` as the current user, which is
root here.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "transkit-test-pw"
USER = "transkit"
_names = itertools.count()


def _bindir() -> Path | None:
    found = os.environ.get("TRANSKIT_PG_BIN")
    candidates = [Path(found)] if found else []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10
            )
            candidates.append(Path(out.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for path in candidates:
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    """A running server: ``url(db)`` for a database, ``create_database()`` for a fresh one."""

    folder: Path
    bindir: Path
    port: int
    prefix: tuple[str, ...]

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        name = f"tm_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [
                *self.prefix,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb + pg_ctl start in a new temporary folder (skips, saying why, when impossible)."""
    pytest.importorskip("psycopg", reason="psycopg not installed (pip install '.[postgres]')")
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL not installed (no initdb/pg_ctl; apt-get install postgresql)")
    prefix: tuple[str, ...] = ()
    owner = None
    if os.geteuid() == 0:
        import pwd

        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no 'postgres' OS user to run PostgreSQL as")
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root and no runuser to run PostgreSQL as 'postgres'")
        prefix = (runuser, "-u", "postgres", "--")
    folder = Path(tempfile.mkdtemp(prefix="transkit-pg-"))
    os.chmod(folder, 0o700)
    pwfile = folder / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    init = subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(folder / "data"),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "-A",
            "scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"initdb failed: {init.stderr.strip()[-500:]}")
    port = _free_port()
    options = (
        f"-k {folder} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    )
    start = subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(folder / "data"),
            "-l",
            str(folder / "log"),
            "-w",
            "-t",
            "120",
            "-o",
            options,
            "start",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    cluster = Cluster(folder=folder, bindir=bindir, port=port, prefix=prefix)
    if start.returncode != 0:
        log = (
            (folder / "log").read_text(errors="replace")[-500:] if (folder / "log").exists() else ""
        )
        cluster.stop()
        pytest.fail(f"pg_ctl start failed: {start.stderr.strip()[-300:]} {log}")
    return cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL server for the test session, stopped at its end."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """The URL of a new, empty database on the throwaway server."""
    return pg_cluster.create_database()
