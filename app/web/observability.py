"""Observability: a request id on every response and log line, access logs (text or JSON), and
Prometheus metrics at /metrics.

`ObservabilityMiddleware` is pure ASGI and is added last in create_app, so it is the outermost
layer: it sees every request, the curve fast path (answered before routing) and static files
included. Metrics are labelled by route template (`/api/activations/{name}/curve`), never by raw
URL, so their cardinality is bounded by the app's routes.

With several uvicorn workers, `app.cli` points PROMETHEUS_MULTIPROC_DIR at a fresh directory under
/tmp before the workers start; prometheus-client then keeps every worker's values in files there,
and /metrics (whichever worker answers it) reports the sum over workers; the memory gauge keeps one
series per worker pid.
"""

import atexit
import contextvars
import json
import logging
import os
import random
import re
import time
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.web.warmup import WARMUP_KEY

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
REQUEST_ID_HEADER = b"x-request-id"
# A client's id is kept only when it is short and plain (a UUID, nginx's $request_id, a trace id):
# anything else could forge log lines or blow up their size, so it is replaced.
SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

# Training requests: counted as running while they are answered, refused when over a cap.
TRAINING_PATHS = frozenset(
    {"/api/train", "/api/train/sweep", "/api/train/stream", "/api/train/sweep/stream"}
)
# The curve fast path answers before routing, so no route is in the scope: name it here.
CURVE_PATH = re.compile(r"/api/activations/[^/]+/curve")
CURVE_TEMPLATE = "/api/activations/{name}/curve"
STATIC_TEMPLATE = "/static/{path}"
UNMATCHED = "unmatched"  # 404s for unknown paths share one label
# HTTP parsers accept any token as a method; labels keep the standard ones and call the rest OTHER.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A refusal at once (workers and queue full) should take milliseconds, one that waited in the
# queue until its deadline takes the time limit: fine buckets at the low end, up to a minute.
REFUSAL_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 15, 30, 60)
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
RSS_REFRESH_S = 1.0

# Request ids need to be unique, not secret: a per-process generator seeded from os.urandom is
# a tenth of the cost of uuid4's system call on every request.
_ids = random.Random()
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
access_logger = logging.getLogger("actlab.access")


def current_request_id() -> str:
    """The id of the request being handled ("-" outside one)."""
    return request_id_var.get()


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's X-Request-ID when it sends a sane one, else a new random one."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if SANE_REQUEST_ID.fullmatch(value):
                return value.decode()
            break
    return f"{_ids.getrandbits(128):032x}"


def resident_memory_bytes() -> int:
    """This process's resident set size, from /proc (Linux), else its peak from getrusage."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Metrics:
    """The app's Prometheus metrics, in a registry of their own (one per create_app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        if not self.multiprocess:
            ProcessCollector(registry=self.registry)  # process_* of this single process
        r = self.registry
        self.requests = Counter(
            "actlab_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "actlab_http_request_duration_seconds",
            "Time from request to the end of the response body, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.trainings_running = Gauge(
            "actlab_trainings_running",
            "Training requests (train, sweep and their streams) being answered now.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.refusal_latency = Histogram(
            "actlab_training_refusal_duration_seconds",
            "Time to answer a training request refused as busy (503 with Retry-After), from "
            "its arrival in the app to the end of the answer: milliseconds when refused at "
            "once, about the time limit when it waited in the queue for its deadline.",
            buckets=REFUSAL_BUCKETS,
            registry=r,
        )
        self.trainings_refused = Counter(
            "actlab_trainings_refused",
            "Training requests refused: 422 over a work, epoch or time cap (reason=over_cap), "
            "503 when the server is too busy (reason=busy).",
            ["route", "reason"],
            registry=r,
        )
        self.queue_length = Gauge(
            "actlab_training_queue_length",
            "Training requests waiting for a slot (0 until trainings are queued).",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.rss = Gauge(
            "actlab_worker_resident_memory_bytes",
            "Resident memory of the worker process (one series per pid with several workers).",
            registry=r,
            multiprocess_mode="liveall",
        )
        self.queue_length.set(0)
        # labels() validates and locks on every call; the label sets are bounded, so the
        # children are looked up once and kept.
        self._counts: dict[tuple[str, str, str], Any] = {}
        self._latencies: dict[tuple[str, str], Any] = {}
        self._rss_at = 0.0
        self.refresh_rss()

    def refresh_rss(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._rss_at = now
        self.rss.set(resident_memory_bytes())

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its duration."""
        key = (method, route, str(status))
        count = self._counts.get(key)
        if count is None:
            count = self._counts[key] = self.requests.labels(*key)
        count.inc()
        latency = self._latencies.get(key[:2])
        if latency is None:
            latency = self._latencies[key[:2]] = self.latency.labels(method, route)
        latency.observe(seconds)

    def maybe_refresh_rss(self, now: float) -> None:
        if now - self._rss_at >= RSS_REFRESH_S:
            self.refresh_rss(now)

    def exposition(self) -> bytes:
        """The text format of every metric: this process's, or all workers' in multiprocess mode."""
        self.refresh_rss()
        if self.multiprocess:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (bounded cardinality), never the raw path."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str):
        return template
    path: str = scope["path"]
    if CURVE_PATH.fullmatch(path):
        return CURVE_TEMPLATE
    if path.startswith("/static/"):
        return STATIC_TEMPLATE
    return UNMATCHED


class ObservabilityMiddleware:
    """Outermost layer: request id (header, context, logs), access log line, metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get(WARMUP_KEY):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = request_id_from(scope["headers"])
        token = request_id_var.set(request_id)
        is_training = scope["method"] == "POST" and scope["path"] in TRAINING_PATHS
        status = 500  # what the client gets if the app fails before it answers
        refusal_body = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, refusal_body
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
                refusal_body = is_training and status == 422
            elif refusal_body and message["type"] == "http.response.body":
                refusal_body = False
                if b'"value_error.limit"' in message.get("body", b""):
                    self.metrics.trainings_refused.labels(scope["path"], "over_cap").inc()
            await send(message)

        if is_training:
            self.metrics.trainings_running.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if is_training:
                self.metrics.trainings_running.dec()
            elapsed = time.perf_counter() - start
            if is_training and status == 503:
                self.metrics.trainings_refused.labels(scope["path"], "busy").inc()
                self.metrics.refusal_latency.observe(elapsed)
            route = route_template(scope)
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            self.metrics.record(method, route, status, elapsed)
            self.metrics.maybe_refresh_rss(time.monotonic())
            if access_logger.isEnabledFor(logging.INFO):
                log_access(scope, status, elapsed * 1000)
            request_id_var.reset(token)


def log_access(scope: Scope, status: int, duration_ms: float) -> None:
    client = scope.get("client")
    fields = {
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round(duration_ms, 3),
        "client": f"{client[0]}:{client[1]}" if client else None,
    }
    access_logger.info(
        '%s "%s %s HTTP/%s" %d %.1fms',
        fields["client"] or "-",
        scope["method"],
        scope["path"],
        scope.get("http_version", "1.1"),
        status,
        duration_ms,
        extra={"access": fields},
    )


class RequestIdFilter(logging.Filter):
    """Stamp every log record with the current request's id ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and for access lines
    method, path, status, duration_ms and client."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        entry.update(getattr(record, "access", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonFormatter.converter = time.gmtime
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's logging config: one stderr handler in the chosen format for uvicorn's logs and
    ours, every line with its request id; our middleware writes the access lines (uvicorn's own
    access log is turned off, it knows neither the request id nor the duration)."""
    formatter: dict[str, Any] = (
        {"()": "app.web.observability.JsonFormatter"}
        if settings.log_format == "json"
        else {"format": TEXT_FORMAT}
    )
    level = "DEBUG" if settings.log_level == "trace" else settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "app.web.observability.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "propagate": False},
            "actlab": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }


router = APIRouter(tags=["meta"])


@router.get("/metrics", include_in_schema=False)
def metrics_endpoint(request: Request) -> Response:
    """Prometheus text exposition of the request, training and memory metrics."""
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """Serve /metrics and wrap the whole app (call it after every other middleware)."""
    app.state.metrics = Metrics()
    app.include_router(router)
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics)


def _mark_worker_dead() -> None:
    """On a worker's exit, drop its live gauges (running trainings, memory) from the totals."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


atexit.register(_mark_worker_dead)
