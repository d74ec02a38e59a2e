"""Request ids, access logs and /metrics: counted by route template, exactly once per request."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from app.config import Settings
from app.web.observability import (
    JsonFormatter,
    Metrics,
    ObservabilityMiddleware,
    RequestIdFilter,
    log_config,
    request_id_from,
)

# A test that counts requests asks for `app`, so that it gets an app of its own (tests/conftest.py):
# its counts start at zero.
OWN_APP = pytest.mark.usefixtures("app")

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient) -> Samples:
    r = client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def sample(name: str, **labels: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (name, tuple(sorted(labels.items())))


def requests_by_route(samples: Samples) -> dict[tuple[str, str, str], float]:
    counts = {}
    for (name, labels), value in samples.items():
        if name == "actlab_http_requests_total":
            d = dict(labels)
            counts[(d["method"], d["route"], d["status"])] = value
    return counts


@OWN_APP
def test_metrics_count_each_request_once_by_route_template(client: TestClient) -> None:
    before = requests_by_route(scrape(client))
    assert before == {}  # a fresh app: nothing answered yet but this scrape
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    # the curve fast path (computed, then cached) and the validating route (422) share a template
    assert client.get("/api/activations/gelu/curve?points=5").status_code == 200
    assert client.get("/api/activations/gelu/curve?points=5").status_code == 200
    assert client.get("/api/activations/relu/curve?points=1").status_code == 422
    assert client.get("/api/activations/nope").status_code == 404
    assert client.get("/static/js/api.js").status_code == 200
    assert client.get("/no/such/page/1").status_code == 404
    assert client.get("/no/such/page/2").status_code == 404
    assert client.post("/api/softmax", json={"logits": [1, 2]}).status_code == 200
    samples = scrape(client)
    assert requests_by_route(samples) == {
        ("GET", "/metrics", "200"): 1,
        ("GET", "/healthz", "200"): 2,
        ("GET", "/api/activations/{name}/curve", "200"): 2,
        ("GET", "/api/activations/{name}/curve", "422"): 1,
        ("GET", "/api/activations/{name}", "404"): 1,
        ("GET", "/static/{path}", "200"): 1,
        ("GET", "unmatched", "404"): 2,
        ("POST", "/api/softmax", "200"): 1,
    }
    curve = {"method": "GET", "route": "/api/activations/{name}/curve"}
    assert samples[sample("actlab_http_request_duration_seconds_count", **curve)] == 3
    assert samples[sample("actlab_http_request_duration_seconds_bucket", **curve, le="+Inf")] == 3
    assert samples[("actlab_training_queue_length", ())] == 0
    assert samples[("actlab_worker_resident_memory_bytes", ())] > 10 * 2**20  # numpy alone


@OWN_APP
def test_unusual_methods_share_one_label(client: TestClient) -> None:
    assert client.request("PURGE", "/healthz").status_code == 405
    assert requests_by_route(scrape(client))[("OTHER", "/healthz", "405")] == 1


BIG_SWEEP = {
    "activations": ["relu", "tanh"],
    "seeds": 200,
    "epochs": 20_000,
    "dataset": {"name": "spiral", "n_samples": 2000},
}


@OWN_APP
def test_training_over_a_cap_counts_as_refused_and_a_malformed_one_does_not(
    client: TestClient,
) -> None:
    assert client.post("/api/train", json={"epochs": 10**6}).status_code == 422  # over the cap
    assert client.post("/api/train/sweep", json=BIG_SWEEP).status_code == 422
    assert client.post("/api/train", json={"epochs": "many"}).status_code == 422  # malformed
    small = {"epochs": 5, "snapshots": 0, "hidden_layers": [2]}
    assert client.post("/api/train", json=small).status_code == 200
    samples = scrape(client)
    refused = {
        dict(labels)["route"]: value
        for (name, labels), value in samples.items()
        if name == "actlab_trainings_refused_total"
    }
    assert refused == {"/api/train": 1, "/api/train/sweep": 1}
    assert samples[("actlab_trainings_running", ())] == 0
    assert requests_by_route(samples)[("POST", "/api/train", "422")] == 2


def test_a_training_is_running_while_answered_and_a_503_is_refused_busy() -> None:
    metrics = Metrics()
    seen: list[float] = []

    async def busy(request: Request) -> JSONResponse:
        seen.append(metrics.trainings_running._value.get())
        return JSONResponse({"detail": []}, status_code=503)

    inner = Starlette(routes=[Route("/api/train", busy, methods=["POST"])])
    with TestClient(ObservabilityMiddleware(inner, metrics)) as tiny:
        assert tiny.post("/api/train").status_code == 503
    assert seen == [1]
    assert metrics.trainings_running._value.get() == 0
    assert metrics.trainings_refused.labels("/api/train", "busy")._value.get() == 1
    [refusals] = list(metrics.refusal_latency.collect())
    count = {s.name: s.value for s in refusals.samples}[
        "actlab_training_refusal_duration_seconds_count"
    ]
    assert count == 1  # its time-to-refuse is observed too


@pytest.mark.parametrize(
    "path", ["/healthz", "/api/activations/gelu/curve?points=3", "/static/js/api.js", "/nope"]
)
def test_a_sane_client_request_id_is_echoed_everywhere(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"X-Request-ID": "class-7:req.42_a"})
    assert r.headers["x-request-id"] == "class-7:req.42_a"


@pytest.mark.parametrize("sent", [None, "", "a" * 129, "two words", "<script>", "-leading-dash"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(
    client: TestClient, sent: str | None
) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}
    first = client.get("/healthz", headers=headers).headers["x-request-id"]
    second = client.get("/healthz", headers=headers).headers["x-request-id"]
    assert re.fullmatch("[0-9a-f]{32}", first), first
    assert first != second


def test_request_id_from_keeps_the_first_header_only() -> None:
    assert request_id_from([(b"x-request-id", b"abc"), (b"x-request-id", b"def")]) == "abc"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The app's loggers writing JSON lines to a buffer, as ACTLAB_LOG_FORMAT=json configures."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("actlab")
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)
    logger.propagate = old_propagate


def test_access_line_is_one_json_object_with_the_request_id(
    client: TestClient, json_log: io.StringIO
) -> None:
    client.get("/api/activations/gelu/curve?points=3", headers={"X-Request-ID": "r-1"})
    client.get("/nope")
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert len(lines) == 2
    first = lines[0]
    assert {k: first[k] for k in ("method", "path", "status", "request_id", "logger")} == {
        "method": "GET",
        "path": "/api/activations/gelu/curve",
        "status": 200,
        "request_id": "r-1",
        "logger": "actlab.access",
    }
    assert first["duration_ms"] > 0
    assert first["level"] == "info"
    assert (lines[1]["status"], lines[1]["path"]) == (404, "/nope")
    assert re.fullmatch("[0-9a-f]{32}", lines[1]["request_id"])


def test_a_log_line_written_inside_a_handler_carries_its_request_id(
    json_log: io.StringIO,
) -> None:
    async def noisy(request: Request) -> PlainTextResponse:
        logging.getLogger("actlab.lab").warning("training diverged")
        return PlainTextResponse("ok")

    inner = Starlette(routes=[Route("/noisy", noisy)])
    with TestClient(ObservabilityMiddleware(inner, Metrics())) as tiny:
        tiny.get("/noisy", headers={"X-Request-ID": "r-2"})
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert [(line["logger"], line["request_id"]) for line in lines] == [
        ("actlab.lab", "r-2"),
        ("actlab.access", "r-2"),
    ]
    assert lines[0]["message"] == "training diverged"


def test_log_config_picks_the_format_and_silences_uvicorns_access_log() -> None:
    config = log_config(Settings(log_format="json", log_level="warning"))
    assert config["formatters"]["default"] == {"()": "app.web.observability.JsonFormatter"}
    assert config["loggers"]["uvicorn.access"] == {"handlers": [], "propagate": False}
    assert config["loggers"]["actlab"]["level"] == "WARNING"
    text = log_config(Settings())
    assert "%(request_id)s" in text["formatters"]["default"]["format"]
