"""Without Ray, ``--cluster`` says in one line what to install; the local run needs no Ray."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Runs the CLI with ``ray`` made unimportable, as on a machine without the extra.
_NO_RAY = (
    "import sys; sys.modules['ray'] = None; sys.modules['ray.data'] = None; "
    "from transkit.cli import main; sys.argv = ['transkit'] + sys.argv[1:]; main()"
)


def _transkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-c", _NO_RAY, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env=env,
    )


def test_cluster_without_ray_says_what_to_install(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("Die Regierung in Peking tagt.\n", encoding="utf-8")
    done = _transkit("translate", "--cluster", "auto", str(doc), "--out", "out", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'transkit[cluster]'" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_bad_cluster_address_is_one_line(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("Hallo.\n", encoding="utf-8")
    done = _transkit("translate", "--cluster", "no such place", str(doc), cwd=tmp_path)
    assert done.returncode == 2 and "HOST:PORT" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_resume_without_cluster_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("Hallo.\n", encoding="utf-8")
    done = _transkit("translate", "--resume", str(doc), cwd=tmp_path)
    assert done.returncode == 2 and "--cluster" in done.stderr


def test_local_translate_never_imports_ray() -> None:
    code = (
        "import sys; import transkit.pipeline, transkit.cli, transkit.cluster; "
        "print('ray' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
