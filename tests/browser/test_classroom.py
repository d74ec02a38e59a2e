"""Classroom links (issue 9): a link hides controls with the Playground's `<field>_hide=1` keys,
keeps their values and trains the same run; "Share as a lesson" builds such a link by clicking."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import assert_clean, open_page, wait_ready
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

RUN = "/train?ds=circle&noise=10&lr=0.3&epochs=300&seed=2"
LESSON = f"{RUN}&learning_rate_hide=1&epochs_hide=1&dataset_hide=1&features_hide=1"


def settled(page: Page) -> None:
    page.wait_for_selector("#results[aria-busy=false]", state="attached")
    wait_ready(page, "boundary-chart", "loss-chart", "accuracy-chart")
    expect(page.locator("#train-progress")).to_be_hidden()


def trained_body(page: Page, path: str) -> dict[str, object]:
    """Open `path` and return the body of the training request the page sends."""
    with page.expect_request("**/api/train/stream") as request:
        page.goto(path)
    settled(page)
    body: dict[str, object] = json.loads(request.value.post_data or "{}")
    return body


def tab_order(page: Page, stop: str = "run") -> list[str]:
    """The ids Tab reaches from the top of the page to the Train button."""
    page.locator("h1").first.click()
    seen: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.id")
        seen.append(focused)
        if focused == stop:
            break
    return seen


def test_a_classroom_link_hides_its_controls_and_trains_the_same_run(page: Page) -> None:
    plain = trained_body(page, RUN)
    plain_outcome = page.locator("#outcome").text_content()
    lesson = trained_body(page, LESSON)
    assert lesson == plain  # the hidden controls keep the link's values
    assert lesson["learning_rate"] == 0.3 and lesson["epochs"] == 300
    expect(page.locator("#outcome")).to_have_text(plain_outcome or "")
    for control in ("#learning_rate", "#epochs", "#dataset", "#feature-x1"):
        expect(page.locator(control)).to_be_hidden()
    for control in ("#optimizer", "#seed", "#noise", "#run"):
        expect(page.locator(control)).to_be_visible()
    order = tab_order(page)
    assert order[-1] == "run"
    assert {"learning_rate", "epochs", "dataset", "feature-x1"}.isdisjoint(order)
    assert {"optimizer", "seed", "noise"} <= set(order)
    # the learner changes a visible control: the lesson stays in the link
    seed = page.get_by_role("spinbutton", name="Seed", exact=True)
    seed.fill("3")
    seed.press("Enter")
    page.wait_for_url("**seed=3**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["learning_rate_hide"] == ["1"] and query["lr"] == ["0.3"]
    settled(page)
    expect(page.locator("#learning_rate")).to_be_hidden()
    page.set_viewport_size({"width": 375, "height": 900})
    page.screenshot(path=ARTIFACTS / "classroom-link-375.png", full_page=True)
    assert_clean(page)


def test_share_as_a_lesson_builds_the_link_by_clicking(page: Page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_page(page, RUN, "boundary-chart")
    settled(page)
    page.get_by_text("Share as a lesson").click()
    panel = page.locator("#lesson")
    # one checkbox per control the page declares, by the control's own label
    for label in ("Learning rate", "Epochs", "Dataset", "Optimizer", "Input features"):
        expect(panel.get_by_label(label, exact=True)).to_be_visible()
    panel.get_by_label("Learning rate", exact=True).check()
    panel.get_by_label("Hidden layers", exact=True).check()
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#lesson-status")).to_have_text("Link copied.")
    link = page.locator("#lesson-link").input_value()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == link
    query = parse_qs(urlsplit(link).query)
    assert query["learning_rate_hide"] == ["1"] and query["hidden_layers_hide"] == ["1"]
    assert query["lr"] == ["0.3"] and query["ds"] == ["circle"] and "epochs_hide" not in query
    page.screenshot(path=ARTIFACTS / "classroom-panel-1280.png", full_page=True)
    with page.expect_request("**/api/train/stream") as request:
        page.goto(link)
    settled(page)
    expect(page.locator("#learning_rate")).to_be_hidden()
    expect(page.locator("#add-layer")).to_be_hidden()
    expect(page.locator("#epochs")).to_be_visible()
    body = json.loads(request.value.post_data or "{}")
    assert body["learning_rate"] == 0.3 and body["hidden_layers"] == [4]
    # the panel opened from a lesson starts from that lesson's choices
    page.get_by_text("Share as a lesson").click()
    expect(page.locator("#lesson-hide-learning_rate")).to_be_checked()
    expect(page.locator("#lesson-hide-epochs")).not_to_be_checked()
    assert_clean(page)


def test_every_page_takes_a_lesson_link(page: Page) -> None:
    # the mechanism is shared (state.js, controls.js, page.js): a Sweep link hides its seeds box
    open_page(page, "/sweep?seeds=5&epochs=50&seeds_hide=1", "success-chart")
    expect(page.locator("#seeds")).to_be_hidden()
    expect(page.locator("#epochs")).to_be_visible()
    page.get_by_text("Share as a lesson").click()
    expect(page.locator("#lesson-hide-seeds")).to_be_checked()
    assert "seeds=5" in page.locator("#lesson-link").input_value()
    assert_clean(page)


def test_a_lesson_pins_the_snapshot_by_hiding_the_player(page: Page) -> None:
    open_page(page, f"{RUN}&frame=3&frame_hide=1&xor_hide=1", "boundary-chart")
    settled(page)
    expect(page.locator("#play")).to_be_hidden()
    expect(page.locator("#frame")).to_be_hidden()
    expect(page.locator("#linear-vs-nonlinear")).to_be_hidden()
    assert "frame=3" in page.url
    shown = page.evaluate("() => document.getElementById('loss-chart').layout.shapes[0].x0")
    epochs = page.evaluate("() => document.getElementById('loss-chart').data[0].x.at(-1)")
    assert 0 < shown < epochs  # the loss chart marks snapshot 3, not the last
    page.get_by_text("Share as a lesson").click()
    expect(page.locator("#lesson-hide-frame")).to_be_checked()
    assert_clean(page)
