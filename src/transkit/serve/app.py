"""The ASGI app: both APIs' routes, the guard around them, start and stop.

`create_app(config)` builds a Starlette app whose start-up (the lifespan)
loads the models, glossary and memory and starts the batcher, so a server
that accepts connections is ready.  `Guard`, the outermost layer, gives
each request an id (in every log line and in ``X-Request-ID``), refuses a
body over the limit with 413 before the app reads it, adds
LibreTranslate's CORS headers, and turns anything unexpected into a 500 in
the API's own error shape with no traceback or path in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from transkit.serve.config import ServeConfig
from transkit.serve.errors import ApiError, error_body

__all__ = ["create_app", "Guard"]

log = logging.getLogger("transkit.serve")

_CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", b"Authorization, Content-Type"),
    (b"access-control-expose-headers", b"Authorization"),
    (b"access-control-allow-methods", b"GET, POST"),
    (b"access-control-allow-credentials", b"true"),
    (b"access-control-max-age", b"1728000"),
]


def _json_error(path: str, status: int, message: str, headers: dict[str, str] | None = None):
    from starlette.responses import JSONResponse

    return JSONResponse(error_body(path, message), status_code=status, headers=headers)


class Guard:
    """Request id, body limit, CORS headers and the last-resort error answer."""

    def __init__(self, app: Any, body_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from transkit.serve.logs import REQUEST_ID, new_request_id

        headers = dict(scope.get("headers") or [])
        request_id = new_request_id(headers.get(b"x-request-id", b"").decode("latin-1"))
        REQUEST_ID.set(request_id)
        started = False

        async def send_with_id(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = dict(message)
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    *_CORS,
                ]
            await send(message)

        path = scope.get("path", "")
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.body_limit:
            await self._too_large(scope, receive, send_with_id, path)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.body_limit:
                await self._too_large(scope, receive, send_with_id, path)
                return
            if not message.get("more_body"):
                break
        replayed = False
        gone = asyncio.Event()

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        # A client that hangs up cancels its request: its queued job is dropped
        # before it reaches the model instead of being translated for no one.
        answer = asyncio.ensure_future(self.app(scope, replay, send_with_id))
        watcher = asyncio.ensure_future(watch())
        await asyncio.wait({answer, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if not answer.done():
            answer.cancel()
            with contextlib.suppress(BaseException):
                await answer
            log.info("client went away; request cancelled")
            return
        watcher.cancel()
        try:
            answer.result()
        except Exception:
            if started:  # the app's own handler answered (and logged) already
                return
            log.exception("unexpected error answering %s", path)
            response = _json_error(path, 500, "Internal server error")
            await response(scope, replay, send_with_id)

    async def _too_large(self, scope: Any, receive: Any, send: Any, path: str) -> None:
        message = f"Request body too large (the limit is {self.body_limit} bytes)"
        response = _json_error(path, 413, message)
        await response(scope, receive, send)


def create_app(config: ServeConfig, *, service: Any = None) -> Any:
    """The ASGI app for ``config`` (``service``: an already loaded `TranslationService`)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.routing import Mount

    from transkit.serve import deepl, libre
    from transkit.serve.batcher import QueueFull
    from transkit.serve.spec import spec_routes

    routes: list[Any] = [*libre.routes(), *deepl.routes(), *spec_routes()]
    if config.root_path and config.root_path != "/":
        routes = [Mount(config.root_path.rstrip("/"), routes=list(routes)), *routes]

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        import anyio

        from transkit.serve.service import TranslationService

        current = service
        if current is None:
            current = TranslationService(config)
            await anyio.to_thread.run_sync(current.load)
        app.state.service = current
        app.state.keys = _keys(config)
        app.state.config = config
        app.state.usage = {}
        current.start()
        log.info(
            "serving %s on %s:%s",
            ", ".join(f"{s}->{t}" for s, t in current.pairs),
            config.host,
            config.port,
        )
        try:
            yield
        finally:
            await current.stop()
            log.info("stopped")

    async def api_error(request: Any, exc: ApiError) -> Any:
        return _json_error(request.url.path, exc.status, exc.message, exc.headers)

    async def http_error(request: Any, exc: HTTPException) -> Any:
        from http import HTTPStatus

        return _json_error(
            request.url.path, exc.status_code, HTTPStatus(exc.status_code).phrase, exc.headers
        )

    async def queue_full(request: Any, exc: QueueFull) -> Any:
        return _json_error(request.url.path, 503, str(exc), {"Retry-After": "1"})

    async def unexpected(request: Any, exc: Exception) -> Any:
        log.error("unexpected error answering %s", request.url.path, exc_info=exc)
        return _json_error(request.url.path, 500, "Internal server error")

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ApiError: api_error,
            HTTPException: http_error,
            QueueFull: queue_full,
            Exception: unexpected,
        },
    )
    return Guard(app, config.body_limit)


def _keys(config: ServeConfig) -> Any:
    if config.api_keys is None:
        return None
    from transkit.serve.keys import KeyRing

    return KeyRing.load(config.api_keys, config.request_limit, config.character_limit)
