"""A busy server in a real browser: the page says "Busy, retrying in N s", counts down, and its
retry succeeds once the worker is free. The server here has one training worker and no queue,
so one training held from outside makes it busy."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import problems_of, traces, wait_ready
from tests.browser.conftest import ROOT, STARTUP_TIMEOUT_S, free_port, wait_healthy

pytestmark = pytest.mark.browser

# Seconds of training on the only worker (20000 epochs on 250 points), until its stream closes.
HOLDING = {"epochs": 20000, "hidden_layers": [16, 16], "dataset": {"name": "circle"}}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """This module's own server: one training worker, no queue."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
        + ["--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONWARNINGS": "ignore",
            "ACTLAB_TRAIN_WORKERS": "1",
            "ACTLAB_TRAIN_QUEUE": "0",
        },
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, STARTUP_TIMEOUT_S)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def hold_the_worker(base_url: str) -> tuple[threading.Event, threading.Thread]:
    """A training stream that keeps the only worker until the returned event is set."""
    running, release = threading.Event(), threading.Event()

    def hold() -> None:
        # The previous test's worker may still be on its way out (killed when its stream
        # closed, then replaced): a 503 then, so ask again after its Retry-After, bounded.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not release.is_set():
            with httpx.stream(
                "POST", f"{base_url}/api/train/stream", json=HOLDING, timeout=60
            ) as r:
                if r.status_code == 503:
                    time.sleep(min(float(r.headers.get("retry-after", 1)), 2))
                    continue
                for line in r.iter_lines():
                    if line.startswith("data:") and '"epoch":0,' not in line:
                        running.set()
                    if release.is_set():
                        return  # closing the stream stops the training and frees the worker
                return

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert running.wait(60)
    return release, thread


# A different run at each width: a repeated one would come from the result cache, no worker needed.
@pytest.mark.parametrize(("width", "epochs"), [(1280, 300), (375, 301)])
def test_a_busy_server_is_retried_with_a_countdown(
    page: Page, base_url: str, width: int, epochs: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    release, holder = hold_the_worker(base_url)
    try:
        page.goto(f"/train?epochs={epochs}")
        status = page.locator("#train-progress-text")
        expect(status).to_have_text("Busy, retrying in 2 s")  # Retry-After from the server
        expect(status).to_have_text("Busy, retrying in 1 s")  # counting down
        expect(page.locator("#train-progress")).to_be_visible()
        page.screenshot(path=ROOT / "test-artifacts" / f"busy-retry-{width}.png", full_page=True)
    finally:
        release.set()
        holder.join(30)
    wait_ready(page, "boundary-chart", "loss-chart")  # a retry got through
    loss = [t for t in traces(page, "loss-chart") if t["name"] == "train loss"]
    assert loss and isinstance(loss[0]["y"], list) and len(loss[0]["y"]) == epochs
    expect(page.locator("#train-progress")).to_be_hidden()
    problems = problems_of(page)
    assert problems.exceptions == [] and problems.failed == []
    # the refusals the browser logs are the only errors: 503s of /api/train/stream
    assert problems.console and all("503" in message for message in problems.console)
