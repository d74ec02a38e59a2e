"""One settings object for the whole app, read from ACTLAB_* environment variables."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Paths come from this file, never from the working directory.
BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = BASE_DIR / "templates"
STATIC_DIR = BASE_DIR / "static"

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]


def usable_cores() -> int:
    """Cores this process may run on (a container's cpuset, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def train_workers_default(data: dict[str, Any]) -> int:
    """One training worker per core, shared among the uvicorn workers (each has its own pool)."""
    workers: int = data.get("workers", 1)
    return max(1, usable_cores() // workers)


class Settings(BaseSettings):
    """Server and work-limit settings; every field can be set as ACTLAB_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="ACTLAB_", frozen=True, populate_by_name=True)

    host: str = Field("127.0.0.1", description="Interface uvicorn binds to.")
    port: int = Field(8000, ge=1, le=65535, description="TCP port uvicorn listens on.")
    # Docker and most PaaS set WEB_CONCURRENCY; ACTLAB_WORKERS wins when both are set.
    workers: int = Field(
        1,
        ge=1,
        le=64,
        validation_alias=AliasChoices("ACTLAB_WORKERS", "WEB_CONCURRENCY", "workers"),
        description="Uvicorn worker processes.",
    )
    log_level: LogLevel = Field("info", description="Uvicorn log level.")

    curve_cache_entries: int = Field(
        1024, ge=0, le=100_000, description="Serialised curve responses kept in memory (LRU)."
    )
    curve_cache_bytes: int = Field(
        64 * 1024 * 1024, ge=0, description="Upper bound on the curve cache's total size in bytes."
    )
    result_cache_entries: int = Field(
        256,
        ge=0,
        le=100_000,
        description="Responses of POST /api/train, /api/train/sweep and /api/gradient-flow kept in "
        "memory (LRU), keyed by the validated request: a shared link trains once; 0 turns it off.",
    )
    result_cache_bytes: int = Field(
        128 * 1024 * 1024,
        ge=0,
        description="Upper bound on the result cache's total size in bytes.",
    )
    max_body_bytes: int = Field(
        4 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted; larger ones get 413 before they are read.",
    )
    gradient_flow_max_work: int = Field(
        2**32,
        ge=1,
        description="Cap on activations x depth x width^2 x batch_size for POST /api/gradient-flow "
        "(four activations at depth 64, width 256, batch 256: 0.3 to 3.5 s); above it, 422.",
    )

    train_max_epochs: int = Field(
        20_000, ge=1, description="Most epochs a /api/train or sweep request may ask for."
    )
    train_max_work: int = Field(
        2_000_000_000,
        ge=1,
        description="Cap on epochs x training samples x parameters x networks (seeds times "
        "activations in a sweep) for the training endpoints; larger requests get 422.",
    )
    train_time_limit_s: float = Field(
        60.0,
        gt=0,
        description="Wall-time limit in seconds of one training request, from its arrival: a "
        "run still going then is stopped (its worker process killed if need be) and answered "
        "with 422 (streams: an `error` event) at most a second later.",
    )
    train_max_memory_mb: int = Field(
        1024,
        ge=16,
        description="Cap in MiB on a training request's estimated peak memory "
        "(app.lab.nn.work: networks x training points x units x 8 bytes x a factor, plus the "
        "snapshots and the response); larger requests get 422 stating it.",
    )

    # Admission (issue 10): trainings, sweeps and gradient flow run in worker processes.
    train_workers: int = Field(
        default_factory=train_workers_default,
        ge=1,
        le=64,
        description="Worker processes for trainings, sweeps and gradient flow in each uvicorn "
        "worker (default: the usable cores divided among the uvicorn workers, at least 1); "
        "requests beyond them wait in the queue.",
    )
    train_queue: int = Field(
        8,
        ge=0,
        le=1000,
        description="Training requests that may wait for a free worker; when every worker is "
        "busy and the queue is full, a request gets 503 with Retry-After at once.",
    )
    train_worker_max_jobs: int = Field(
        100,
        ge=1,
        description="A worker process is replaced by a fresh one after this many jobs.",
    )
    train_worker_max_rss_mb: int = Field(
        512,
        ge=16,
        description="A worker process whose resident memory is above this many MiB after a job "
        "is replaced by a fresh one, so a burst of large jobs does not leave memory held.",
    )
    graceful_timeout_s: float = Field(
        8.0,
        gt=0,
        le=60,
        description="On SIGTERM: seconds quick requests get to finish (uvicorn's "
        "timeout_graceful_shutdown); running trainings are cancelled at once with 503.",
    )

    # Live training sessions (issue 9): WS /api/train/live, one worker process per session.
    live_max_sessions: int = Field(
        8,
        ge=0,
        le=1000,
        description="Live training sessions at once in each uvicorn worker (each has a worker "
        "process of its own); one more is refused with close code 1013 and a retry time.",
    )
    live_lifetime_s: float = Field(
        3600.0, gt=0, description="A live session is closed this many seconds after it opened."
    )
    live_idle_s: float = Field(
        600.0,
        gt=0,
        description="A live session whose client sent no command for this many seconds is "
        "closed (playing or not).",
    )
    live_max_epochs: int = Field(
        100_000,
        ge=1,
        le=10_000_000,
        description="Most epochs one live session trains, every start, reset and replay counted.",
    )
    live_max_fps: float = Field(
        30.0, gt=0, le=120, description="Most frames a second a playing live session sends."
    )

    # Deployment and observability (issue 10): how uvicorn faces clients, and how it logs.
    http: Literal["h11", "httptools"] = Field(
        "httptools",
        description="uvicorn's HTTP parser: httptools (C, about 1.7x h11's requests a second; "
        "app.web.http_protocol gives it h11's cap on the request head) or h11 (pure Python). "
        "Both refuse a head over max_header_bytes with 400.",
    )
    max_header_bytes: int = Field(
        64 * 1024,
        ge=1024,
        description="Cap on a request's line and headers (uvicorn's "
        "h11_max_incomplete_event_size, applied to httptools as well); a larger head gets "
        "400. nginx's own cap "
        "(4 lines of 8 KiB) stays below it.",
    )
    keep_alive_s: int = Field(
        5,
        ge=1,
        le=3600,
        description="Seconds uvicorn keeps an idle keep-alive connection open "
        "(timeout_keep_alive); the nginx upstream's keepalive_timeout (4 s) is shorter, "
        "so nginx never reuses a connection the app is closing.",
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description="Log lines as text, or one JSON object per line (access lines with method, "
        "path, status, duration_ms, request_id).",
    )

    # Security: links, hosts and proxies. Links are built from `public_base_url` or are
    # root-relative, never from the Host header.
    public_base_url: str = Field(
        "",
        description="Absolute URL (https://lab.example.org) or path prefix (/lab) every link on "
        "the pages starts with; empty: root-relative links (/static/...).",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        ["*"],
        description="Host header values answered (comma-separated; '*.example.org' matches "
        "subdomains); any other gets 400. '*' answers every host.",
    )
    # uvicorn's own FORWARDED_ALLOW_IPS is honoured too; ACTLAB_FORWARDED_ALLOW_IPS wins.
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        validation_alias=AliasChoices(
            "ACTLAB_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS", "forwarded_allow_ips"
        ),
        description="Comma-separated IPs or networks whose X-Forwarded-Proto/-For uvicorn "
        "trusts (the TLS proxy's); '*' trusts every client.",
    )

    @field_validator("public_base_url")
    @classmethod
    def _base_url_is_absolute_or_a_path(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("https://", "http://", "/")):
            raise ValueError("must be an http(s) URL or a path starting with /")
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
