"""Softmax in a real browser: probabilities, the Jacobian, the naive normalisation, temperature."""

import math

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import (
    assert_clean,
    open_page,
    query,
    redrawn,
    traces,
    wait_ready,
)

pytestmark = pytest.mark.browser


def softmax(z: list[float], t: float) -> list[float]:
    top = max(z)
    e = [math.exp((v - top) / t) for v in z]
    return [v / sum(e) for v in e]


def test_softmax_draws_probabilities_naive_shares_and_jacobian(page: Page) -> None:
    open_page(page, "/softmax", "softmax-chart", "jacobian-chart")
    bars = traces(page, "softmax-chart")
    z = [2.0, 1.0, 0.1, -1.0]
    assert bars[0]["y"] == pytest.approx(softmax(z, 1.0), rel=1e-12)
    assert bars[1]["y"] == pytest.approx([v / sum(z) for v in z], rel=1e-12)
    jacobian = traces(page, "jacobian-chart")[0]["z"]
    assert isinstance(jacobian, list) and len(jacobian) == 4
    p = softmax(z, 1.0)
    assert jacobian[0][0] == pytest.approx(p[0] * (1 - p[0]), rel=1e-12)
    assert jacobian[0][1] == pytest.approx(-p[0] * p[1], rel=1e-12)
    expect(page.locator("#naive-note")).to_contain_text("outside [0, 1]")
    assert_clean(page)


def test_temperature_flattens_the_distribution_and_is_kept_in_the_url(page: Page) -> None:
    open_page(page, "/softmax?z=3,0&t=4", "softmax-chart")
    assert traces(page, "softmax-chart")[0]["y"] == pytest.approx(softmax([3, 0], 4), rel=1e-12)
    redrawn(page, "softmax-chart")
    page.fill("#temperature", "0.5")
    page.press("#temperature", "Enter")
    wait_ready(page, "softmax-chart")
    assert traces(page, "softmax-chart")[0]["y"] == pytest.approx(softmax([3, 0], 0.5), rel=1e-12)
    assert query(page) == {"z": ["3,0"], "t": ["0.5"]}
    assert_clean(page)


def test_zero_temperature_is_refused_next_to_the_temperature(page: Page) -> None:
    open_page(page, "/softmax", "softmax-chart")
    page.fill("#temperature", "0")
    page.press("#temperature", "Enter")
    # Checked on the page, in the API's bound (ge=1e-6), before anything is sent.
    expect(page.locator("#temperature-error")).to_have_text("Temperature must be at least 0.000001")
