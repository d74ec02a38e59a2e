"""The catalogue and softmax endpoints: known answers, the cache, and every kind of bad input."""

import math
from collections.abc import Iterator

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.lab.activations import ACTIVATIONS, get_activation
from app.main import create_app


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ok"
    assert r.json()["version"]


def test_listing_agrees_with_the_registry(client: TestClient) -> None:
    r = client.get("/api/activations")
    assert r.status_code == 200, r.text
    listed = r.json()["activations"]
    assert [a["name"] for a in listed] == list(ACTIVATIONS)
    for entry in listed:
        act = ACTIVATIONS[entry["name"]]
        assert entry["label"] == act.label
        assert [p["name"] for p in entry["params"]] == [p.name for p in act.params]
        assert {p["name"]: p["default"] for p in entry["params"]} == act.defaults
        props = act.properties()
        assert entry["properties"]["range"] == list(props.range)
        assert entry["properties"]["continuity"] == props.continuity
        assert entry["formula"] == act.formula and entry["derivative"] == act.derivative
        assert entry["use"] and entry["caveats"]


def test_listing_shows_pytorch_names_and_defaults(client: TestClient) -> None:
    listed = {a["name"]: a for a in client.get("/api/activations").json()["activations"]}
    assert listed["gelu"]["params"] == [
        {
            "name": "approximate",
            "default": "none",
            "min": None,
            "max": None,
            "min_exclusive": False,
            "max_exclusive": False,
            "choices": ["none", "tanh"],
            "description": listed["gelu"]["params"][0]["description"],
        }
    ]
    softplus = {p["name"]: p["default"] for p in listed["softplus"]["params"]}
    assert softplus == {"beta": 1.0, "threshold": 20.0}
    assert listed["rrelu"]["params"][0]["default"] == 1 / 8
    assert listed["selu"]["properties"]["range"] == [-1.7580993408473766, None]
    assert listed["logsigmoid"]["properties"]["range"] == [None, 0.0]


def test_one_activation_with_properties_for_given_params(client: TestClient) -> None:
    r = client.get("/api/activations/elu", params={"alpha": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "elu"
    assert body["param_values"] == {"alpha": 2.0}
    assert body["properties"]["continuity"] == "C0"
    assert body["properties"]["range"] == [-2.0, None]
    assert client.get("/api/activations/elu").json()["properties"]["continuity"] == "C1"


def test_curve_known_values(client: TestClient) -> None:
    r = client.get("/api/activations/relu/curve", params={"x_min": -1, "x_max": 1, "points": 3})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "name": "relu",
        "params": {},
        "x": [-1.0, 0.0, 1.0],
        "y": [0.0, 0.0, 1.0],
        "dydx": [0.0, 0.0, 1.0],
        "d2ydx2": [0.0, 0.0, 0.0],
    }


def test_curve_defaults_are_601_points_on_minus_6_to_6(client: TestClient) -> None:
    body = client.get("/api/activations/gelu/curve").json()
    assert body["params"] == {"approximate": "none"}
    assert len(body["x"]) == 601 and body["x"][0] == -6.0 and body["x"][-1] == 6.0
    assert body["x"] == np.linspace(-6, 6, 601).tolist()
    assert body["x"][350] == 1.0
    assert body["y"][350] == pytest.approx(0.8413447460685429, rel=1e-15)  # gelu(1)


def test_curve_echoes_every_param_with_defaults_filled(client: TestClient) -> None:
    body = client.get("/api/activations/softplus/curve", params={"beta": 2, "points": 2}).json()
    assert body["params"] == {"beta": 2.0, "threshold": 20.0}
    body = client.get(
        "/api/activations/gelu/curve", params={"approximate": "tanh", "points": 5}
    ).json()
    assert body["params"] == {"approximate": "tanh"}
    act = get_activation("gelu")
    x = np.linspace(-6, 6, 5)
    assert body["y"] == act.f(x, approximate="tanh").tolist()


def test_exponential_overflow_is_null_never_infinity(client: TestClient) -> None:
    r = client.get(
        "/api/activations/exponential/curve", params={"x_min": 700, "x_max": 720, "points": 3}
    )
    assert r.status_code == 200, r.text
    assert b"Infinity" not in r.content and b"NaN" not in r.content
    body = r.json()
    assert body["y"][0] == pytest.approx(math.exp(700))
    assert body["y"][1:] == [None, None] and body["dydx"][2] is None


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_function_answers_finite_numbers_across_the_whole_domain(
    client: TestClient, name: str
) -> None:
    r = client.get(
        f"/api/activations/{name}/curve", params={"x_min": -1000, "x_max": 1000, "points": 2001}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    act = ACTIVATIONS[name]
    x = np.array(body["x"])
    for field, g in (("y", act.f), ("dydx", act.df), ("d2ydx2", act.d2f)):
        expected = g(x, **act.defaults)
        got = np.array([np.inf if v is None else v for v in body[field]])
        if name == "exponential":
            assert all(v is None for v, xi in zip(body[field], x, strict=True) if xi > 709.78)
        else:
            assert None not in body[field]
        np.testing.assert_array_equal(got, expected)


def test_evaluate_at_given_points(client: TestClient) -> None:
    r = client.post(
        "/api/activations/leaky_relu/evaluate",
        json={"x": [-2.0, 0.0, 3.0], "params": {"negative_slope": 0.1}},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "name": "leaky_relu",
        "params": {"negative_slope": 0.1},
        "x": [-2.0, 0.0, 3.0],
        "y": [-0.2, 0.0, 3.0],
        "dydx": [0.1, 0.1, 1.0],
        "d2ydx2": [0.0, 0.0, 0.0],
    }


@pytest.mark.slow
def test_evaluate_accepts_100000_points(client: TestClient) -> None:
    x = np.linspace(-10, 10, 100_000)
    r = client.post("/api/activations/tanh/evaluate", json={"x": x.tolist()})
    assert r.status_code == 200, r.text
    np.testing.assert_array_equal(r.json()["y"], np.tanh(x))


def test_softmax_values_and_jacobian_against_finite_differences(client: TestClient) -> None:
    logits = [2.0, 1.0, 0.1, -3.0]
    temperature = 0.7
    r = client.post("/api/softmax", json={"logits": logits, "temperature": temperature})
    assert r.status_code == 200, r.text
    body = r.json()
    z = np.array(logits) / temperature
    expected = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(body["probabilities"], expected, rtol=1e-14)
    np.testing.assert_allclose(body["log_probabilities"], np.log(expected), rtol=1e-14)
    assert sum(body["probabilities"]) == pytest.approx(1.0, rel=1e-15)

    def probs(v: np.ndarray) -> np.ndarray:
        e = np.exp(v / temperature)
        return np.asarray(e / e.sum())

    h = 1e-6
    numeric = np.empty((4, 4))
    for j in range(4):
        step = np.zeros(4)
        step[j] = h
        numeric[:, j] = (probs(np.array(logits) + step) - probs(np.array(logits) - step)) / (2 * h)
    np.testing.assert_allclose(body["jacobian"], numeric, atol=1e-9)


def test_softmax_is_stable_at_plus_minus_1e4(client: TestClient) -> None:
    r = client.post("/api/softmax", json={"logits": [1e4, -1e4, 0.0, 1e4 - 1]})
    assert r.status_code == 200, r.text
    body = r.json()
    e = math.exp(-1)
    assert body["probabilities"] == pytest.approx([1 / (1 + e), 0.0, 0.0, e / (1 + e)], rel=1e-15)
    assert body["log_probabilities"][1] == pytest.approx(-2e4 - math.log1p(e), rel=1e-15)
    assert all(math.isfinite(v) for row in body["jacobian"] for v in row)


# --- bad input: 4xx naming the field, never a 500 ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "loc"),
    [
        ("get", "/api/activations/nope", {}, 404, ["path", "name"]),
        ("get", "/api/activations/nope/curve", {}, 404, ["path", "name"]),
        ("post", "/api/activations/nope/evaluate", {"json": {"x": [1]}}, 404, ["path", "name"]),
        ("get", "/api/activations/elu/curve?alpha=7", {}, 422, ["query", "alpha"]),
        ("get", "/api/activations/elu/curve?alpha=0", {}, 422, ["query", "alpha"]),
        ("get", "/api/activations/elu/curve?alpha=nan", {}, 422, ["query", "alpha"]),
        ("get", "/api/activations/elu/curve?alpha=inf", {}, 422, ["query", "alpha"]),
        ("get", "/api/activations/elu/curve?alpha=big", {}, 422, ["query", "alpha"]),
        ("get", "/api/activations/elu/curve?beta=1", {}, 422, ["query", "beta"]),
        ("get", "/api/activations/gelu/curve?approximate=erf", {}, 422, ["query", "approximate"]),
        (
            "get",
            "/api/activations/hardtanh/curve?min_val=2&max_val=1",
            {},
            422,
            ["query", "max_val"],
        ),
        ("get", "/api/activations/relu/curve?x_min=nan", {}, 422, ["query", "x_min"]),
        ("get", "/api/activations/relu/curve?x_min=-Infinity", {}, 422, ["query", "x_min"]),
        ("get", "/api/activations/relu/curve?x_max=1001", {}, 422, ["query", "x_max"]),
        ("get", "/api/activations/relu/curve?x_min=2&x_max=2", {}, 422, ["query", "x_max"]),
        ("get", "/api/activations/relu/curve?x_min=3&x_max=-3", {}, 422, ["query", "x_max"]),
        ("get", "/api/activations/relu/curve?points=20002", {}, 422, ["query", "points"]),
        ("get", "/api/activations/relu/curve?points=1", {}, 422, ["query", "points"]),
        ("get", "/api/activations/relu/curve?points=1.5", {}, 422, ["query", "points"]),
        ("get", "/api/activations/relu/curve?x_min=abc", {}, 422, ["query", "x_min"]),
        (
            "post",
            "/api/activations/elu/evaluate",
            {"json": {"x": [1], "params": {"alpha": -1}}},
            422,
            ["body", "params", "alpha"],
        ),
        (
            "post",
            "/api/activations/elu/evaluate",
            {"json": {"x": [1], "params": {"gamma": 1}}},
            422,
            ["body", "params", "gamma"],
        ),
        ("post", "/api/activations/elu/evaluate", {"json": {"x": []}}, 422, ["body", "x"]),
        ("post", "/api/activations/elu/evaluate", {"json": {"x": ["a"]}}, 422, ["body", "x", 0]),
        ("post", "/api/activations/elu/evaluate", {"json": {"x": [1e4]}}, 422, ["body", "x", 0]),
        ("post", "/api/activations/elu/evaluate", {"json": {}}, 422, ["body", "x"]),
        (
            "post",
            "/api/activations/elu/evaluate",
            {"json": {"x": [1], "extra": 1}},
            422,
            ["body", "extra"],
        ),
        (
            "post",
            "/api/activations/elu/evaluate",
            {"content": b'{"x": [NaN]}', "headers": {"content-type": "application/json"}},
            422,
            ["body", "x", 0],
        ),
        (
            "post",
            "/api/activations/elu/evaluate",
            {"content": b'{"x": [Infinity]}', "headers": {"content-type": "application/json"}},
            422,
            ["body", "x", 0],
        ),
        (
            "post",
            "/api/activations/elu/evaluate",
            {"content": b'{"x": [1]', "headers": {"content-type": "application/json"}},
            422,
            ["body", 9],
        ),
        (
            "post",
            "/api/activations/elu/evaluate",
            {"content": b'{"x": [1]}', "headers": {"content-type": "text/plain"}},
            422,
            ["body"],
        ),
        ("post", "/api/activations/elu/evaluate", {"data": {"x": "1"}}, 422, ["body"]),
        ("post", "/api/softmax", {"json": {"logits": [1.0]}}, 422, ["body", "logits"]),
        ("post", "/api/softmax", {"json": {"logits": [0.0] * 1001}}, 422, ["body", "logits"]),
        (
            "post",
            "/api/softmax",
            {"json": {"logits": [1, 2], "temperature": 0}},
            422,
            ["body", "temperature"],
        ),
        (
            "post",
            "/api/softmax",
            {"json": {"logits": [1, 2], "temperature": -1}},
            422,
            ["body", "temperature"],
        ),
        (
            "post",
            "/api/softmax",
            {"json": {"logits": [0, 0], "temperature": 5e-324}},
            422,
            ["body", "temperature"],
        ),
        (
            "post",
            "/api/softmax",
            {"json": {"logits": [False, 0]}},
            422,
            ["body", "logits", 0],
        ),
        (
            "post",
            "/api/activations/elu/evaluate",
            {"json": {"x": ["1.5"]}},
            422,
            ["body", "x", 0],
        ),
        (
            "post",
            "/api/softmax",
            {"content": b"\xff\xfe{", "headers": {"content-type": "application/json"}},
            422,
            ["body", 0],
        ),
        (
            "post",
            "/api/softmax",
            {"content": b'{"logits": [1, NaN]}', "headers": {"content-type": "application/json"}},
            422,
            ["body", "logits", 1],
        ),
        (
            "post",
            "/api/softmax",
            {"json": {"logits": [-1e300, 1e300], "temperature": 1e-6}},
            422,
            ["body"],
        ),
    ],
)
def test_bad_input_is_a_clear_4xx_naming_the_field(
    client: TestClient,
    method: str,
    url: str,
    kwargs: dict[str, object],
    status: int,
    loc: list[object],
) -> None:
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert [item["loc"] for item in detail][0] == loc
    for item in detail:
        assert set(item) == {"loc", "msg", "type"}
        assert item["msg"]
    if loc[1:] and isinstance(loc[1], str) and loc[0] != "path":
        assert any(str(loc[-1]) in item["msg"] or item["loc"] == loc for item in detail)


def test_a_nan_in_the_body_is_never_echoed(client: TestClient) -> None:
    r = client.post(
        "/api/softmax",
        content=b'{"logits": [NaN, Infinity, -Infinity], "temperature": NaN}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    assert b"NaN" not in r.content and b"Infinity" not in r.content
    assert {tuple(i["loc"]) for i in r.json()["detail"]} >= {
        ("body", "logits", 0),
        ("body", "temperature"),
    }


def test_oversized_body_is_refused_from_content_length_before_reading() -> None:
    app = create_app(Settings(max_body_bytes=2048))

    def chunked_body() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        for _ in range(10):
            yield b" " * 1024

    with TestClient(app) as client:
        r = client.post(
            "/api/softmax",
            content=b"{" + b" " * 4096 + b"}",
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 413, r.text
        assert r.json()["detail"][0]["loc"] == ["body"]
        r = client.post(
            "/api/softmax", content=chunked_body(), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413, r.text
        # The app itself still answers afterwards.
        assert client.get("/healthz").status_code == 200


# --- the curve cache --------------------------------------------------------------------------


def test_repeated_curve_is_served_from_cache_with_identical_bytes(client: TestClient) -> None:
    cache = client.app.state.curve_store.cache  # type: ignore[attr-defined]
    url = "/api/activations/mish/curve?points=11&x_min=-2"
    first = client.get(url)
    entries = len(cache)
    second = client.get(url)
    assert second.status_code == 200 and second.headers["content-type"] == "application/json"
    assert second.content == first.content
    assert len(cache) == entries  # nothing recomputed or added
    # The same canonical parameters in another spelling share the computed bytes.
    other = client.get("/api/activations/mish/curve?x_min=-2.0&points=11")
    assert other.content == first.content


@pytest.mark.slow
def test_cache_is_bounded_by_entries() -> None:
    app = create_app(Settings(curve_cache_entries=4))
    with TestClient(app) as client:
        for points in range(2, 30):
            assert client.get(f"/api/activations/relu/curve?points={points}").status_code == 200
        assert len(app.state.curve_store.cache) <= 4


def test_openapi_documents_every_endpoint_with_models(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/api/activations", "get"),
        ("/api/activations/{name}", "get"),
        ("/api/activations/{name}/curve", "get"),
        ("/api/activations/{name}/evaluate", "post"),
        ("/api/softmax", "post"),
    ]:
        operation = paths[path][method]
        assert operation["summary"]
        assert "$ref" in orjson.dumps(operation["responses"]["200"]).decode()
    curve = paths["/api/activations/{name}/curve"]["get"]
    assert {p["name"] for p in curve["parameters"]} >= {"name", "x_min", "x_max", "points"}
    assert "422" in curve["responses"] and "404" in curve["responses"]
    schemas = spec["components"]["schemas"]
    assert "examples" in schemas["CurveResult"] and "examples" in schemas["SoftmaxRequest"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_load_without_any_external_request(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200, r.text
    html = r.text
    assert "cdn." not in html and "https://" not in html.replace("https://fastapi", "")
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        if asset in html:
            path = html.split(asset)[0].rsplit('"', 1)[-1] + asset
            assert client.get(path).status_code == 200, path


def test_a_bad_x_range_is_reported_before_a_bad_parameter(client: TestClient) -> None:
    # The range is CurveQuery's, validated before the entry's parameters are resolved.
    r = client.get("/api/activations/elu/curve?x_min=3&x_max=1&alpha=-1")
    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["detail"]] == [["query", "x_max"]]
    r = client.get("/api/activations/elu/curve?alpha=-1")
    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["detail"]] == [["query", "alpha"]]


def test_every_route_locates_a_bad_parameter_at_its_field(client: TestClient) -> None:
    r = client.get("/api/activations/elu?alpha=-1")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "alpha"]
    r = client.post("/api/activations/elu/evaluate", json={"x": [0.0], "params": {"alpha": -1}})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "params", "alpha"]
    body = {
        "activation": "elu",
        "activation_params": {"elu": {"alpha": -1}},
        "depth": 1,
        "width": 2,
    }
    r = client.post("/api/gradient-flow", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "activation_params", "elu", "alpha"]
