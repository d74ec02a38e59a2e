"""HTTP tests for /api/train's opt-in hidden space (`hidden_space`, per snapshot)."""

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.web.routes.training import train_key
from app.web.schemas.training import TrainRequest
from app.web.schemas.training_results import TrainResponse

XOR_2 = {"hidden_layers": [2], "hidden_space": "last"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as c:
        yield c


def train(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/train", json=body)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    TrainResponse.model_validate(result)
    return result


@pytest.mark.slow
def test_without_the_field_no_snapshot_carries_it(client: TestClient) -> None:
    body = train(client, {"epochs": 10, "snapshots": 3})
    assert all("hidden_space" not in s for s in body["snapshots"])
    # an unasked field leaves the canonical request (the result cache's key, a live history)
    assert train_key(TrainRequest()) == train_key(TrainRequest(hidden_space=None))
    assert "hidden_space" not in TrainRequest().model_dump()
    assert TrainRequest(hidden_space="last").model_dump()["hidden_space"] == "last"


def test_xor_with_two_tanh_units_ends_separated_by_the_output_line(client: TestClient) -> None:
    body = train(client, XOR_2)
    first, last = body["snapshots"][0], body["snapshots"][-1]
    assert (first["epoch"], last["epoch"]) == (0, 2000)
    (space,) = last["hidden_space"]
    assert {k: space[k] for k in ("layer", "width", "projection", "axes")} == {
        "layer": 0,
        "width": 2,
        "projection": "identity",
        "axes": ["unit 1", "unit 2"],
    }
    assert space["explained_variance"] is None and space["test"] is None
    # the coordinates are tanh(x @ W + b) of the final weights, to 1e-4
    (w0, w1) = body["weights"]
    x = np.array(body["data"]["train"]["x"])
    h = np.tanh(x @ np.array(w0["W"]) + np.array(w0["b"]))
    np.testing.assert_allclose(space["train"], h, atol=5e-5)
    # the boundary is the output unit itself: z = h . W_out + b_out
    (boundary,) = space["boundary"]
    assert boundary["classes"] == [1, 0]
    assert boundary["coefficients"] == [row[0] for row in w1["W"]]
    assert boundary["offset"] == w1["b"][0]
    labels = np.array(body["data"]["train"]["y"])
    side = np.array(space["train"]) @ boundary["coefficients"] + boundary["offset"] > 0
    assert (side == (labels == 1)).all()
    (start,) = first["hidden_space"]
    b0 = start["boundary"][0]
    start_side = np.array(start["train"]) @ b0["coefficients"] + b0["offset"] > 0
    assert not (start_side == (labels == 1)).all()  # epoch 0: the line does not separate them


def test_all_layers_give_a_3d_view_and_a_pca_view(client: TestClient) -> None:
    body = train(
        client,
        {
            "dataset": {"name": "circle", "n_samples": 60},
            "hidden_layers": [3, 5],
            "hidden_space": "all",
            "epochs": 50,
            "snapshots": 2,
        },
    )
    for snapshot in body["snapshots"]:
        first, second = snapshot["hidden_space"]
        assert (first["layer"], first["projection"], first["boundary"]) == (0, "identity", None)
        assert np.array(first["train"]).shape == (30, 3)
        assert np.array(first["test"]).shape == (30, 3)
        assert (second["layer"], second["width"], second["projection"]) == (1, 5, "pca")
        assert second["axes"] == ["PC1", "PC2"]
        ratio = second["explained_variance"]
        assert len(ratio) == 2 and 0 < sum(ratio) <= 1 and ratio[0] > 0
        assert np.array(second["train"]).shape == (30, 2)
        assert len(second["boundary"][0]["coefficients"]) == 2


def test_softmax_has_a_line_per_class_pair_and_regression_values(client: TestClient) -> None:
    body = train(
        client,
        {
            "dataset": "spiral3",
            "hidden_layers": [2],
            "hidden_space": 0,
            "epochs": 5,
            "snapshots": 1,
        },
    )
    (space,) = body["snapshots"][0]["hidden_space"]
    assert [b["classes"] for b in space["boundary"]] == [[0, 1], [0, 2], [1, 2]]
    body = train(
        client,
        {"dataset": {"name": "reg-plane", "n_samples": 40}, "hidden_layers": [2], "epochs": 20}
        | {"hidden_space": "last", "snapshots": 1},
    )
    (space,) = body["snapshots"][0]["hidden_space"]
    assert space["boundary"] is None
    np.testing.assert_allclose(space["values"], [p[0] for p in body["predictions"]["output"]])
    assert len(space["test_values"]) == 20


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        (
            {"hidden_space": 1},
            "hidden layer 1 does not exist: this network's hidden layers are 0 to 0",
        ),
        ({"hidden_layers": [], "hidden_space": "last"}, "this network has no hidden layer"),
        ({"hidden_space": -1}, "greater than or equal to 0"),
        ({"hidden_space": "first"}, "'last' or 'all'"),
    ],
)
def test_a_layer_the_network_lacks_is_a_422_at_the_field(
    client: TestClient, body: dict[str, Any], msg: str
) -> None:
    r = client.post("/api/train", json=body)
    assert r.status_code == 422, r.text
    locs = [item["loc"] for item in r.json()["detail"]]
    assert all(loc[:2] == ["body", "hidden_space"] for loc in locs), locs
    assert any(msg in item["msg"] for item in r.json()["detail"]), r.text


def test_the_views_count_towards_the_snapshot_cap(client: TestClient) -> None:
    body = {
        "dataset": {"name": "spiral", "n_samples": 2000},
        "hidden_layers": [64] * 8,
        "hidden_space": "all",
        "snapshots": 200,
        "grid": 20,
        "epochs": 200,
    }
    r = client.post("/api/train", json=body)
    assert r.status_code == 422, r.text
    assert "with hidden_space, the snapshots hold 14" in r.text
