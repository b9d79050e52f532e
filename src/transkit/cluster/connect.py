"""Joining a Ray cluster: ``auto``, ``HOST:PORT`` or ``ray://HOST:PORT``.

Ray is an optional extra; without it ``--cluster`` fails with one line that
says what to install, and the local run never imports it.
"""

from __future__ import annotations

import re
import warnings
from types import ModuleType

from transkit.errors import TranskitError

__all__ = [
    "RAY_CLIENT_WARNING",
    "ClusterError",
    "ClusterUnavailable",
    "ClusterWarning",
    "require_ray",
    "connect",
    "check_address",
]

INSTALL_HINT = "pip install 'transkit[cluster]'"
RAY_CLIENT_WARNING = (
    "--cluster ray://: Ray Client has limited Ray Data support; prefer "
    "`ray job submit -- transkit translate --cluster auto ...`"
)
_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


class ClusterError(TranskitError):
    """The cluster run could not finish: missing segments, workers that never loaded."""


class ClusterWarning(UserWarning):
    """A cluster run that works, but not as well as it could (Ray Client)."""


class ClusterUnavailable(TranskitError):
    """No Ray, or no cluster at the address given."""

    exit_code = 2


def require_ray() -> ModuleType:
    """``ray`` with Ray Data, or a `ClusterUnavailable` saying what to install."""
    try:
        import ray
        import ray.data  # noqa: F401  (the extra is ray[data])
    except ImportError:
        raise ClusterUnavailable(
            f"--cluster needs Ray, which is not installed: {INSTALL_HINT}"
        ) from None
    return ray


def check_address(address: str) -> str:
    """``auto``, ``HOST:PORT`` or ``ray://HOST:PORT``; anything else is refused in one line."""
    address = address.strip()
    if address == "auto" or address.startswith("ray://") or _HOST_PORT.match(address):
        return address
    raise ClusterUnavailable(f"--cluster {address!r}: give auto, HOST:PORT or ray://HOST:PORT")


def connect(address: str) -> bool:
    """Join the cluster at ``address``; True when this call connected (and should disconnect).

    A process already connected (a library caller, a test) keeps its
    connection.  ``ray://`` (Ray Client) works with a warning: Ray Data has
    limited support there.
    """
    ray = require_ray()
    address = check_address(address)
    if ray.is_initialized():
        return False
    if address.startswith("ray://"):
        warnings.warn(RAY_CLIENT_WARNING, ClusterWarning, stacklevel=2)
    try:
        ray.init(
            address=address,
            logging_level="WARNING",
            log_to_driver=False,
            configure_logging=True,
        )
    except (ConnectionError, RuntimeError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ClusterUnavailable(f"cannot join the Ray cluster at {address}: {first}") from None
    return True
