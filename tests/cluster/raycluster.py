"""A local multi-node Ray cluster on loopback, for the cluster tests and bench/cluster.py.

Every node binds 127.0.0.1 (``node_ip_address``; drivers resolve to
loopback with ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``); ``HOME``, Ray's temp
folder and its session files live in the caller's folder; nodes get one CPU
and a small object store, and a dead node is noticed within about two
seconds (fast health checks).  `LocalCluster.shutdown` stops every process.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

OBJECT_STORE_BYTES = 120 * 1024 * 1024
#: A node missing 4 health checks 400 ms apart is dead.
HEALTH = {
    "health_check_initial_delay_ms": 0,
    "health_check_period_ms": 400,
    "health_check_timeout_ms": 400,
    "health_check_failure_threshold": 4,
}
ENVIRONMENT = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_DEDUP_LOGS": "0",
}


def ray_environment(folder: Path) -> dict[str, str]:
    """The variables that keep Ray inside ``folder`` and on loopback."""
    return {**ENVIRONMENT, "HOME": str(folder), "RAY_TMPDIR": str(folder), "TMPDIR": str(folder)}


def free_port() -> int:
    """A TCP port free on loopback now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalCluster:
    """A head node without CPUs (the driver's) and one-CPU worker nodes.

    ``services``: the head also runs the dashboard (for ``ray job submit``)
    and the Ray Client server (``ray://``), both on loopback ports of their own.
    """

    def __init__(self, folder: Path, workers: int, *, services: bool = False) -> None:
        from ray.cluster_utils import Cluster

        self.folder = folder
        head: dict[str, Any] = {
            "num_cpus": 0,
            "object_store_memory": OBJECT_STORE_BYTES,
            "include_dashboard": False,
            "node_ip_address": "127.0.0.1",
            "temp_dir": str(folder / "ray"),
            "_system_config": HEALTH,
        }
        self.dashboard_url = self.client_address = ""
        if services:
            dashboard, client = free_port(), free_port()
            head.update(
                include_dashboard=True,
                dashboard_host="127.0.0.1",
                dashboard_port=dashboard,
                ray_client_server_port=client,
            )
            self.dashboard_url = f"http://127.0.0.1:{dashboard}"
            self.client_address = f"ray://127.0.0.1:{client}"
        self.cluster = Cluster(initialize_head=True, shutdown_at_exit=True, head_node_args=head)
        self.nodes: list[Any] = []
        for _ in range(workers):
            self.add_node()
        self.cluster.wait_for_nodes()

    @property
    def address(self) -> str:
        return str(self.cluster.address)

    def add_node(self) -> Any:
        node = self.cluster.add_node(
            num_cpus=1, object_store_memory=OBJECT_STORE_BYTES, node_ip_address="127.0.0.1"
        )
        self.nodes.append(node)
        return node

    def node_of_pid(self, pid: int) -> Any | None:
        """The worker node whose raylet started process ``pid`` (a Ray worker)."""
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None
        for node in self.nodes:
            raylet = node.all_processes.get("raylet")
            if raylet and raylet[0].process.pid == parent:
                return node
        return None

    def kill(self, node: Any) -> None:
        """Kill a worker node at once (no graceful shutdown), as a crashed machine."""
        self.cluster.remove_node(node, allow_graceful=False)
        self.nodes.remove(node)

    def shutdown(self) -> None:
        self.cluster.shutdown()

    def leftover_processes(self) -> list[str]:
        """Ray processes still running from this cluster's folder (should be none)."""
        found = subprocess.run(
            ["pgrep", "-af", str(self.folder)], capture_output=True, text=True, check=False
        ).stdout
        return [line for line in found.splitlines() if "pgrep" not in line]
