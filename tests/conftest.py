"""Fixtures shared by the HTTP tests: an app built from its own settings, and a client for it.

Starting an app is ~0.5-2 s on the 2-core machines (the lifespan warms every page, the API
document and each training route up), and two thousand tests use a client: a test that asks for
neither `app` nor other settings gets one app on default settings for the whole run, its caches
emptied before each test, so it sees what a fresh app would answer. A test that asks for `app`
(it reads or changes the app's state) or overrides `settings` gets an app of its own.
"""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

DEFAULT_SETTINGS = Settings()


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
def shared_client() -> Iterator[TestClient]:
    with TestClient(create_app(DEFAULT_SETTINGS)) as test_client:
        yield test_client


@pytest.fixture
def client(request: pytest.FixtureRequest, settings: Settings) -> Iterator[TestClient]:
    if "app" in request.fixturenames or settings != DEFAULT_SETTINGS:
        with TestClient(request.getfixturevalue("app")) as own_client:
            yield own_client
        return
    shared: TestClient = request.getfixturevalue("shared_client")
    state = shared.app.state  # type: ignore[attr-defined]
    state.curve_store.cache.clear()
    state.result_cache.store.clear()
    shared.cookies.clear()
    yield shared
