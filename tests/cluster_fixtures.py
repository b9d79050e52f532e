"""Fixtures for the cluster tests: a loopback Ray cluster per module, inputs, a local reference.

A plugin of tests/conftest.py, not tests/cluster/conftest.py: a second
conftest.py would shadow the root one's ``from conftest import …``.

Ray is an optional extra; `ray_cluster` skips, saying so, without it.  The
cluster lives in a short folder under /tmp of its own (Ray's socket paths
must stay short), with ``HOME`` and Ray's temp folder inside; it is stopped
and the folder removed when the module ends, and no Ray process of it may
be left.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "tests" / "data" / "translate-de_en-tiny.argosmodel"
GLOSSARY = REPO / "glossary"
EPOCH = "1767225600"  # 2026-01-01: SOURCE_DATE_EPOCH for byte-for-byte comparisons


def _seed_files() -> list[Path]:
    for folder in (REPO / "seeds", REPO.parent / "shared" / "seeds"):
        if folder.is_dir() and sorted(folder.glob("*.txt")):
            return sorted(folder.glob("*.txt"))
    return []


@pytest.fixture(scope="module")
def ray_folder() -> Iterator[Path]:
    """A short private folder, Ray's environment pointed into it for the module."""
    import importlib.util
    import sys

    if importlib.util.find_spec("ray") is None:
        pytest.skip("Ray is not installed: pip install 'transkit[cluster]'")
    sys.path.insert(0, str(Path(__file__).parent / "cluster"))
    from raycluster import ray_environment

    folder = Path(tempfile.mkdtemp(prefix="tkc", dir="/tmp"))
    keys = [*ray_environment(folder), "SOURCE_DATE_EPOCH", "TRANSKIT_BATCH_SEGMENTS"]
    saved = {k: os.environ.get(k) for k in keys}
    # Before Ray is imported: it reads RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER at import time.
    os.environ.update(ray_environment(folder))
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    # small batches (for the cluster run and its local reference alike), so that a
    # worker can die between batches of the few hundred test segments
    os.environ["TRANSKIT_BATCH_SEGMENTS"] = "32"
    pytest.importorskip(
        "ray.data", reason="Ray Data is not installed: pip install 'transkit[cluster]'"
    )
    try:
        yield folder
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(folder, ignore_errors=True)


def start_cluster(folder: Path, workers: int) -> Any:
    """A `LocalCluster` with ``workers`` one-CPU nodes, this process connected to it."""
    import ray
    from raycluster import LocalCluster

    cluster = LocalCluster(folder, workers)
    ray.init(
        address=cluster.address,
        logging_level="WARNING",
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
    )
    addresses = {node["NodeManagerAddress"] for node in ray.nodes()}
    assert addresses == {"127.0.0.1"}, addresses
    return cluster


def stop_cluster(cluster: Any) -> None:
    """Disconnect, stop every node, and check that no process of it is left."""
    import ray

    ray.shutdown()
    cluster.shutdown()
    left = cluster.leftover_processes()
    assert not left, left


def inputs_for(folder: Path, generated: int) -> list[str]:
    """The seed, the held-out news and ``generated`` generated segments, as files."""
    from corpus import write_corpus

    from transkit.pipeline import load_glossary

    seeds = _seed_files()
    if not seeds:
        pytest.skip("no seed text (seeds/ or ../shared/seeds/)")
    matcher, _, _ = load_glossary([GLOSSARY])
    corpus = write_corpus(folder / "inputs", generated, matcher=matcher)
    copies = []
    for seed in seeds:
        copy = folder / "inputs" / seed.name
        shutil.copyfile(seed, copy)
        copies.append(copy)
    return [str(p) for p in [*copies, *corpus]]


def options(out: Path) -> Any:
    from transkit.pipeline import TranslateOptions

    return TranslateOptions(model=str(MODEL), glossary_paths=(GLOSSARY,), out_dir=out)


def local_run(inputs: list[str], out: Path) -> Any:
    """The reference: the same inputs translated locally."""
    from transkit.pipeline import run_translate

    run = run_translate(inputs, options(out))
    assert not run.failed, [f.error for f in run.failed]
    return run


def assert_same_outputs(local: Path, cluster: Path) -> None:
    """The same output files in both folders, each byte-identical."""
    names = sorted(p.name for p in local.iterdir())
    assert sorted(p.name for p in cluster.iterdir()) == names
    for name in names:
        assert (cluster / name).read_bytes() == (local / name).read_bytes(), name


def attempts(log: Path) -> list[tuple[str, str, str]]:
    """The workers' attempts log: (worker, event, id) per line."""
    if not log.exists():
        return []
    return [tuple(line.split("\t")) for line in log.read_text().splitlines()]  # type: ignore[misc]
