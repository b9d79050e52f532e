"""A cluster run loses nothing and doubles nothing when a node dies.

One loopback cluster for the module: a head node without CPUs (the
driver's) and one-CPU worker nodes, killed one after the other.  Every run
is compared byte for byte with a local run of the same inputs.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from cluster_fixtures import (
    assert_same_outputs,
    attempts,
    inputs_for,
    local_run,
    options,
    start_cluster,
    stop_cluster,
)

pytestmark = pytest.mark.slow

GENERATED = 600


@pytest.fixture(scope="module")
def cluster(ray_folder: Path) -> Any:
    """Three worker nodes: one spare for the first kill."""
    handle = start_cluster(ray_folder, 3)
    yield handle
    stop_cluster(handle)


@pytest.fixture(scope="module")
def inputs(ray_folder: Path) -> list[str]:
    return inputs_for(ray_folder, GENERATED)


@pytest.fixture(scope="module")
def reference(ray_folder: Path, inputs: list[str]) -> tuple[Path, Any]:
    out = ray_folder / "local"
    return out, local_run(inputs, out)


@pytest.fixture(scope="module")
def small(inputs: list[str]) -> list[str]:
    """The seed and the news: the shorter runs."""
    return inputs[:1] + inputs[-1:]


@pytest.fixture(scope="module")
def small_reference(ray_folder: Path, small: list[str]) -> tuple[Path, Any]:
    """The local run of `small`: batches are planned over a run's inputs, so its own."""
    out = ray_folder / "local-small"
    return out, local_run(small, out)


def _committed(out: Path) -> int:
    from transkit.cluster.journal import JOURNAL_NAME

    path = out / JOURNAL_NAME
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM segments").fetchone()[0])
    except sqlite3.Error:
        return 0


class _Run(threading.Thread):
    """`run_cluster_translate` in a thread, so the test can kill nodes meanwhile."""

    def __init__(self, inputs: list[str], out: Path, log: Path, workers: int) -> None:
        super().__init__(daemon=True)
        from transkit.cluster.driver import ClusterOptions, ClusterStats

        self.inputs, self.out = inputs, out
        self.cluster = ClusterOptions(address="auto", workers=workers, attempts_log=log)
        self.stats = ClusterStats()
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        from transkit.cluster.driver import run_cluster_translate

        try:
            self.result = run_cluster_translate(
                self.inputs, options(self.out), self.cluster, stats=self.stats
            )
        except BaseException as err:  # handed to the test
            self.error = err


def _node_running(cluster: Any, log: Path, event: str) -> tuple[Any, str] | None:
    """A worker node with a worker that logged ``event``, and that worker's name."""
    for worker, seen, _ in attempts(log):
        if seen == event:
            node = cluster.node_of_pid(int(worker.rsplit(":", 1)[1]))
            if node is not None:
                return node, worker
    return None


def _check_run(run: _Run, reference: tuple[Path, Any]) -> None:
    """Exit without error, outputs as the local run's, every segment once, no temp file."""
    from transkit.cluster.journal import JOURNAL_NAME

    assert run.error is None, run.error
    assert not run.result.failed, [f.error for f in run.result.failed]
    local_out, local = reference
    assert_same_outputs(local_out, run.out)
    leftovers = [p.name for p in run.out.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers and not (run.out / JOURNAL_NAME).exists()
    mine = {f.path: f.document for f in run.result.files}
    assert set(mine) == {f.path for f in local.files}
    for f in local.files:
        theirs = mine[f.path]
        assert [s.id for s in theirs.segments] == [s.id for s in f.document.segments]
        assert len({s.id for s in theirs.segments}) == len(theirs.segments)  # each once
    keys = ("segments", "terms_required", "terms_satisfied", "terms_failed")
    assert {k: run.result.summary()[k] for k in keys} == {k: local.summary()[k] for k in keys}
    assert _forbidden(run.result) == _forbidden(local)


def _forbidden(run: Any) -> int:
    return sum(len(c.forbidden_found) for d in run.documents for s in d.segments for c in s.checks)


def test_worker_node_killed_mid_run(cluster: Any, inputs: list[str], reference, ray_folder):
    """Kill a busy worker's node once 30% is committed: the run still ends complete and exact."""
    out, log = ray_folder / "killed", ray_folder / "killed.log"
    run = _Run(inputs, out, log, workers=2)
    run.start()
    total = sum(len(f.document.segments) for f in reference[1].files)
    deadline = time.monotonic() + 600
    while _committed(out) < 0.3 * total and run.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    victim = _node_running(cluster, log, "attempt")
    assert run.is_alive() and victim is not None, "the run ended before 30% could be seen"
    share = _committed(out) / total
    cluster.kill(victim[0])
    run.join(600)
    assert not run.is_alive()
    _check_run(run, reference)
    assert share >= 0.3
    tried = [line for line in attempts(log) if line[1] == "attempt"]
    assert len(tried) > run.stats.sent, "no batch ran twice: the kill proved nothing"
    assert run.stats.committed == run.stats.segments  # every id committed once, by this run


def test_worker_killed_while_loading_the_model(cluster: Any, small, small_reference, ray_folder):
    """A node killed while its worker loads the model: another worker takes over."""
    out, log = ray_folder / "loading", ray_folder / "loading.log"
    run = _Run(small, out, log, workers=1)
    run.start()
    deadline = time.monotonic() + 300
    victim = None
    while victim is None and run.is_alive() and time.monotonic() < deadline:
        victim = _node_running(cluster, log, "load")
        time.sleep(0.01)
    assert victim is not None, "no worker started loading"
    cluster.kill(victim[0])
    run.join(600)
    assert not any(w == victim[1] and e == "attempt" for w, e, _ in attempts(log)), (
        "the victim translated before it died: the kill came after loading"
    )
    _check_run(run, small_reference)


def test_no_spare_node(cluster: Any, small, small_reference, ray_folder):
    """Two workers on exactly two nodes; one node dies: the survivor finishes the run."""
    while len(cluster.nodes) < 2:
        cluster.add_node()
    while len(cluster.nodes) > 2:
        cluster.kill(cluster.nodes[-1])
    out, log = ray_folder / "nospare", ray_folder / "nospare.log"
    run = _Run(small, out, log, workers=2)
    run.start()
    deadline = time.monotonic() + 300
    while _committed(out) < 40 and run.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    victim = _node_running(cluster, log, "attempt")
    assert run.is_alive() and victim is not None
    cluster.kill(victim[0])
    run.join(600)
    assert not run.is_alive()
    _check_run(run, small_reference)


def test_driver_killed_and_resumed(cluster: Any, small, small_reference, ray_folder):
    """``transkit translate --cluster`` killed mid-run; ``--resume`` sends only what is missing."""
    import os
    import signal
    import subprocess
    import sys

    from cluster_fixtures import GLOSSARY, MODEL, REPO
    from transkit.batch import dedup_key
    from transkit.cluster.journal import JOURNAL_NAME, Journal

    while len(cluster.nodes) < 1:
        cluster.add_node()
    out = ray_folder / "resumed"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}

    def driver(log: Path, *extra: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "transkit", "translate", *small, "--out", str(out)]
        command += ["--model", str(MODEL), "--glossary", str(GLOSSARY), "-q"]
        command += ["--cluster", cluster.address, "--workers", "1", "--attempts-log", str(log)]
        return subprocess.Popen(
            [*command, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    first = driver(ray_folder / "first.log")
    deadline = time.monotonic() + 300
    while _committed(out) < 30 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, first.communicate()
    first.send_signal(signal.SIGKILL)
    first.wait(60)
    journal = Journal(out / JOURNAL_NAME)
    done = journal.committed()
    journal.close()
    local = {f.path: f.document for f in small_reference[1].files}
    missing = {
        dedup_key(seg)
        for name in small
        for i, seg in enumerate(local[name].segments)
        if (name, i) not in done
    }
    assert done and missing, "the kill came too early or too late"

    again = driver(ray_folder / "second.log", "--resume")
    stdout, stderr = again.communicate(timeout=600)
    assert again.returncode == 0, stderr
    resent = [line for line in attempts(ray_folder / "second.log") if line[1] == "attempt"]
    assert len(resent) == len(missing)  # only what the journal lacked, each once
    assert_same_outputs(small_reference[0], out)
    assert not (out / JOURNAL_NAME).exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
