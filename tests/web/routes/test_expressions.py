"""The expression endpoints: known answers, built-in parity, 422s with positions, and a fuzz."""

import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.lab.activations.sampling import MAX_CURVE_POINTS, MAX_EVALUATE_POINTS
from app.lab.expressions import EXAMPLES, MAX_LENGTH, Example, available_functions
from app.web.curve_fast_path import CurveRoute
from app.web.formulas import to_mathml
from app.web.routes import activations

SWISH = "x * sigmoid(beta * x)"


def test_describe_returns_tex_and_estimated_properties(client: TestClient) -> None:
    r = client.post("/api/expressions", json={"expression": SWISH, "params": {"beta": 1.0}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["expression"] == SWISH and body["params"] == {"beta": 1.0}
    assert body["formula"] == r"f(x) = x \sigma\left(\beta x\right)"
    assert body["derivative"].startswith("f'(x) = ") and r"\sigma" in body["derivative"]
    assert body["second_derivative"].startswith("f''(x) = ")
    props = body["properties"]
    assert props["estimated"] is True and props["probe_interval"] == [-1000.0, 1000.0]
    assert props["range"][0] == pytest.approx(-0.2784645427610738, abs=1e-12)  # silu's minimum
    assert props["range"][1] is None
    assert {k: props[k] for k in ("monotonic", "continuity", "parity", "bounded")} == {
        "monotonic": False,
        "continuity": "Cinf",
        "parity": "none",
        "bounded": False,
    }


def test_mathml_is_answered_only_when_asked_for(client: TestClient) -> None:
    body = {"expression": SWISH, "params": {"beta": 1.7}}
    plain = client.post("/api/expressions", json=body)
    asked = client.post("/api/expressions", json={**body, "mathml": True})
    assert plain.status_code == asked.status_code == 200, asked.text
    assert "mathml" not in plain.json()  # the answer other clients had before the field
    assert list(plain.json()) == ["expression", "params", "formula", "derivative"] + [
        "second_derivative",
        "properties",
    ]
    answer = asked.json()
    mathml = answer.pop("mathml")
    assert answer == plain.json()
    assert mathml == {
        key: str(to_mathml(plain.json()[key]))
        for key in ("formula", "derivative", "second_derivative")
    }
    assert mathml["formula"].startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
    assert "<mi>&#x003B2;</mi>" in mathml["formula"]  # beta, as the catalogue's cards write it


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_every_example_is_accepted_with_its_mathml(client: TestClient, example: Example) -> None:
    body = {"expression": example.expression, "params": dict(example.params), "mathml": True}
    r = client.post("/api/expressions", json=body)
    assert r.status_code == 200, r.text
    # converted by latex2mathml, not the TeX-as-text fallback
    assert all(m.startswith("<math xmlns=") for m in r.json()["mathml"].values())
    assert r.json()["properties"]["estimated"] is True


def test_mathml_must_be_a_boolean(client: TestClient) -> None:
    r = client.post("/api/expressions", json={"expression": "x", "mathml": "yes"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "mathml"]


def test_custom_curve_answers_exactly_like_the_builtin(client: TestClient) -> None:
    query = {"x_min": -5, "x_max": 5, "points": 11}
    builtin = client.get("/api/activations/silu/curve", params=query).json()
    r = client.get(
        "/api/activations/custom/curve", params={**query, "beta": 1, "expression": SWISH}
    )
    assert r.status_code == 200, r.text
    custom = r.json()
    assert set(custom) == set(builtin) == {"name", "params", "x", "y", "dydx", "d2ydx2"}
    assert custom["name"] == "custom" and custom["params"] == {"beta": 1.0}
    assert custom["x"] == builtin["x"]
    for field in ("y", "dydx", "d2ydx2"):
        np.testing.assert_allclose(custom[field], builtin[field], rtol=1e-12, atol=1e-12)


def test_custom_curve_has_the_builtin_limits(client: TestClient) -> None:
    url = "/api/activations/custom/curve"
    r = client.get(url, params={"expression": "x", "points": MAX_CURVE_POINTS + 1})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["query", "points"]
    r = client.get(url, params={"expression": "x", "x_min": 1, "x_max": 0})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "x_max"]
    r = client.get(url, params={"expression": "x", "points": MAX_CURVE_POINTS})
    assert r.status_code == 200 and len(r.json()["y"]) == MAX_CURVE_POINTS


def test_evaluate_gives_known_values_and_null_for_overflow(client: TestClient) -> None:
    r = client.post(
        "/api/activations/custom/evaluate",
        json={
            "expression": "where(x > 0, x, a * (exp(x) - 1))",
            "params": {"a": 2},
            "x": [-1, 0, 3],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "name": "custom",
        "params": {"a": 2.0},
        "x": [-1.0, 0.0, 3.0],
        "y": [2 * (np.exp(-1.0) - 1), 0.0, 3.0],
        "dydx": [2 * np.exp(-1.0), 2.0, 1.0],  # the branch where selects at 0: a e^0
        "d2ydx2": [2 * np.exp(-1.0), 2.0, 0.0],
    }
    r = client.post(
        "/api/activations/custom/evaluate",
        json={"expression": "exp(x) + log(x)", "x": [1, -1, 800]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["y"] == [np.e, None, None]  # undefined (log of -1), overflow: null


def test_evaluate_has_the_builtin_limits(client: TestClient) -> None:
    body = {"expression": "x", "x": [0.0] * (MAX_EVALUATE_POINTS + 1)}
    r = client.post("/api/activations/custom/evaluate", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "x"]


@pytest.mark.parametrize(
    ("expression", "position", "text", "type_"),
    [
        ("x + x.__class__", 6, "__class__", "expression_attribute"),
        ("x + eval('1')", 4, "eval", "expression_unknown_function"),
        ("x**999999999", 3, "999999999", "expression_exponent"),
        ("", 0, "", "expression_empty"),
        ("x" * (MAX_LENGTH + 1), MAX_LENGTH, "x", "expression_too_long"),
    ],
)
def test_refused_expression_is_a_422_with_its_position(
    client: TestClient, expression: str, position: int, text: str, type_: str
) -> None:
    r = client.post("/api/expressions", json={"expression": expression})
    assert r.status_code == 422, r.text
    [item] = r.json()["detail"]
    assert item["loc"] == ["body", "expression"]
    assert item["type"] == type_
    assert item["ctx"] == {"position": position, "text": text}
    assert f"at column {position}: `{text}`" in item["msg"]
    r = client.get("/api/activations/custom/curve", params={"expression": expression})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "expression"]


@pytest.mark.parametrize(
    ("params", "loc", "message"),
    [
        ({"x": 1.0}, ["body", "params", "x"], "x is the variable"),
        ({"exp": 1.0}, ["body", "params", "exp"], "function name"),
    ],
)
def test_bad_parameter_names_are_422_at_the_parameter(
    client: TestClient, params: dict[str, float], loc: list[str], message: str
) -> None:
    r = client.post("/api/expressions", json={"expression": "x", "params": params})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == loc and message in r.json()["detail"][0]["msg"]


def test_bad_parameter_values_are_422_at_the_parameter(client: TestClient) -> None:
    r = client.post("/api/expressions", json={"expression": "a * x", "params": {"a": "1"}})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "params"]
    r = client.get("/api/activations/custom/curve", params={"expression": "a * x", "a": "inf"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {"loc": ["query", "a"], "msg": "a: must be a finite number", "type": "value_error"}
    ]


def test_custom_routes_win_over_the_name_routes_and_skip_the_fast_path(
    client: TestClient,
) -> None:
    fast_path = CurveRoute.of(activations.curve_route())
    assert fast_path.parse("/api/activations/custom/curve", b"expression=x") is None
    r = client.get("/api/activations/custom/curve", params={"expression": "2 * x", "points": 2})
    assert r.status_code == 200, r.text
    assert r.json()["y"] == [-12.0, 12.0]
    store = client.app.state.curve_store  # type: ignore[attr-defined]
    assert store.by_url("/api/activations/custom/curve", b"expression=2+%2A+x&points=2") is None


HOSTILE = [
    "().__class__.__bases__[0].__subclasses__()",
    "__import__('os').system('true')",
    "eval('1+1')",
    "exec('x=1')",
    "open('/etc/passwd')",
    "lambda x: x",
    "[x for x in (1, 2)]",
    "{x: 1}",
    "'a' * 10**9",
    "9**9**9",
    "x**999999999",
    "10**400",
    "(" * 300 + "x" + ")" * 300,
    "-" * 400 + "x",
    "x" * 100_000,
    "sigmoid(" * 45 + "x" + ")" * 45,
    "f'{x}'",
    "x.real",
    "exp(x=1)",
    "\x00",
    "x if x else x",
]


def _assert_quick_and_safe(client: TestClient, expression: str) -> None:
    started = time.perf_counter()
    r = client.post("/api/expressions", json={"expression": expression, "params": {"a": 1.5}})
    elapsed = time.perf_counter() - started
    assert r.status_code in (200, 422), r.text
    assert elapsed < 2.0, (expression, elapsed)
    if r.status_code == 422:
        assert r.json()["detail"][0]["msg"]


@pytest.mark.parametrize("expression", HOSTILE)
def test_hostile_expressions_are_422_within_two_seconds(
    client: TestClient, expression: str
) -> None:
    started = time.perf_counter()
    r = client.post("/api/expressions", json={"expression": expression})
    assert time.perf_counter() - started < 2.0
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "expression"]
    assert client.get("/healthz").status_code == 200  # and the server carries on


# pieces of the grammar and of what it refuses, glued together at random
_PIECES = "x a ( ) , + - * / ** > <= 0 1.5 1e308 2 999 . [ ] ' __class__ = lambda".split()
_tokens = st.sampled_from([*available_functions(), *_PIECES, " "])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_tokens, max_size=40).map("".join) | st.text(max_size=60))
def test_fuzzed_expressions_are_only_200_or_422_and_quick(client: TestClient, text: str) -> None:
    _assert_quick_and_safe(client, text)
