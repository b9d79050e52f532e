"""Everything ``transkit serve`` can be told, in one frozen value.

`transkit.cli.serve` fills it from flags; scripts (the benchmark, the tests)
build it directly and call `transkit.serve.run` or
`transkit.serve.app.create_app`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from transkit.engine.argos import EngineOptions

__all__ = ["ServeConfig", "LOOPBACK_HOSTS"]

#: Hosts that only this machine can reach: no API keys needed there.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class ServeConfig:
    """How to run the server; CLI flags map one to one."""

    host: str = "127.0.0.1"
    port: int = 5000
    #: Packages or files to serve; empty: every installed Argos package.
    models: tuple[str, ...] = ()
    #: Deployment glossary files or folders (applied to every de->en request).
    glossary_paths: tuple[Path, ...] = ()
    tm_path: Path | None = None
    tm_threshold: float = 75.0
    #: Where DeepL glossaries created over the API are kept (TSV files).
    data_dir: Path = Path("serve-data")
    api_keys: Path | None = None
    public: bool = False
    root_path: str = ""
    engine: EngineOptions = field(default_factory=EngineOptions)
    num_hypotheses: int = 4
    #: Batches decoded at once per language pair, on one loaded model
    #: (CTranslate2 inter_threads); 0: one per CPU core (over ``engine.threads``).
    replicas: int = 0
    #: How long the first request of a batch waits for others (milliseconds).
    batch_window_ms: float = 5.0
    #: Source tokens in one batch (SentencePiece pieces).
    batch_tokens: int = 2048
    #: Distinct sentences whose translation is kept for repeats (0: none).
    recent_size: int = 10_000
    #: Requests waiting for the model; one more gets 503.
    queue_size: int = 256
    char_limit: int = 5000  # characters per text
    batch_limit: int = 50  # texts per request
    body_limit: int = 1 << 20  # request body bytes
    alternatives_limit: int = 3
    #: Default per-key limits (a key's own line in the keys file overrides them).
    request_limit: str = "600/minute"
    character_limit: str = "1000000/day"
    frontend_timeout: int = 500
    #: Seconds in-flight requests get to finish after SIGTERM.
    graceful_seconds: float = 8.0
    #: Seconds an idle keep-alive connection stays open.  Longer than the
    #: clients' own expiry (httpx: 5 s), so the client, not the server, closes
    #: it, and no request races the server's close (nginx's default, 75 s).
    keep_alive_seconds: int = 75
    log_level: str = "info"

    def thread_count(self) -> int:
        """CTranslate2 threads per replica: as given, or 1 when left to us.

        Small batches gain little from splitting one decode over cores and
        lose much when those cores are busy; a replica per core does better
        (measured in docs/serve-bench.md).
        """
        return self.engine.threads or 1

    def replica_count(self) -> int:
        """Replicas: as given, or as many as the usable cores hold."""
        if self.replicas:
            return self.replicas
        import os

        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        return max(1, min(8, (cores or os.cpu_count() or 1) // self.thread_count()))
