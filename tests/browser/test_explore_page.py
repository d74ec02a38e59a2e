"""Explore in a real browser: the curve draws, sliders move it, the URL holds the view."""

import json
from pathlib import Path

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


def test_explore_draws_f_and_both_derivatives_without_errors(page: Page) -> None:
    open_page(page, "/", "curve-chart")
    drawn = traces(page, "curve-chart")
    assert [t["name"] for t in drawn] == ["f(x)", "f′(x)", "f″(x)"]
    x = drawn[0]["x"]
    assert isinstance(x, list) and len(x) == 601 and x[0] == -6 and x[-1] == 6
    assert page.locator("#card math").count() == 2
    shapes = page.evaluate("() => document.getElementById('curve-chart').layout.shapes")
    assert shapes and shapes[0]["name"].startswith("|f′| < 0.01")  # GELU vanishes for x < -3
    assert_clean(page)


def test_a_slider_moves_the_curve_and_lands_in_the_url(page: Page) -> None:
    open_page(page, "/?fn=elu", "curve-chart")
    before = traces(page, "curve-chart")[0]["y"]
    redrawn(page, "curve-chart")
    slider = page.locator("#param-alpha-slider")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")  # keyboard-operable, like a drag
    wait_ready(page, "curve-chart")
    page.wait_for_function("() => document.getElementById('param-alpha').value !== '1'")
    alpha = float(page.locator("#param-alpha").input_value())
    assert alpha > 1
    page.wait_for_function(
        "(a) => { const y = document.getElementById('curve-chart').data[0].y;"
        " return Math.abs(y[0] - a * (Math.exp(-6) - 1)) < 1e-9; }",
        arg=alpha,
    )
    after = traces(page, "curve-chart")[0]["y"]
    assert after != before
    assert query(page)["alpha"] == [page.locator("#param-alpha").input_value()]
    expect(page.locator("#card")).to_contain_text("C0")  # ELU is C1 only at alpha = 1
    assert_clean(page)


def test_the_link_restores_the_view_and_back_goes_back(page: Page) -> None:
    open_page(page, "/?fn=softplus&beta=2&xmin=-3&xmax=4&show=f,df", "curve-chart")
    assert page.locator("#fn").input_value() == "softplus"
    assert page.locator("#param-beta").input_value() == "2"
    drawn = traces(page, "curve-chart")
    assert [t["name"] for t in drawn] == ["f(x)", "f′(x)"]
    assert drawn[0]["x"][0] == -3 and drawn[0]["x"][-1] == 4  # type: ignore[index]
    redrawn(page, "curve-chart")
    page.select_option("#fn", "tanh")
    wait_ready(page, "curve-chart")
    assert query(page)["fn"] == ["tanh"]
    expect(page.locator("#card h2")).to_have_text("Tanh")
    redrawn(page, "curve-chart")
    page.go_back()
    wait_ready(page, "curve-chart")
    assert page.locator("#fn").input_value() == "softplus"
    assert query(page)["beta"] == ["2"]
    assert_clean(page)


def test_toggling_a_derivative_removes_its_trace(page: Page) -> None:
    open_page(page, "/?fn=sigmoid", "curve-chart")
    redrawn(page, "curve-chart")
    page.get_by_label("f″(x)").uncheck()
    wait_ready(page, "curve-chart")
    assert [t["name"] for t in traces(page, "curve-chart")] == ["f(x)", "f′(x)"]
    assert query(page)["show"] == ["f,df"]
    assert_clean(page)


def test_an_api_error_shows_next_to_the_control_that_caused_it(page: Page) -> None:
    open_page(page, "/", "curve-chart")
    page.fill("#xmax", "-10")
    page.press("#xmax", "Enter")
    error = page.locator("#xmax-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("To must be greater than From (-6)")  # checked before sending
    assert page.locator("#xmax").get_attribute("aria-invalid") == "true"
    page.fill("#xmax", "5")
    page.press("#xmax", "Enter")
    expect(error).to_be_hidden()


def test_export_downloads_the_chart_data(page: Page) -> None:
    open_page(page, "/?fn=relu", "curve-chart")
    with page.expect_download() as csv_download:
        page.locator('[data-export="csv"][data-chart="curve-chart"]').click()
    assert csv_download.value.suggested_filename == "curve-chart.csv"
    lines = Path(csv_download.value.path()).read_text().splitlines()
    assert lines[0] == "trace,x,y"
    assert lines[1] == "f(x),-6,0"
    assert len(lines) == 1 + 3 * 601
    with page.expect_download() as json_download:
        page.locator('[data-export="json"][data-chart="curve-chart"]').click()
    data = json.loads(Path(json_download.value.path()).read_text())
    assert [t["name"] for t in data["traces"]] == ["f(x)", "f′(x)", "f″(x)"]
    assert_clean(page)


def test_exponential_overflow_is_a_gap_not_a_broken_chart(page: Page) -> None:
    open_page(page, "/?fn=exponential&xmin=700&xmax=720", "curve-chart")
    y = traces(page, "curve-chart")[0]["y"]
    assert isinstance(y, list)
    assert y[0] is not None and y[-1] is None
    assert_clean(page)


def test_the_chart_toolbar_exports_svg_and_png(page: Page) -> None:
    open_page(page, "/?fn=tanh", "curve-chart")
    page.hover("#curve-chart")
    with page.expect_download() as svg:
        page.locator('#curve-chart [data-title="Download as SVG"]').click()
    assert svg.value.suggested_filename == "curve-chart.svg"
    assert Path(svg.value.path()).read_text().startswith("<svg")
    with page.expect_download() as png:
        page.locator('#curve-chart [data-title="Download plot as a PNG"]').click()
    assert png.value.suggested_filename == "curve-chart.png"
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_clean(page)
