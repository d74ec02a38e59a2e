"""Real-browser fixtures: one uvicorn on a free loopback port and one headless Chromium per run.

Debian's Chromium is driven through Playwright's sync API with `executable_path`, so nothing is
downloaded. Every page a test opens records console errors, uncaught exceptions, failed requests
and HTTP error responses; a test that expects none calls `assert_clean(page)`.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Generator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    sync_playwright,
)

from tests.browser.browser_support import CHROMIUM, CHROMIUM_ARGS, watch

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# A full-page screenshot costs Chromium 0.3-0.6 s of CPU here, ~3 minutes over the suite: it is
# saved when a test fails, and for every test with ACTLAB_SCREENSHOTS=all (to look at them all).
SCREENSHOT_ALL = os.environ.get("ACTLAB_SCREENSHOTS") == "all"
STARTUP_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(base_url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Poll /healthz until it answers 200; fail if the server dies or the time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with code {process.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer /healthz within {timeout_s:g} s")


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """A real uvicorn serving app.main:app on 127.0.0.1, for the whole test run."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
        + ["--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, STARTUP_TIMEOUT_S)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Playwright's sync API keeps an asyncio loop running while it is open, which breaks tests
# elsewhere that call asyncio.run(): so it lives for one test module at a time, not the session.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """One context per module: its HTTP cache and the browser's code cache are shared, as they
    are for a person moving between pages."""
    context = browser.new_context(base_url=base_url, accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


# Each phase's report of a test, for the page fixture to see whether the test failed.
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def failed(node: pytest.Item) -> bool:
    return any(report.failed for report in node.stash.get(REPORTS, {}).values())


@pytest.fixture(scope="module")
def tab(context: BrowserContext) -> Iterator[list[Page]]:
    """The module's one browser tab, reused by its tests: a page load in a new tab spends ~2 s
    of this machine's CPU compiling plotly.min.js, a load in a tab that has run it before
    ~0.2 s (Chromium keeps the compiled code per renderer process). Replaced if a test
    closes it."""
    tabs: list[Page] = []
    yield tabs
    for page in tabs:
        if not page.is_closed():
            page.close()


# Each test starts on this page of the app, so that the previous test's page has unloaded (its
# scripts, timers and sockets gone) before the next one is watched.
NEUTRAL_PATH = "/healthz"


@pytest.fixture
def page(
    tab: list[Page], context: BrowserContext, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A 1280 px light-theme page with nothing loaded, watched for problems; a screenshot of it
    is saved if the test fails."""
    if not tab or tab[0].is_closed():
        tab[:] = [context.new_page()]
    page = tab[0]
    page.goto(NEUTRAL_PATH)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme="light")
    page.listeners = []  # type: ignore[attr-defined]
    page.problems = watch(page)  # type: ignore[attr-defined]
    yield page
    if page.is_closed():
        return
    if SCREENSHOT_ALL or failed(request.node):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    for event, handler in page.listeners:  # type: ignore[attr-defined]
        page.remove_listener(event, handler)
    page.unroute_all(behavior="ignoreErrors")
