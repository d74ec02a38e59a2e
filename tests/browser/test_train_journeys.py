"""A learner's journeys on Train (issue 7): the chart toolbars, clicks that land where they are,
an error after a success, identity against tanh, extra features, three classes, rapid changes."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.browser_support import (
    assert_clean,
    listen,
    open_page,
    query,
    redrawn,
    traces,
    wait_ready,
)

pytestmark = pytest.mark.browser

FAST = "/train?act=relu&opt=adam&lr=0.05&epochs=300&seed=3"
SOLVED = "/train?epochs=500"  # tanh on XOR: solved from epoch 99 on


def settled(page: Page) -> None:
    """Wait until no change is pending and no run in flight, and the charts are drawn."""
    page.wait_for_selector("#results[aria-busy=false]", state="attached")
    wait_ready(page, "boundary-chart", "loss-chart", "accuracy-chart")
    expect(page.locator("#train-progress")).to_be_hidden()


def count_runs(page: Page) -> Callable[[], int]:
    """Count the training requests the page starts from now on."""
    started: list[str] = []

    def on_request(request: Request) -> None:
        if request.url.endswith("/api/train/stream"):
            started.append(request.url)

    listen(page, "request", on_request)
    return lambda: len(started)


def point_count(page: Page) -> int:
    return sum(
        len(t["x"])  # type: ignore[arg-type,misc]
        for t in traces(page, "boundary-chart")
        if str(t["name"]).startswith(("train class", "test class"))
    )


def tick_labels(page: Page, chart_id: str, axis: str = "y") -> list[str]:
    labels: list[str] = page.locator(f"#{chart_id} .{axis}tick text").evaluate_all(
        "(ticks) => ticks.map((t) => t.textContent).filter((t) => t.trim() !== '')"
    )
    return labels


def drawn_at(page: Page, x: float, y: float) -> list[float]:
    """Where on screen the data marker at (x, y) is drawn: the centre of its SVG path."""
    centre: list[float] = page.evaluate(
        """([x, y]) => {
            const gd = document.getElementById('boundary-chart');
            const scatter = gd.data.filter((t) => t.type === 'scatter');
            const groups = gd.querySelectorAll('.scatterlayer .trace');
            for (let k = 0; k < scatter.length; k += 1) {
                const i = scatter[k].x.findIndex((v, j) => v === x && scatter[k].y[j] === y);
                if (i < 0) continue;
                const r = groups[k].querySelectorAll('path.point')[i].getBoundingClientRect();
                return [r.x + r.width / 2, r.y + r.height / 2];
            }
            return null;
        }""",
        [x, y],
    )
    return centre


def pixel_of(page: Page, x: float, y: float) -> list[float]:
    """The viewport pixel of data coordinates (x, y), from the chart's own axis mapping."""
    pixel: list[float] = page.evaluate(
        """([x, y]) => {
            const gd = document.getElementById('boundary-chart');
            const { xaxis, yaxis } = gd._fullLayout;
            const box = gd.getBoundingClientRect();
            return [box.left + xaxis._offset + xaxis.l2p(x),
                box.top + yaxis._offset + yaxis.l2p(y)];
        }""",
        [x, y],
    )
    return pixel


def axis_spans(page: Page) -> list[float]:
    spans: list[float] = page.evaluate(
        """() => { const { xaxis, yaxis } = document.getElementById('boundary-chart')._fullLayout;
            return [xaxis.range[1] - xaxis.range[0], yaxis.range[1] - yaxis.range[0]]; }"""
    )
    return spans


def last_point(page: Page) -> list[float]:
    return [float(v) for v in query(page)["pts"][0].split(",")[-1].split("_")]


def test_no_toolbar_button_or_drag_adds_a_point_or_retrains(page: Page) -> None:
    open_page(page, FAST, "boundary-chart", "loss-chart", "accuracy-chart")
    settled(page)
    runs = count_runs(page)
    url = page.url
    points = point_count(page)
    clicked = []
    for chart in ("boundary-chart", "loss-chart", "accuracy-chart"):
        buttons = page.locator(f"#{chart} .modebar-btn")
        assert buttons.count() >= 5, chart  # camera, SVG, zoom, pan, reset ...
        for i in range(buttons.count()):
            button = buttons.nth(i)
            name = button.get_attribute("data-title")
            page.locator(f"#{chart}").hover()
            if name and "Download" in name:
                with page.expect_download():
                    button.click()
            else:
                button.click()
            dialog = page.locator(".plotly-cloud-dialog")
            if dialog.count():  # Plotly's "Share chart...": a person cancels the upload
                dialog.get_by_role("button", name="Cancel").click()
                expect(dialog).to_have_count(0)
            clicked.append(f"{chart}: {name}")
            assert page.url == url, clicked
            assert page.locator("#dataset").input_value() == "xor", clicked
            assert runs() == 0, clicked
    assert any("download plot as a png" in c.lower() for c in clicked), clicked
    assert point_count(page) == points
    # A zoom drag and a pan drag across the plane add no point either.
    x_range = "() => document.getElementById('boundary-chart')._fullLayout.xaxis.range.join()"
    for mode in ("Zoom", "Pan"):
        before = page.evaluate(x_range)
        page.locator("#boundary-chart").hover()
        page.locator(f"#boundary-chart .modebar-btn[data-title='{mode}']").click()
        area = page.locator("#boundary-chart .nsewdrag").bounding_box()
        assert area is not None
        page.mouse.move(area["x"] + area["width"] * 0.3, area["y"] + area["height"] * 0.3)
        page.mouse.down()
        page.mouse.move(area["x"] + area["width"] * 0.6, area["y"] + area["height"] * 0.6, steps=6)
        page.mouse.up()
        assert page.evaluate(x_range) != before, mode  # the drag zoomed or panned the plane
        assert page.url == url, mode
        assert runs() == 0, mode
    assert point_count(page) == points
    assert "pts" not in query(page) and "ds" not in query(page)
    assert_clean(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_click_on_the_plane_lands_where_the_pointer_is(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, FAST, "boundary-chart")
    settled(page)
    page.locator("#boundary-chart").scroll_into_view_if_needed()
    # On the data point (0, 1) as it is drawn, class 1.
    page.get_by_label("class 1 (●)").check()
    x, y = drawn_at(page, 0, 1)
    assert [round(v) for v in pixel_of(page, 0, 1)] == [round(x), round(y)]
    span_x, span_y = axis_spans(page)
    redrawn(page, "boundary-chart")
    page.mouse.click(x, y)
    expect(page.locator("#dataset")).to_have_value("points")
    x1, x2, label = last_point(page)
    assert abs(x1 - 0) < 0.01 * span_x and abs(x2 - 1) < 0.01 * span_y, (x1, x2)
    assert label == 1
    settled(page)
    # A coordinate with no marker, from the axis mapping of the plane as it is now, class 0.
    page.get_by_label("class 0 (✕)").check()
    page.locator("#boundary-chart").scroll_into_view_if_needed()
    x, y = pixel_of(page, 0.5, 0.25)
    span_x, span_y = axis_spans(page)
    redrawn(page, "boundary-chart")
    page.mouse.click(x, y)
    x1, x2, label = last_point(page)
    assert abs(x1 - 0.5) < 0.01 * span_x and abs(x2 - 0.25) < 0.01 * span_y, (x1, x2)
    assert label == 0
    settled(page)
    assert len(query(page)["pts"][0].split(",")) == 6
    assert len(tick_labels(page, "loss-chart")) >= 3
    assert_clean(page)


def test_an_error_after_a_success_marks_the_old_results_out_of_date(page: Page) -> None:
    open_page(page, SOLVED, "boundary-chart")
    settled(page)
    outcome = page.locator("#outcome")
    expect(outcome).to_contain_text("Solved")
    stale = page.locator("#stale")
    expect(stale).to_be_hidden()
    rate = page.get_by_label("Learning rate")
    rate.fill("1e9")
    rate.press("Enter")
    settled(page)
    expect(stale).to_be_visible()
    expect(stale).to_contain_text("Out of date")
    expect(outcome).to_be_hidden()
    expect(page.get_by_text("Solved:")).to_be_hidden()
    expect(page.locator("#learning_rate-error")).to_contain_text("10")
    opacity = page.locator("#boundary-chart").evaluate(
        "(chart) => getComputedStyle(chart.closest('figure')).opacity"
    )
    assert float(opacity) < 0.5
    page.set_viewport_size({"width": 375, "height": 800})  # the message is far above the charts
    stale.get_by_role("button", name="Go to the message").click()
    expect(rate).to_be_focused()
    expect(page.locator("#learning_rate-error")).to_be_in_viewport()
    page.set_viewport_size({"width": 1280, "height": 900})
    rate.fill("0.1")
    rate.press("Enter")
    settled(page)
    expect(stale).to_be_hidden()
    expect(outcome).to_contain_text("Solved")
    expect(page.locator("#results")).not_to_have_class(re.compile("stale"))
    # The page refuses 1e9 in its own units before sending: no request, so no 422 either.
    assert_clean(page)


def test_a_run_that_diverges_after_a_success_says_so_and_not_solved(page: Page) -> None:
    open_page(page, "/train?act=leaky_relu&layers=8,8,8&epochs=300", "boundary-chart")
    settled(page)
    expect(page.locator("#outcome")).to_contain_text("Solved")
    rate = page.get_by_label("Learning rate")
    rate.fill("10")
    rate.press("Enter")
    settled(page)
    expect(page.locator("#outcome")).to_contain_text("diverged at epoch 9")
    expect(page.locator("#outcome")).not_to_contain_text("Solved")
    expect(page.locator("#outcome")).not_to_have_class(re.compile(r"\bok\b"))
    settled(page)
    assert_clean(page)


def contour_deviation(page: Page) -> float:
    """Largest distance (px) of the p = 0.5 line's path from the chord between its ends."""
    deviation: float = page.evaluate(
        """() => {
            const line = document.querySelector('#boundary-chart .contourlines path');
            const d = line.getAttribute('d');
            const n = d.match(/-?\\d+(\\.\\d+)?/g).map(Number);
            const p = [];
            for (let i = 0; i + 1 < n.length; i += 2) p.push([n[i], n[i + 1]]);
            const [a, b] = [p[0], p[p.length - 1]];
            const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
            return Math.max(...p.map(([x, y]) =>
                Math.abs((b[0] - a[0]) * (a[1] - y) - (a[0] - x) * (b[1] - a[1])) / length));
        }"""
    )
    return deviation


def test_identity_cannot_separate_xor_and_tanh_can(page: Page) -> None:
    open_page(page, "/train?act=identity", "boundary-chart", "loss-chart")
    settled(page)
    expect(page.locator("#outcome")).to_contain_text("Not solved")
    note = page.locator("#boundary-chart .annotation-text")
    expect(note).to_contain_text("p ≈ 0.50 everywhere")
    expect(note).to_contain_text("cannot separate XOR")
    assert "contour" not in [t["type"] for t in traces(page, "boundary-chart")]
    # The loss spans less than a decade (0.708 to 0.693): still three labelled ticks.
    assert len(tick_labels(page, "loss-chart")) >= 3
    # Early on, the linear model's p = 0.5 line is a straight line, not a staircase.
    page.get_by_role("button", name="Reset to the first snapshot").click()
    page.get_by_role("button", name="Step forward").click()
    expect(page.locator("#frame-label")).to_contain_text("epoch 41")
    expect(page.locator("#boundary-chart .contourlines path")).to_have_count(1)
    assert contour_deviation(page) < 3
    expect(note).to_have_count(0)

    redrawn(page, "boundary-chart")
    page.get_by_label("Hidden activation").select_option(label="Tanh")
    settled(page)  # the run is in; its animation plays to the last snapshot
    page.wait_for_function("() => document.getElementById('play').textContent === '▶'")
    expect(page.locator("#outcome")).to_contain_text("Solved")
    expect(page.locator("#boundary-chart .annotation-text")).to_have_count(0)
    surface = page.evaluate(
        """() => document.getElementById('boundary-chart').data
            .filter((t) => ['heatmap', 'contour'].includes(t.type))
            .map(({type, name, zsmooth, contours, line}) => ({type, name,
                zsmooth: zsmooth ?? false, start: contours?.start ?? null,
                end: contours?.end ?? null, smoothing: line?.smoothing ?? null}))"""
    )
    heatmap = {"type": "heatmap", "name": "p(class 1)", "zsmooth": "best"}
    contour = {"type": "contour", "name": "p = 0.5", "zsmooth": False}
    assert surface == [
        {**heatmap, "start": None, "end": None, "smoothing": None},
        {**contour, "start": 0.5, "end": 0.5, "smoothing": 1.3},
    ]
    expect(page.locator("#boundary-chart .contourlines path")).not_to_have_count(0)
    assert_clean(page)


def test_spiral_with_extra_features_trains_and_draws_its_boundary(page: Page) -> None:
    open_page(page, "/train?ds=spiral&opt=adam&lr=0.03&layers=8,8&epochs=1000", "boundary-chart")
    settled(page)
    runs = count_runs(page)
    page.get_by_label("x1^2").focus()
    for key in ["Space", "Tab", "Space", "Tab", "Space", "Tab", "Space", "Tab", "Space"]:
        page.keyboard.press(key)
    settled(page)
    expect(page.locator("#network .unit")).to_have_count(7 + 8 + 8 + 1)
    assert query(page)["feats"] == ["x1,x2,x1_squared,x2_squared,x1_x2,sin_x1,sin_x2"]
    assert runs() == 1
    inputs = page.locator("#network .unit").evaluate_all(
        "(units) => units.slice(0, 7).map((u) => u.getAttribute('aria-label'))"
    )
    assert inputs == ["x1", "x2", "x1^2", "x2^2", "x1 * x2", "sin(x1)", "sin(x2)"]
    expect(page.locator("#outcome")).to_contain_text("Solved")
    expect(page.locator("#outcome")).to_contain_text("test accuracy")
    expect(page.locator("#boundary-chart .contourlines path")).not_to_have_count(0)
    names = [t["name"] for t in traces(page, "boundary-chart")]
    assert names[:2] == ["p(class 1)", "p = 0.5"]
    assert len(tick_labels(page, "loss-chart")) >= 3
    assert_clean(page)


def test_three_classes_get_a_colour_a_legend_entry_and_a_picker_each(page: Page) -> None:
    open_page(page, "/train?ds=spiral3&opt=adam&lr=0.03&layers=8,8&epochs=300", "boundary-chart")
    settled(page)
    picker = page.get_by_role("radiogroup", name="Click the plane to add")
    expect(picker.get_by_role("radio")).to_have_count(3)
    for k, glyph in enumerate("✕●▲"):
        expect(picker.get_by_label(f"class {k} ({glyph})")).to_be_visible()
    legend = page.locator("#boundary-chart .legend .traces").evaluate_all(
        "(entries) => entries.map((e) => e.textContent.trim())"
    )
    assert legend == [f"{s} class {k}" for s in ("train", "test") for k in range(3)]
    colours = page.evaluate(
        """() => document.getElementById('boundary-chart').data
            .filter((t) => t.name.startsWith('train class')).map((t) => t.marker.color)"""
    )
    assert len(set(colours)) == 3
    expect(
        page.locator("#boundary-chart").locator("xpath=..").locator(".chart-note")
    ).to_contain_text("the 3 classes")
    expect(page.locator("#loss")).to_be_disabled()
    expect(page.locator("#loss-hint")).to_contain_text("3 classes: a softmax output")
    expect(page.locator("#csv-file-hint")).to_contain_text("0 to 9")
    assert len(tick_labels(page, "loss-chart")) >= 3
    # A point of class 2, clicked: the data become your own points, still three classes.
    picker.get_by_label("class 2 (▲)").check()
    page.locator("#boundary-chart").scroll_into_view_if_needed()
    x, y = pixel_of(page, 1.0, 1.0)
    redrawn(page, "boundary-chart")
    page.mouse.click(x, y)
    expect(page.locator("#dataset")).to_have_value("points")
    assert last_point(page)[2] == 2
    settled(page)
    expect(page.locator("#network .unit")).to_have_count(2 + 8 + 8 + 3)
    expect(picker.get_by_role("radio")).to_have_count(4)
    expect(picker.get_by_label("class 3 (■, new)")).to_be_visible()
    expect(picker.get_by_label("class 2 (▲)")).to_be_checked()
    assert_clean(page)


def test_fields_fixed_by_the_data_look_disabled_and_say_why(page: Page) -> None:
    open_page(page, "/train", "boundary-chart")
    settled(page)
    hint = page.locator("#generated-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("fixed for the 4-point truth table")
    expect(hint).to_contain_text("Quadrants (noisy XOR)")
    style = "(el) => [getComputedStyle(el).opacity, getComputedStyle(el).borderStyle]"
    for label in ("Points", "Noise %", "Train %", "Data seed"):
        field = page.get_by_label(label, exact=True)
        expect(field).to_be_disabled()
        assert field.evaluate(style) == ["0.55", "dashed"], label
    assert page.get_by_label("Epochs").evaluate(style) == ["1", "solid"]
    page.get_by_label("Dataset").select_option(label="Quadrants (noisy XOR)")
    expect(hint).to_be_hidden()
    for label in ("Points", "Noise %", "Train %", "Data seed"):
        field = page.get_by_label(label, exact=True)
        expect(field).to_be_enabled()
        assert field.evaluate(style) == ["1", "solid"], label
    settled(page)
    assert_clean(page)


def test_rapid_changes_make_one_run_and_one_history_entry(page: Page) -> None:
    open_page(page, FAST, "boundary-chart")
    settled(page)
    runs = count_runs(page)
    page.get_by_role("button", name="More units in layer 1").focus()
    for _ in range(8):
        page.keyboard.press("Enter")
    expect(page.locator("#layers")).to_contain_text("Layer 1: 12 units")
    page.get_by_label("Hidden activation").focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    chosen = page.get_by_label("Hidden activation").input_value()
    assert chosen != "relu"
    settled(page)
    expect(page.locator("#network .unit")).to_have_count(2 + 12 + 1)
    assert runs() == 1
    assert query(page)["layers"] == ["12"] and query(page)["act"] == [chosen]
    page.go_back()
    expect(page.locator("#layers")).to_contain_text("Layer 1: 4 units")
    assert query(page)["act"] == ["relu"]
    settled(page)
    assert_clean(page)


@pytest.mark.parametrize("epochs", [1, 3])
def test_the_curves_of_the_shortest_runs_have_readable_ticks(page: Page, epochs: int) -> None:
    open_page(page, f"/train?epochs={epochs}", "loss-chart", "accuracy-chart")
    settled(page)
    for chart in ("loss-chart", "accuracy-chart"):
        assert len(tick_labels(page, chart, "y")) >= 3, chart
        epochs_shown = tick_labels(page, chart, "x")
        assert epochs_shown == [str(e) for e in range(epochs + 1)], chart  # whole epochs only
    if epochs == 1:  # one recorded epoch: a marker, not an invisible one-point line
        expect(page.locator("#loss-chart .scatterlayer .point")).not_to_have_count(0)
    assert_clean(page)
