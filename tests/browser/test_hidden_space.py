"""The hidden-space view on the Train page (issue 9, section 4): the points in a hidden layer's
coordinates with the output's straight boundary there, following the player and live frames."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import assert_clean, query, redrawn, wait_ready

pytestmark = pytest.mark.browser

CHART = "hidden-space-chart"
SHOTS = Path("/tmp/V")

Trace = dict[str, object]


def settled(page: Page) -> None:
    """The run is in and drawn, and the player has stopped."""
    page.wait_for_selector("#results[aria-busy=false]", state="attached")
    wait_ready(page, "boundary-chart", CHART)
    expect(page.locator("#train-progress")).to_be_hidden()
    page.wait_for_function("() => document.getElementById('play').textContent === '▶'")


def space(page: Page) -> list[Trace]:
    """The hidden-space chart's traces as Plotly holds them (what is drawn)."""
    data: list[Trace] = page.evaluate(
        """(id) => document.getElementById(id).data.map(
            ({name, type, mode, x, y, z, marker}) =>
              ({name, type, mode, x, y, z, color: marker && marker.color}))""",
        CHART,
    )
    return data


def points(traces: list[Trace], name: str) -> list[tuple[float, float]]:
    (trace,) = [t for t in traces if t["name"] == name]
    return list(zip(trace["x"], trace["y"], strict=True))  # type: ignore[call-overload]


def line(traces: list[Trace]) -> list[tuple[float, float]]:
    (trace,) = [t for t in traces if t["mode"] == "lines"]
    return list(zip(trace["x"], trace["y"], strict=True))  # type: ignore[call-overload]


def sides(segment: list[tuple[float, float]], pts: list[tuple[float, float]]) -> set[bool]:
    """Which side of the drawn line each point is on (True: left of its direction)."""
    (x0, y0), (x1, y1) = segment
    return {(x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) > 0 for x, y in pts}


def separated(traces: list[Trace]) -> bool:
    """The drawn line puts each class wholly on its own side."""
    segment = line(traces)
    zero = sides(segment, points(traces, "train class 0"))
    one = sides(segment, points(traces, "train class 1"))
    return len(zero) == 1 and len(one) == 1 and zero != one


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def hidden_section(page: Page) -> None:
    page.locator(f"#{CHART}").scroll_into_view_if_needed()


def test_xor_two_tanh_units_start_inseparable_and_end_parted_by_the_drawn_line(
    page: Page,
) -> None:
    """tests/lab/nn/test_hidden_space.py's run: XOR, one layer of 2 tanh units, seed 0."""
    page.goto("/train")
    settled(page)
    for _ in range(2):
        page.get_by_role("button", name="Fewer units in layer 1").click()
    expect(page.locator("#layers")).to_contain_text("Layer 1: 2 units")
    settled(page)
    expect(page.locator("#outcome")).to_contain_text("Solved")
    expect(page.locator("#hidden-layer")).to_have_value("0")
    expect(page.locator("#hidden-layer option")).to_have_text(["Layer 1 (2 units)"])
    redrawn(page, CHART)
    page.get_by_role("button", name="Reset to the first snapshot").click()
    wait_ready(page, CHART)
    expect(page.locator("#frame-label")).to_contain_text("epoch 0 ")
    first = space(page)
    assert [t["name"] for t in first] == ["train class 0", "train class 1", "decision boundary"]
    assert not separated(first)
    # scrub to the last snapshot with the slider's own key
    redrawn(page, CHART)
    page.locator("#frame").focus()
    page.keyboard.press("End")
    wait_ready(page, CHART)
    expect(page.locator("#frame-label")).to_contain_text("epoch 2000")
    last = space(page)
    assert separated(last)
    assert points(last, "train class 0") != points(first, "train class 0")  # they moved
    layout = page.evaluate(f"() => document.getElementById('{CHART}').layout")
    assert layout["xaxis"]["title"]["text"] == "unit 1"
    assert layout["xaxis"]["range"][0] < -1 < 1 < layout["xaxis"]["range"][1]  # tanh's range
    hidden_section(page)
    shot(page, "xor-2-tanh-1280")
    assert_clean(page)


def test_the_layer_picker_changes_the_chart_and_the_link_and_back_restores_it(
    page: Page,
) -> None:
    page.goto("/train")
    settled(page)
    page.get_by_role("button", name="Add a hidden layer").click()
    expect(page.locator("#network .unit")).to_have_count(2 + 4 + 4 + 1)
    settled(page)
    last = space(page)
    assert any(t["mode"] == "lines" for t in last)  # the output's boundary, in the last layer
    redrawn(page, CHART)
    page.get_by_label("Layer shown").select_option(label="Layer 1 (4 units)")
    wait_ready(page, CHART)
    assert query(page)["hl"] == ["1"]
    first = space(page)
    assert first != last
    assert not any(t["mode"] == "lines" for t in first)  # no straight boundary before the last
    expect(page.locator(f"#{CHART}").locator("xpath=..").locator(".chart-note")).to_contain_text(
        "still non-linear"
    )
    link = page.url
    other = page.context.new_page()
    other.goto(link)
    settled(other)
    expect(other.locator("#hidden-layer")).to_have_value("1")
    assert space(other) == first
    other.close()
    redrawn(page, CHART)
    page.go_back()
    settled(page)
    expect(page.locator("#hidden-layer")).to_have_value("0")
    assert "hl" not in query(page)
    assert space(page) == last
    assert_clean(page)


def test_the_toolbar_exports_the_views_as_json_and_the_drawn_points_as_csv(page: Page) -> None:
    page.goto("/train?layers=3")
    settled(page)
    exports = page.get_by_role("group", name="Export Hidden space data")
    with page.expect_download() as download:
        exports.get_by_role("button", name="JSON").click()
    assert download.value.suggested_filename == f"{CHART}.json"
    saved = json.loads(Path(download.value.path()).read_text())
    assert saved["layer"] == 0 and len(saved["snapshots"]) == 50  # the API default
    assert saved["snapshots"][-1]["view"]["boundary"][0]["classes"] == [1, 0]
    with page.expect_download() as download:
        exports.get_by_role("button", name="CSV").press("Enter")
    header, *rows = Path(download.value.path()).read_text().splitlines()
    assert header == "trace,x,y,z"
    assert any(row.startswith("train class 1,") for row in rows)
    assert_clean(page)


def test_three_units_are_a_3d_view_and_four_a_labelled_pca_projection(page: Page) -> None:
    page.goto("/train")
    settled(page)
    layout = page.evaluate(f"() => document.getElementById('{CHART}').layout")
    assert re.fullmatch(r"PCA 1 \(\d+% of variance\)", layout["xaxis"]["title"]["text"])
    assert re.fullmatch(r"PCA 2 \(\d+% of variance\)", layout["yaxis"]["title"]["text"])
    note = page.locator(f"#{CHART}").locator("xpath=..").locator(".chart-note")
    expect(note).to_contain_text("projection onto its two principal components")
    expect(page.locator(f"#{CHART}")).to_contain_text("PCA projection of 4 units")
    hidden_section(page)
    shot(page, "pca-1280")
    page.get_by_role("button", name="Fewer units in layer 1").click()
    settled(page)
    traces = space(page)
    assert {t["type"] for t in traces} == {"scatter3d", "mesh3d"}
    camera = page.evaluate(f"() => document.getElementById('{CHART}').layout.scene.camera.eye")
    redrawn(page, CHART)
    page.get_by_role("button", name="Reset to the first snapshot").click()
    wait_ready(page, CHART)
    assert page.evaluate(f"() => document.getElementById('{CHART}').layout.scene.camera.eye") == (
        camera
    )
    assert space(page) != traces
    hidden_section(page)
    shot(page, "3d-1280")
    assert_clean(page)


def test_live_frames_move_the_points(page: Page) -> None:
    page.goto("/train?layers=2")
    settled(page)
    page.get_by_role("button", name="▶ Start live").click()
    page.wait_for_function(
        "() => performance.getEntriesByName('actlab:live-frame').length > 3", timeout=20_000
    )
    before = points(space(page), "train class 0")
    page.wait_for_function(
        "(n) => performance.getEntriesByName('actlab:live-frame').length > n",
        arg=page.evaluate("() => performance.getEntriesByName('actlab:live-frame').length") + 10,
        timeout=20_000,
    )
    after = points(space(page), "train class 0")
    page.get_by_role("button", name="Pause live").click()
    assert before != after
    assert any(t["mode"] == "lines" for t in space(page))
    assert_clean(page)


def test_regression_colours_by_the_networks_value_and_draws_no_boundary(page: Page) -> None:
    page.goto("/train")
    settled(page)
    page.get_by_label("Dataset").select_option("reg-gauss")
    expect(page.locator("#boundary-chart-title")).to_have_text("Network output")
    settled(page)
    traces = space(page)
    assert not any(t["mode"] == "lines" for t in traces)
    (train,) = [t for t in traces if t["name"] == "training points"]
    colours = train["color"]
    assert isinstance(colours, list) and all(isinstance(c, float | int) for c in colours)
    assert len(set(colours)) > 10  # the network's value at each point
    note = page.locator(f"#{CHART}").locator("xpath=..").locator(".chart-note")
    expect(note).to_contain_text("coloured by the network's output")
    assert_clean(page)


def test_a_lesson_hides_the_view_and_a_foreign_value_falls_back(page: Page) -> None:
    page.goto("/train?hidden_space_hide=1")
    page.wait_for_selector("#results[aria-busy=false]", state="attached")
    wait_ready(page, "boundary-chart")
    expect(page.locator(f"#{CHART}")).to_be_hidden()
    expect(page.locator("#hidden-layer")).to_be_hidden()
    page.goto("/train?hl=abc&fbclid=xyz")
    settled(page)
    expect(page.locator("#hidden-layer")).to_have_value("0")
    assert any(t["mode"] == "lines" for t in space(page))
    page.goto("/train?hl=7")  # a layer this network lacks: its last
    settled(page)
    expect(page.locator("#hidden-layer")).to_have_value("0")
    page.goto("/train?layers=")
    page.wait_for_selector("#results[aria-busy=false]", state="attached")
    wait_ready(page, CHART)
    expect(page.locator(f"#{CHART}")).to_contain_text("no hidden layer")
    expect(page.locator("#hidden-layer")).to_be_hidden()
    assert_clean(page)


def test_at_375_px_by_keyboard_only_the_arrow_keys_change_the_layer(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/train?layers=4,3")
    settled(page)
    page.locator("h1").first.click()
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "hidden-layer":
            break
    assert page.evaluate("() => document.activeElement.id") == "hidden-layer"
    assert {t["type"] for t in space(page)} == {"scatter3d", "mesh3d"}
    redrawn(page, CHART)
    page.keyboard.press("ArrowUp")
    wait_ready(page, CHART)
    expect(page.locator("#hidden-layer")).to_have_value("1")
    assert query(page)["hl"] == ["1"]
    assert {t["type"] for t in space(page)} == {"scatter"}  # layer 1: 4 units, PCA in 2-D
    shot(page, "pca-375")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#hidden-layer")).to_have_value("0")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    hidden_section(page)
    shot(page, "3d-375")
    assert_clean(page)
