"""`activation-lab`: start the app under uvicorn. Flags override ACTLAB_* environment settings."""

import argparse
from collections.abc import Sequence

import uvicorn

from app.config import Settings


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
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    args = parse_args(argv, Settings())
    # Validate the combination through Settings so a bad port fails with a clear message.
    settings = Settings(
        host=args.host, port=args.port, workers=args.workers, log_level=args.log_level
    )
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


if __name__ == "__main__":
    main()
