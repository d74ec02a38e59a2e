"""Explore in a real browser: the curve draws, sliders move it, the URL holds the view."""

import pytest
from browser_support import assert_clean, traces, wait_ready
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_explore_draws_f_and_both_derivatives_without_errors(page: Page) -> None:
    page.goto("/")
    wait_ready(page, "curve-chart")
    names = [t["name"] for t in traces(page, "curve-chart")]
    assert names == ["f(x)", "f′(x)", "f″(x)"]
    assert page.locator("#card math").count() == 2
    assert_clean(page)
