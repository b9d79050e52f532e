"""HTTP adapters over the library: the LibreTranslate and DeepL APIs.

Nothing in the library imports this package; it calls the library's one
batch step (`transkit.batch.translate_segments`) like every other way of
running.  Start a server from a script with ``run(ServeConfig(...))``, or
mount ``transkit.serve.app.create_app(config)`` in any ASGI server.
Starlette and uvicorn are imported only when a server is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transkit.serve.config import ServeConfig

__all__ = ["run", "create_app", "check_exposure"]


def create_app(config: ServeConfig, **kwargs: Any) -> Any:
    """The ASGI app (see `transkit.serve.app.create_app`)."""
    from transkit.serve.app import create_app as build

    return build(config, **kwargs)


def check_exposure(config: ServeConfig) -> None:
    """Refuse a reachable address without API keys unless ``public`` says so."""
    from transkit.errors import InputError
    from transkit.serve.config import LOOPBACK_HOSTS

    if config.host not in LOOPBACK_HOSTS and config.api_keys is None and not config.public:
        raise InputError(
            f"refusing to listen on {config.host} without --api-keys; "
            "pass --public to serve everyone on the network"
        )


def run(config: ServeConfig) -> None:
    """Serve until SIGTERM/SIGINT; in-flight requests finish first."""
    import uvicorn

    from transkit.serve.logs import log_config

    check_exposure(config)
    if config.api_keys is not None:  # a bad keys file fails here, not at start-up
        from transkit.serve.keys import KeyRing

        KeyRing.load(config.api_keys, config.request_limit, config.character_limit)
    from transkit.serve.service import TranslationService

    service = TranslationService(config)
    service.load()  # a missing model or bad glossary: one line, before listening
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, service=service),
            host=config.host,
            port=config.port,
            log_config=log_config(config.log_level),
            timeout_graceful_shutdown=int(config.graceful_seconds),
            timeout_keep_alive=config.keep_alive_seconds,
            lifespan="on",
            server_header=False,
        )
    )
    _after_shutdown_signals_are_done()
    server.run()
    if not server.started:
        from transkit.errors import TranskitError

        raise TranskitError(f"the server could not start on {config.host}:{config.port}")


def _after_shutdown_signals_are_done() -> None:
    """Make SIGTERM/SIGINT end in exit 0 once uvicorn has drained.

    uvicorn catches the signal, shuts down gracefully, restores the handler
    it found and raises the signal again, which by default kills the
    process (exit -15).  The handler it finds here does nothing: the drain
    already happened, so returning normally is the right end.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: None)
