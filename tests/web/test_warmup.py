"""The start-up warm-up: every page and refused POST goes through the app before it listens."""

import asyncio

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app, warm_up_paths
from app.web.routes.pages import PAGES
from app.web.warmup import REFUSED_BODY, host_for, request, warm_up
from tests.web.test_observability import requests_by_route, scrape


def test_warm_up_answers_every_page_and_refuses_every_post_body() -> None:
    app = create_app(Settings())
    pages, posts = warm_up_paths(app)
    assert len(pages) == len(PAGES) + 1 and "/train" in pages and "/openapi.json" in pages
    assert {"/api/train", "/api/train/sweep", "/api/expressions"} <= set(posts)
    statuses = asyncio.run(warm_up(app, pages, posts, host_for(["*"])))
    assert {statuses[path] for path in pages} == {200}
    assert {statuses[path] for path in posts} == {422}  # nothing trains at start-up


def test_warm_up_requests_stay_out_of_metrics_and_the_pool() -> None:
    with TestClient(create_app(Settings())) as client:  # the lifespan warms up
        samples = scrape(client)
        assert client.app.state.worker_pool.jobs_done == 0  # type: ignore[attr-defined]
    counted = requests_by_route(samples)
    assert not any(route in ("/", "/train", "/api/train") for _, route, _ in counted)


def test_the_host_header_passes_the_trusted_host_check() -> None:
    assert host_for(["*"]) == "localhost"
    assert host_for(["lab.example.org", "other.example"]) == "lab.example.org"
    assert host_for(["*.example.org"]) == "warmup.example.org"
    app = create_app(Settings(allowed_hosts=["*.example.org"]))
    status = asyncio.run(
        request(app, "POST", "/api/train", host_for(["*.example.org"]), REFUSED_BODY)
    )
    assert status == 422  # not the trusted-host check's 400
