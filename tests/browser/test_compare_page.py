"""Compare in a real browser: overlay, small multiples, properties table, per-function params."""

import pytest
from browser_support import assert_clean, open_page, query, redrawn, traces, wait_ready
from playwright.sync_api import Page, expect

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
