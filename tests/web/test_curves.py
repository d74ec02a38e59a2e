"""The curve fast path: what it takes on itself, and that its bytes are the route's bytes."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.lab.activations import get_activation
from app.web.curve_fast_path import CurveRoute
from app.web.curves import CurveRequest
from app.web.routes.activations import curve_route

PATH = "/api/activations/elu/curve"
parse_plain_request = CurveRoute.of(curve_route()).parse


def test_plain_request_is_parsed_with_defaults_filled() -> None:
    request = parse_plain_request(PATH, b"alpha=2&points=11&x_max=3.5")
    assert request == CurveRequest(get_activation("elu"), {"alpha": 2.0}, -6.0, 3.5, 11)
    default = parse_plain_request(PATH, b"")
    assert default is not None and (default.x_min, default.x_max, default.points) == (-6, 6, 601)


@pytest.mark.parametrize(
    "query",
    [
        b"x_min=0&x_min=-6",  # repeated key
        b"x_min=0x10",  # Python's int() reads it with base 0, the schema does not
        b"x_min=10",  # above the default x_max
        b"x_min=nan",
        b"x_min=-1001",
        b"x_min=2&x_max=1",
        b"points=1",
        b"points=20002",
        b"points=1.0",
        b"alpha=0",
        b"beta=1",
        b"x_min",
        b"x_min=",  # blank: the route refuses it (it used to be read as the default)
        b"alpha=",
        b"%ff=1",
    ],
)
def test_anything_unusual_is_left_to_the_validating_route(query: bytes) -> None:
    assert parse_plain_request(PATH, query) is None


def test_unknown_names_and_other_paths_are_left_to_the_router() -> None:
    assert parse_plain_request("/api/activations/nope/curve", b"") is None
    assert parse_plain_request("/api/activations/elu", b"") is None


def test_fast_path_and_route_answer_identical_bytes(client: TestClient) -> None:
    fast = client.get(PATH + "?x_min=-6&points=101&alpha=2")
    # A repeated key is not the fast path's to decide; the route resolves it (last one wins).
    routed = client.get(PATH + "?x_min=0&x_min=-6&points=101&alpha=2")
    assert fast.status_code == routed.status_code == 200
    assert fast.content == routed.content
    expected = CurveRequest(get_activation("elu"), {"alpha": 2.0}, -6.0, 6.0, 101).render()
    assert fast.content == expected


def test_large_curves_are_computed_off_the_event_loop_and_still_exact(client: TestClient) -> None:
    r = client.get("/api/activations/tanh/curve?points=20001&x_min=-1000&x_max=1000")
    assert r.status_code == 200
    np.testing.assert_array_equal(r.json()["y"], np.tanh(np.linspace(-1000, 1000, 20001)))


@pytest.mark.parametrize("query", ["x_min=", "alpha=", "points="])
def test_a_blank_value_is_a_422_at_its_field(client: TestClient, query: str) -> None:
    r = client.get(f"{PATH}?{query}")
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["query", query.rstrip("=")]
