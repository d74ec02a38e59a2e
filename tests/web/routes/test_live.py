"""WS /api/train/live: every command, every bad command, /api/train's numbers, history replay,
limits and refusals, and the worker process's life (freed on disconnect, idle while paused)."""

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from app.config import Settings
from app.main import create_app
from app.web.live_frames import decode_frame
from app.web.live_sessions import LiveSessions

LIVE = "/api/train/live"
XOR: dict[str, Any] = {"dataset": "xor", "hidden_layers": [4], "learning_rate": 0.5, "epochs": 300}
SPIRAL: dict[str, Any] = {
    "dataset": {"name": "spiral", "n_samples": 200, "seed": 2},
    "hidden_layers": [8, 8],
    "activation": "relu",
    "optimizer": "adam",
    "learning_rate": 0.01,
    "batch_size": 10,
    "epochs": 40,
}
Frame = tuple[dict[str, Any], dict[str, np.ndarray[Any, Any]]]


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(Settings(result_cache_entries=0))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def send(ws: WebSocketTestSession, **command: Any) -> None:
    ws.send_text(orjson.dumps(command).decode())


def text(ws: WebSocketTestSession) -> dict[str, Any]:
    message = ws.receive()
    assert message.get("text") is not None, message
    body: dict[str, Any] = orjson.loads(message["text"])
    return body


def frame(ws: WebSocketTestSession) -> Frame:
    message = ws.receive()
    assert message.get("bytes") is not None, message
    return decode_frame(message["bytes"])


def start(ws: WebSocketTestSession, body: dict[str, Any]) -> Frame:
    send(ws, type="start", body=body)
    started = text(ws)
    assert started["type"] == "started", started
    return frame(ws)


def error_at(ws: WebSocketTestSession) -> tuple[list[str | int], str]:
    message = text(ws)
    assert message["type"] == "error", message
    (item,) = message["detail"]
    return item["loc"], item["type"]


def weights(arrays: dict[str, np.ndarray[Any, Any]], layers: int) -> list[list[Any]]:
    return [[arrays[f"W.{i}"].tolist(), arrays[f"b.{i}"].tolist()] for i in range(layers)]


CUSTOM = {
    **XOR,
    "activation": "custom",
    "expression": "x * sigmoid(beta * x)",
    "activation_params": {"beta": 1.7},
}
REGRESSION = {"dataset": {"name": "reg-gauss", "n_samples": 60}, "epochs": 12, "hidden_layers": [3]}


@pytest.mark.parametrize(
    "body", [XOR, SPIRAL, CUSTOM, REGRESSION], ids=["xor", "spiral", "custom", "regression"]
)
@pytest.mark.slow
def test_start_and_step_equals_api_train_exactly(client: TestClient, body: dict[str, Any]) -> None:
    trained = client.post("/api/train", json=body).json()
    with client.websocket_connect(LIVE) as ws:
        header, _ = start(ws, body)
        losses = [header["loss"]]
        for _ in range(body["epochs"] - 1):
            send(ws, type="step")
            header, _ = frame(ws)
            losses.append(header["loss"])
        send(ws, type="step")
        header, arrays = frame(ws)
    assert losses == trained["loss"]  # JSON floats both ways: equal to the last bit
    assert header["epoch"] == body["epochs"]
    assert header["loss"] == trained["final"]["loss"]
    expected = [[layer["W"], layer["b"]] for layer in trained["weights"]]
    assert weights(arrays, len(expected)) == expected


@pytest.mark.slow
def test_play_streams_frames_at_most_the_cap_and_pause_stops_them(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, XOR)
        send(ws, type="speed", epochs_per_frame=3)
        send(ws, type="play")
        began = time.monotonic()
        epochs = [frame(ws)[0]["epoch"] for _ in range(16)]
        elapsed = time.monotonic() - began
        send(ws, type="pause")
        last = None
        while True:  # frames already on their way, then the paused state
            header, _ = frame(ws)
            if not header["playing"]:
                last = header
                break
    assert epochs[:3] == [3, 6, 9]
    assert np.all(np.diff(epochs) % 3 == 0)  # a slow reader gets newer frames, never partial
    assert elapsed >= 15 / 30 * 0.95  # 16 frames at 30 a second take 0.5 s at least
    assert last["epoch"] >= epochs[-1]


def test_step_n_trains_n_epochs(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, XOR)
        send(ws, type="step", n=25)
        header, arrays = frame(ws)
    assert header["epoch"] == 25
    assert header["epochs_trained"] == 25
    assert set(arrays) == {"output", "hidden.0", "W.0", "b.0", "W.1", "b.1"}
    assert arrays["output"].shape == (1, 50, 50) and arrays["hidden.0"].shape == (4, 10, 10)
    assert header["grid"]["points"] == 50 and header["thumbnails"]["points"] == 10


def test_set_changes_the_learning_rate_from_the_next_epoch(client: TestClient) -> None:
    """lr 0.5 for 10 epochs then 2.0 for 10 equals POST /api/train from the 10-epoch weights
    at lr 2.0."""
    with client.websocket_connect(LIVE) as ws:
        start(ws, XOR)
        send(ws, type="step", n=10)
        _, arrays = frame(ws)
        send(ws, type="set", learning_rate=2.0)
        frame(ws)
        send(ws, type="step", n=10)
        header, after = frame(ws)
    layers = [{"W": w, "b": b} for w, b in weights(arrays, 2)]
    body = {**XOR, "learning_rate": 2.0, "epochs": 10, "initial_weights": layers}
    trained = client.post("/api/train", json=body).json()
    assert header["loss"] == trained["final"]["loss"]
    assert weights(after, 2) == [[layer["W"], layer["b"]] for layer in trained["weights"]]


def test_set_batch_size_regularization_and_back_to_full_batch(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, SPIRAL)
        send(ws, type="set", batch_size=None, regularization="l2", reg_rate=0.01)
        frame(ws)
        send(ws, type="step", n=5)
        header, _ = frame(ws)
    body = {**SPIRAL, "batch_size": None, "regularization": "l2", "reg_rate": 0.01, "epochs": 5}
    assert header["loss"] == client.post("/api/train", json=body).json()["final"]["loss"]


def test_edit_sets_a_weight_and_a_bias(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, XOR)
        send(ws, type="edit", layer=0, kind="weight", from_unit=1, to_unit=2, value=3.5)
        _, arrays = frame(ws)
        send(ws, type="edit", layer=1, kind="bias", to_unit=0, value=-1.25)
        _, biased = frame(ws)
    assert arrays["W.0"][1, 2] == 3.5
    assert biased["b.1"][0] == -1.25


def test_reset_draws_new_weights_and_regenerate_new_data(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, SPIRAL)
        send(ws, type="step", n=5)
        frame(ws)
        send(ws, type="reset", seed=4)
        header, arrays = frame(ws)
        send(ws, type="regenerate")
        regenerated, same_weights = frame(ws)
        send(ws, type="export")
        history = text(ws)["history"]
    fresh = client.post("/api/train", json={**SPIRAL, "seed": 4, "epochs": 1}).json()
    assert header["epoch"] == 0
    assert weights(arrays, 3) == [[w["W"], w["b"]] for w in fresh["initial_weights"]]
    assert weights(same_weights, 3) == weights(arrays, 3)
    assert regenerated["loss"] != header["loss"]  # other points
    assert [e["command"] for e in history["commands"][-2:]] == [
        {"type": "reset", "seed": 4},
        {"type": "regenerate", "data_seed": 3},  # the start body's data seed 2, plus one
    ]


def test_history_replays_to_identical_numbers(client: TestClient, tmp_path: Path) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, SPIRAL)
        for command in (
            {"type": "step", "n": 7},
            {"type": "set", "learning_rate": 0.05, "batch_size": 30},
            {"type": "step", "n": 4},
            {
                "type": "edit",
                "layer": 2,
                "kind": "weight",
                "from_unit": 3,
                "to_unit": 0,
                "value": 1,
            },
            {"type": "regenerate", "data_seed": 11},
            {"type": "step", "n": 3},
            {"type": "reset"},
            {"type": "step", "n": 6},
        ):
            send(ws, **command)
            original = ws.receive()["bytes"]
        send(ws, type="export")
        history = text(ws)["history"]
    assert history["epoch"] == 6
    with client.websocket_connect(LIVE) as ws:
        send(ws, type="replay", history=history)
        reply = text(ws)
        assert reply["type"] == "started", reply
        replayed = ws.receive()["bytes"]
    assert replayed == original  # every byte: metrics, grids, weights


def test_acks_are_flow_control_not_history(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, XOR)
        send(ws, type="ack")
        send(ws, type="step", n=3)
        assert frame(ws)[0]["epoch"] == 3
        send(ws, type="ack", frames=1)
        send(ws, type="export")
        history = text(ws)["history"]
    assert history["commands"] == [{"epoch": 0, "command": {"type": "step", "n": 3}}]


@pytest.mark.slow
def test_acks_do_not_keep_an_idle_session_open() -> None:
    """Idle means no command: a page left playing in a tab acknowledges frames all along."""
    with TestClient(create_app(Settings(live_idle_s=1.0))) as c:
        with c.websocket_connect(LIVE) as ws:
            send(ws, type="start", body=XOR)
            started = time.monotonic()
            while time.monotonic() - started < 0.8:
                send(ws, type="ack")
                time.sleep(0.05)
            closing = closing_message(ws)
            closed_after = time.monotonic() - started
    assert closing["reason"] == "idle"
    assert closed_after < 1.7  # counted as commands, the acks would have kept it to >= 1.8 s


BAD_COMMANDS: list[tuple[str, list[str | int], str]] = [
    ("{not json", ["message"], "json_invalid"),
    ('["start"]', ["message"], "dict_type"),
    ('{"type": "fly"}', ["message", "type"], "union_tag_invalid"),
    ('{"n": 3}', ["message", "type"], "union_tag_not_found"),
    ('{"type": "step", "n": 0}', ["message", "n"], "greater_than_equal"),
    ('{"type": "step", "n": 1, "extra": 1}', ["message", "extra"], "extra_forbidden"),
    ('{"type": "speed"}', ["message", "epochs_per_frame"], "missing"),
    ('{"type": "set", "learning_rate": 0}', ["message", "learning_rate"], "greater_than"),
    ('{"type": "set"}', ["message"], "value_error"),
    ('{"type": "set", "regularization": "l3"}', ["message", "regularization"], "literal_error"),
    (
        '{"type": "edit", "layer": 0, "kind": "weight", "to_unit": 0, "value": 1}',
        ["message"],
        "value_error",
    ),
    (
        '{"type": "edit", "layer": 0, "kind": "bias", "to_unit": 0, "value": 1e9}',
        ["message", "value"],
        "less_than_equal",
    ),
    ('{"type": "reset", "seed": -1}', ["message", "seed"], "greater_than_equal"),
    ('{"type": "ack", "frames": 0}', ["message", "frames"], "greater_than_equal"),
    (
        '{"type": "start", "body": {"hidden_layers": [0]}}',
        ["message", "body", "hidden_layers", 0],
        "greater_than_equal",
    ),
    (
        '{"type": "replay", "history": {"commands": [], "epoch": 0}}',
        ["message", "history", "start"],
        "missing",
    ),
]


@pytest.mark.parametrize(("raw", "loc", "kind"), BAD_COMMANDS, ids=[b[0] for b in BAD_COMMANDS])
def test_a_bad_command_names_the_field_and_the_socket_stays_open(
    client: TestClient, raw: str, loc: list[str | int], kind: str
) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, XOR)
        ws.send_text(raw)
        assert error_at(ws) == (loc, kind)
        send(ws, type="step")
        assert frame(ws)[0]["epoch"] == 1  # still open, still the same session


@pytest.mark.parametrize(
    ("command", "loc", "kind"),
    [
        (
            {"type": "edit", "layer": 5, "kind": "bias", "to_unit": 0, "value": 1},
            ["message", "layer"],
            "value_error",
        ),
        (
            {"type": "edit", "layer": 0, "kind": "bias", "to_unit": 4, "value": 1},
            ["message", "to_unit"],
            "value_error",
        ),
        (
            {
                "type": "edit",
                "layer": 0,
                "kind": "weight",
                "from_unit": 2,
                "to_unit": 0,
                "value": 1,
            },
            ["message", "from_unit"],
            "value_error",
        ),
        ({"type": "regenerate"}, ["message", "type"], "value_error"),
    ],
)
def test_a_command_that_does_not_fit_the_session_names_the_field(
    client: TestClient, command: dict[str, Any], loc: list[str], kind: str
) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, {**XOR, "dataset": {"points": [[0, 0, 0], [1, 1, 1], [0, 1, 1]]}})
        send(ws, **command)
        assert error_at(ws) == (loc, kind)


@pytest.mark.parametrize("kind", ["play", "pause", "step", "set", "edit", "reset", "export"])
def test_a_command_before_start_is_refused(client: TestClient, kind: str) -> None:
    fields: dict[str, dict[str, Any]] = {
        "set": {"learning_rate": 1.0},
        "edit": {"layer": 0, "kind": "bias", "to_unit": 0, "value": 1},
    }
    with client.websocket_connect(LIVE) as ws:
        send(ws, type=kind, **fields.get(kind, {}))
        assert error_at(ws) == (["message", "type"], "no_session")


def test_a_binary_command_is_refused(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        ws.send_bytes(b"\x00\x01")
        assert error_at(ws) == (["message"], "message_type")


def test_a_start_over_the_memory_cap_names_the_field() -> None:
    with TestClient(create_app(Settings(train_max_memory_mb=16))) as c:
        with c.websocket_connect(LIVE) as ws:
            body = {"dataset": {"name": "spiral", "n_samples": 2000}, "hidden_layers": [64] * 6}
            send(ws, type="start", body=body)
            assert error_at(ws) == (["message", "body", "hidden_layers"], "value_error.limit")


def test_the_epoch_cap_ends_training_with_an_error() -> None:
    with TestClient(create_app(Settings(live_max_epochs=30))) as c:
        with c.websocket_connect(LIVE) as ws:
            start(ws, XOR)
            send(ws, type="step", n=20)
            frame(ws)
            send(ws, type="step", n=20)
            assert error_at(ws) == (["message", "n"], "live_epoch_cap")


def test_one_session_over_the_cap_is_told_when_to_retry() -> None:
    with TestClient(create_app(Settings(live_max_sessions=1))) as c:
        with c.websocket_connect(LIVE) as first:
            start(first, XOR)
            with c.websocket_connect(LIVE) as second:
                refusal = text(second)
                with pytest.raises(WebSocketDisconnect) as closed:
                    second.receive_text()
            send(first, type="step")
            assert frame(first)[0]["epoch"] == 1
    assert refusal["type"] == "error" and refusal["retry_after"] == 30
    assert refusal["detail"][0]["type"] == "busy"
    assert closed.value.code == 1013
    assert orjson.loads(closed.value.reason) == {"type": "busy", "retry_after": 30}


def test_another_sites_page_is_refused() -> None:
    with TestClient(create_app(Settings())) as c:
        headers = {"origin": "https://evil.example"}
        with c.websocket_connect(LIVE, headers=headers) as ws:
            assert error_at(ws) == (["header", "origin"], "origin_refused")
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
        assert closed.value.code == 1008
        with c.websocket_connect(LIVE, headers={"origin": "http://testserver"}) as ws:
            start(ws, XOR)  # the same site's page is welcome


def closing_message(ws: WebSocketTestSession) -> dict[str, Any]:
    """Read past started and frames (a loaded machine may be slower than the limit) to the
    `closing` message."""
    while True:
        message = ws.receive()
        if message.get("text") is not None:
            body: dict[str, Any] = orjson.loads(message["text"])
            if body["type"] == "closing":
                return body


@pytest.mark.slow
def test_an_idle_session_is_closed() -> None:
    with TestClient(create_app(Settings(live_idle_s=0.3))) as c:
        with c.websocket_connect(LIVE) as ws:
            send(ws, type="start", body=XOR)
            closing = closing_message(ws)
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
    assert closing["reason"] == "idle"
    assert closing["msg"] == "no command for 0.3 s: the session was closed"
    assert closed.value.code == 1000


@pytest.mark.slow
def test_a_session_ends_at_its_lifetime_even_while_playing() -> None:
    with TestClient(create_app(Settings(live_lifetime_s=0.5))) as c:
        with c.websocket_connect(LIVE) as ws:
            send(ws, type="start", body=XOR)
            send(ws, type="play")
            closing = closing_message(ws)
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
    assert closing["reason"] == "lifetime"
    assert closed.value.code == 1000


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_a_disconnect_stops_the_worker_process_at_once(app: FastAPI, client: TestClient) -> None:
    sessions: LiveSessions = app.state.live_sessions
    with client.websocket_connect(LIVE) as ws:
        start(ws, XOR)
        send(ws, type="play")
        frame(ws)
        (pid,) = sessions.pids()
        assert alive(pid)
    deadline = time.monotonic() + 2
    while (alive(pid) or sessions.active) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(pid)
    assert not sessions.active
    assert "actlab_live_sessions 0.0" in client.get("/metrics").text


@pytest.mark.slow
def test_a_paused_session_uses_no_cpu(app: FastAPI, client: TestClient) -> None:
    sessions: LiveSessions = app.state.live_sessions
    with client.websocket_connect(LIVE) as ws:
        start(ws, SPIRAL)
        (pid,) = sessions.pids()
        send(ws, type="play")
        frame(ws)
        frame(ws)
        playing = cpu_ticks(pid)
        send(ws, type="pause")
        while frame(ws)[0]["playing"]:
            pass
        paused = cpu_ticks(pid)
        time.sleep(1.0)
        assert cpu_ticks(pid) - paused <= 1  # clock ticks of 10 ms: nothing but rounding
        assert paused > 0 and playing >= 0
        assert os.sysconf("SC_CLK_TCK") >= 100


def test_metrics_count_open_sessions(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, XOR)
        assert "actlab_live_sessions 1.0" in client.get("/metrics").text


def test_shutdown_closes_sessions_with_a_message(app: FastAPI) -> None:
    with TestClient(create_app(Settings())) as c:
        live_app = c.app
        assert isinstance(live_app, FastAPI)
        with c.websocket_connect(LIVE) as ws:
            start(ws, XOR)
            live_app.state.worker_pool.close()  # what SIGTERM does (app.web.workers.close_all)
            closing = text(ws)
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
    assert closing["reason"] == "shutting_down" and closing["retry_after"] == 1
    assert closed.value.code == 1012


def test_the_schema_route_documents_every_command(client: TestClient) -> None:
    r = client.get("/api/train/live/schema")
    assert r.status_code == 200, r.text
    schema = r.json()
    tags = schema["commands"]["discriminator"]["mapping"]
    assert sorted(tags) == sorted(
        [
            "start",
            "play",
            "pause",
            "step",
            "speed",
            "set",
            "edit",
            "reset",
            "regenerate",
            "export",
            "replay",
            "ack",
        ]
    )
    assert sorted(schema["messages"]["discriminator"]["mapping"]) == [
        "closing",
        "error",
        "history",
        "started",
    ]


def test_a_worker_that_dies_ends_the_session_with_an_error(
    app: FastAPI, client: TestClient
) -> None:
    sessions: LiveSessions = app.state.live_sessions
    with client.websocket_connect(LIVE) as ws:
        start(ws, XOR)
        (pid,) = sessions.pids()
        os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
        assert error_at(ws) == ([], "worker_died")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1011


@pytest.mark.slow
def test_a_refused_expression_is_an_error_at_the_expression_and_the_socket_stays_open(
    client: TestClient,
) -> None:
    with client.websocket_connect(LIVE) as ws:
        send(ws, type="start", body={**CUSTOM, "expression": "x * sigmoid(beta * x"})
        loc, kind = error_at(ws)
        assert loc[-1] == "expression" and kind.startswith("expression_")
        send(ws, type="start", body={**CUSTOM, "activation_params": {"beta": 1.7, "q": 1}})
        loc, _ = error_at(ws)
        assert loc[-2:] == ["activation_params", "q"]  # a parameter the expression never uses
        header, _ = start(ws, CUSTOM)  # the same socket, a good body: a session
        assert header["epoch"] == 0


def test_a_regression_frame_has_no_accuracy(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        header, _ = start(ws, REGRESSION)
    assert header["accuracy"] is None and header["test_accuracy"] is None
    assert header["loss"] is not None and header["test_loss"] is not None
