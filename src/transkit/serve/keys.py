"""API keys: a file of hashed keys, each with request and character limits.

The file (``--api-keys FILE``) has one key a line, tab-separated::

    # name   key hash                 requests     characters
    alice    sha256:9f86d08…          60/minute    200000/day

Only the SHA-256 of a key is stored (keys are long random strings, so a
plain hash is enough; `new_key` makes one).  A presented key is hashed and
compared with every stored hash in constant time (`hmac.compare_digest`).
Limits are `limits` strings; empty columns take the server's defaults.
Requests count in `limits`' moving window, characters in its fixed window
(a counter), in memory, per key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transkit.errors import InputError

__all__ = ["ApiKey", "KeyRing", "hash_key", "new_key"]


def hash_key(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh random key (192 bits)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class ApiKey:
    name: str
    digest: str
    requests: Any  # limits.RateLimitItem
    characters: Any


class KeyRing:
    """The keys of one file and the counters that enforce their limits."""

    def __init__(self, keys: list[ApiKey]) -> None:
        from limits.storage import MemoryStorage
        from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

        self.keys = keys
        storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)
        # Characters cost thousands per request: a counter, not one entry per character.
        self._chars = FixedWindowRateLimiter(storage)
        self.used: dict[str, int] = {}  # characters translated per key name

    @classmethod
    def load(cls, path: Path, default_requests: str, default_characters: str) -> KeyRing:
        from limits import parse

        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"cannot read the API keys file: {err}", file=str(path)) from None
        keys = []
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.split("\t")]
            if len(cols) < 2 or not cols[1].startswith("sha256:") or len(cols[1]) != 71:
                raise InputError(
                    "expected: name<TAB>sha256:<64 hex digits>[<TAB>requests[<TAB>characters]]",
                    file=str(path),
                    line=number,
                )
            try:
                requests = parse(cols[2] if len(cols) > 2 and cols[2] else default_requests)
                chars = parse(cols[3] if len(cols) > 3 and cols[3] else default_characters)
            except ValueError as err:
                raise InputError(f"bad limit: {err}", file=str(path), line=number) from None
            keys.append(ApiKey(cols[0], cols[1].lower(), requests, chars))
        if not keys:
            raise InputError("the API keys file holds no key", file=str(path))
        return cls(keys)

    def find(self, key: str | None) -> ApiKey | None:
        """The entry for ``key``; every stored hash is compared, in constant time."""
        if not key:
            return None
        digest = hash_key(key)
        found = None
        for entry in self.keys:
            if hmac.compare_digest(entry.digest, digest):
                found = entry
        return found

    def allow_request(self, entry: ApiKey) -> bool:
        return self._limiter.hit(entry.requests, "requests", entry.name)

    def allow_characters(self, entry: ApiKey, count: int) -> bool:
        if count <= 0:
            return True
        if not self._chars.hit(entry.characters, "characters", entry.name, cost=count):
            return False
        self.used[entry.name] = self.used.get(entry.name, 0) + count
        return True
