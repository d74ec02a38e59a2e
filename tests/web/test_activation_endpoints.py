"""Every catalogue entry, at its defaults and at a setting away from them, through every
endpoint that takes an activation: each answers 200 with finite JSON, and each stream ends with
exactly the plain endpoint's body."""

import math
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.lab.activations import ACTIVATIONS, ParamValue
from app.main import create_app
from tests.activation_cases import non_default

SETTINGS = [
    pytest.param(name, given, id=f"{name}-{label}")
    for name, act in ACTIVATIONS.items()
    for label, given in (("defaults", None), ("changed", non_default(act)))
    if label == "defaults" or act.params
]

TINY_TRAINING = {"epochs": 3, "hidden_layers": [3], "snapshots": 2, "grid": 6}
TINY_FLOW = {"depth": 3, "width": 4, "batch_size": 8}
# Fields that are null by design in these small runs (no test split, not linear, ...), never
# because a number overflowed: the documented API says so for each.
STRUCTURAL_NULLS = {
    "test",
    "test_loss",
    "test_accuracy",
    "affine_map",
    "diverged_epoch",
    "epochs_to_converge",
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    # No result cache: a stream must compute its result, not replay the plain request's.
    with TestClient(create_app(Settings(result_cache_entries=0))) as c:
        yield c


def nulls_and_non_finite(data: Any, path: str = "") -> list[str]:
    """Paths of every null and every non-finite number in decoded JSON."""
    if data is None:
        return [path]
    if isinstance(data, float):
        return [] if math.isfinite(data) else [path]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in nulls_and_non_finite(v, f"{path}.{k}")]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in nulls_and_non_finite(v, f"{path}[{i}]")]
    return []


def finite_json(r: Any, allowed_nulls: frozenset[str] = frozenset()) -> Any:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    body = orjson.loads(r.content)  # strict JSON: NaN or Infinity would not parse
    bad = [
        p for p in nulls_and_non_finite(body) if p.split(".")[-1].split("[")[0] not in allowed_nulls
    ]
    assert bad == [], bad
    return body


def streamed_result(client: TestClient, url: str, body: dict[str, Any]) -> bytes:
    with client.stream("POST", url, json=body) as r:
        assert r.status_code == 200
        raw = r.read()
    frames = [frame.split(b"\n") for frame in raw.split(b"\n\n") if frame]
    kinds = [event.removeprefix(b"event: ") for event, _ in frames]
    assert kinds[-1] == b"result" and set(kinds[:-1]) <= {b"progress"}, kinds
    return frames[-1][1].removeprefix(b"data: ")


@pytest.mark.parametrize(("name", "given"), SETTINGS)
def test_every_endpoint_answers_finite_json_for_every_activation(
    client: TestClient, name: str, given: dict[str, ParamValue] | None
) -> None:
    act = ACTIVATIONS[name]
    params = act.resolve(given)
    with_params: dict[str, Any] = {} if given is None else {"params": given}

    curve = finite_json(
        client.get(f"/api/activations/{name}/curve", params={"points": 41, **(given or {})})
    )
    assert curve["params"] == params and len(curve["y"]) == 41
    evaluated = finite_json(
        client.post(f"/api/activations/{name}/evaluate", json={"x": [-2.5, 0, 1.5], **with_params})
    )
    assert evaluated["params"] == params

    train = {**TINY_TRAINING, "activation": name}
    if given is not None:
        train["activation_params"] = given
    r = client.post("/api/train", json=train)
    run = finite_json(r, frozenset(STRUCTURAL_NULLS))
    assert run["setup"]["activation_params"] == params
    assert streamed_result(client, "/api/train/stream", train) == r.content

    sweep = {**TINY_TRAINING, "seeds": 2, "activations": [{"name": name, **with_params}]}
    r = client.post("/api/train/sweep", json=sweep)
    summary = finite_json(r, frozenset(STRUCTURAL_NULLS))
    assert summary["results"][0]["activation_params"] == params
    assert streamed_result(client, "/api/train/sweep/stream", sweep) == r.content

    flow_body: dict[str, Any] = {**TINY_FLOW, "activation": name}
    if given is not None:
        flow_body["activation_params"] = {name: given}
    flow = finite_json(client.post("/api/gradient-flow", json=flow_body))
    assert flow["results"][0]["params"] == params and flow["results"][0]["finite"] is True
