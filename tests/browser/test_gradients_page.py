"""Gradient flow in a real browser: one line per activation and init, statistics, errors."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import assert_clean, open_page, problems_of, query, traces

pytestmark = pytest.mark.browser


def test_gradient_flow_draws_every_activation_and_init(page: Page) -> None:
    open_page(page, "/gradients?acts=sigmoid,relu&inits=he&depth=10&width=32", "gradflow-chart")
    drawn = traces(page, "gradflow-chart")
    assert [t["name"] for t in drawn] == ["Sigmoid (logistic) · he", "ReLU · he"]
    sigmoid = drawn[0]["y"]
    assert isinstance(sigmoid, list) and len(sigmoid) == 10
    assert sigmoid[0] < sigmoid[-1] / 100  # vanishing towards the input
    layout_type = page.evaluate("() => document.getElementById('gradflow-chart').layout.yaxis.type")
    assert layout_type == "log"
    open_page(
        page,
        "/gradients?acts=sigmoid,relu&inits=he&depth=10&width=32&stat=zero_fraction",
        "stats-chart",
    )
    relu_zeros = traces(page, "stats-chart")[1]["y"]
    assert isinstance(relu_zeros, list) and 0.3 < relu_zeros[0] < 0.7
    assert_clean(page)


def test_too_deep_is_reported_next_to_depth(page: Page) -> None:
    open_page(page, "/gradients?depth=5&width=16", "gradflow-chart")
    page.fill("#depth", "100")
    page.press("#depth", "Enter")
    expect(page.locator("#depth-error")).to_be_visible()
    expect(page.locator("#depth-error")).to_have_text("Depth must be at most 64")
    assert query(page)["depth"] == ["5"]  # refused on the page: not sent, not in the URL
    problems = problems_of(page)
    assert problems.console == [] or all("422" in m for m in problems.console)
    assert problems.exceptions == []
    assert problems.failed == [] and problems.aborted == []
