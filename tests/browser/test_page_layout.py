"""Every page at 375 and 1280 px, light and dark: no horizontal scroll, themed charts, no errors."""

import pytest
from browser_support import assert_clean, no_horizontal_scroll, open_page
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PAGES = {
    "/": "curve-chart",
    "/compare": "multiples-chart",
    "/train": "boundary-chart",
    "/sweep?seeds=4&epochs=200": "success-chart",
    "/gradients?depth=6&width=16": "gradflow-chart",
    "/softmax": "jacobian-chart",
}


@pytest.mark.parametrize("path", PAGES)
def test_phone_width_in_dark_mode(page: Page, path: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.emulate_media(color_scheme="dark")
    open_page(page, path, PAGES[path])
    assert no_horizontal_scroll(page)
    font = page.evaluate(f"() => document.getElementById('{PAGES[path]}')._fullLayout.font.color")
    assert font == "#e6e9f0"  # the dark theme's text colour reached the chart
    assert_clean(page)


def test_desktop_width_keeps_controls_beside_charts(page: Page) -> None:
    open_page(page, "/", "curve-chart")
    assert no_horizontal_scroll(page)
    controls = page.locator(".controls").bounding_box()
    chart = page.locator("#curve-chart").bounding_box()
    assert controls and chart and controls["x"] + controls["width"] <= chart["x"]
    font = page.evaluate("() => document.getElementById('curve-chart')._fullLayout.font.color")
    assert font == "#1b1f2a"


def test_every_control_is_reachable_by_keyboard_and_labelled(page: Page) -> None:
    open_page(page, "/train", "boundary-chart")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, button, textarea')]
            .filter(el => el.type !== 'file' || el.labels.length === 0)
            .filter(el => !(el.labels?.length || el.getAttribute('aria-label') ||
                            el.getAttribute('aria-labelledby') || el.textContent.trim()))
            .map(el => el.id || el.outerHTML.slice(0, 60))"""
    )
    assert unlabelled == []
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    for _ in range(10):
        page.keyboard.press("Tab")
    focused = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert focused == "solid"  # focus is visible
    units = page.locator("#network .unit")
    units.nth(3).focus()
    assert "incoming" in page.locator("#network-focus").inner_text()
