"""The error shape of an unexpected failure: logged with its traceback, answered as JSON."""

import logging

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.web.errors import INTERNAL_ERROR_MESSAGE

INTERNAL_ERROR = {"detail": [{"loc": [], "msg": INTERNAL_ERROR_MESSAGE, "type": "internal_error"}]}


def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug deep inside the numpy code")


@pytest.mark.parametrize(
    ("target", "url", "body"),
    [
        # the jobs a worker process runs: `broken` is pickled by name, so it fails over there
        ("app.web.routes.training.train_bytes", "/api/train", {"epochs": 1, "snapshots": 0}),
        (
            "app.web.routes.training.sweep_bytes",
            "/api/train/sweep",
            {"activations": ["relu"], "epochs": 1, "seeds": 1},
        ),
        (
            "app.web.routes.analysis.gradient_flow_bytes",
            "/api/gradient-flow",
            {"activation": "relu"},
        ),
        ("app.web.routes.activations.sample", "/api/activations/relu/evaluate", {"x": [0.0]}),
    ],
)
@pytest.mark.slow
def test_an_unexpected_error_is_a_500_in_the_error_shape_and_logged_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    target: str,
    url: str,
    body: dict[str, object],
) -> None:
    monkeypatch.setattr(target, broken)
    with TestClient(create_app(Settings()), raise_server_exceptions=False) as client:
        r = client.post(url, json=body)
    assert r.status_code == 500, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json() == INTERNAL_ERROR
    assert "Traceback" not in r.text and "numpy code" not in r.text
    [record] = [rec for rec in caplog.records if rec.name == "app.web.errors"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == f"unexpected error in POST {url}"
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "in broken" in caplog.text  # the traceback, down to the failing function


def test_an_unknown_route_keeps_its_404_shape() -> None:
    with TestClient(create_app(Settings()), raise_server_exceptions=False) as client:
        r = client.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json() == {"detail": [{"loc": [], "msg": "Not Found", "type": "http_error"}]}
