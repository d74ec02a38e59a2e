"""Every page at 375 and 1280 px, light and dark: no horizontal scroll, themed charts, no errors."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import assert_clean, no_horizontal_scroll, open_page
from tests.browser.chart_geometry import CHART_PAGES, boxes, overlap

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


OUTSIDE_CARD = """(card) => [...card.querySelectorAll('input, select, button, label')]
  .filter(el => {
    const c = card.getBoundingClientRect(), r = el.getBoundingClientRect();
    return r.left < c.left - 0.5 || r.right > c.right + 0.5 || r.top < c.top - 0.5
        || r.bottom > c.bottom + 0.5;
}).map(el => el.id || el.outerHTML.slice(0, 60))"""

# Selects draw their arrow in their padding (app.css), so an option fits when its text is no
# wider than the content box; each option is measured as if it were the one selected.
CUT_OPTIONS = """() => {
    const ctx = document.createElement('canvas').getContext('2d');
    return [...document.querySelectorAll('select')].filter(s => s.offsetParent).flatMap(s => {
        const css = getComputedStyle(s);
        ctx.font = `${css.fontWeight} ${css.fontSize} ${css.fontFamily}`;
        const room = s.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
        return [...s.options].filter(o => ctx.measureText(o.text).width > room)
            .map(o => `${s.id}: ${o.text}`);
    });
}"""


def test_compare_cards_hold_their_controls_at_desktop_width(page: Page) -> None:
    open_page(page, "/compare?f=relu&f=elu(alpha:2)&f=gelu&f=softplus", "compare-chart")
    cards = page.locator(".fn-item")
    expect(cards).to_have_count(4)
    for i in range(4):
        assert cards.nth(i).evaluate(OUTSIDE_CARD) == [], f"function {i + 1}"
    assert page.locator(".controls").evaluate(OUTSIDE_CARD) == []
    assert_clean(page)


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", CHART_PAGES)
def test_no_option_label_is_cut_off(page: Page, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, path, *CHART_PAGES[path])
    assert page.evaluate(CUT_OPTIONS) == []
    assert_clean(page)


@pytest.mark.parametrize("path", CHART_PAGES)
def test_the_chart_toolbar_keeps_off_the_data_at_phone_width(page: Page, path: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    open_page(page, path, *CHART_PAGES[path])
    for chart in CHART_PAGES[path]:
        page.locator(f"#{chart}").scroll_into_view_if_needed()
        page.locator(f"#{chart} .nsewdrag").first.hover()  # a tap on a phone
        bar = page.locator(f"#{chart} .modebar")
        expect(bar).to_be_visible()
        page.wait_for_function(
            "(id) => getComputedStyle(document.querySelector(`#${id} .modebar-group`))"
            ".opacity === '1'",
            arg=chart,
        )
        toolbar = boxes(page, f"#{chart} .modebar")[0]
        # Plot areas (one per panel), panel titles, colour bars: the data and its labels.
        covered = boxes(page, f"#{chart} .nsewdrag, #{chart} .annotation, #{chart} .colorbar")
        assert covered, chart
        assert [box for box in covered if overlap(toolbar, box)] == [], chart
    assert_clean(page)
