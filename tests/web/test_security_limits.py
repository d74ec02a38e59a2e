"""Right-sized responses: gzip over a few KB (never for event streams), HEAD wherever GET is
answered, and a body nested too deep is a 422 like any malformed JSON."""

import gzip
import json

import pytest
from fastapi.testclient import TestClient

from app.lab.activations import get_activation
from app.web.curves import CurveRequest
from app.web.middleware import GZIP_MIN_BYTES
from app.web.schemas.activations import JACOBIAN_DEFAULT_LOGITS, JACOBIAN_MAX_LOGITS
from app.web.schemas.training import MAX_SNAPSHOT_VALUES, TrainRequest

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


Raw = tuple[dict[str, str], bytes]


def raw(client: TestClient, method: str, url: str, **kwargs: object) -> Raw:
    """Headers and the body exactly as sent, not decoded."""
    with client.stream(method, url, **kwargs) as r:  # type: ignore[arg-type]
        assert r.status_code == 200, r.read()
        return dict(r.headers), b"".join(r.iter_raw())


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/", None),
        ("GET", "/api/activations", None),
        ("GET", "/openapi.json", None),
        ("GET", "/static/js/train.js", None),
        ("GET", "/static/css/app.css", None),
        ("POST", "/api/softmax", {"logits": list(range(40))}),
        ("POST", "/api/train", {"epochs": 10}),
    ],
)
def test_responses_over_a_few_kb_are_gzipped_when_accepted(
    client: TestClient, method: str, url: str, body: object
) -> None:
    headers, plain = raw(client, method, url, json=body, headers=IDENTITY)
    assert "content-encoding" not in headers and len(plain) >= GZIP_MIN_BYTES
    headers, zipped = raw(client, method, url, json=body, headers=GZIP)
    assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert int(headers["content-length"]) == len(zipped) < len(plain) / 2
    assert gzip.decompress(zipped) == plain


def test_small_responses_are_not_gzipped(client: TestClient) -> None:
    headers, body = raw(client, "GET", "/healthz", headers=GZIP)
    assert "content-encoding" not in headers and len(body) < GZIP_MIN_BYTES


def test_the_curve_fast_path_sends_its_cached_gzipped_bytes(client: TestClient) -> None:
    url = "/api/activations/elu/curve?points=601&alpha=2"
    expected = CurveRequest(get_activation("elu"), {"alpha": 2.0}, -6.0, 6.0, 601).render()
    headers, zipped = raw(client, "GET", url, headers=GZIP)
    assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped) == expected and len(zipped) < len(expected) / 2
    store = client.app.state.curve_store  # type: ignore[attr-defined]
    path, query = url.split("?")
    assert store.cache.get(("gzip", "url", path, query.encode())) == zipped
    _, again = raw(client, "GET", url, headers=GZIP)  # from the cache: the same bytes
    assert again == zipped
    _, plain = raw(client, "GET", url, headers=IDENTITY)
    assert plain == expected


def test_event_streams_are_not_gzipped(client: TestClient) -> None:
    with client.stream("POST", "/api/train/stream", json={"epochs": 300}, headers=GZIP) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in r.headers
        body = b"".join(r.iter_raw())
    assert body.startswith(b"event: ") and b"event: result" in body


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/train",
        "/healthz",
        "/api/activations",
        "/api/activations/elu?alpha=2",
        "/api/activations/elu/curve?points=11",  # the fast path
        "/api/activations/elu/curve?x_min=0&x_min=-6",  # the validating route
        "/api/xor/linear",
        "/static/css/app.css",
        "/docs",
        "/redoc",
        "/openapi.json",
        "/favicon.ico",
    ],
)
def test_head_answers_wherever_get_does_with_gets_headers(client: TestClient, url: str) -> None:
    for headers in (GZIP, IDENTITY):
        get = client.get(url, headers=headers)
        head = client.head(url, headers=headers)
        assert get.status_code == head.status_code == 200, head.text
        assert head.content == b""
        for name in ("content-type", "content-length", "content-encoding"):
            assert head.headers.get(name) == get.headers.get(name), name


def test_head_of_an_unknown_path_is_404(client: TestClient) -> None:
    r = client.head("/no/such/page")
    assert r.status_code == 404 and r.content == b""


@pytest.mark.parametrize("path", ["/api/softmax", "/api/train", "/api/gradient-flow"])
@pytest.mark.parametrize("depth", [1100, 100_000])
def test_json_nested_too_deep_is_a_422_naming_the_body(
    client: TestClient, path: str, depth: int
) -> None:
    body = '{"logits": ' + "[" * depth + "]" * depth + "}"
    r = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"][0] == "body" and error["type"] == "json_invalid"
    assert error["msg"] == "JSON decode error: depth limit exceeded"


def test_nan_still_reaches_validation_by_field(client: TestClient) -> None:
    r = client.post(
        "/api/softmax", content='{"logits": [1, NaN]}', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "logits", 1]
    assert json.loads(r.text)  # the error itself is valid JSON


def softmax_body(k: int, **extra: object) -> dict[str, object]:
    return {"logits": [(i % 7) * 0.5 for i in range(k)], **extra}


@pytest.mark.parametrize(
    ("k", "asked", "included"),
    [
        (2, None, True),
        (JACOBIAN_DEFAULT_LOGITS, None, True),
        (JACOBIAN_DEFAULT_LOGITS + 1, None, False),
        (1000, None, False),
        (JACOBIAN_MAX_LOGITS, True, True),
        (4, False, False),
    ],
)
def test_the_softmax_jacobian_comes_by_default_only_for_few_logits(
    client: TestClient, k: int, asked: bool | None, included: bool
) -> None:
    extra = {} if asked is None else {"jacobian": asked}
    r = client.post("/api/softmax", json=softmax_body(k, **extra))
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["probabilities"]) == k
    if included:
        assert len(body["jacobian"]) == k and {len(row) for row in body["jacobian"]} == {k}
    else:
        assert body["jacobian"] is None


def test_the_1000_logit_softmax_is_small_and_a_jacobian_past_the_cap_is_a_422(
    client: TestClient,
) -> None:
    r = client.post("/api/softmax", json=softmax_body(1000), headers=IDENTITY)
    assert r.status_code == 200
    assert len(r.content) < 60_000  # was 22.4 MB with the Jacobian
    r = client.post("/api/softmax", json=softmax_body(JACOBIAN_MAX_LOGITS + 1, jacobian=True))
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "loc": ["body"],
                "msg": f"Value error, jacobian: returned for at most {JACOBIAN_MAX_LOGITS} "
                f"logits, got {JACOBIAN_MAX_LOGITS + 1}; send jacobian: false or fewer logits",
                "type": "value_error",
            }
        ]
    }


LARGEST_NETWORK = {"dataset": {"name": "spiral3"}, "hidden_layers": [64] * 8, "epochs": 200}


def test_snapshots_are_capped_by_every_number_they_hold(client: TestClient) -> None:
    # 200 snapshots x (3 x 50^2 + 512 x 10^2): the 66 MB response
    r = client.post("/api/train", json={**LARGEST_NETWORK, "snapshots": 200})
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "loc": ["body"],
            "msg": "Value error, snapshots x (output units x grid^2 + hidden units x "
            f"thumbnail^2) = 11740000 exceeds the cap of {MAX_SNAPSHOT_VALUES}; lower "
            "snapshots, grid or the hidden units",
            "type": "value_error",
        }
    ]


def test_the_train_pages_default_snapshots_fit_any_network() -> None:
    # the page sends no snapshots or grid: 50 x (3 x 50^2 + 512 x 10^2) = 2935000 values
    request = TrainRequest.model_validate(LARGEST_NETWORK)
    assert (request.snapshots, request.grid) == (50, 50)
    assert 50 * (3 * 50**2 + 512 * 10**2) <= MAX_SNAPSHOT_VALUES
    with pytest.raises(ValueError, match=" = 3052400 exceeds"):  # 52 x 58700
        TrainRequest.model_validate({**LARGEST_NETWORK, "snapshots": 52})
