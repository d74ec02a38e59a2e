"""Gradient flow and XOR endpoints: known answers, null for overflow, every bad input a 4xx."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.lab.activations import get_activation
from app.lab.nn.gradient_flow import COLUMNS, LOSS_DEFINITION, gradient_flow
from app.main import create_app
from app.web.schemas.analysis import (
    GradientFlowRequest,
    GradientFlowResult,
    XorLinearResult,
    XorSolutionResult,
)


def test_gradient_flow_returns_the_domain_numbers(client: TestClient) -> None:
    body = {"activations": ["sigmoid", "relu"], "depth": 5, "width": 8, "init": "he", "seed": 4}
    r = client.post("/api/gradient-flow", json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    GradientFlowResult.model_validate(data)
    assert {k: data[k] for k in ("depth", "width", "init", "seed", "batch_size")} == {
        "depth": 5,
        "width": 8,
        "init": "he",
        "seed": 4,
        "batch_size": 256,
    }
    assert data["loss_definition"] == LOSS_DEFINITION
    specs = [(get_activation(n), get_activation(n).resolve()) for n in ("sigmoid", "relu")]
    expected = gradient_flow(specs, 5, 8, "he", 4, 256)
    assert [res["activation"] for res in data["results"]] == ["sigmoid", "relu"]
    for res, flow in zip(data["results"], expected, strict=True):
        assert res["layer"] == [1, 2, 3, 4, 5]
        assert res["loss"] == flow.loss
        assert res["finite"] is True
        for column in COLUMNS:
            assert res[column] == getattr(flow, column).tolist(), column
    sigmoid, relu = data["results"]
    assert sigmoid["zero_fraction"] == [0.0] * 5
    assert all(0.3 < z < 0.7 for z in relu["zero_fraction"])


@pytest.mark.slow
def test_gradient_flow_shows_sigmoid_vanishing_and_relu_he_not(client: TestClient) -> None:
    body = {"activations": ["sigmoid", "relu"], "depth": 20, "width": 128, "init": "he"}
    r = client.post("/api/gradient-flow", json=body)
    assert r.status_code == 200, r.text
    sigmoid, relu = r.json()["results"]
    first_over_last = {
        res["activation"]: res["preactivation_grad_norm"][0] / res["preactivation_grad_norm"][-1]
        for res in (sigmoid, relu)
    }
    assert first_over_last["sigmoid"] < 1e-9
    assert 0.5 < first_over_last["relu"] < 2.0


def test_activation_params_are_used_and_echoed(client: TestClient) -> None:
    body = {
        "activation": "leaky_relu",
        "activation_params": {"leaky_relu": {"negative_slope": 0.2}},
        "depth": 3,
        "width": 4,
        "batch_size": 8,
    }
    r = client.post("/api/gradient-flow", json=body)
    assert r.status_code == 200, r.text
    (res,) = r.json()["results"]
    assert res["params"] == {"negative_slope": 0.2}
    act = get_activation("leaky_relu")
    (flow,) = gradient_flow([(act, {"negative_slope": 0.2})], 3, 4, "xavier", 0, 8)
    assert res["weight_grad_norm"] == flow.weight_grad_norm.tolist()
    (default,) = gradient_flow([(act, act.resolve())], 3, 4, "xavier", 0, 8)
    assert res["weight_grad_norm"] != default.weight_grad_norm.tolist()


def test_same_request_same_bytes(client: TestClient) -> None:
    uncached = TestClient(create_app(Settings(result_cache_entries=0)))
    body = {"activations": ["tanh", "gelu"], "depth": 6, "width": 16, "init": "uniform", "seed": 9}
    computed = [uncached.post("/api/gradient-flow", json=body) for _ in range(2)]
    first = client.post("/api/gradient-flow", json=body)
    again = client.post("/api/gradient-flow", json=body)
    assert first.status_code == 200, first.text
    assert first.content == again.content == computed[0].content == computed[1].content
    other = client.post("/api/gradient-flow", json={**body, "seed": 10})
    assert other.content != first.content
    assert len(client.app.state.result_cache.store) == 2  # type: ignore[attr-defined]


def test_overflow_is_null_and_flagged(client: TestClient) -> None:
    body = {"activation": "exponential", "depth": 64, "width": 256, "init": "uniform"}
    r = client.post("/api/gradient-flow", json={**body, "batch_size": 2})
    assert r.status_code == 200, r.text
    assert b"NaN" not in r.content and b"Infinity" not in r.content
    (res,) = r.json()["results"]
    assert res["finite"] is False
    assert res["loss"] is None
    assert res["mean"][-1] is None
    assert isinstance(res["mean"][0], float)


def test_response_example_is_a_real_response(client: TestClient) -> None:
    (example,) = GradientFlowResult.model_json_schema()["examples"]
    (result,) = example["results"]
    body = {
        "activation": result["activation"],
        **{k: example[k] for k in ("depth", "width", "init", "seed", "batch_size")},
    }
    r = client.post("/api/gradient-flow", json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    (got,) = data.pop("results")
    assert data == {k: v for k, v in example.items() if k != "results"}
    assert set(got) == set(result)
    for key, value in result.items():
        close = key in COLUMNS or key == "loss"
        assert got[key] == (pytest.approx(value, rel=1e-12) if close else value), key


@pytest.mark.slow
def test_request_examples_are_accepted(client: TestClient) -> None:
    for example in GradientFlowRequest.model_json_schema()["examples"]:
        r = client.post("/api/gradient-flow", json=example)
        assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"activation": "nope"}, ["body", "activation"]),
        ({"activations": ["relu", "nope"]}, ["body", "activations", 1]),
        ({"activations": []}, ["body", "activations"]),
        ({"activation": "relu", "depth": 0}, ["body", "depth"]),
        ({"activation": "relu", "depth": 65}, ["body", "depth"]),
        ({"activation": "relu", "width": 0}, ["body", "width"]),
        ({"activation": "relu", "width": 257}, ["body", "width"]),
        ({"activation": "relu", "batch_size": 0}, ["body", "batch_size"]),
        ({"activation": "relu", "batch_size": 1025}, ["body", "batch_size"]),
        ({"activation": "relu", "seed": -1}, ["body", "seed"]),
        ({"activation": "relu", "seed": 2**32}, ["body", "seed"]),
        ({"activation": "relu", "depth": 2.5}, ["body", "depth"]),
        ({"activation": "relu", "init": "glorot"}, ["body", "init"]),
        ({"activation": "relu", "depht": 3}, ["body", "depht"]),
        (
            {"activation": "leaky_relu", "activation_params": {"leaky_relu": {"slope": 0.1}}},
            ["body", "activation_params", "leaky_relu", "slope"],
        ),
        (
            {
                "activation": "leaky_relu",
                "activation_params": {"leaky_relu": {"negative_slope": 2}},
            },
            ["body", "activation_params", "leaky_relu", "negative_slope"],
        ),
        (
            {"activations": ["relu", "gelu"], "activation_params": {"gelu": {"approximate": "x"}}},
            ["body", "activation_params", "gelu", "approximate"],
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, object], loc: list[object]
) -> None:
    r = client.post("/api/gradient-flow", json=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail[0]["loc"] == loc
    assert all(set(item) == {"loc", "msg", "type"} and item["msg"] for item in detail)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "activation"),
        ({"activation": "relu", "activations": ["tanh"]}, "activation"),
        ({"activations": ["relu", "relu"]}, "activations"),
        ({"activation": "relu", "activation_params": {"elu": {"alpha": 2}}}, "activation_params"),
    ],
)
def test_inconsistent_fields_are_a_422_that_names_them(
    client: TestClient, body: dict[str, object], named: str
) -> None:
    r = client.post("/api/gradient-flow", json=body)
    assert r.status_code == 422, r.text
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body"]
    assert named in item["msg"]


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        (b'{"activation": "relu", "depth": NaN}', ["body", "depth"]),
        (b'{"activation": "relu", "seed": Infinity}', ["body", "seed"]),
        (
            b'{"activation": "elu", "activation_params": {"elu": {"alpha": NaN}}}',
            ["body", "activation_params", "elu", "alpha"],
        ),
    ],
)
def test_nan_is_a_422_naming_the_field_and_never_echoed(
    client: TestClient, raw: bytes, loc: list[object]
) -> None:
    r = client.post("/api/gradient-flow", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == loc
    assert b"NaN" not in r.content and b"Infinity" not in r.content


def test_work_above_the_cap_is_a_422_stating_it() -> None:
    small = create_app(Settings(gradient_flow_max_work=10_000))
    with TestClient(small) as client:
        body = {"activations": ["relu", "tanh"], "depth": 2, "width": 10, "batch_size": 25}
        assert client.post("/api/gradient-flow", json=body).status_code == 200  # 2*2*100*25
        r = client.post("/api/gradient-flow", json={**body, "batch_size": 26})
    assert r.status_code == 422, r.text
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body"]
    assert "10400" in item["msg"] and "10000" in item["msg"]


def test_default_cap_admits_four_activations_at_full_size() -> None:
    full = {"activation": "relu", "depth": 64, "width": 256, "batch_size": 256}
    one = GradientFlowRequest.model_validate(full).work
    assert 4 * one <= Settings().gradient_flow_max_work < 5 * one


def test_xor_linear_is_the_exact_fit_and_the_proof(client: TestClient) -> None:
    r = client.get("/api/xor/linear")
    assert r.status_code == 200, r.text
    data = r.json()
    XorLinearResult.model_validate(data)
    assert data["inputs"] == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert data["targets"] == [0.0, 1.0, 1.0, 0.0]
    assert data["fit"] == {
        "weights": [0.0, 0.0],
        "bias": 0.5,
        "predictions": [0.5, 0.5, 0.5, 0.5],
        "mse": 0.25,
    }
    proof = data["proof"]
    assert [(i["coefficients"], i["relation"], i["text"]) for i in proof["inequalities"]] == [
        ([0, 0, 1], "<=", "b <= 0"),
        ([0, 1, 1], ">", "w2 + b > 0"),
        ([1, 0, 1], ">", "w1 + b > 0"),
        ([1, 1, 1], "<=", "w1 + w2 + b <= 0"),
    ]
    assert [i["text"] for i in proof["sums"]] == ["w1 + w2 + 2b > 0", "w1 + w2 + 2b <= 0"]
    assert "cannot be both" in proof["contradiction"]
    assert "No straight line separates XOR" in proof["statement"]


def test_xor_solution_outputs_exactly_the_truth_table(client: TestClient) -> None:
    r = client.get("/api/xor/solution")
    assert r.status_code == 200, r.text
    assert r.json() == XorSolutionResult.model_json_schema()["examples"][0]
    assert r.json()["outputs"] == [0.0, 1.0, 1.0, 0.0]
    hidden = np.maximum(
        np.array(r.json()["inputs"]) @ np.array(r.json()["hidden_weights"]) + [0, -1], 0
    )
    assert hidden.tolist() == r.json()["hidden_activations"]


def test_openapi_documents_the_endpoints_with_models_and_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    flow = spec["paths"]["/api/gradient-flow"]["post"]
    assert flow["summary"]
    assert "mean_b (y_b - t_b)^2" in flow["description"]
    assert flow["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GradientFlowResult"
    }
    assert "422" in flow["responses"]
    for path, model in [
        ("/api/xor/linear", "XorLinearResult"),
        ("/api/xor/solution", "XorSolutionResult"),
    ]:
        schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert schema["schema"] == {"$ref": f"#/components/schemas/{model}"}
    schemas = spec["components"]["schemas"]
    assert "examples" in schemas["GradientFlowRequest"]
    assert "examples" in schemas["GradientFlowResult"]
    assert "examples" in schemas["XorSolutionResult"]


def test_gradient_flow_fills_in_the_defaults_of_omitted_params(client: TestClient) -> None:
    # Like TrainRequest and the sweep's choices: Activation.resolve fills in what is left out.
    body = {
        "activations": ["gelu", "elu", "hardtanh"],
        "activation_params": {"elu": {}},
        "depth": 2,
        "width": 2,
        "batch_size": 2,
    }
    r = client.post("/api/gradient-flow", json=body)
    assert r.status_code == 200, r.text
    assert [res["params"] for res in r.json()["results"]] == [
        {"approximate": "none"},
        {"alpha": 1.0},
        {"min_val": -1.0, "max_val": 1.0},
    ]
