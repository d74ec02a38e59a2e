"""The admission fast path against the routes it stands in for: with every worker and queue
place taken, the same bodies get the same answers, byte for byte, with and without it."""

import asyncio
import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.main import create_app
from app.web.admission import AdmissionFastPath
from app.web.routes.training import train_key, waiting_routes
from app.web.schemas.training import TrainRequest
from app.web.workers import WorkerPool
from tests.web.test_observability import requests_by_route, scrape

PATHS = sorted(waiting_routes())
SMALL = {"epochs": 5, "snapshots": 0, "hidden_layers": [2]}
# Headers that differ between any two answers.
PER_ANSWER = {"x-request-id", "date"}


def routed_only(app: FastAPI) -> FastAPI:
    """The same app without the fast path: every training request goes through its route."""
    fast_path: object = AdmissionFastPath
    app.user_middleware = [m for m in app.user_middleware if m.cls is not fast_path]
    return app


def fill(pool: WorkerPool) -> None:
    """Take every worker and queue place, as a burst of long trainings would."""
    pool._admitted = pool.size + pool.queue


def pool_of(client: TestClient) -> WorkerPool:
    pool: WorkerPool = client.app.state.worker_pool  # type: ignore[attr-defined]
    return pool


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[TestClient, TestClient]]:
    config = Settings(train_workers=1, train_queue=1)
    with (
        TestClient(create_app(config)) as fast,
        TestClient(routed_only(create_app(config))) as routed,
    ):
        for client in (fast, routed):
            fill(pool_of(client))
        yield fast, routed


def stable(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k not in PER_ANSWER}


def same_answer(
    clients: tuple[TestClient, TestClient], path: str, body: bytes, content_type: str
) -> int:
    fast, routed = clients
    headers = {"content-type": content_type}
    expected = routed.post(path, content=body, headers=headers)
    got = fast.post(path, content=body, headers=headers)
    assert got.status_code == expected.status_code, (got.text, expected.text)
    assert got.content == expected.content
    assert stable(got.headers) == stable(expected.headers)
    return got.status_code


def test_a_full_pool_refuses_a_valid_request_at_once_with_retry_after(
    clients: tuple[TestClient, TestClient],
) -> None:
    fast, _ = clients
    for path in PATHS:
        body: dict[str, Any] = SMALL
        if "sweep" in path:
            body = {"activations": ["relu"], "seeds": 2, **SMALL}
        elif "replay" in path:  # a saved live session of SMALL, 5 epochs
            body = {"start": SMALL, "commands": [], "epoch": 5}
        assert same_answer(clients, path, json.dumps(body).encode(), "application/json") == 503
    r = fast.post("/api/train", json=SMALL)
    assert r.headers["retry-after"].isdigit()
    assert r.json()["detail"][0]["type"] == "busy"


# Bodies the routes answer with something else than busy, the fast path must pass them on.
@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"epochs": -1}', "application/json", 422),
        (b'{"epochs": 1000000000}', "application/json", 422),  # over the cap
        (b'{"epochs": NaN}', "application/json", 422),
        (b'{"epochs": ', "application/json", 422),
        (b"[]", "application/json", 422),
        (b"[" * 2000 + b"]" * 2000, "application/json", 422),
        (json.dumps(SMALL).encode(), "text/plain", 422),
        (b'{"activation": "nope"}', "application/json; charset=utf-8", 422),
        # an expression is checked in the route's dependency (sympy, in a thread): the route
        # refuses a bad one with its 422 even when the pool is full
        (b'{"activation": "custom", "expression": "x +"}', "application/json", 422),
        (
            b'{"activation": "custom", "expression": "x", "activation_params": {"q": 1}}',
            "application/json",
            422,
        ),
    ],
)
def test_what_the_route_would_refuse_otherwise_it_answers(
    clients: tuple[TestClient, TestClient], body: bytes, content_type: str, status: int
) -> None:
    for path in PATHS:
        assert same_answer(clients, path, body, content_type) == status


def test_a_stored_result_is_served_even_when_the_pool_is_full() -> None:
    """The fast path read the body, found the stored result and replayed the body to the
    route, which answered from the cache."""
    with TestClient(create_app(Settings(train_workers=1, train_queue=0))) as client:
        first = client.post("/api/train", json=SMALL)
        assert first.status_code == 200
        fill(pool_of(client))
        again = client.post("/api/train", json=SMALL)
        assert again.status_code == 200 and again.content == first.content
        assert client.post("/api/train", json={**SMALL, "seed": 7}).status_code == 503


def test_a_request_joins_an_equal_one_being_computed_instead_of_being_refused() -> None:
    routes = waiting_routes()
    app = create_app(Settings(train_workers=1, train_queue=0))
    with TestClient(app) as client:
        pool = pool_of(client)
        fill(pool)
        results = client.app.state.result_cache  # type: ignore[attr-defined]
        req = TrainRequest.model_validate(SMALL)
        results._pending_async[train_key(req)] = object()  # an equal request is training
        settings_ = client.app.state.settings  # type: ignore[attr-defined]
        assert routes["/api/train"].refusal(SMALL, settings_, results, pool) is None
        # a stream only uses a stored result: it is refused
        assert routes["/api/train/stream"].refusal(SMALL, settings_, results, pool) is not None
        del results._pending_async[train_key(req)]
        assert routes["/api/train"].refusal(SMALL, settings_, results, pool) is not None


def test_refusals_are_counted_under_their_route() -> None:
    with TestClient(create_app(Settings(train_workers=1, train_queue=0))) as client:
        fill(pool_of(client))
        assert client.post("/api/train", json=SMALL).status_code == 503
        samples = scrape(client)
    assert requests_by_route(samples)[("POST", "/api/train", "503")] == 1
    refused = {
        dict(labels)["route"]: value
        for (name, labels), value in samples.items()
        if name == "actlab_trainings_refused_total"
    }
    assert refused == {"/api/train": 1}
    assert samples[("actlab_training_refusal_duration_seconds_count", ())] == 1


def test_the_routes_are_read_from_the_training_router() -> None:
    assert PATHS == [
        "/api/train",
        "/api/train/replay",
        "/api/train/stream",
        "/api/train/sweep",
        "/api/train/sweep/stream",
    ]
    assert {w.joins_pending for p, w in waiting_routes().items() if "stream" in p} == {False}


json_values: Any = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**7) | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = [*TrainRequest.model_fields, "activations", "seeds"]
VALUES = [
    0,
    1,
    5,
    -1,
    10**9,
    "tanh",
    "relu",
    "custom",
    "x * tanh(x)",
    "xor",
    "spiral",
    [2],
    [],
    None,
    0.5,
]
bodies = (
    st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES) | json_values, max_size=4)
    | json_values
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PATHS), body=bodies)
@example(path="/api/train", body=SMALL)
@example(path="/api/train/sweep", body={"activations": ["tanh", "tanh"]})
@example(path="/api/train", body={"epochs": 10**7, "hidden_layers": [64] * 8})
@pytest.mark.slow
def test_random_bodies_get_the_routes_answer(
    clients: tuple[TestClient, TestClient], path: str, body: Any
) -> None:
    status = same_answer(clients, path, json.dumps(body).encode(), "application/json")
    event(f"status {status}")


def test_in_a_burst_the_refusals_are_answered_before_the_admitted_requests_are_handled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The admitted requests' places are counted as they arrive (WorkerPool.reserved), so the
    requests after them are refused before any admitted one is validated and handed on."""
    app = create_app(Settings(train_workers=1, train_queue=1))
    events: list[str] = []
    pool = WorkerPool(app.state.settings)
    app.state.worker_pool = pool
    admit = pool.admit

    def admitted() -> Any:
        events.append("admitted")
        return admit()

    monkeypatch.setattr(pool, "admit", admitted)

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def post(seed: int) -> int:
                r = await client.post("/api/train", json={**SMALL, "seed": seed})
                if r.status_code == 503:
                    events.append("refused")
                return r.status_code

            return await asyncio.gather(*(post(seed) for seed in range(6)))

    try:
        statuses = asyncio.run(burst())
    finally:
        pool.close()
    assert sorted(statuses) == [200, 200, 503, 503, 503, 503]
    assert events == ["refused"] * 4 + ["admitted"] * 2
    assert pool._admitted == 0  # every place given back


@pytest.mark.parametrize(
    ("body", "status"),
    [(b'{"epochs": -1}', 422), (json.dumps(SMALL).encode(), 200), (b"[", 422)],
)
@pytest.mark.slow
def test_a_place_reserved_for_a_request_is_given_back_whatever_its_answer(
    body: bytes, status: int
) -> None:
    with TestClient(create_app(Settings(train_workers=1, train_queue=0))) as client:
        for path in ("/api/train", "/api/train/stream"):
            for _ in range(2):  # the second is answered from the stored result
                r = client.post(path, content=body, headers={"content-type": "application/json"})
                assert r.status_code == status, r.text
                assert pool_of(client)._admitted == 0, path
