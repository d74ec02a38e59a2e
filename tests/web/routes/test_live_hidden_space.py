"""WS /api/train/live with `hidden_space` in the start body: each frame carries the views, and
they are /api/train's snapshot views at the same epoch."""

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.lab.activations import get_activation
from app.lab.nn.hidden_space import layer_outputs
from app.main import create_app
from tests.web.routes.test_live import LIVE, frame, send, start

XOR_2: dict[str, Any] = {
    "dataset": "xor",
    "hidden_layers": [2],
    "hidden_space": "last",
    "epochs": 300,
    "snapshots": 4,
}
CIRCLE: dict[str, Any] = {
    "dataset": {"name": "circle", "n_samples": 60},
    "hidden_layers": [3, 5],
    "hidden_space": "all",
    "epochs": 30,
    "snapshots": 4,
    "grid": 10,
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(result_cache_entries=0))) as c:
        yield c


@pytest.mark.slow
def test_frames_carry_api_trains_hidden_space_at_the_same_epoch(client: TestClient) -> None:
    r = client.post("/api/train", json=XOR_2)
    assert r.status_code == 200, r.text
    snapshots = r.json()["snapshots"]
    assert [s["epoch"] for s in snapshots] == [0, 100, 200, 300]
    with client.websocket_connect(LIVE) as ws:
        header, arrays = start(ws, XOR_2)
        for k, snapshot in enumerate(snapshots):
            if k:
                send(ws, type="step", n=100)
                header, arrays = frame(ws)
            assert header["epoch"] == snapshot["epoch"]
            (expected,) = snapshot["hidden_space"]
            (view,) = header["hidden_space"]
            assert view == {
                key: expected[key]
                for key in ("layer", "width", "projection", "axes", "explained_variance")
            } | {"boundary": expected["boundary"]}
            coords = arrays["hidden_space.0.train"]
            assert coords.dtype == np.float32 and coords.shape == (4, 2)
            np.testing.assert_allclose(coords, expected["train"], atol=1e-4)
            assert "hidden_space.0.test" not in arrays  # XOR has no test set


def test_identity_layers_match_and_pca_is_the_frames_own(client: TestClient) -> None:
    r = client.post("/api/train", json=CIRCLE)
    assert r.status_code == 200, r.text
    last = r.json()["snapshots"][-1]
    with client.websocket_connect(LIVE) as ws:
        start(ws, CIRCLE)
        send(ws, type="step", n=30)
        header, arrays = frame(ws)
    assert header["epoch"] == last["epoch"] == 30
    first, second = header["hidden_space"]
    assert (first["projection"], first["boundary"]) == ("identity", None)
    np.testing.assert_allclose(
        arrays["hidden_space.0.train"], last["hidden_space"][0]["train"], atol=1e-4
    )
    assert arrays["hidden_space.0.test"].shape == (30, 3)
    assert second["projection"] == "pca" and len(second["boundary"][0]["coefficients"]) == 2
    # live, the PCA plane is the frame's own: its variance shares are numpy's SVD of the frame
    x = np.array(r.json()["data"]["train"]["x"])
    layers = [(arrays[f"W.{i}"], arrays[f"b.{i}"]) for i in range(3)]
    h = layer_outputs(layers, get_activation("tanh"), {}, x, 1)
    s = np.linalg.svd(h - h.mean(axis=0), compute_uv=False)
    np.testing.assert_allclose(second["explained_variance"], s[:2] ** 2 / np.sum(s**2), rtol=1e-9)
    assert arrays["hidden_space.1.train"].shape == (30, 2)


def test_a_session_without_it_has_no_hidden_space_in_its_frames(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        header, arrays = start(ws, {"hidden_layers": [2]})
    assert "hidden_space" not in header
    assert not [name for name in arrays if name.startswith("hidden_space")]


def test_a_bad_layer_in_the_start_body_is_an_error_at_the_field(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        send(ws, type="start", body={"hidden_layers": [2], "hidden_space": 3})
        message = ws.receive_json()
    assert message["type"] == "error"
    (item,) = message["detail"]
    assert item["loc"] == ["message", "body", "hidden_space"]
    assert "hidden layer 3 does not exist" in item["msg"]


def test_a_replayed_history_gives_the_same_frame_bytes(client: TestClient) -> None:
    with client.websocket_connect(LIVE) as ws:
        start(ws, CIRCLE)
        send(ws, type="step", n=7)
        original = ws.receive()["bytes"]
        send(ws, type="export")
        history = ws.receive_json()["history"]
        assert history["start"]["hidden_space"] == "all"
    with client.websocket_connect(LIVE) as ws:  # a new connection: epochs_trained from 0
        send(ws, type="replay", history=history)
        assert ws.receive_json()["type"] == "started"
        assert ws.receive()["bytes"] == original
