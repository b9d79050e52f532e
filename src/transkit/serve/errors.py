"""Errors an endpoint answers with, in the shape of the API it belongs to.

LibreTranslate answers ``{"error": "..."}``, DeepL ``{"message": "..."}``;
the status codes are each API's own (see `transkit.serve.libre` and
`transkit.serve.deepl`).  A message never holds a traceback or a path.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "error_body", "is_deepl_path"]


class ApiError(Exception):
    """An answer other than 200: status, a one-line message, extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def is_deepl_path(path: str) -> bool:
    """True for DeepL's endpoints (``/v2/...``), whatever prefix the server is under."""
    return path.startswith("/v2/") or "/v2/" in path


def error_body(path: str, message: str) -> dict[str, Any]:
    """The JSON error body for an endpoint at ``path``."""
    return {"message": message} if is_deepl_path(path) else {"error": message}
