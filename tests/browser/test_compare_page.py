"""Compare in a real browser: overlay, small multiples, properties table, per-function params."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.browser_support import (
    assert_clean,
    open_page,
    query,
    redrawn,
    traces,
    wait_ready,
    watch,
)

pytestmark = pytest.mark.browser


def test_compare_overlays_the_default_functions(page: Page) -> None:
    open_page(page, "/compare", "compare-chart", "multiples-chart")
    assert [t["name"] for t in traces(page, "compare-chart")] == [
        "ReLU",
        "Tanh",
        "Sigmoid (logistic)",
        "GELU",
    ]
    assert len(traces(page, "multiples-chart")) == 8  # f and f' per function
    expect(page.locator("#props-table thead th")).to_have_count(5)
    expect(page.locator("#props-table tbody tr")).to_have_count(8)
    assert_clean(page)


def test_adding_a_function_with_its_own_parameters_and_switching_view(page: Page) -> None:
    open_page(page, "/compare?f=relu&f=elu(alpha:2)&view=df", "compare-chart")
    drawn = traces(page, "compare-chart")
    assert [t["name"] for t in drawn] == ["ReLU", "ELU (alpha=2)"]
    elu_slope = drawn[1]["y"]
    assert isinstance(elu_slope, list) and abs(elu_slope[0] - 2 * 2.718281828459045**-6) < 1e-9
    redrawn(page, "compare-chart")
    page.select_option("#add-fn", "softsign")
    page.get_by_role("button", name="Add", exact=True).click()
    wait_ready(page, "compare-chart")
    assert len(traces(page, "compare-chart")) == 3
    assert query(page)["f"] == ["relu", "elu(alpha:2)", "softsign"]
    redrawn(page, "compare-chart")
    page.get_by_label("f(x)", exact=True).check()
    wait_ready(page, "compare-chart")
    assert "view" not in query(page)
    expect(page.locator("#props-table")).to_contain_text("C0")  # ELU at alpha = 2
    assert_clean(page)


def test_a_bad_parameter_in_the_link_is_reported_next_to_it(page: Page) -> None:
    open_page(page, "/compare?f=relu&f=elu(alpha:9)", "compare-chart")
    error = page.locator("#fn1-param-alpha-error")
    expect(error).to_be_visible()
    expect(error).to_have_text("alpha must be at most 5")  # checked before sending
    assert [t["name"] for t in traces(page, "compare-chart")] == ["ReLU"]


def test_a_slider_view_reloads_the_same_in_a_fresh_browser(page: Page, browser: Browser) -> None:
    open_page(page, "/compare?f=relu&f=elu", "compare-chart", "multiples-chart")
    redrawn(page, "compare-chart")
    page.get_by_label("alpha slider").focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    wait_ready(page, "compare-chart")
    alpha = page.locator("#fn1-param-alpha").input_value()
    assert float(alpha) > 1
    page.wait_for_function(
        "(a) => document.getElementById('compare-chart').data[1].name === `ELU (alpha=${a})`",
        arg=alpha,
    )
    assert query(page)["f"] == ["relu", f"elu(alpha:{alpha})"]
    shown = traces(page, "compare-chart")
    panels = traces(page, "multiples-chart")
    slider = page.locator("#fn1-param-alpha-slider").input_value()
    fresh = browser.new_context(base_url=page.url.split("/compare")[0])
    try:
        other = fresh.new_page()
        other.problems = watch(other)  # type: ignore[attr-defined]
        open_page(other, page.url, "compare-chart", "multiples-chart")
        assert traces(other, "compare-chart") == shown
        assert traces(other, "multiples-chart") == panels
        assert other.locator("#fn1-param-alpha").input_value() == alpha
        assert other.locator("#fn1-param-alpha-slider").input_value() == slider
        assert other.locator("#fn1").input_value() == "elu"
        assert_clean(other)
    finally:
        fresh.close()
    assert_clean(page)
