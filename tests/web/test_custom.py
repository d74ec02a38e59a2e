"""Custom expressions in /api/train, its stream, sweeps and gradient flow (app.web.custom): the
same numbers as the built-in they re-type, computed in the app's worker pool, every refusal a
422 naming the field, and never a 500 for any expression of the grammar."""

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.main import create_app
from app.web.routes.training import train_key
from app.web.schemas.analysis import GradientFlowResult
from app.web.schemas.training import TrainRequest
from app.web.schemas.training_results import SweepResponse, TrainResponse
from tests.web.routes.test_training import sse_events

TOLERANCE = 1e-12  # measured: 5.3e-14 at most (tests/lab/nn/test_custom_training.py)
ELU = "where(x > 0, x, a * (exp(x) - 1))"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as c:
        yield c


def post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def close(got: Any, expected: Any) -> bool:
    """Equal structure, numbers within TOLERANCE."""
    if isinstance(expected, dict):
        return got.keys() == expected.keys() and all(close(got[k], expected[k]) for k in got)
    if isinstance(expected, list):
        return len(got) == len(expected) and all(map(close, got, expected))
    if isinstance(expected, float) and isinstance(got, float | int):
        return abs(got - expected) <= TOLERANCE
    return bool(got == expected)


@pytest.mark.parametrize(
    ("builtin", "params", "expression", "values"),
    [
        ("tanh", {}, "tanh(x)", {}),
        ("silu", {}, "x * sigmoid(x)", {}),
        ("relu", {}, "max(0, x)", {}),
        ("elu", {"alpha": 1.3}, ELU, {"a": 1.3}),
    ],
    ids=["tanh", "silu", "relu", "elu"],
)
@pytest.mark.slow
def test_a_retyped_builtin_trains_in_a_worker_to_the_builtin_s_answer(
    client: TestClient,
    builtin: str,
    params: dict[str, Any],
    expression: str,
    values: dict[str, float],
) -> None:
    common = {"epochs": 400, "snapshots": 2, "grid": 10, "seed": 1, "hidden_layers": [3]}
    expected = post(
        client, "/api/train", {**common, "activation": builtin, "activation_params": params}
    )
    body = {**common, "activation": "custom", "expression": expression, "activation_params": values}
    got = post(client, "/api/train", body)
    TrainResponse.model_validate(got)
    assert got["setup"]["activation"] == "custom"
    assert got["setup"]["activation_params"] == values
    for key in ("activation", "activation_params"):
        del got["setup"][key], expected["setup"][key]
    assert close(got, expected)
    assert got["epochs_to_converge"] == expected["epochs_to_converge"]
    pids = client.app.state.worker_pool.worker_pids()  # type: ignore[attr-defined]
    assert pids and os.getpid() not in pids  # trained in the app's worker processes


@pytest.mark.slow
def test_the_stream_s_result_is_the_plain_body(client: TestClient) -> None:
    body = {
        "activation": "custom",
        "expression": "x * sigmoid(beta * x)",
        "activation_params": {"beta": 1.7},
        "epochs": 3000,
        "dataset": {"name": "spiral", "n_samples": 60},
        "hidden_layers": [8],
        "snapshots": 3,
    }
    with client.stream("POST", "/api/train/stream", json=body) as r:
        assert r.status_code == 200
        events = sse_events(r.read())
    assert events[-1][0] == "result"
    assert events[-1][1] == client.post("/api/train", json=body).content


@pytest.mark.slow
def test_a_sweep_mixes_relu_and_two_expressions(client: TestClient) -> None:
    swish = {"name": "custom", "expression": "x * sigmoid(beta * x)", "params": {"beta": 1.7}}
    relu_again = {"name": "custom", "expression": "max(0, x)"}
    body = {"activations": ["relu", swish, relu_again], "seeds": 5, "epochs": 300}
    sweep = post(client, "/api/train/sweep", body)
    SweepResponse.model_validate(sweep)
    results = sweep["results"]
    assert [r["activation"] for r in results] == ["relu", "custom", "custom"]
    assert [r["activation_params"] for r in results] == [{}, {"beta": 1.7}, {}]
    assert close(results[2]["per_seed"], results[0]["per_seed"])  # max(0, x) is relu
    assert close(results[2]["loss_curve"], results[0]["loss_curve"])
    single = post(
        client,
        "/api/train",
        {
            "activation": "custom",
            "expression": "x * sigmoid(beta * x)",
            "activation_params": {"beta": 1.7},
            "seed": 4,
            "epochs": 300,
            "snapshots": 0,
        },
    )
    assert results[1]["per_seed"]["final_loss"][4] == pytest.approx(
        single["final"]["loss"], rel=1e-12
    )
    assert results[1]["per_seed"]["epochs_to_converge"][4] == single["epochs_to_converge"]
    stream_body = {**body, "epochs": 301}  # not cached: the stream runs it
    with client.stream("POST", "/api/train/sweep/stream", json=stream_body) as r:
        events = sse_events(r.read())
    assert events[-1][0] == "result"
    assert events[-1][1] == client.post("/api/train/sweep", json=stream_body).content


def test_gradient_flow_with_a_custom_expression(client: TestClient) -> None:
    common = {"depth": 6, "width": 16, "batch_size": 32, "init": "he", "seed": 2}
    expected = post(
        client,
        "/api/gradient-flow",
        {**common, "activations": ["relu", "elu"], "activation_params": {"elu": {"alpha": 1.3}}},
    )
    got = post(
        client,
        "/api/gradient-flow",
        {
            **common,
            "activations": ["relu", "custom"],
            "expression": ELU,
            "activation_params": {"custom": {"a": 1.3}},
        },
    )
    GradientFlowResult.model_validate(got)
    custom = got["results"][1]
    assert custom["activation"] == "custom" and custom["params"] == {"a": 1.3}
    elu = expected["results"][1]
    del custom["activation"], custom["params"], elu["activation"], elu["params"]
    assert close(custom, elu)
    assert got["results"][0] == expected["results"][0]


@pytest.mark.slow
def test_an_expression_that_overflows_is_reported_as_divergence_with_finite_numbers(
    client: TestClient,
) -> None:
    common = {
        "dataset": {"name": "circle", "n_samples": 100},
        "hidden_layers": [4],
        "optimizer": "momentum",
        "learning_rate": 0.5,
        "epochs": 200,
    }
    body = {**common, "activation": "custom", "expression": "exp(k * x)"}
    r = client.post("/api/train", json={**body, "activation_params": {"k": 1.0}})
    assert r.status_code == 200, r.text
    assert b"NaN" not in r.content and b"Infinity" not in r.content
    got = r.json()
    expected = post(client, "/api/train", {**common, "activation": "exponential"})
    assert got["diverged"] is True and got["diverged_epoch"] == expected["diverged_epoch"] == 3
    assert got["weights"] is None and got["final"] is None
    assert close(got["loss"], expected["loss"]) and len(got["loss"]) == 3
    flow = post(
        client,
        "/api/gradient-flow",
        {"activation": "custom", "expression": "exp(x)", "depth": 40, "width": 64},
    )
    assert flow["results"][0]["finite"] is False


def test_the_cache_key_tells_two_expressions_apart(client: TestClient) -> None:
    def request(expression: str) -> dict[str, Any]:
        return {"activation": "custom", "expression": expression, "epochs": 50, "snapshots": 0}

    a, b = (
        TrainRequest.model_validate(request("tanh(x)")),
        TrainRequest.model_validate(request("tanh(2 * x)")),
    )
    assert train_key(a) != train_key(b)
    with_params = [
        TrainRequest.model_validate({**request("tanh(k * x)"), "activation_params": {"k": k}})
        for k in (1.0, 2.0)
    ]
    assert train_key(with_params[0]) != train_key(with_params[1])
    first, second = (post(client, "/api/train", request(e)) for e in ("tanh(x)", "tanh(2 * x)"))
    assert first["loss"] != second["loss"]  # the second is not the first served from the cache


REFUSALS: list[tuple[str, dict[str, Any], list[Any], str, str]] = [
    # path, body, loc, type, a piece of the message
    ("/api/train", {"activation": "custom"}, ["body", "expression"], "value_error", "needs"),
    (
        "/api/train",
        {"activation": "tanh", "expression": "x"},
        ["body", "expression"],
        "value_error",
        'only for activation "custom"',
    ),
    ("/api/train", {"expression": "x"}, ["body", "expression"], "value_error", "only for"),
    (
        "/api/train",
        {"activation": "custom", "expression": "x + os.system(1)"},
        ["body", "expression"],
        "expression_attribute",
        "column 7: `system`",
    ),
    (
        "/api/train",
        {"activation": "custom", "expression": "x * beta"},
        ["body", "expression"],
        "expression_unknown_name",
        "column 4",
    ),
    (
        "/api/train",
        {"activation": "custom", "expression": "a * x", "activation_params": {"a": "big"}},
        ["body", "activation_params", "a"],
        "float_type",
        "number",
    ),
    (
        "/api/train",
        {"activation": "custom", "expression": "a * x", "activation_params": {"a": 1, "b": 2}},
        ["body", "activation_params", "b"],
        "value_error",
        "unknown parameter 'b'",
    ),
    (
        "/api/train",
        {"activation": "custom", "expression": "a * x", "activation_params": {"a": True}},
        ["body", "activation_params"],
        "value_error",
        "a: a parameter of an expression is a number, not true",
    ),
    (
        "/api/train",
        {"activation": "custom", "expression": "x", "activation_params": {"x": 1}},
        ["body", "activation_params", "x"],
        "value_error",
        "may not be called x",
    ),
    (
        "/api/train/stream",
        {"activation": "custom", "expression": "9**9**9"},
        ["body", "expression"],
        "expression_exponent",
        "column",
    ),
    (
        "/api/train/sweep",
        {"activations": ["relu", "custom"]},
        ["body", "activations", 1, "expression"],
        "value_error",
        "needs",
    ),
    (
        "/api/train/sweep",
        {"activations": ["relu", {"name": "relu", "expression": "x"}]},
        ["body", "activations", 1, "expression"],
        "value_error",
        "only for",
    ),
    (
        "/api/train/sweep",
        {"activations": ["relu", {"name": "custom", "expression": "x[0]"}]},
        ["body", "activations", 1, "expression"],
        "expression_subscript",
        "column 0: `x[0]`",
    ),
    (
        "/api/train/sweep/stream",
        {"activations": [{"name": "custom", "expression": "a * x", "params": {"a": 1, "z": 0}}]},
        ["body", "activations", 0, "params", "z"],
        "value_error",
        "unknown parameter",
    ),
    (
        "/api/train/sweep",
        {"activations": ["relu"], "expression": "x"},
        ["body"],
        "value_error",
        "a sweep has no 'expression'",
    ),
    (
        "/api/train/sweep",
        {
            "activations": [
                {"name": "custom", "expression": "tanh(x)"},
                {"name": "custom", "expression": "tanh(x)"},
            ]
        },
        ["body", "activations"],
        "value_error",
        "listed twice",
    ),
    (
        "/api/gradient-flow",
        {"activation": "custom"},
        ["body", "expression"],
        "value_error",
        "needs",
    ),
    (
        "/api/gradient-flow",
        {"activation": "relu", "expression": "x"},
        ["body", "expression"],
        "value_error",
        "only for",
    ),
    (
        "/api/gradient-flow",
        {
            "activation": "custom",
            "expression": "a * x",
            "activation_params": {"custom": {"a": True}},
        },
        ["body", "activation_params"],
        "value_error",
        "custom.a: a parameter of an expression is a number, not true",
    ),
    (
        "/api/gradient-flow",
        {"activation": "custom", "expression": "lambda: 1"},
        ["body", "expression"],
        "expression_lambda",
        "column 0",
    ),
    (
        "/api/gradient-flow",
        {"activation": "custom", "expression": "a * x", "activation_params": {"custom": {}}},
        ["body", "expression"],
        "expression_unknown_name",
        "unknown name `a`",
    ),
    (
        "/api/gradient-flow",
        {
            "activation": "custom",
            "expression": "x",
            "activation_params": {"custom": {"exp": 1}},
        },
        ["body", "activation_params", "custom", "exp"],
        "value_error",
        "function name",
    ),
]


@pytest.mark.parametrize(
    ("path", "body", "loc", "type_", "text"), REFUSALS, ids=lambda v: str(v)[:40]
)
def test_every_refusal_is_a_422_naming_the_field(
    client: TestClient, path: str, body: dict[str, Any], loc: list[Any], type_: str, text: str
) -> None:
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    errors = r.json()["detail"]
    assert any(e["loc"] == loc and e["type"] == type_ and text in e["msg"] for e in errors), errors


def test_a_refused_expression_gives_its_position_as_the_expression_routes_do(
    client: TestClient,
) -> None:
    text = "x * sigmoid(x).real"
    trained = client.post("/api/train", json={"activation": "custom", "expression": text})
    described = client.post("/api/expressions", json={"expression": text})
    assert trained.status_code == described.status_code == 422
    [error] = trained.json()["detail"]
    [reference] = described.json()["detail"]
    assert error == reference  # same loc ("body", "expression"), message, type and ctx
    assert error["ctx"] == {"position": 15, "text": "real"}


def test_an_expression_the_training_compile_cannot_handle_is_a_422_not_a_500(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.lab.expressions import custom
    from app.lab.expressions.numeric import CompileError

    def refuse(text: str, params: dict[str, float]) -> custom.CustomActivation:
        raise CompileError("Integral is not evaluated")

    monkeypatch.setattr(custom, "training_activation", refuse)
    r = client.post("/api/train", json={"activation": "custom", "expression": "cosh(x) / 2"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "loc": ["body", "expression"],
            "msg": "the algebra could not handle this (CompileError)",
            "type": "expression_unsupported",
            "ctx": {"position": 0, "text": "cosh(x) / 2"},
        }
    ]


# Expressions of the grammar, built from its pieces: the numbers, x, one parameter, operators,
# where and the functions (catalogue names included). Any may be refused (a 422); none may fail.
_LEAVES = st.sampled_from(["x", "a", "0", "1", "2.5", "-3", "1e3"])
_UNARY = ["exp", "log", "sqrt", "abs", "sin", "tanh", "erf", "sigmoid", "softplus", "relu", "gelu"]


def _expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(st.sampled_from(_UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"
            ),
            st.tuples(inner, st.sampled_from(["<", ">="]), inner, inner, inner).map(
                lambda t: f"where({t[0]} {t[1]} {t[2]}, {t[3]}, {t[4]})"
            ),
            inner.map(lambda e: f"-{e}"),
        )

    return st.recursive(_LEAVES, extend, max_leaves=8)


@settings(max_examples=40, deadline=None)  # a worker's first sympy import takes seconds
@given(expression=_expressions(), a=st.floats(-5, 5, allow_nan=False))
@pytest.mark.slow
def test_random_expressions_in_a_tiny_training_are_200_or_422(
    client: TestClient, expression: str, a: float
) -> None:
    params = {"a": a} if re.search(r"\ba\b", expression) else {}
    body = {
        "activation": "custom",
        "expression": expression,
        "activation_params": params,
        "epochs": 5,
        "snapshots": 1,
        "grid": 4,
        "learning_rate": 1.0,
    }
    r = client.post("/api/train", json=body)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert b"NaN" not in r.content and b"Infinity" not in r.content
        TrainResponse.model_validate(r.json())
    else:
        assert all(e["loc"][0] == "body" for e in r.json()["detail"])


def test_a_gradient_past_1e154_has_a_finite_norm_not_a_null(client: TestClient) -> None:
    """Found by the random expressions above: x * 1e300 gives finite gradients whose squares
    overflow; their norm is still a number (scaled by the largest entry), and the response is
    the documented model."""
    body = {"activation": "custom", "expression": "x * 1e300", "epochs": 5, "grid": 4}
    r = client.post("/api/train", json=body)
    assert r.status_code == 200, r.text
    norms = r.json()["grad_norms"]
    assert norms and all(len(layer) == 1 for layer in norms)
    assert all(isinstance(n, float) and 1e298 < n < 1e301 for layer in norms for n in layer)
    TrainResponse.model_validate(r.json())
