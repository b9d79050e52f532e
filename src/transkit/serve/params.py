"""Reading a request's parameters the way each API's own server does.

Flask (LibreTranslate) and DeepL both take a JSON body or a form
(``application/x-www-form-urlencoded`` or multipart), and the query string
too.  `Params` gives one view over them: ``get`` for one value, ``values``
for a repeated one (DeepL's ``text=…&text=…``).
"""

from __future__ import annotations

import json
from typing import Any

from transkit.serve.errors import ApiError

__all__ = ["Params", "read_params"]


class Params:
    """A request's parameters: the JSON object when there is one, else form + query."""

    def __init__(self, data: dict[str, Any] | None, form: Any, query: Any) -> None:
        self.json = data
        self._form = form
        self._query = query

    @property
    def is_json(self) -> bool:
        return self.json is not None

    def get(self, name: str, default: Any = None) -> Any:
        if self.json is not None:
            if name in self.json:
                return self.json[name]
            return self._query.get(name, default)
        if name in self._query:
            return self._query.get(name)
        if self._form is not None and name in self._form:
            return self._form.get(name)
        return default

    def values(self, name: str) -> list[Any]:
        """Every value of ``name`` (a JSON list counts as its items)."""
        if self.json is not None and name in self.json:
            value = self.json[name]
            return list(value) if isinstance(value, list) else [value]
        found = list(self._query.getlist(name))
        if self._form is not None:
            found += list(self._form.getlist(name))
        return found


def _is_json(content_type: str) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime == "application/json" or mime.endswith("+json")


async def read_params(request: Any, *, body: bool = True) -> Params:
    """The parameters of ``request``; 400 for a body that is not what it says it is."""
    query = request.query_params
    if not body:
        return Params(None, None, query)
    content_type = request.headers.get("content-type", "")
    if _is_json(content_type):
        raw = await request.body()
        try:
            data = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "Invalid JSON format") from None
        if not isinstance(data, dict):
            raise ApiError(400, "Invalid JSON format")
        return Params(data, None, query)
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form()
        except Exception:  # python-multipart's errors for a broken body
            raise ApiError(400, "Invalid form body") from None
        return Params(None, form, query)
    return Params(None, None, query)
