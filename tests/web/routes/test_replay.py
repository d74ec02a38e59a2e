"""POST /api/train/replay: a live session's history as a recorded run, /api/train's answer."""

import gzip
from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from app.config import Settings
from app.main import create_app
from app.web.live_frames import decode_frame
from app.web.schemas.training_results import TrainResponse

REPLAY = "/api/train/replay"
XOR: dict[str, Any] = {"dataset": "xor", "hidden_layers": [4], "learning_rate": 0.5}
SPIRAL: dict[str, Any] = {
    "dataset": {"name": "spiral", "n_samples": 200, "seed": 2},
    "hidden_layers": [8, 8],
    "activation": "relu",
    "optimizer": "adam",
    "learning_rate": 0.01,
    "batch_size": 10,
    "snapshots": 7,
    "grid": 20,
}
CUSTOM = {
    **XOR,
    "activation": "custom",
    "expression": "x * sigmoid(beta * x)",
    "activation_params": {"beta": 1.7},
}
REGRESSION = {"dataset": {"name": "reg-gauss", "n_samples": 60}, "hidden_layers": [3]}
# entries that change no number: a replay with only these is /api/train of `epoch` epochs
RECORDS = [
    {"epoch": 0, "command": {"type": "speed", "epochs_per_frame": 5}},
    {"epoch": 0, "command": {"type": "play"}},
    {"epoch": 15, "command": {"type": "pause"}},
    {"epoch": 15, "command": {"type": "step", "n": 10}},
]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as c:
        yield c


def history(start: dict[str, Any], commands: list[dict[str, Any]], epoch: int) -> dict[str, Any]:
    return {"version": 1, "start": start, "commands": commands, "epoch": epoch}


def errors_of(r: Any) -> list[tuple[list[str | int], str]]:
    assert r.status_code == 422, r.text
    return [(e["loc"], e["type"]) for e in r.json()["detail"]]


@pytest.mark.parametrize(
    ("start", "commands", "epoch"),
    [
        ({}, [], 2000),  # the default body: 50 snapshots over 0..2000, 1000 curve points
        (XOR, RECORDS, 300),
        (SPIRAL, RECORDS, 40),
        (CUSTOM, [], 30),
        (REGRESSION, RECORDS[:2], 25),
        ({**XOR, "epochs": 5000, "snapshots": 0}, RECORDS, 25),  # the start's epochs: unused
    ],
    ids=["default", "xor", "spiral-snapshots-grid", "custom", "regression", "no-snapshots"],
)
@pytest.mark.slow
def test_with_no_change_it_is_api_train_byte_for_byte(
    client: TestClient, start: dict[str, Any], commands: list[dict[str, Any]], epoch: int
) -> None:
    trained = client.post("/api/train", json={**start, "epochs": epoch})
    replayed = client.post(REPLAY, json=history(start, commands, epoch))
    assert replayed.status_code == trained.status_code == 200, replayed.text
    assert replayed.headers["content-type"] == "application/json"
    assert replayed.content == trained.content


def send(ws: WebSocketTestSession, **command: Any) -> None:
    ws.send_text(orjson.dumps(command).decode())


def live_run(
    client: TestClient, start: dict[str, Any], commands: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray[Any, Any]]]:
    """Drive a live session over the socket: its exported history and its last frame."""
    with client.websocket_connect("/api/train/live") as ws:
        send(ws, type="start", body=start)
        assert orjson.loads(ws.receive()["text"])["type"] == "started"
        last = ws.receive()["bytes"]
        for command in commands:
            send(ws, **command)
            last = ws.receive()["bytes"]
        send(ws, type="export")
        exported: dict[str, Any] = orjson.loads(ws.receive()["text"])["history"]
    header, arrays = decode_frame(last)
    return exported, header, arrays


LIVE_CHANGES: list[dict[str, Any]] = [
    {"type": "step", "n": 7},
    {"type": "set", "learning_rate": 0.05, "batch_size": 30},
    {"type": "step", "n": 4},
    {"type": "edit", "layer": 2, "kind": "weight", "from_unit": 3, "to_unit": 0, "value": 1},
    {"type": "regenerate", "data_seed": 11},
    {"type": "step", "n": 9},
    {"type": "set", "batch_size": None, "regularization": "l2", "reg_rate": 0.01},
    {"type": "edit", "layer": 0, "kind": "bias", "to_unit": 5, "value": -0.5},
    {"type": "step", "n": 10},
]


@pytest.mark.slow
def test_with_changes_it_reaches_the_live_sessions_numbers(client: TestClient) -> None:
    exported, header, arrays = live_run(client, SPIRAL, LIVE_CHANGES)
    assert exported["epoch"] == header["epoch"] == 30
    r = client.post(REPLAY, json=exported)
    assert r.status_code == 200, r.text
    body = r.json()
    TrainResponse.model_validate(body)
    assert abs(body["final"]["loss"] - header["loss"]) <= 1e-12
    assert body["final"]["loss"] == header["loss"]  # in fact to the last bit
    for i, layer in enumerate(body["weights"]):
        np.testing.assert_allclose(layer["W"], arrays[f"W.{i}"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer["b"], arrays[f"b.{i}"], rtol=0, atol=1e-12)
    assert body["epochs"] == list(range(30)) and body["setup"]["epochs"] == 30
    assert body["final"]["epoch"] == 30
    # the data and setup at the end: data seed 11, full batch again
    regenerated = client.post(
        "/api/train", json={**SPIRAL, "dataset": {**SPIRAL["dataset"], "seed": 11}, "epochs": 1}
    )
    assert body["data"] == regenerated.json()["data"]
    assert body["setup"]["batch_size"] == body["setup"]["n_train"] == 100
    assert [s["epoch"] for s in body["snapshots"]] == [0, 5, 10, 15, 20, 25, 30]
    assert body["grid"] == regenerated.json()["grid"]  # every snapshot over the final data
    # the curves: the live session's loss at epochs 0..29 are the frames'; the first 7 too
    plain = client.post("/api/train", json={**SPIRAL, "epochs": 7}).json()
    assert body["loss"][:7] == plain["loss"]


def test_the_run_after_the_last_reset_is_recorded(client: TestClient) -> None:
    """A reset starts over: the options set before it stay, its seed draws the weights."""
    changes: list[dict[str, Any]] = [
        {"type": "set", "learning_rate": 0.2},
        {"type": "step", "n": 12},
        {"type": "reset"},  # default: the start's seed 0, plus one
        {"type": "step", "n": 20},
    ]
    exported, header, _ = live_run(client, XOR, changes)
    assert exported["commands"][2] == {"epoch": 12, "command": {"type": "reset", "seed": 1}}
    replayed = client.post(REPLAY, json=exported)
    trained = client.post("/api/train", json={**XOR, "learning_rate": 0.2, "seed": 1, "epochs": 20})
    assert replayed.status_code == 200, replayed.text
    assert replayed.content == trained.content
    assert replayed.json()["final"]["loss"] == header["loss"]


@pytest.mark.slow
def test_a_replayed_history_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(create_app(Settings())) as c:
        body = history(XOR, [{"epoch": 3, "command": {"type": "set", "learning_rate": 1.0}}], 20)
        first = c.post(REPLAY, json=body)
        assert first.status_code == 200, first.text
        pool = c.app.state.worker_pool  # type: ignore[attr-defined]

        def no_worker() -> None:
            raise AssertionError("a cached history took a worker")

        monkeypatch.setattr(pool, "admit", no_worker)
        # the same history, and one that differs only in entries that change nothing
        again = c.post(REPLAY, json=body)
        recorded = c.post(REPLAY, json={**body, "commands": [*RECORDS[:2], *body["commands"]]})
    assert again.content == recorded.content == first.content


OWN = {"dataset": {"points": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]}}
SET = {"type": "set", "learning_rate": 1.0}
BAD: list[tuple[dict[str, Any], list[str | int], str]] = [
    ({**history(XOR, [], 5), "version": 2}, ["body", "version"], "literal_error"),
    (
        history(XOR, [{"epoch": 5, "command": SET}, {"epoch": 4, "command": SET}], 9),
        ["body", "commands", 1, "epoch"],
        "value_error",
    ),
    (
        history(XOR, [{"epoch": 5, "command": {"type": "reset"}}, *RECORDS[2:]], 9),
        ["body", "epoch"],  # 15 after the reset's 0 is fine; the history's 9 is before it
        "value_error",
    ),
    (history(XOR, [{"epoch": 5, "command": SET}], 4), ["body", "epoch"], "value_error"),
    (
        history(XOR, [{"epoch": 5, "command": {"type": "reset", "seed": 2}}], 0),
        ["body", "epoch"],
        "value_error",
    ),
    (
        history(
            XOR,
            [
                {
                    "epoch": 0,
                    "command": {
                        "type": "edit",
                        "layer": 2,
                        "kind": "bias",
                        "to_unit": 0,
                        "value": 1,
                    },
                }
            ],
            5,
        ),
        ["body", "commands", 0, "command", "layer"],
        "value_error",
    ),
    (
        history(
            XOR,
            [
                {
                    "epoch": 0,
                    "command": {
                        "type": "edit",
                        "layer": 0,
                        "kind": "bias",
                        "to_unit": 4,
                        "value": 1,
                    },
                }
            ],
            5,
        ),
        ["body", "commands", 0, "command", "to_unit"],
        "value_error",
    ),
    (
        history(
            XOR,
            [
                {
                    "epoch": 0,
                    "command": {
                        "type": "edit",
                        "layer": 1,
                        "kind": "weight",
                        "from_unit": 4,
                        "to_unit": 0,
                        "value": 1,
                    },
                }
            ],
            5,
        ),
        ["body", "commands", 0, "command", "from_unit"],
        "value_error",
    ),
    (
        history(OWN, [{"epoch": 2, "command": {"type": "regenerate"}}], 5),
        ["body", "commands", 0, "command", "type"],
        "value_error",
    ),
    (history(XOR, [], 20_001), ["body", "epoch"], "value_error.limit"),
    (
        history(
            {"dataset": {"name": "spiral", "n_samples": 2000}, "hidden_layers": [64] * 8},
            [],
            20_000,
        ),
        ["body", "epoch"],
        "value_error.limit",
    ),
    (
        history({"hidden_layers": [64] * 8, "grid": 100, "epochs": 1, "snapshots": 200}, [], 200),
        ["body", "start"],  # 200 snapshots fit one epoch's 2 states, not 201
        "value_error",
    ),
    (
        history({**CUSTOM, "expression": "x.real"}, [], 5),
        ["body", "start", "expression"],
        "expression_attribute",
    ),
    (
        {"start": XOR, "commands": [{"epoch": 0, "command": {"type": "export"}}], "epoch": 5},
        ["body", "commands", 0, "command"],
        "union_tag_invalid",
    ),
]


@pytest.mark.parametrize(("body", "loc", "kind"), BAD, ids=[str(b[1]) for b in BAD])
def test_every_bad_history_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], loc: list[str | int], kind: str
) -> None:
    [(where, type_)] = errors_of(client.post(REPLAY, json=body))
    assert (where, type_) == (loc, kind)


@pytest.mark.slow
def test_a_history_over_the_memory_cap_names_the_start_bodys_field() -> None:
    with TestClient(create_app(Settings(train_max_memory_mb=16))) as c:
        start = {
            "dataset": {"name": "spiral", "n_samples": 2000},
            "hidden_layers": [64] * 6,
            "snapshots": 0,
        }
        r = c.post(REPLAY, json=history(start, [], 10))
    assert errors_of(r) == [(["body", "start", "hidden_layers"], "value_error.limit")]


@pytest.mark.slow
def test_the_time_limit_is_a_422_at_the_epoch() -> None:
    with TestClient(create_app(Settings(train_time_limit_s=0.05))) as c:
        start = {"hidden_layers": [16, 16]}  # /api/train's long run: 4000 epochs
        r = c.post(REPLAY, json=history(start, [{"epoch": 1, "command": SET}], 4000))
    [(loc, kind)] = errors_of(r)
    assert loc == ["body", "epoch"]
    assert "wall-time limit of 0.05 s" in r.json()["detail"][0]["msg"]


def test_the_openapi_entry_documents_the_body_and_the_answer(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    post = document["paths"][REPLAY]["post"]
    assert post["summary"] == "Reopen a saved live session as a recorded run"
    assert "the part after the last reset" in post["description"]
    assert "ACTLAB_TRAIN_MAX_EPOCHS" in post["description"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/History"}
    answer = post["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/TrainResponse"}
    assert post["responses"].keys() == document["paths"]["/api/train"]["post"]["responses"].keys()


def test_it_is_gzipped_when_accepted_and_head_is_answered_as_for_api_train(
    client: TestClient,
) -> None:
    body = history(XOR, RECORDS, 100)
    with client.stream("POST", REPLAY, json=body, headers={"Accept-Encoding": "gzip"}) as r:
        assert r.status_code == 200
        assert r.headers["content-encoding"] == "gzip"
        zipped = b"".join(r.iter_raw())
    plain = client.post("/api/train", json={**XOR, "epochs": 100}).content
    assert gzip.decompress(zipped) == plain
    assert client.head(REPLAY).status_code == client.head("/api/train").status_code


def test_a_burst_is_refused_before_routing_like_api_train() -> None:
    from app.web.routes.training import waiting_routes

    route = waiting_routes()[REPLAY]
    assert route.joins_pending and route.route.endpoint.__name__ == "replay_history"
