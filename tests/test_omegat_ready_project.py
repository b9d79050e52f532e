"""`transkit translate --formats omegat`: OmegaT 3.6 console-translate fills every segment.

The project transkit writes must make OmegaT cut the German exactly where
transkit did (the seed, and a text full of boundaries OmegaT's default
German rules decide differently: "Er wurde 85. Seine", "ca. 5 Mio. Euro",
a heading without a full stop), so that every segment finds transkit's
translation in ``tm/auto`` and the target OmegaT writes is transkit's
``.en.txt`` byte for byte.  Skips without OmegaT or Java.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import private_env
from omegat_cli import OmegaT, find_omegat, project_stats
from transkit.text.segment import segment_document

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel"
SEED = next((ROOT / "seeds").glob("*.txt"))
BOUNDARIES = ROOT / "tests" / "data" / "omegat_project" / "boundaries.de.txt"
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"


@pytest.fixture(scope="module")
def omegat() -> OmegaT:
    found, why = find_omegat()
    if found is None:
        pytest.skip(why)
    return found


@pytest.fixture(scope="module")
def out(omegat: OmegaT, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ready")
    for source in (SEED, BOUNDARIES):
        shutil.copy(source, base / source.name)
    proc = subprocess.run(
        [TRANSKIT, "translate", SEED.name, BOUNDARIES.name, "--model", str(MODEL)]
        + ["--glossary", str(ROOT / "glossary"), "--formats", "txt,omegat", "--out", "out", "-q"],
        env=private_env(base),
        cwd=base,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return base / "out"


@pytest.mark.parametrize("source", [SEED, BOUNDARIES], ids=["seed", "boundaries"])
def test_console_translate_fills_every_segment_byte_for_byte(
    omegat: OmegaT, out: Path, source: Path
) -> None:
    stem = source.name.rsplit(".txt", 1)[0]
    project = out / f"{stem}.omegat"
    for part in ("omegat.project", "omegat/filters.xml", "omegat/segmentation.conf"):
        assert (project / part).is_file(), part
    assert (project / "glossary" / "glossary.txt").read_text(encoding="utf-8").strip()
    assert list((project / "tm" / "auto").glob("*.tmx"))
    german = source.read_text(encoding="utf-8")
    assert (project / "source" / source.name).read_text(encoding="utf-8") == german

    segments, seg_run = omegat.segments(project)
    assert seg_run.returncode == 0 and not seg_run.errors, seg_run.output[-3000:]
    ours = [s.source for s in segment_document(source.name, german).segments]
    assert sorted(set(segments)) == sorted(set(ours)), "OmegaT cut differently from transkit"

    run = omegat.translate(project)
    assert run.returncode == 0 and not run.errors, run.output[-3000:]
    stats = project_stats(project)
    assert stats["Total"] == len(ours) and stats["Remaining"] == 0, stats
    english = (out / f"{stem}.en.txt").read_bytes()
    assert (project / "target" / source.name).read_bytes() == english


def test_without_the_project_rules_omegat_would_cut_differently(
    omegat: OmegaT, out: Path, tmp_path: Path
) -> None:
    """The check above can fail: OmegaT's own German rules miss transkit's cuts."""
    project = tmp_path / "defaults"
    shutil.copytree(out / "boundaries.de.omegat", project)
    (project / "omegat" / "segmentation.conf").unlink()
    for old in (project / "target").iterdir():
        old.unlink()
    run = omegat.translate(project)
    assert run.returncode == 0 and not run.errors
    assert project_stats(project)["Remaining"] > 0
