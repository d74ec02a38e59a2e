"""HTTP tests for /api/train, /api/train/sweep and their event streams."""

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.lab.nn.control import Control, Progress
from app.main import create_app
from app.web.errors import INTERNAL_ERROR_MESSAGE
from app.web.schemas.training_results import SweepResponse, TrainResponse
from app.web.sse import event_stream


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as c:
        yield c


def small_client(**limits: Any) -> TestClient:
    return TestClient(create_app(Settings(**limits)))


@pytest.mark.slow
def test_default_xor_run_is_complete_and_under_a_megabyte(client: TestClient) -> None:
    r = client.post("/api/train", json={})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert len(r.content) < 1_000_000
    body = r.json()
    TrainResponse.model_validate(body)
    assert body["setup"] == {
        "features": ["x1", "x2"],
        "output": "sigmoid",
        "loss": "bce",
        "layer_sizes": [2, 4, 1],
        "n_parameters": 17,
        "n_classes": 2,
        "n_train": 4,
        "n_test": 0,
        "batch_size": 4,
        "updates_per_epoch": 1,
        "epochs": 2000,
        "activation": "tanh",
        "activation_params": {},
    }
    assert body["data"] == {
        "train": {"x": [[0, 0], [0, 1], [1, 0], [1, 1]], "y": [0, 1, 1, 0]},
        "test": None,
    }
    assert len(body["epochs"]) == len(body["loss"]) == len(body["accuracy"]) == 1000
    assert body["epochs"][0] == 0 and body["epochs"][-1] == 1999
    assert body["test_loss"] is None and len(body["grad_norms"]) == 2
    assert body["converged"] is True and body["diverged"] is False
    assert body["predictions"]["predicted"] == [0, 1, 1, 0]
    assert body["final"]["accuracy"] == 1.0 and body["final"]["epoch"] == 2000
    assert len(body["snapshots"]) == 50 and body["snapshots"][-1]["epoch"] == 2000
    snap = body["snapshots"][0]
    assert len(snap["output"]) == 1 and len(snap["output"][0]) == len(snap["output"][0][0]) == 50
    assert len(snap["hidden"]) == 1 and len(snap["hidden"][0]) == 4
    assert len(snap["hidden"][0][0]) == len(snap["hidden"][0][0][0]) == 10
    assert [len(w["W"]) for w in body["weights"]] == [2, 4]
    assert body["affine_map"] is None and body["dead_units"] == [[]]


def test_the_same_request_gives_the_same_bytes() -> None:
    uncached = small_client(result_cache_entries=0)  # two real runs, not one run served twice
    body = {
        "dataset": {"name": "moons", "n_samples": 80, "noise": 0.2},
        "batch_size": 8,
        "optimizer": "adam",
        "epochs": 30,
        "seed": 7,
        "snapshots": 3,
        "grid": 12,
    }
    first, second = uncached.post("/api/train", json=body), uncached.post("/api/train", json=body)
    assert first.status_code == 200, first.text
    assert first.content == second.content
    data = first.json()
    TrainResponse.model_validate(data)
    assert data["setup"]["n_test"] == 40 and len(data["test_loss"]) == 30


@pytest.mark.slow
def test_identity_run_shows_the_affine_map_it_collapses_to(client: TestClient) -> None:
    r = client.post(
        "/api/train", json={"activation": "identity", "hidden_layers": [4, 3], "snapshots": 0}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    affine = body["affine_map"]
    assert len(affine["W"]) == 2 and len(affine["W"][0]) == 1 and len(affine["b"]) == 1
    assert affine["max_abs_difference"] <= 1e-12
    for mine, net in zip(affine["output"], body["predictions"]["output"], strict=True):
        assert mine[0] == pytest.approx(net[0], abs=1e-12)
    assert body["converged"] is False and body["snapshots"] == [] and body["grid"] is None


def test_own_points_and_softmax(client: TestClient) -> None:
    points = [[0, 0, 0], [1, 0, 1], [0, 1, 2], [1, 1, 2], [-1, 0, 1]]
    r = client.post(
        "/api/train", json={"dataset": {"points": points}, "epochs": 50, "snapshots": 2, "grid": 6}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["setup"]["output"] == "softmax" and body["setup"]["loss"] == "cross_entropy"
    assert body["setup"]["layer_sizes"] == [2, 4, 3]
    assert len(body["predictions"]["output"][0]) == 3
    assert len(body["snapshots"][0]["output"]) == 3
    assert sum(body["predictions"]["output"][0]) == pytest.approx(1.0)


DIVERGING = {
    "dataset": {"name": "circle", "n_samples": 100},
    "features": ["x1_squared", "x2_squared"],
    "activation": "identity",
    "hidden_layers": [8, 8],
    "learning_rate": 10,
    "optimizer": "momentum",
    "epochs": 500,
}


def test_diverged_run_is_reported_without_nan(client: TestClient) -> None:
    r = client.post("/api/train", json=DIVERGING)
    assert r.status_code == 200, r.text
    assert b"NaN" not in r.content and b"Infinity" not in r.content
    body = r.json()
    TrainResponse.model_validate(body)
    assert body["diverged"] is True and 0 < body["diverged_epoch"] < 500
    assert body["weights"] is None and body["final"] is None and body["predictions"] is None
    assert max(body["epochs"]) < body["diverged_epoch"]
    assert all(v is not None for v in body["loss"])


def test_sweep_numbers_equal_single_runs(client: TestClient) -> None:
    body = {
        "activations": ["tanh", {"name": "leaky_relu", "params": {"negative_slope": 0.1}}],
        "seeds": 6,
        "epochs": 600,
        "learning_rate": 0.3,
    }
    r = client.post("/api/train/sweep", json=body)
    assert r.status_code == 200, r.text
    sweep = r.json()
    SweepResponse.model_validate(sweep)
    assert sweep["seeds"] == 6 and len(sweep["epochs"]) == 600
    leaky = sweep["results"][1]
    assert leaky["activation"] == "leaky_relu"
    assert leaky["activation_params"] == {"negative_slope": 0.1}
    assert leaky["success_rate"] == leaky["converged"] / 6
    for s in (0, 5):
        single = client.post(
            "/api/train",
            json={
                "activation": "leaky_relu",
                "activation_params": {"negative_slope": 0.1},
                "seed": s,
                "epochs": 600,
                "learning_rate": 0.3,
                "snapshots": 0,
            },
        ).json()
        assert leaky["per_seed"]["final_loss"][s] == pytest.approx(
            single["final"]["loss"], rel=1e-12
        )
        assert leaky["per_seed"]["epochs_to_converge"][s] == single["epochs_to_converge"]
        assert leaky["per_seed"]["converged"][s] == single["converged"]


def sse_events(raw: bytes) -> list[tuple[str, bytes]]:
    events = []
    for frame in raw.split(b"\n\n"):
        if frame:
            event, data = frame.split(b"\n")
            events.append((event.removeprefix(b"event: ").decode(), data.removeprefix(b"data: ")))
    return events


@pytest.mark.slow
def test_stream_sends_progress_then_exactly_the_plain_result(client: TestClient) -> None:
    body = {
        "epochs": 20000,
        "hidden_layers": [16, 16],
        "snapshots": 5,
        "dataset": {"name": "spiral", "n_samples": 60},
    }
    with client.stream("POST", "/api/train/stream", json=body) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r.read())
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "result" and set(kinds[:-1]) == {"progress"} and len(kinds) > 3
    progress = [orjson.loads(data) for _, data in events[:-1]]
    assert all(p["epochs"] == 20000 and 0 <= p["fraction"] <= 1 for p in progress)
    assert [p["epoch"] for p in progress] == sorted(p["epoch"] for p in progress)
    plain = client.post("/api/train", json=body)
    assert events[-1][1] == plain.content


def test_a_stream_sends_heartbeats_while_the_work_reports_nothing() -> None:
    release = asyncio.Event()

    async def silent_work(on_progress: Callable[[Progress], None]) -> bytes:
        await asyncio.wait_for(release.wait(), 60)  # a guard against hanging
        return b"{}"

    async def consume() -> list[bytes]:
        stream = event_stream(silent_work, 10)
        frames = [await stream.__anext__() for _ in range(3)]  # all while the work is blocked
        release.set()
        frames += [frame async for frame in stream]
        return frames

    frames = asyncio.run(consume())
    heartbeat = b'event: progress\ndata: {"epoch":0,"epochs":10,"fraction":0.0,"loss":null}\n\n'
    assert frames[:3] == [heartbeat] * 3
    assert frames[-1] == b"event: result\ndata: {}\n\n"


@pytest.mark.slow
def test_sweep_stream_names_the_activation_in_progress(client: TestClient) -> None:
    body = {"activations": ["tanh", "relu"], "seeds": 50, "epochs": 3000}
    with client.stream("POST", "/api/train/sweep/stream", json=body) as r:
        events = sse_events(r.read())
    assert events[-1][0] == "result"
    names = {orjson.loads(data)["activation"] for kind, data in events if kind == "progress"}
    assert names <= {"tanh", "relu"} and names
    assert events[-1][1] == client.post("/api/train/sweep", json=body).content


def test_closing_the_stream_cancels_the_work() -> None:
    # the work here is the pool's Ticket.run, which kills its worker process when cancelled
    # (tests/web/test_workers.py checks that part with real processes)
    cancelled = asyncio.Event()

    async def work(on_progress: Callable[[Progress], None]) -> bytes:
        on_progress(Progress(5, 1_000_000, 0.5))
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return b"{}"

    async def consume() -> bool:
        stream = event_stream(work, 1_000_000)
        first = await stream.__anext__()
        assert first.startswith(b'event: progress\ndata: {"epoch":5,')
        await stream.aclose()  # type: ignore[attr-defined]  # what the server does when the client goes away
        await asyncio.wait_for(cancelled.wait(), 10)
        return cancelled.is_set()

    assert asyncio.run(consume()) is True


def errors_of(r: Any) -> list[dict[str, Any]]:
    assert r.status_code == 422, r.text
    detail: list[dict[str, Any]] = r.json()["detail"]
    return detail


BAD_BODIES = [
    ({"activation": "nope"}, ["body", "activation"], "unknown activation 'nope'"),
    (
        {"activation": "elu", "activation_params": {"alpha": 7}},
        ["body", "activation_params"],
        "alpha",
    ),
    (
        {"activation": "tanh", "activation_params": {"alpha": 1}},
        ["body", "activation_params"],
        "alpha",
    ),
    ({"dataset": "swirl"}, ["body", "dataset", "name"], "xor"),
    ({"dataset": {"name": "xor", "noise": 0.1}}, ["body", "dataset", "generated"], "noise"),
    (
        {"dataset": {"name": "circle", "noise": 0.9}},
        ["body", "dataset", "generated", "noise"],
        "0.5",
    ),
    (
        {"dataset": {"points": [[0, 0, 0], [1, 1, 1.5]]}},
        ["body", "dataset", "points", "points"],
        "label 1.5",
    ),
    ({"dataset": {"points": [[0, 0, 0], [1, 1, 2]]}, "output": "sigmoid"}, ["body"], "label 2"),
    ({"dataset": {"points": [[0, 0, 0], [1, 2000, 1]]}}, ["body", "dataset", "points"], "1000"),
    ({"dataset": "spiral3", "output": "sigmoid"}, ["body"], "softmax"),
    ({"output": "softmax", "loss": "bce"}, ["body"], "cross_entropy"),
    ({"loss": "cross_entropy"}, ["body"], "cross_entropy"),
    ({"features": ["x1", "x1"]}, ["body", "features"], "repeated: x1"),
    ({"features": ["x3"]}, ["body", "features", 0], "x1"),
    ({"hidden_layers": [65]}, ["body", "hidden_layers", 0], "64"),
    ({"hidden_layers": [1] * 9}, ["body", "hidden_layers"], "8"),
    ({"learning_rate": 0}, ["body", "learning_rate"], "0"),
    ({"optimizer": "rmsprop"}, ["body", "optimizer"], "adam"),
    ({"snapshots": 201}, ["body", "snapshots"], "200"),
    ({"snapshots": 200, "grid": 100}, ["body"], "snapshots x grid^2"),
    ({"initial_weights": [{"W": [[1, 1]], "b": [0, 0]}]}, ["body"], "initial_weights has 1"),
    (
        {
            "initial_weights": [{"W": [[1, 1], [1, 1]], "b": [0]}, {"W": [[1], [1]], "b": [0]}],
            "hidden_layers": [2],
        },
        ["body"],
        "initial_weights[0] must have W of shape (2, 2)",
    ),
    ({"regularisation": "l2"}, ["body", "regularisation"], "not permitted"),
    ({"seed": -1}, ["body", "seed"], "0"),
    # regression (issue 9): the data decides the head, and the refusal is at the field
    ({"dataset": "reg-plane", "output": "sigmoid"}, ["body", "output"], "use 'linear'"),
    ({"dataset": "reg-gauss", "output": "softmax"}, ["body", "output"], "regression set"),
    ({"dataset": "reg-plane", "loss": "bce"}, ["body", "loss"], "'mse', not 'bce'"),
    (
        {"dataset": {"name": "reg-gauss", "noise": 0.2}, "loss": "cross_entropy"},
        ["body", "loss"],
        "'mse', not 'cross_entropy'",
    ),
    ({"dataset": "reg-plane", "output": "linear", "loss": "bce"}, ["body", "loss"], "'mse'"),
    ({"output": "linear"}, ["body", "output"], "this data has 2 classes: use 'sigmoid'"),
    ({"dataset": "spiral3", "output": "linear"}, ["body", "output"], "use 'softmax'"),
    (
        {"dataset": {"points": [[0, 0, 0], [1, 1, 1]]}, "output": "linear"},
        ["body", "output"],
        "regression sets",
    ),
]


@pytest.mark.parametrize(("body", "loc", "text"), BAD_BODIES, ids=lambda v: str(v)[:40])
def test_bad_train_bodies_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], loc: list[Any], text: str
) -> None:
    errors = errors_of(client.post("/api/train", json=body))
    assert any(e["loc"][: len(loc)] == loc and text in e["msg"] for e in errors), errors


def test_non_finite_numbers_are_422(client: TestClient) -> None:
    r = client.post(
        "/api/train",
        content=b'{"learning_rate": NaN}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    r = client.post(
        "/api/train",
        content=b'{"initial_weights": [{"W": [[Infinity]], "b": [0]}]}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422, r.text


BAD_SWEEPS = [
    ({"activations": []}, ["body", "activations"], "at least 1"),
    ({"activations": ["tanh", "nope"]}, ["body", "activations", 1, "name"], "unknown"),
    (
        {"activations": [{"name": "elu", "params": {"alpha": 0}}]},
        ["body", "activations", 0, "params"],
        "alpha",
    ),
    ({"activations": ["tanh", "tanh"]}, ["body", "activations"], "listed twice"),
    ({"activations": ["tanh"], "seeds": 201}, ["body", "seeds"], "200"),
    ({"activations": ["tanh"], "seed": 3}, ["body"], "a sweep has no 'seed'"),
    ({"activations": ["tanh"], "activation": "relu"}, ["body"], "a sweep has no 'activation'"),
]


@pytest.mark.parametrize(("body", "loc", "text"), BAD_SWEEPS, ids=lambda v: str(v)[:40])
def test_bad_sweep_bodies_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], loc: list[Any], text: str
) -> None:
    errors = errors_of(client.post("/api/train/sweep", json=body))
    assert any(e["loc"][: len(loc)] == loc and text in e["msg"] for e in errors), errors


def test_limits_from_settings_are_422_stating_the_cap() -> None:
    c = small_client(train_max_epochs=500, train_max_work=100_000)
    [error] = errors_of(c.post("/api/train", json={"epochs": 501}))
    assert error["loc"] == ["body", "epochs"] and "cap of 500" in error["msg"]
    [error] = errors_of(c.post("/api/train", json={"epochs": 500, "hidden_layers": [64]}))
    assert "cap of 1e+05" in error["msg"] and "500 epochs x 4 training samples" in error["msg"]
    [error] = errors_of(
        c.post(
            "/api/train/sweep", json={"activations": ["tanh", "relu"], "epochs": 500, "seeds": 10}
        )
    )
    assert "x 20 networks" in error["msg"]
    for path in ("/api/train/stream", "/api/train/sweep/stream"):
        body = (
            {"epochs": 501}
            if path == "/api/train/stream"
            else {"activations": ["tanh"], "epochs": 501}
        )
        assert c.post(path, json=body).status_code == 422
    assert c.post("/api/train", json={"epochs": 400}).status_code == 200


# Its time floor (app.lab.nn.work) is under 0.05 s, so it starts; it runs for about a second.
LONG_RUN = {"epochs": 4000, "hidden_layers": [16, 16]}


def test_wall_time_limit_stops_a_run_with_422_or_an_error_event() -> None:
    c = small_client(train_time_limit_s=0.05)
    body = LONG_RUN
    [error] = errors_of(c.post("/api/train", json=body))
    assert "wall-time limit of 0.05 s" in error["msg"]
    with c.stream("POST", "/api/train/stream", json=body) as r:
        events = sse_events(r.read())
    assert events[-1][0] == "error"
    assert "0.05 s" in orjson.loads(events[-1][1])["detail"][0]["msg"]


def broken(control: Control, req: object) -> bytes:
    """A job that fails in its worker process (it is pickled by name, so it lives here)."""
    raise RuntimeError("a bug deep inside the numpy code")


@pytest.mark.parametrize(
    ("target", "url", "body"),
    [
        ("app.web.routes.training.train_bytes", "/api/train/stream", {"snapshots": 0}),
        (
            "app.web.routes.training.sweep_bytes",
            "/api/train/sweep/stream",
            {"activations": ["relu"]},
        ),
    ],
)
@pytest.mark.slow
def test_an_unexpected_error_ends_the_stream_with_an_error_event_and_is_logged(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    target: str,
    url: str,
    body: dict[str, Any],
) -> None:
    monkeypatch.setattr(target, broken)
    with small_client().stream("POST", url, json={**body, "epochs": 5}) as r:
        assert r.status_code == 200
        events = sse_events(r.read())
    kind, data = events[-1]
    assert kind == "error" and {k for k, _ in events[:-1]} <= {"progress"}
    assert orjson.loads(data) == {
        "detail": [{"loc": [], "msg": INTERNAL_ERROR_MESSAGE, "type": "internal_error"}]
    }
    assert b"numpy code" not in data
    [record] = [rec for rec in caplog.records if rec.name == "app.web.errors"]
    assert record.getMessage() == "unexpected error in a training stream"
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "in broken" in caplog.text  # the worker's traceback, down to the failing function


def test_an_error_in_the_streaming_itself_also_ends_with_an_error_event(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug in the progress report")

    monkeypatch.setattr("app.web.sse.progress_data", broken)

    async def waiting_work(on_progress: Callable[[Progress], None]) -> bytes:
        await asyncio.sleep(60)  # the first heartbeat comes while this waits; then cancelled
        return b"{}"

    async def consume() -> list[bytes]:
        return [frame async for frame in event_stream(waiting_work, 10)]

    frames = asyncio.run(consume())
    assert [sse_events(frame)[0][0] for frame in frames] == ["error"]
    assert orjson.loads(sse_events(frames[0])[0][1])["detail"][0]["type"] == "internal_error"
    [record] = [rec for rec in caplog.records if rec.name == "app.web.errors"]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


def test_a_repeated_request_is_served_from_the_cache_with_the_same_bytes() -> None:
    cached, uncached = small_client(), small_client(result_cache_entries=0)
    results = cached.app.state.result_cache  # type: ignore[attr-defined]
    small = {"epochs": 50, "snapshots": 2, "grid": 10}
    bodies = [small, {**small, "seed": 1}, {**small, "epochs": 51}, DIVERGING]
    for body in bodies:
        computed = uncached.post("/api/train", json=body)
        first, again = cached.post("/api/train", json=body), cached.post("/api/train", json=body)
        assert first.status_code == again.status_code == computed.status_code == 200
        assert first.content == again.content == computed.content
    assert len(results.store) == len(bodies)  # one entry each: no two requests collided
    assert len({cached.post("/api/train", json=body).content for body in bodies}) == len(bodies)
    # explicit defaults are the same validated request: the same entry
    explicit = cached.post("/api/train", json={**small, "seed": 0, "optimizer": "sgd"})
    assert explicit.content == trained_bytes(uncached, small)
    assert len(results.store) == len(bodies)


def trained_bytes(c: TestClient, body: dict[str, Any]) -> bytes:
    r = c.post("/api/train", json=body)
    assert r.status_code == 200, r.text
    return r.content


def test_the_result_cache_is_bounded_by_its_settings() -> None:
    c = small_client(result_cache_entries=2)
    for seed in range(5):
        assert c.post("/api/train", json={"epochs": 20, "seed": seed}).status_code == 200
    assert len(c.app.state.result_cache.store) == 2  # type: ignore[attr-defined]
    c = small_client(result_cache_bytes=10_000)  # one default XOR run is ~0.8 MB
    assert c.post("/api/train", json={}).status_code == 200
    assert len(c.app.state.result_cache.store) == 0  # type: ignore[attr-defined]


def test_a_stream_serves_a_cached_result_as_its_single_event() -> None:
    c = small_client()
    body = {"epochs": 200, "snapshots": 3}
    plain = c.post("/api/train", json=body).content
    with c.stream("POST", "/api/train/stream", json=body) as r:
        assert r.status_code == 200
        assert sse_events(r.read()) == [("result", plain)]
    sweep = {"activations": ["tanh", "relu"], "seeds": 4, "epochs": 100}
    with c.stream("POST", "/api/train/sweep/stream", json=sweep) as r:
        streamed = sse_events(r.read())
    assert streamed[-1] == ("result", c.post("/api/train/sweep", json=sweep).content)
    with c.stream("POST", "/api/train/sweep/stream", json=sweep) as r:
        assert sse_events(r.read()) == [streamed[-1]]


def test_over_time_and_over_cap_requests_are_never_cached() -> None:
    c = small_client(train_time_limit_s=0.05, train_max_epochs=20000)
    body = LONG_RUN
    for _ in range(2):
        [error] = errors_of(c.post("/api/train", json=body))
        assert "wall-time limit of 0.05 s" in error["msg"]
    assert errors_of(c.post("/api/train", json={"epochs": 20001}))[0]["loc"] == ["body", "epochs"]
    assert len(c.app.state.result_cache.store) == 0  # type: ignore[attr-defined]


def test_openapi_documents_the_semantics(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    train = spec["paths"]["/api/train"]["post"]
    assert "a_(l-1) @ W_l + b_l" in train["description"]
    assert "loss[k]" in train["description"]
    schema = train["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("TrainResponse")
    stream = spec["paths"]["/api/train/stream"]["post"]["responses"]["200"]["content"]
    assert "text/event-stream" in stream


def test_sweep_fills_in_the_defaults_of_a_parameterised_activation(client: TestClient) -> None:
    # An omitted `params` used to skip validation, so gelu() was called without `approximate`.
    body = {"activations": ["gelu", {"name": "elu"}], "seeds": 2, "epochs": 20}
    r = client.post("/api/train/sweep", json=body)
    assert r.status_code == 200, r.text
    got = [res["activation_params"] for res in r.json()["results"]]
    assert got == [{"approximate": "none"}, {"alpha": 1.0}]


def test_dead_and_saturated_units_are_disjoint_in_the_api(client: TestClient) -> None:
    # unit 1 of the ReLU layer is negative on every XOR input: dead, and (f' = 0) once only
    weights = [
        {"W": [[1.0, -1.0, 50.0], [1.0, -1.0, 50.0]], "b": [0.5, -0.5, 0.0]},
        {"W": [[1.0], [1.0], [1.0]], "b": [0.0]},
    ]
    body = {
        "activation": "relu",
        "hidden_layers": [3],
        "initial_weights": weights,
        "epochs": 1,
        "learning_rate": 1e-9,
        "snapshots": 0,
    }
    r = client.post("/api/train", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["dead_units"] == [[1]]
    assert r.json()["saturated_units"] == [[]]


def test_train_fills_in_the_defaults_of_a_parameterised_activation() -> None:
    # The same mechanism as the sweep's: validate_default runs Activation.resolve on an omitted
    # activation_params, so gelu() gets its `approximate` and both requests share one cache key.
    c = small_client()
    omitted = c.post("/api/train", json={"activation": "gelu", "epochs": 2, "snapshots": 0})
    assert omitted.status_code == 200, omitted.text
    assert omitted.json()["setup"]["activation_params"] == {"approximate": "none"}
    explicit = {"activation": "gelu", "activation_params": {"approximate": "none"}}
    assert c.post("/api/train", json={**explicit, "epochs": 2, "snapshots": 0}).content == (
        omitted.content
    )
    assert len(c.app.state.result_cache.store) == 1  # type: ignore[attr-defined]


REG_GAUSS = {"name": "reg-gauss", "n_samples": 200, "noise": 0.0}


def test_a_regression_run_has_r2_and_no_accuracy(client: TestClient) -> None:
    body = {
        "dataset": "reg-plane",
        "hidden_layers": [8, 8],
        "optimizer": "adam",
        "learning_rate": 0.01,
        "epochs": 1000,
        "snapshots": 3,
        "grid": 10,
    }
    r = client.post("/api/train", json=body)
    assert r.status_code == 200, r.text
    run = r.json()
    setup = run["setup"]
    assert (setup["output"], setup["loss"], setup["n_classes"]) == ("linear", "mse", 0)
    assert setup["layer_sizes"] == [2, 8, 8, 1]
    assert run["accuracy"] is None and run["test_accuracy"] is None
    final = run["final"]
    assert final["accuracy"] is None and final["test_accuracy"] is None
    assert final["r2"] > 0.95 and final["test_r2"] > 0.95
    assert len(run["r2"]) == len(run["test_r2"]) == len(run["loss"]) == 1000
    assert run["r2"][-1] == pytest.approx(final["r2"], abs=1e-3)  # one update apart
    assert run["predictions"]["predicted"] is None and run["predictions"]["correct"] is None
    # the targets are the Playground's (x1 + x2) / 10, and R^2 is 1 - mse / var(y)
    xs, ys = run["data"]["train"]["x"], run["data"]["train"]["y"]
    assert ys == pytest.approx([(a + b) / 10 for a, b in xs], rel=1e-12)
    mean = sum(ys) / len(ys)
    var = sum((y - mean) ** 2 for y in ys) / len(ys)
    assert final["r2"] == pytest.approx(1 - final["loss"] / var, rel=1e-12)
    assert run["converged"] and 0 < run["epochs_to_converge"] < 1000
    k = run["epochs"].index(run["epochs_to_converge"])
    assert run["r2"][k] >= 0.95 > run["r2"][k - 1]
    # the snapshot is the output's value over the grid, not a probability
    surface = [v for row in run["snapshots"][-1]["output"][0] for v in row]
    assert min(surface) < -0.9 and max(surface) > 0.9


def test_classification_answers_carry_no_r2_keys(client: TestClient) -> None:
    run = client.post("/api/train", json={"epochs": 10, "snapshots": 0}).json()
    assert "r2" not in run and "test_r2" not in run and "r2" not in run["final"]
    sweep = client.post("/api/train/sweep", json={"activations": ["tanh"], "seeds": 2, "epochs": 5})
    (result,) = sweep.json()["results"]
    assert "r2_curve" not in result and "final_r2" not in result["per_seed"]


def test_a_regression_stream_ends_with_the_plain_result(client: TestClient) -> None:
    body = {"dataset": REG_GAUSS, "epochs": 300, "snapshots": 2}
    with client.stream("POST", "/api/train/stream", json=body) as r:
        assert r.status_code == 200
        events = sse_events(r.read())
    assert events[-1][0] == "result"
    plain = client.post("/api/train", json=body)
    assert events[-1][1] == plain.content and "r2" in plain.json()


@pytest.mark.slow
def test_a_regression_sweep_bands_r2_over_seeds(client: TestClient) -> None:
    body = {
        "dataset": "reg-plane",
        "activations": ["tanh"],
        "seeds": 5,
        "epochs": 400,
        "hidden_layers": [8, 8],
        "optimizer": "adam",
        "learning_rate": 0.01,
    }
    r = client.post("/api/train/sweep", json=body)
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    per_seed = result["per_seed"]
    assert per_seed["final_accuracy"] == [None] * 5
    r2 = per_seed["final_r2"]
    assert all(v > 0.9 for v in r2)
    assert result["final_r2"]["median"] == pytest.approx(sorted(r2)[2], rel=1e-12)
    bands = result["r2_curve"]
    assert (
        len(bands["median"]) == 400 and bands["p10"][-1] <= bands["median"][-1] <= bands["p90"][-1]
    )
    # the last band value is R^2 one update before the end
    assert bands["median"][-1] == pytest.approx(result["final_r2"]["median"], abs=1e-3)
    assert result["success_rate"] == sum(per_seed["converged"]) / 5
    # seed 3 of the sweep is the single run of seed 3
    single = {k: v for k, v in body.items() if k not in ("activations", "seeds")}
    alone = client.post("/api/train", json={**single, "activation": "tanh", "seed": 3}).json()
    assert alone["final"]["r2"] == r2[3]
