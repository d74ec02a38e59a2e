"""Every chart's toolbar: no share button, out of the Tab order, and every button works."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.browser_support import assert_clean, open_page, traces
from tests.browser.chart_geometry import CHART_PAGES

pytestmark = pytest.mark.browser

PAGES = {
    **CHART_PAGES,
    "/train?epochs=50": ["boundary-chart", "hidden-space-chart", "loss-chart", "accuracy-chart"],
}
TOOLBAR = [
    "Download plot as a PNG",
    "Zoom",
    "Pan",
    "Zoom in",
    "Zoom out",
    "Autoscale",
    "Reset axes",
    "Download as SVG",
]

TAB_WALK = """() => {
    const el = document.activeElement;
    return {id: el.id, tag: el.tagName, text: (el.textContent || '').trim().slice(0, 30),
            modebar: Boolean(el.closest('.modebar')), inMain: Boolean(el.closest('main'))};
}"""


@pytest.mark.parametrize("path", PAGES)
def test_no_toolbar_offers_to_share_the_chart(page: Page, path: str) -> None:
    open_page(page, path, *PAGES[path])
    for chart in PAGES[path]:
        titles = page.locator(f"#{chart} .modebar-btn").evaluate_all(
            "buttons => buttons.map(b => b.getAttribute('data-title'))"
        )
        assert titles == TOOLBAR, chart  # no "Share chart...", no selection tools
    assert_clean(page)


@pytest.mark.parametrize("path", PAGES)
def test_tab_stops_skip_every_chart_toolbar(page: Page, path: str) -> None:
    open_page(page, path, *PAGES[path])
    page.locator("body").focus()
    stops: list[dict[str, Any]] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        stop = page.evaluate(TAB_WALK)
        if stop["tag"] == "BODY" or (stops and stop == stops[0]):
            break  # round the page once
        stops.append(stop)
    assert stops and stops[0]["text"] == "Skip to content"
    assert [s for s in stops if s["modebar"]] == []
    exports = [s for s in stops if s["text"] in ("CSV", "JSON", "PNG", "SVG")]
    assert len(exports) == 4 * len(PAGES[path])  # each chart exports by keyboard instead
    assert page.locator(".modebar-btn").count() == 8 * len(PAGES[path])
    assert_clean(page)


def axis_ranges(page: Page, chart: str) -> list[list[float]]:
    ranges: list[list[float]] = page.evaluate(
        """(id) => { const full = document.getElementById(id)._fullLayout;
            return Object.keys(full).filter(k => /^[xy]axis\\d*$/.test(k)).sort()
                .map(k => [...full[k].range]); }""",
        chart,
    )
    return ranges


def flat(ranges: list[list[float]]) -> list[float]:
    return [end for pair in ranges for end in pair]


def press(page: Page, chart: str, title: str) -> None:
    page.locator(f"#{chart} .nsewdrag").first.hover()
    page.locator(f'#{chart} .modebar-btn[data-title="{title}"]').click()


@pytest.mark.parametrize("path", [p for p in PAGES if not p.startswith("/train")])
def test_every_toolbar_button_works(page: Page, path: str) -> None:
    open_page(page, path, *PAGES[path])
    for chart in PAGES[path]:
        page.locator(f"#{chart}").scroll_into_view_if_needed()
        data = traces(page, chart)
        start = axis_ranges(page, chart)
        for title, suffix, magic in [
            ("Download plot as a PNG", "png", b"\x89PNG\r\n\x1a\n"),
            ("Download as SVG", "svg", b"<svg"),
        ]:
            with page.expect_download() as download:
                press(page, chart, title)
            assert download.value.suggested_filename == f"{chart}.{suffix}"
            assert Path(download.value.path()).read_bytes().startswith(magic)
        for mode, title in [("pan", "Pan"), ("zoom", "Zoom")]:
            press(page, chart, title)
            dragmode = page.evaluate(
                "(id) => document.getElementById(id)._fullLayout.dragmode", chart
            )
            assert dragmode == mode, (chart, title)
        press(page, chart, "Zoom in")
        zoomed = axis_ranges(page, chart)
        for (lo, hi), (zlo, zhi) in zip(start, zoomed, strict=True):
            assert abs(zhi - zlo) < abs(hi - lo), (chart, "zoom in")  # every axis narrows
        press(page, chart, "Zoom out")
        press(page, chart, "Zoom out")
        wider = axis_ranges(page, chart)
        assert all(abs(b - a) > abs(d - c) for (a, b), (c, d) in zip(wider, zoomed, strict=True))
        press(page, chart, "Reset axes")
        assert flat(axis_ranges(page, chart)) == pytest.approx(flat(start))
        press(page, chart, "Zoom in")
        press(page, chart, "Autoscale")  # every axis back to fitting its data
        autoranged = page.evaluate(
            """(id) => { const full = document.getElementById(id)._fullLayout;
                return Object.keys(full).filter(k => /^[xy]axis\\d*$/.test(k))
                    .map(k => full[k].autorange); }""",
            chart,
        )
        assert autoranged and all(autoranged), chart
        assert all(hi != lo for lo, hi in axis_ranges(page, chart))
        press(page, chart, "Reset axes")
        assert flat(axis_ranges(page, chart)) == pytest.approx(flat(start))
        assert traces(page, chart) == data  # the data never changed
        assert page.locator(f"#{chart} .modebar-btn[tabindex='-1']").count() == len(TOOLBAR)
    assert_clean(page)
