"""Keyboard only: every control on every page shows a focus ring where focus lands, and Train
and Explore can be worked through with Tab, Shift+Tab, Enter, Space and the arrow keys."""

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
from tests.browser.forms_support import focused, tab_to

pytestmark = pytest.mark.browser

PAGES = {
    "/": ["curve-chart"],
    "/compare": ["compare-chart", "multiples-chart"],
    "/train?act=relu&opt=adam&lr=0.05&epochs=300&seed=3": ["boundary-chart", "loss-chart"],
    "/sweep?acts=relu,tanh&seeds=3&epochs=50": ["success-chart", "loss-bands-chart"],
    "/gradients?depth=5&width=16": ["gradflow-chart", "stats-chart"],
    "/softmax": ["softmax-chart", "jacobian-chart"],
}


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.split("?")[0].strip("/") or "explore")
def test_every_tab_stop_shows_a_focus_ring(page: Page, path: str) -> None:
    open_page(page, path, *PAGES[path])
    first = None
    stops = 0
    for _ in range(200):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is None:  # the address bar's turn: the page starts over
            continue
        key = (now["id"], now["tag"], now["label"])
        if key == first:
            break
        first = first or key
        stops += 1
        assert now["ring"] and now["visible"], f"no visible focus ring on {now}"
    else:
        raise AssertionError("Tab never came back round to the first stop")
    assert stops > 15
    page.keyboard.press("Shift+Tab")  # and backwards, onto the last stop
    back = focused(page)
    assert back and back["ring"] and back["visible"], back
    assert_clean(page)


def test_train_by_keyboard_alone(page: Page) -> None:
    open_page(page, "/train?act=relu&opt=adam&lr=0.05&epochs=300&seed=3", "boundary-chart")
    passed = tab_to(page, "dataset")
    redrawn(page, "boundary-chart")
    page.keyboard.press("ArrowDown")  # XOR -> Quadrants
    expect(page.locator("#dataset")).to_have_value("quadrants")
    wait_ready(page, "boundary-chart")  # a person reads the new run before the next key
    passed += tab_to(page, "activation")
    assert "csv-file" in passed  # Upload CSV was reached, with its ring on the label
    redrawn(page, "boundary-chart")
    page.keyboard.press("ArrowDown")  # ReLU -> Leaky ReLU, which has a parameter
    expect(page.locator("#activation")).to_have_value("leaky_relu")
    expect(page.locator("#param-negative_slope")).to_be_visible()
    wait_ready(page, "boundary-chart")
    tab_to(page, "add-layer")
    redrawn(page, "boundary-chart")
    page.keyboard.press("Space")
    expect(page.locator("#layer-count")).to_have_text("2 hidden layers")
    wait_ready(page, "boundary-chart")
    tab_to(page, "remove-layer", key="Shift+Tab")  # back one stop, and forward again
    tab_to(page, "run")
    page.keyboard.press("Enter")
    expect(page.locator("#outcome")).to_contain_text("solved", ignore_case=True)
    expect(page.locator("#network .unit")).to_have_count(2 + 4 + 4 + 1)
    wait_ready(page, "boundary-chart")
    link = query(page)
    assert (link["ds"], link["act"], link["layers"]) == (["quadrants"], ["leaky_relu"], ["4,4"])
    assert "load-run" in tab_to(page, "load-run")  # Load run… shows its ring too
    assert_clean(page)


def test_explore_by_keyboard_alone(page: Page) -> None:
    open_page(page, "/?fn=elu", "curve-chart")
    tab_to(page, "param-alpha-slider")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => Number(document.getElementById('param-alpha').value) > 1")
    tab_to(page, "xmin")
    page.keyboard.press("Control+A")
    page.keyboard.type("-3")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('curve-chart').data[0].x[0] === -3")
    tab_to(page, "show-d2f")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('curve-chart').data.length === 2")
    assert [t["name"] for t in traces(page, "curve-chart")] == ["f(x)", "f′(x)"]
    tab_to(page, "fn", key="Shift+Tab")
    page.keyboard.press("ArrowDown")  # ELU -> SELU
    expect(page.locator("#card h2")).to_have_text("SELU")
    link = query(page)
    assert (link["fn"], link["xmin"], link["show"]) == (["selu"], ["-3"], ["f,df"])
    assert "alpha" not in link  # SELU has no alpha: the old parameter is not carried over
    assert_clean(page)
