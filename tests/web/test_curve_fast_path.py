"""The curve fast path against the route it stands in for: random query strings, same bytes."""

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.main import create_app
from app.web.curve_fast_path import CurveFastPath, CurveRoute
from app.web.routes.activations import curve_route
from app.web.schemas.activations import CurveQuery

ROUTE = CurveRoute.of(curve_route())
NAMES = ["elu", "relu", "gelu", "softplus", "exponential", "srelu", "nope"]
# The real keys: the query model's and some entries' parameters, next to random ones.
KEYS = [*CurveQuery.model_fields, "alpha", "approximate", "beta", "threshold", "t_left"]
# Near the limits, at the defaults and spelled oddly: what a fast parser is most likely to misread.
VALUES = [
    "-6", "6", "601", "2", "1", "0", "20001", "20002", "-1000", "1000", "1000.0", "-1000.0001",
    "1e3", "1E3", "1e-3", "+1", " 1", "1 ", "1.", ".5", "-0", "0x10", "1_0", "nan", "inf",
    "-inf", "Infinity", "", "abc", "tanh", "none", "true", "5.0", "٣",
]  # fmt: skip


def routed_only(app: FastAPI) -> FastAPI:
    """The same app without the fast path: every curve request goes through the route."""
    fast_path: object = CurveFastPath  # Middleware.cls is typed as a factory protocol
    app.user_middleware = [m for m in app.user_middleware if m.cls is not fast_path]
    return app


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(create_app(Settings())) as fast,
        TestClient(routed_only(create_app(Settings()))) as routed,
    ):
        yield fast, routed


# Mostly real keys and plausible values, so that a good share of requests is one the fast path
# takes (the statistics show it), with random keys and values among them.
values = st.one_of(
    st.sampled_from(VALUES),
    st.floats(-1000, 1000).map(repr),
    st.integers(2, 20001).map(str),
    st.floats(allow_nan=True).map(repr),
    st.integers().map(str),
)
keys = st.one_of(st.sampled_from(KEYS), st.sampled_from(KEYS[:3]), st.text(max_size=6))
plausible = st.lists(
    st.tuples(
        st.sampled_from(KEYS[:3]),
        st.floats(-10, 10).map(repr) | st.integers(2, 3000).map(str),
    ),
    max_size=3,
    unique_by=lambda pair: pair[0],
)
pairs = plausible | st.lists(st.tuples(keys, values), max_size=4)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(NAMES), query=pairs)
@example(name="elu", query=[("alpha", "2"), ("points", "101")])
@example(name="gelu", query=[("approximate", "tanh"), ("x_min", "-1000"), ("x_max", "1e3")])
@example(name="relu", query=[("x_min", "10")])  # above the default x_max: the route's 422
@example(name="elu", query=[("x_min", "0"), ("x_min", "-6")])  # repeated: the route decides
@example(name="elu", query=[("x_min", "")])  # blank: the route's 422, not the default
@example(name="elu", query=[("alpha", "")])
@pytest.mark.slow
def test_fast_path_declines_or_answers_the_routes_bytes(
    clients: tuple[TestClient, TestClient], name: str, query: list[tuple[str, str]]
) -> None:
    fast, routed = clients
    qs = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    url = f"/api/activations/{name}/curve?{qs}"
    expected = routed.get(url)
    answered = ROUTE.parse(f"/api/activations/{name}/curve", qs.encode())
    event("fast path answers" if answered is not None else "fast path declines")
    if answered is not None:
        assert expected.status_code == 200, expected.text  # it only takes what the route takes
    got = fast.get(url)
    assert got.status_code == expected.status_code
    assert got.headers["content-type"] == expected.headers["content-type"]
    assert got.headers.get("content-encoding") == expected.headers.get("content-encoding")
    assert got.content == expected.content


def test_the_fast_path_reads_the_routes_path_and_query_model() -> None:
    route = curve_route()
    assert ROUTE.prefix + "{name}" + ROUTE.suffix == route.path
    assert ROUTE.query is CurveQuery
    default = ROUTE.parse(route.path.replace("{name}", "relu"), b"")
    assert default is not None
    assert (default.x_min, default.x_max, default.points) == (
        CurveQuery.model_fields["x_min"].default,
        CurveQuery.model_fields["x_max"].default,
        CurveQuery.model_fields["points"].default,
    )
