"""A request id in every log line.

The id (the client's ``X-Request-ID`` when it sends a sane one, else a new
one) lives in a context variable set by the app's middleware; a logging
filter copies it into every record, also uvicorn's own, and the response
carries it back in ``X-Request-ID``.
"""

from __future__ import annotations

import contextvars
import logging
import re
from typing import Any

__all__ = ["REQUEST_ID", "new_request_id", "log_config", "RequestIdFilter"]

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def new_request_id(offered: str | None) -> str:
    """The client's id when it is short and plain, else a fresh random one."""
    if offered and _SANE.match(offered):
        return offered
    import secrets

    return secrets.token_hex(8)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def log_config(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn and transkit, ids in every line."""
    level = level.upper()
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["default"], "level": level, "propagate": False},
            "transkit": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }
