"""Every response, on every route, against its documented model with extra keys forbidden.

The routes serialise dicts with orjson rather than dumping their response models, so this is the
check that the bytes and /openapi.json agree: each body is validated against the route's own
200 (or error) schema from /openapi.json, with `additionalProperties: false` put on every object
schema that lists its properties, so an undocumented key fails as surely as a missing one.
"""

import copy
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from app.config import Settings
from app.main import create_app

SPIRAL3 = {"name": "spiral3", "n_samples": 60, "noise": 0.1}
# (method, route template, concrete path, JSON body or None): several bodies per route, chosen
# to reach the optional parts of each model (nulls, test sets, softmax, divergence, affine maps).
CASES: list[tuple[str, str, str, Any]] = [
    ("get", "/healthz", "/healthz", None),
    ("get", "/api/activations", "/api/activations", None),
    ("get", "/api/activations/{name}", "/api/activations/elu", None),
    ("get", "/api/activations/{name}", "/api/activations/gelu?approximate=tanh", None),
    ("get", "/api/activations/{name}", "/api/activations/srelu?t_left=-2", None),
    ("get", "/api/activations/{name}/curve", "/api/activations/relu/curve", None),
    ("get", "/api/activations/{name}/curve", "/api/activations/elu/curve?alpha=2&points=2", None),
    (
        "get",
        "/api/activations/{name}/curve",
        "/api/activations/exponential/curve?x_min=700&x_max=1000&points=5",  # nulls
        None,
    ),
    ("post", "/api/activations/{name}/evaluate", "/api/activations/tanh/evaluate", {"x": [0.5]}),
    (
        "post",
        "/api/activations/{name}/evaluate",
        "/api/activations/leaky_relu/evaluate",
        {"x": [-1.0, 0.0, 2.0], "params": {"negative_slope": 0.2}},
    ),
    # custom expressions (issue 11): TeX and estimated properties, its curve (nulls), evaluate
    (
        "post",
        "/api/expressions",
        "/api/expressions",
        {"expression": "x * sigmoid(b * x)", "params": {"b": 2}},
    ),
    (
        "post",
        "/api/expressions",
        "/api/expressions",
        {"expression": "where(x > 0, x, a * x)", "params": {"a": 0.1}, "mathml": True},
    ),
    (
        "get",
        "/api/activations/custom/curve",
        "/api/activations/custom/curve?expression=exp(x)&x_min=700&x_max=1000&points=5",
        None,
    ),
    (
        "post",
        "/api/activations/custom/evaluate",
        "/api/activations/custom/evaluate",
        {"expression": "where(x > 0, x, a * x)", "params": {"a": 0.1}, "x": [-1.0, 2.0]},
    ),
    ("post", "/api/softmax", "/api/softmax", {"logits": [2.0, 1.0, 0.1]}),
    ("post", "/api/softmax", "/api/softmax", {"logits": [1.0, 2.0], "jacobian": False}),
    ("post", "/api/softmax", "/api/softmax", {"logits": [0.0] * 100, "temperature": 0.5}),
    ("post", "/api/gradient-flow", "/api/gradient-flow", {"activation": "relu", "depth": 3}),
    (
        "post",
        "/api/gradient-flow",
        "/api/gradient-flow",
        {"activations": ["sigmoid", "elu"], "depth": 2, "width": 4, "init": "he", "seed": 3},
    ),
    (
        "post",
        "/api/gradient-flow",
        "/api/gradient-flow",  # overflows: null values and finite false
        {"activation": "exponential", "depth": 40, "width": 64, "init": "uniform"},
    ),
    ("get", "/api/xor/linear", "/api/xor/linear", None),
    ("get", "/api/xor/solution", "/api/xor/solution", None),
    ("post", "/api/train", "/api/train", {}),
    (
        "post",
        "/api/train",
        "/api/train",
        {"activation": "identity", "hidden_layers": [3, 2], "epochs": 50, "snapshots": 0},
    ),
    (
        "post",
        "/api/train",
        "/api/train",  # softmax, a test set, mini-batches, regularisation
        {
            "dataset": SPIRAL3,
            "activation": "relu",
            "hidden_layers": [5],
            "epochs": 30,
            "batch_size": 8,
            "optimizer": "adam",
            "regularization": "l2",
            "reg_rate": 0.01,
            "snapshots": 3,
            "grid": 10,
        },
    ),
    (
        "post",
        "/api/train",
        "/api/train",  # diverges: null final state
        {
            "dataset": {"name": "circle", "n_samples": 100},
            "activation": "exponential",
            "hidden_layers": [8, 8, 8],
            "init": "uniform",
            "learning_rate": 10.0,
            "epochs": 200,
        },
    ),
    (
        "post",
        "/api/train",
        "/api/train",
        {
            "dataset": {"points": [[0, 0, 0], [1, 1, 1], [2, 0, 2]]},
            "epochs": 20,
            "hidden_layers": [],
        },
    ),
    (
        "post",
        "/api/train/sweep",
        "/api/train/sweep",
        {"activations": ["identity", "tanh"], "seeds": 3, "epochs": 40},
    ),
    (
        "post",
        "/api/train/sweep",
        "/api/train/sweep",  # no hidden units: null dead fractions; softmax
        {
            "activations": ["relu"],
            "seeds": 2,
            "epochs": 20,
            "hidden_layers": [],
            "dataset": SPIRAL3,
        },
    ),
    # regression (issue 9): a linear output, null accuracies, the R^2 keys; a diverged one
    (
        "post",
        "/api/train",
        "/api/train",
        {"dataset": {"name": "reg-gauss", "n_samples": 80}, "epochs": 30, "snapshots": 2},
    ),
    (
        "post",
        "/api/train",
        "/api/train",  # diverges: null final state, R^2 curves cut before it
        {"dataset": "reg-plane", "learning_rate": 5, "epochs": 50, "snapshots": 1},
    ),
    (
        "post",
        "/api/train/sweep",
        "/api/train/sweep",  # R^2 bands and quartiles; identity diverges on some seeds
        {"activations": ["identity", "tanh"], "seeds": 3, "epochs": 40, "dataset": "reg-plane"},
    ),
    ("post", "/api/train/stream", "/api/train/stream", {"epochs": 30}),
    # the hidden space (issue 9 section 4): identity, pca, softmax pairs, regression values
    (
        "post",
        "/api/train",
        "/api/train",
        {"dataset": SPIRAL3, "hidden_layers": [3, 5], "hidden_space": "all", "epochs": 20}
        | {"snapshots": 2, "grid": 6},
    ),
    (
        "post",
        "/api/train",
        "/api/train",
        {"dataset": "reg-plane", "hidden_space": "last", "epochs": 10, "snapshots": 2, "grid": 6},
    ),
    # custom expressions in training, sweeps and gradient flow (issue 11)
    (
        "post",
        "/api/train",
        "/api/train",
        {
            "activation": "custom",
            "expression": "x * sigmoid(beta * x)",
            "activation_params": {"beta": 1.7},
            "epochs": 30,
            "snapshots": 2,
            "grid": 6,
        },
    ),
    (
        "post",
        "/api/train/sweep",
        "/api/train/sweep",
        {
            "activations": [
                "relu",
                {"name": "custom", "expression": "max(0.1 * x, x)"},
                {"name": "custom", "expression": "exp(-(x / s)**2)", "params": {"s": 2}},
            ],
            "seeds": 2,
            "epochs": 20,
        },
    ),
    (
        "post",
        "/api/train/stream",
        "/api/train/stream",
        {"activation": "custom", "expression": "sin(x)", "epochs": 30},
    ),
    (
        "post",
        "/api/train/sweep/stream",
        "/api/train/sweep/stream",
        {"activations": [{"name": "custom", "expression": "tanh(x)"}], "seeds": 2, "epochs": 30},
    ),
    (
        "post",
        "/api/gradient-flow",
        "/api/gradient-flow",
        {
            "activations": ["relu", "custom"],
            "expression": "where(x > 0, x, a * (exp(x) - 1))",
            "activation_params": {"custom": {"a": 1.3}},
            "depth": 3,
            "width": 4,
        },
    ),
    ("post", "/api/train/stream", "/api/train/stream", {"epochs": 30, "dataset": "reg-gauss"}),
    (
        "post",
        "/api/train/sweep/stream",
        "/api/train/sweep/stream",
        {"activations": ["tanh"], "seeds": 2, "epochs": 30},
    ),
    ("get", "/api/train/live/schema", "/api/train/live/schema", None),
    (
        "post",
        "/api/train/replay",
        "/api/train/replay",  # a saved live session: a set, an edit and new data midway
        {
            "version": 1,
            "start": {"dataset": SPIRAL3, "hidden_layers": [4], "snapshots": 3, "grid": 8},
            "commands": [
                {"epoch": 0, "command": {"type": "play"}},
                {"epoch": 5, "command": {"type": "set", "learning_rate": 0.3}},
                {"epoch": 9, "command": {"type": "regenerate", "data_seed": 4}},
                {
                    "epoch": 9,
                    "command": {
                        "type": "edit",
                        "layer": 1,
                        "kind": "bias",
                        "to_unit": 2,
                        "value": 0.5,
                    },
                },
            ],
            "epoch": 20,
        },
    ),
]
STREAMED = {"/api/train/stream": "/api/train", "/api/train/sweep/stream": "/api/train/sweep"}
ERRORS: list[tuple[str, str, Any, int]] = [
    ("get", "/api/activations/nope", None, 404),
    ("get", "/api/activations/elu/curve?alpha=-1", None, 422),
    ("get", "/api/activations/elu/curve?x_min=3&x_max=1", None, 422),
    ("post", "/api/train", {"epochs": 10**9}, 422),
    ("post", "/api/train", {"dataset": "nope"}, 422),
    ("post", "/api/train", {"dataset": "reg-plane", "output": "sigmoid"}, 422),
    ("post", "/api/train/sweep", {"activations": []}, 422),
    ("post", "/api/gradient-flow", {"activation": "elu", "activation_params": {"x": {}}}, 422),
    ("post", "/api/softmax", {"logits": [1.0]}, 422),
    ("post", "/api/train", {"activation": "custom", "expression": "x.real"}, 422),
    ("post", "/api/train/sweep", {"activations": ["custom"]}, 422),
    ("post", "/api/gradient-flow", {"activation": "custom", "expression": "[x]"}, 422),
    ("post", "/api/activations/elu/evaluate", {"x": [0.0], "params": {"alpha": 9}}, 422),
    ("post", "/api/train/replay", {"version": 2, "start": {}, "commands": [], "epoch": 5}, 422),
]


def strict(schema: Any) -> Any:
    """The schema with additionalProperties false on every object that lists its properties."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


@pytest.fixture(scope="module")
def api() -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with TestClient(create_app(Settings())) as client:
        document = client.get("/openapi.json").json()
        yield client, {**document, "components": strict(document["components"])}


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for `schema`, resolving its $refs in the (strict) OpenAPI document."""
    return Draft202012Validator({**document, **strict(copy.deepcopy(schema))})


def response_schema(document: dict[str, Any], route: str, method: str, status: int) -> Any:
    content = document["paths"][route][method]["responses"][str(status)]["content"]
    return content["application/json"]["schema"]


def events(body: bytes) -> list[tuple[str, bytes]]:
    frames = [f for f in body.split(b"\n\n") if f]
    out = []
    for frame in frames:
        event, data = frame.split(b"\n")
        out.append((event.removeprefix(b"event: ").decode(), data.removeprefix(b"data: ")))
    return out


def test_every_documented_route_has_cases(api: tuple[TestClient, dict[str, Any]]) -> None:
    _, document = api
    documented = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert documented == {(method, route) for method, route, _, _ in CASES}


@pytest.mark.parametrize(
    ("method", "route", "path", "body"), CASES, ids=[f"{c[0]} {c[2]}" for c in CASES]
)
@pytest.mark.slow
def test_response_matches_its_model_exactly(
    api: tuple[TestClient, dict[str, Any]], method: str, route: str, path: str, body: Any
) -> None:
    client, document = api
    r = (
        client.request(method, path, json=body)
        if body is not None
        else client.request(method, path)
    )
    assert r.status_code == 200, r.text
    if route in STREAMED:
        (*progress, (kind, data)) = events(r.content)
        assert kind == "result", data
        schema = response_schema(document, STREAMED[route], method, 200)
        validator(document, schema).validate(orjson.loads(data))
        return
    validator(document, response_schema(document, route, method, 200)).validate(r.json())


def test_the_cases_reach_the_optional_parts(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = api
    diverging = [c for c in CASES if c[3] and c[3].get("learning_rate") == 10.0]
    run = client.post("/api/train", json=diverging[0][3]).json()
    assert run["diverged"] is True and run["final"] is None and run["weights"] is None
    flow = [c for c in CASES if c[3] and c[3].get("activation") == "exponential"][0]
    assert client.post(flow[2], json=flow[3]).json()["results"][0]["finite"] is False


@pytest.mark.parametrize(("method", "path", "body", "status"), ERRORS)
def test_error_matches_the_error_model_exactly(
    api: tuple[TestClient, dict[str, Any]], method: str, path: str, body: Any, status: int
) -> None:
    client, document = api
    r = client.request(method, path, json=body)
    assert r.status_code == status, r.text
    schema: Any = {"$ref": "#/components/schemas/ErrorResponse"}
    documented = document["paths"].get(path, {}).get(method, {}).get("responses", {})
    if str(status) in documented:  # the route's own error model (with ctx for expressions)
        schema = response_schema(document, path, method, status)
    validator(document, schema).validate(r.json())


def test_an_undocumented_key_fails_validation(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, document = api
    body = client.post("/api/train", json={"epochs": 5, "snapshots": 1}).json()
    check = validator(document, response_schema(document, "/api/train", "post", 200))
    check.validate(body)
    body["snapshots"][0]["extra"] = 1  # deep inside: SnapshotOut
    with pytest.raises(ValidationError, match="extra"):
        check.validate(body)
    del body["snapshots"][0]["extra"]
    del body["setup"]["n_train"]
    with pytest.raises(ValidationError, match="n_train"):
        check.validate(body)
