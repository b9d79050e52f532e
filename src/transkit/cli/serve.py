"""``transkit serve``: the LibreTranslate and DeepL APIs over HTTP; ``transkit api-key``.

Flags map one to one to `transkit.serve.config.ServeConfig`; the server
itself is `transkit.serve.run`.  Starlette and uvicorn load only here.
"""

from __future__ import annotations

from pathlib import Path

import click

from transkit.cli.errors import user_errors
from transkit.cli.options import (
    glossary_option,
    resolve_glossary_option,
    resolve_tm_option,
    tm_options,
)

__all__ = ["serve", "api_key"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=5000, show_default=True)
@click.option(
    "--model",
    "models",
    multiple=True,
    help="Package code (de-en), .argosmodel file, package folder or Marian/OPUS-MT "
    "CTranslate2 directory (repeatable; default: every installed model).",
)
@glossary_option
@click.option("--no-glossary", is_flag=True, help="Serve without the deployment glossary.")
@tm_options
@click.option("--tm-threshold", type=click.FloatRange(1, 100), default=75.0, show_default=True)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=Path("serve-data"),
    show_default=True,
    help="Folder for glossaries created over the DeepL API.",
)
@click.option(
    "--api-keys",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="File of hashed API keys with their limits (see `transkit api-key`).",
)
@click.option("--public", is_flag=True, help="Allow a non-loopback --host without --api-keys.")
@click.option("--root-path", default="", help="Path prefix the server is mounted under.")
@click.option(
    "--replicas",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Batches decoded at once per language pair, sharing one loaded model "
    "(CTranslate2 inter_threads; 0: one per CPU core).",
)
@click.option(
    "--threads",
    type=click.IntRange(0, 256),
    default=0,
    help="CTranslate2 threads per replica (0: 1).",
)
@click.option(
    "--batch-window",
    type=click.FloatRange(0, 1000),
    default=5.0,
    show_default=True,
    help="Milliseconds the first request of a batch waits for others.",
)
@click.option("--batch-tokens", type=click.IntRange(16), default=2048, show_default=True)
@click.option(
    "--recent",
    "recent_size",
    type=click.IntRange(0),
    default=10_000,
    show_default=True,
    help="Distinct sentences kept to answer repeats without MT (0: none).",
)
@click.option(
    "--queue-size",
    type=click.IntRange(1),
    default=256,
    show_default=True,
    help="Requests that may wait; one more is answered 503.",
)
@click.option(
    "--char-limit",
    type=click.IntRange(-1),
    default=5000,
    show_default=True,
    help="Characters per text (-1: none).",
)
@click.option(
    "--batch-limit",
    type=click.IntRange(-1),
    default=50,
    show_default=True,
    help="Texts per request (-1: none).",
)
@click.option(
    "--body-limit",
    type=click.IntRange(1),
    default=1 << 20,
    show_default=True,
    help="Request body bytes.",
)
@click.option("--alternatives-limit", type=click.IntRange(-1), default=3, show_default=True)
@click.option(
    "--request-limit",
    default="600/minute",
    show_default=True,
    help="Requests per key when its line sets none.",
)
@click.option(
    "--character-limit",
    default="1000000/day",
    show_default=True,
    help="Characters per key when its line sets none.",
)
@click.option(
    "--keep-alive",
    "keep_alive_seconds",
    type=click.IntRange(1),
    default=75,
    show_default=True,
    help="Seconds an idle keep-alive connection stays open.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def serve(
    host: str,
    port: int,
    models: tuple[str, ...],
    glossaries: tuple[str, ...],
    no_glossary: bool,
    tm_path: Path | None,
    no_tm: bool,
    tm_threshold: float,
    data_dir: Path,
    api_keys: Path | None,
    public: bool,
    root_path: str,
    replicas: int,
    threads: int,
    batch_window: float,
    batch_tokens: int,
    recent_size: int,
    queue_size: int,
    char_limit: int,
    batch_limit: int,
    body_limit: int,
    alternatives_limit: int,
    request_limit: str,
    character_limit: str,
    keep_alive_seconds: int,
    log_level: str,
) -> None:
    """Serve the LibreTranslate and DeepL APIs: glossary enforced, memory first, batched.

    Weblate, OmegaT's LibreTranslate plugin, libretranslatepy and the deepl
    client point at http://HOST:PORT/ unchanged.  SIGTERM lets requests in
    flight finish, then exits 0.
    """
    from transkit.engine.argos import EngineOptions
    from transkit.serve import run
    from transkit.serve.config import ServeConfig

    with user_errors():
        if root_path and not root_path.startswith("/"):
            raise click.BadParameter("must start with /", param_hint="--root-path")
        config = ServeConfig(
            host=host,
            port=port,
            models=models,
            glossary_paths=resolve_glossary_option(glossaries, no_glossary),
            tm_path=resolve_tm_option(tm_path, no_tm),
            tm_threshold=tm_threshold,
            data_dir=data_dir,
            api_keys=api_keys,
            public=public,
            root_path=root_path,
            engine=EngineOptions(threads=threads),
            replicas=replicas,
            batch_window_ms=batch_window,
            batch_tokens=batch_tokens,
            recent_size=recent_size,
            queue_size=queue_size,
            char_limit=char_limit,
            batch_limit=batch_limit,
            body_limit=body_limit,
            alternatives_limit=alternatives_limit,
            request_limit=request_limit,
            character_limit=character_limit,
            keep_alive_seconds=keep_alive_seconds,
            log_level=log_level,
        )
        run(config)


@click.command("api-key")
@click.argument("name")
@click.option(
    "--file",
    "path",
    type=click.Path(path_type=Path),
    required=True,
    help="The keys file to append to (created when missing).",
)
@click.option(
    "--requests", default="", help="Request limit, e.g. 60/minute (default: the server's)."
)
@click.option("--characters", default="", help="Character limit, e.g. 500000/day.")
def api_key(name: str, path: Path, requests: str, characters: str) -> None:
    """Make a new API key NAME: its hash goes to --file, the key is printed once."""
    from transkit.errors import InputError
    from transkit.fileio import atomic_write_bytes
    from transkit.serve.keys import hash_key, new_key

    with user_errors():
        if not name.strip() or any(c in name for c in "\t\n\r"):
            raise InputError("a key name must be a non-empty word without tabs")
        for limit in (requests, characters):
            if limit:
                from limits import parse

                try:
                    parse(limit)
                except ValueError as err:
                    raise InputError(f"bad limit {limit!r}: {err}") from None
        old = path.read_bytes() if path.exists() else b"# name\tkey hash\trequests\tcharacters\n"
        if old and not old.endswith(b"\n"):
            old += b"\n"
        key = new_key()
        line = f"{name}\t{hash_key(key)}\t{requests}\t{characters}\n"
        atomic_write_bytes(path, old + line.encode("utf-8"))
        click.echo(key)
