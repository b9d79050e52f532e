"""The ways in: ``ray job submit -- transkit translate --cluster auto``, Ray Client, a bad segment.

One loopback cluster for the module, its head running the dashboard (the
job server) and the Ray Client server on loopback ports; one one-CPU
worker node.  Jobs run the real CLI, as an operator would submit it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cluster_fixtures import (
    GLOSSARY,
    MODEL,
    REPO,
    assert_same_outputs,
    local_run,
    stop_cluster,
)

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def cluster(ray_folder: Path) -> Any:
    import ray
    from raycluster import LocalCluster

    handle = LocalCluster(ray_folder, 1, services=True)
    ray.init(
        address=handle.address,
        logging_level="WARNING",
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
    )
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}
    ray.shutdown()  # the jobs are the drivers here
    yield handle
    stop_cluster(handle)


@pytest.fixture(scope="module")
def inputs(ray_folder: Path) -> list[str]:
    """Two short files: the second has one sentence the fault hook makes fail."""
    folder = ray_folder / "job-inputs"
    folder.mkdir()
    good = folder / "good.txt"
    good.write_text(
        "Die Regierung in Berlin tagt heute.\n\nDer Bericht erscheint morgen.\n", encoding="utf-8"
    )
    bad = folder / "bad.txt"
    bad.write_text(
        "Das Wasser ist klar. Dieser Satz ist vergiftet. Die Sonne scheint.\n", encoding="utf-8"
    )
    return [str(good), str(bad)]


@pytest.fixture(scope="module")
def reference(ray_folder: Path, inputs: list[str]) -> Path:
    out = ray_folder / "job-local"
    local_run(inputs, out)
    return out


@pytest.fixture(scope="module")
def good_reference(ray_folder: Path, inputs: list[str]) -> Path:
    """The local run of the good file alone (batches are planned over a run's inputs)."""
    out = ray_folder / "job-local-good"
    local_run(inputs[:1], out)
    return out


def _transkit(*args: str) -> list[str]:
    """The installed console script when there is one, else ``python -m transkit``."""
    script = BIN / "transkit"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "transkit"]
    return [*head, "translate", *args, "--model", str(MODEL), "--glossary", str(GLOSSARY), "-q"]


def _submit(cluster: Any, command: list[str], **runtime: Any) -> subprocess.CompletedProcess[str]:
    """``ray job submit`` of ``command``, waiting for it; the job's environment as this test's."""
    env_vars = {
        key: os.environ[key]
        for key in ("SOURCE_DATE_EPOCH", "TRANSKIT_BATCH_SEGMENTS", "HOME")
        if key in os.environ
    }
    env_vars["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(Path(__file__).parent)])
    runtime_env = {"env_vars": env_vars, **runtime}
    return subprocess.run(
        [str(BIN / "ray"), "job", "submit", "--address", cluster.dashboard_url]
        + ["--runtime-env-json", json.dumps(runtime_env), "--", *command],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )


def test_ray_job_submit_runs_the_cli_and_writes_what_a_local_run_writes(
    cluster: Any, inputs: list[str], reference: Path, ray_folder: Path
) -> None:
    out = ray_folder / "job-out"
    done = _submit(cluster, _transkit(*inputs, "--out", str(out), "--cluster", "auto"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "succeeded" in done.stdout + done.stderr
    assert_same_outputs(reference, out)  # the journal is gone with the rest


def test_a_bad_segment_fails_only_its_file_and_the_run_lists_it(
    cluster: Any, inputs: list[str], reference: Path, ray_folder: Path
) -> None:
    """One segment the engine refuses: its status comes back, the rest completes, exit 1."""
    from transkit.cluster.journal import JOURNAL_NAME, Journal

    out = ray_folder / "job-bad"
    done = _submit(
        cluster,
        _transkit(*inputs, "--out", str(out), "--cluster", "auto"),
        worker_process_setup_hook="fault_hook.install",
    )
    logs = done.stdout + done.stderr
    assert done.returncode != 0, logs[-3000:]
    # ray job submit prints the job's log, and again its tail in the failure's status message
    errors = sorted({line for line in logs.splitlines() if "transkit: error:" in line})
    assert len(errors) == 1, logs[-3000:]
    bad = inputs[1]
    assert f"{bad}#2" in errors[0] and "1 segment(s) failed" in errors[0], errors
    assert "refuses this sentence" in errors[0] and "Traceback" not in errors[0]
    # the good file is written (its batch was retried segment by segment on the worker,
    # so its bytes may differ from a local run's in the scores' last digits); the bad one is not
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    expected = [p.name for p in reference.iterdir() if not p.name.startswith("bad.")]
    assert written == sorted(expected)
    assert (out / "good.en.txt").read_text(encoding="utf-8").count("\n\n") == 1
    # the bad file's other segments are committed; the journal stays for --resume
    journal = Journal(out / JOURNAL_NAME)
    try:
        assert journal.committed() >= {(bad, 0), (bad, 2)} and (bad, 1) not in journal.committed()
    finally:
        journal.close()


def test_ray_client_is_accepted_with_a_warning(
    cluster: Any, inputs: list[str], good_reference: Path, ray_folder: Path
) -> None:
    """``--cluster ray://``: one warning line, and the run works (the execution relayed
    through an actor in the cluster: Ray Data does not execute in a Ray Client process)."""
    out = ray_folder / "client-out"
    for _attempt in range(2):
        done = subprocess.run(
            _transkit(*inputs[:1], "--out", str(out), "--cluster", cluster.client_address),
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
        # Ray's client server starts a driver process per client; on a busy
        # machine that can time out ("Initialization failure from server"),
        # which is Ray's, not transkit's: one more try, as a user would.
        if "Initialization failure from server" not in done.stderr:
            break
    lines = done.stderr.strip().splitlines()
    warnings = [line for line in lines if line.startswith("transkit: warning:")]
    assert len(warnings) == 1 and "Ray Client" in warnings[0], done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    assert_same_outputs(good_reference, out)


def test_ray_client_to_nowhere_fails_in_one_line(ray_folder: Path, inputs: list[str]) -> None:
    """``ray://`` with no Ray Client server there: the warning, then one error line."""
    from raycluster import free_port

    out = ray_folder / "client-nowhere"
    address = f"ray://127.0.0.1:{free_port()}"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "RAY_CLIENT_RECONNECT_GRACE_PERIOD": "1"}
    done = subprocess.run(
        _transkit(*inputs[:1], "--out", str(out), "--cluster", address),
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    lines = [line for line in done.stderr.strip().splitlines() if line.startswith("transkit:")]
    assert done.returncode == 2, done.stderr[-3000:]
    assert len(lines) == 2 and "warning" in lines[0] and address in lines[1], done.stderr[-3000:]
    assert "Traceback" not in done.stderr and not out.exists()
