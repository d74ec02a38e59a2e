"""Regression on the Train page (issue 9): pick the Playground's reg-gauss through the UI, train,
and see the output on a continuous colour map with its colour bar, the points coloured by their
targets, and R^2 beside the loss."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import assert_clean, open_page, traces, wait_ready
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def settled(page: Page) -> None:
    page.wait_for_selector("#results[aria-busy=false]", state="attached")
    wait_ready(page, "boundary-chart", "loss-chart", "accuracy-chart")
    expect(page.locator("#train-progress")).to_be_hidden()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_learner_trains_reg_gauss_and_sees_the_colour_map_and_r2(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, "/train?epochs=300", "boundary-chart")
    settled(page)
    page.get_by_label("Dataset").select_option(label="Multi Gaussian (regression)")
    # the data fixes the head: the loss shows MSE, disabled, with the reason beside it
    expect(page.locator("#loss")).to_be_disabled()
    expect(page.locator("#loss")).to_have_value("mse")
    expect(page.locator("#loss-hint")).to_contain_text("one linear unit trained with MSE")
    expect(page.locator("#click-classes-row")).to_be_hidden()
    page.wait_for_url(re.compile(r"ds=reg-gauss"))
    settled(page)
    page.get_by_role("button", name="Train", exact=True).click()
    settled(page)

    drawn = traces(page, "boundary-chart")
    heatmap = next(t for t in drawn if t["type"] == "heatmap")
    assert heatmap["name"] == "output"
    values = [v for row in heatmap["z"] for v in row]  # type: ignore[attr-defined]
    assert min(values) < -0.3 and max(values) > 0.3  # the bumps of both signs are there
    colourbar = page.locator("#boundary-chart .colorbar")
    expect(colourbar).to_have_count(1)
    expect(colourbar.locator(".cbtitle")).to_have_text("output")
    # every point coloured by its target, on the output's scale
    points = page.evaluate(
        """() => document.getElementById('boundary-chart').data
             .filter((t) => t.type === 'scatter')
             .map((t) => ({name: t.name, color: t.marker.color, target: t.customdata,
                           cmin: t.marker.cmin, cmax: t.marker.cmax}))"""
    )
    assert [p["name"] for p in points] == ["training points", "test points"]
    for p in points:
        assert p["color"] == p["target"] and (p["cmin"], p["cmax"]) == (-1, 1)
        assert len(p["color"]) == 250 and any(abs(v) > 0.5 for v in p["color"])
    # R^2 beside the loss: the chart and the outcome
    expect(page.locator("#accuracy-chart-title")).to_have_text("R²")
    r2 = traces(page, "accuracy-chart")
    assert [t["name"] for t in r2] == ["train R²", "test R²"]
    final = r2[0]["y"][-1]  # type: ignore[index]
    assert 0.0 < final < 1.0
    expect(page.locator("#outcome")).to_contain_text(re.compile(r"R² 0\.\d{3}"))
    expect(page.locator("#outcome")).to_contain_text("test R²")
    expect(page.locator("#accuracy-chart .ytick").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"train-regression-{width}.png", full_page=True)
    assert_clean(page)


def test_a_regression_sweep_shows_r2_bands_and_its_success_criterion(page: Page) -> None:
    open_page(
        page,
        "/sweep?acts=tanh,relu&seeds=6&epochs=200&opt=adam&lr=0.01&layers=8,8",
        "loss-bands-chart",
    )
    expect(page.locator("#r2-bands")).to_be_hidden()
    page.evaluate("document.getElementById('loss-bands-chart').dataset.state = 'stale'")
    page.get_by_label("Dataset").select_option(label="Plane (regression)")
    wait_ready(page, "success-chart", "converge-chart", "loss-bands-chart", "r2-bands-chart")
    expect(page.locator("#r2-bands")).to_be_visible()
    expect(page.locator("#success-chart-title")).to_have_text(
        "Success rate (training R² reached 0.95)"
    )
    medians = [t for t in traces(page, "r2-bands-chart") if t["name"] in ("Tanh", "ReLU")]
    assert len(medians) == 2
    for median in medians:
        last = median["y"][-1]  # type: ignore[index]
        assert 0.9 < last <= 1.0  # reg-plane is learned by both
    page.screenshot(path=ARTIFACTS / "sweep-regression-1280.png", full_page=True)
    assert_clean(page)
