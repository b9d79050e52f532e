"""Memory URLs: telling a URL from a folder, and printing one without its password."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["SCHEME", "is_url", "redact_url"]

#: ``name://`` at the start: a value with a scheme is a URL, never a folder.
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_url(spec: str | os.PathLike[str]) -> bool:
    """True when ``spec`` has a scheme (``name://...``), i.e. is not a folder."""
    return SCHEME.match(os.fspath(spec)) is not None


def redact_url(url: str) -> str:
    """The URL with its password (in the user part or ``?password=``) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return SCHEME.sub(r"\1://", url).split("@")[-1]
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        if ":" in user:
            user = user.split(":", 1)[0] + ":***"
        netloc = f"{user}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
