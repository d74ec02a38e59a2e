"""Admission over HTTP: 503 with Retry-After when the pool is full (streams before they start),
cached answers without a worker, the memory cap's 422, the deadline inside a one-epoch job."""

import threading
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.config import Settings
from app.main import create_app

# Long enough to hold the only worker while the test asks for more (about 10 s alone; the test
# cancels it by closing its stream).
HOLDING = {"epochs": 20000, "hidden_layers": [16, 16], "dataset": {"name": "circle"}}
QUICK = {"epochs": 30, "snapshots": 0}


@pytest.fixture
def busy_client() -> Iterator[TestClient]:
    """One worker and no queue: one training running fills the server."""
    with TestClient(create_app(Settings(train_workers=1, train_queue=0))) as client:
        yield client


def hold_the_worker(client: TestClient) -> tuple[threading.Event, threading.Thread]:
    """A stream that keeps the only worker until the returned event is set."""
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        with client.stream("POST", "/api/train/stream", json=HOLDING) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if line.startswith("data:") and '"epoch":0,' not in line:
                    started.set()  # a progress report from the worker: it runs
                if release.is_set():
                    return

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert started.wait(60)
    return release, thread


def test_a_full_server_answers_503_with_retry_after_at_once(busy_client: TestClient) -> None:
    release, holder = hold_the_worker(busy_client)
    try:
        start = time.monotonic()
        r = busy_client.post("/api/train", json=QUICK)
        elapsed = time.monotonic() - start
        assert r.status_code == 503, r.text
        assert 1 <= int(r.headers["retry-after"]) <= 60
        [error] = r.json()["detail"]
        assert error["loc"] == [] and error["type"] == "busy"
        assert f"retry in {r.headers['retry-after']} s" in error["msg"]
        assert elapsed < 1.0  # at once: it never waited for the worker
        for path, body in [
            ("/api/train/stream", QUICK),
            ("/api/train/sweep", {"activations": ["relu"], "seeds": 2, "epochs": 5}),
            ("/api/train/sweep/stream", {"activations": ["relu"], "seeds": 2, "epochs": 5}),
            ("/api/gradient-flow", {"activation": "relu", "depth": 2, "width": 4}),
        ]:
            r = busy_client.post(path, json=body)
            assert r.status_code == 503, (path, r.text)  # streams too: before the stream starts
            assert r.headers["content-type"] == "application/json"
            assert r.json()["detail"][0]["type"] == "busy"
        # pages and curves are not trainings: they answer as ever
        assert busy_client.get("/healthz").status_code == 200
        assert busy_client.get("/api/activations/gelu/curve?points=11").status_code == 200
    finally:
        release.set()
        holder.join(30)
    assert busy_client.post("/api/train", json=QUICK).status_code == 200  # the slot came back
    families = {f.name: f for f in text_string_to_metric_families(busy_client.get("/metrics").text)}
    refused = {
        (s.labels["route"], s.labels["reason"]): s.value
        for s in families["actlab_trainings_refused"].samples
        if s.name.endswith("_total")
    }
    assert refused[("/api/train", "busy")] == 1
    assert refused[("/api/train/stream", "busy")] == 1


def test_a_cached_answer_needs_no_worker(busy_client: TestClient) -> None:
    first = busy_client.post("/api/train", json=QUICK)
    assert first.status_code == 200
    release, holder = hold_the_worker(busy_client)
    try:
        again = busy_client.post("/api/train", json=QUICK)
        assert again.status_code == 200 and again.content == first.content
        with busy_client.stream("POST", "/api/train/stream", json=QUICK) as r:
            assert r.status_code == 200
            assert r.read() == b"event: result\ndata: " + first.content + b"\n\n"
    finally:
        release.set()
        holder.join(30)


def test_queued_requests_wait_for_a_worker_and_the_gauge_counts_them() -> None:
    with TestClient(create_app(Settings(train_workers=1, train_queue=2))) as client:
        release, holder = hold_the_worker(client)
        answers: list[int] = []
        waiting = [
            threading.Thread(
                target=lambda seed=seed: answers.append(
                    client.post("/api/train", json={**QUICK, "seed": seed}).status_code
                )
            )
            for seed in range(2)
        ]
        for thread in waiting:
            thread.start()
        pool = client.app.state.worker_pool  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        while pool.waiting < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        metrics = client.get("/metrics").text
        assert "actlab_training_queue_length 2.0" in metrics
        assert client.post("/api/train", json={**QUICK, "seed": 9}).status_code == 503
        release.set()
        holder.join(30)
        for thread in waiting:
            thread.join(60)
        assert answers == [200, 200]
        assert "actlab_training_queue_length 0.0" in client.get("/metrics").text


def errors_of(r: Any) -> list[dict[str, Any]]:
    assert r.status_code == 422, r.text
    detail: list[dict[str, Any]] = r.json()["detail"]
    return detail


def test_a_request_over_the_memory_cap_is_422_stating_both_caps() -> None:
    client = TestClient(create_app(Settings(train_max_memory_mb=16)))
    big_sweep = {
        "activations": ["relu"],
        "seeds": 200,
        "epochs": 1,
        "hidden_layers": [27] * 8,
        "dataset": {"name": "spiral", "n_samples": 2000, "train_fraction": 0.9},
    }
    for path in ("/api/train/sweep", "/api/train/sweep/stream"):
        [error] = errors_of(client.post(path, json=big_sweep))
        assert error["loc"] == ["body", "seeds"] and error["type"] == "value_error.limit"
        assert "estimated to need 3081 MiB at its peak" in error["msg"]
        assert "16 MiB per training (ACTLAB_TRAIN_MAX_MEMORY_MB)" in error["msg"]
        assert "60 s (ACTLAB_TRAIN_TIME_LIMIT_S)" in error["msg"]
    wide = {"hidden_layers": [64] * 8, "dataset": {"name": "spiral", "n_samples": 2000}}
    [error] = errors_of(client.post("/api/train", json={**wide, "epochs": 10, "snapshots": 0}))
    assert error["loc"] == ["body", "hidden_layers"]
    snapshots = {"hidden_layers": [64, 64], "snapshots": 190, "grid": 50, "epochs": 400}
    [error] = errors_of(client.post("/api/train", json=snapshots))
    assert error["loc"] == ["body", "snapshots"]
    assert client.post("/api/train", json=QUICK).status_code == 200  # small ones still run


def test_a_request_whose_time_floor_is_over_the_limit_is_422_before_it_starts() -> None:
    client = TestClient(create_app(Settings(train_time_limit_s=1)))
    body = {"epochs": 2000, "batch_size": 1, "dataset": {"name": "circle", "n_samples": 2000}}
    start = time.monotonic()
    [error] = errors_of(client.post("/api/train", json=body))
    assert time.monotonic() - start < 1.0  # refused without training
    assert error["loc"] == ["body", "epochs"]
    assert "at least 20 s" in error["msg"] and "1 s (ACTLAB_TRAIN_TIME_LIMIT_S)" in error["msg"]


# One epoch of 100 networks over 400 points, 8 layers of 27: seconds of numpy calls inside one
# epoch, where the worker never looks at its clock; its time floor (0.11 s) is under the limit.
ONE_LONG_EPOCH = {
    "activations": ["relu"],
    "seeds": 100,
    "epochs": 1,
    "hidden_layers": [27] * 8,
    "dataset": {"name": "spiral", "n_samples": 800},
}


def test_no_answer_comes_later_than_the_time_limit_plus_a_second() -> None:
    limit = 0.5
    client = TestClient(create_app(Settings(train_time_limit_s=limit)))
    client.app.state.worker_pool.warm()  # type: ignore[attr-defined]
    for path in ("/api/train/sweep", "/api/train/sweep/stream"):
        start = time.monotonic()
        r = client.post(path, json=ONE_LONG_EPOCH)
        elapsed = time.monotonic() - start
        assert elapsed < limit + 1.0, (path, elapsed)
        if path.endswith("stream"):
            kind, data = r.content.split(b"\n\n")[-2].split(b"\n")
            assert kind == b"event: error"
            detail = orjson.loads(data[len(b"data: ") :])["detail"]
        else:
            detail = errors_of(r)
        assert "wall-time limit of 0.5 s" in detail[0]["msg"]
