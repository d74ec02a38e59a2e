"""`activation-lab`: start the app under uvicorn. Flags override ACTLAB_* environment settings."""

import argparse
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn

from app.config import Settings
from app.web.http_protocol import CappedHttpToolsProtocol
from app.web.observability import MULTIPROC_ENV, log_config


def parse_args(argv: Sequence[str] | None, defaults: Settings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="activation-lab",
        description="Serve Activation Lab. Every flag defaults to its ACTLAB_* environment "
        "variable (workers also to WEB_CONCURRENCY), then to the built-in default.",
    )
    parser.add_argument("--host", default=defaults.host, help="interface (ACTLAB_HOST)")
    parser.add_argument("--port", type=int, default=defaults.port, help="port (ACTLAB_PORT)")
    parser.add_argument(
        "--workers",
        type=int,
        default=defaults.workers,
        help="worker processes (ACTLAB_WORKERS or WEB_CONCURRENCY)",
    )
    parser.add_argument(
        "--log-level",
        default=defaults.log_level,
        choices=["critical", "error", "warning", "info", "debug", "trace"],
        help="uvicorn log level (ACTLAB_LOG_LEVEL)",
    )
    parser.add_argument(
        "--log-format",
        default=defaults.log_format,
        choices=["text", "json"],
        help="log lines as text or one JSON object each (ACTLAB_LOG_FORMAT)",
    )
    return parser.parse_args(argv)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of uvicorn.run for these settings."""
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "log_level": settings.log_level,
        "log_config": log_config(settings),
        "access_log": False,  # app.web.observability writes access lines, with the request id
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "http": CappedHttpToolsProtocol if settings.http == "httptools" else "h11",
        # uvicorn faces clients directly when there is no nginx: cap the request head (h11's
        # option; app.web.http_protocol applies it to httptools too) and close idle keep-alive
        # connections after keep_alive_s.
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_s,
        # SIGTERM: stop accepting, give quick requests this long, then close what is left
        # (running trainings are answered 503 at once by app.web.workers.chain_sigterm).
        "timeout_graceful_shutdown": settings.graceful_timeout_s,
    }


def prepare_multiprocess_metrics(workers: int) -> Path | None:
    """With several workers, give prometheus-client an empty directory under the temp dir (/tmp)
    for its per-worker files, before the workers start and inherit it; a directory already set
    in the environment is emptied of a previous run's files."""
    if workers < 2:
        return None
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    else:
        directory = Path(tempfile.mkdtemp(prefix="actlab-metrics-"))
        os.environ[MULTIPROC_ENV] = str(directory)
    return directory


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    args = parse_args(argv, Settings())
    # Validate the combination through Settings so a bad port fails with a clear message.
    settings = Settings(
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_format=args.log_format,
    )
    prepare_multiprocess_metrics(settings.workers)
    uvicorn.run("app.main:app", **uvicorn_options(settings))


if __name__ == "__main__":
    main()
