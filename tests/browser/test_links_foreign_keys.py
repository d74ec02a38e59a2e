"""A link with foreign query keys (newsletters, slides, course platforms) on every page: the
page draws what its own keys say, shows no error, and never sends the foreign keys anywhere."""

import math

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import assert_clean, query, traces, wait_ready
from tests.browser.forms_support import record

pytestmark = pytest.mark.browser

FOREIGN = "utm_source=newsletter&fbclid=x"


def no_error_shown(page: Page) -> None:
    expect(page.locator(".error:visible")).to_have_count(0)


def test_explore_link_with_tracking_keys_draws_its_own_function(page: Page) -> None:
    sent = record(page)
    page.goto(f"/?fn=elu&alpha=2&xmin=-3&xmax=4&{FOREIGN}")
    wait_ready(page, "curve-chart")
    curve = traces(page, "curve-chart")[0]
    x, y = curve["x"], curve["y"]
    assert isinstance(x, list) and isinstance(y, list)
    assert (x[0], x[-1]) == (-3, 4)
    assert y[0] == pytest.approx(2 * (math.exp(-3) - 1))  # alpha = 2 from the link
    assert page.locator("#param-alpha").input_value() == "2"
    expect(page.locator("#card h2")).to_have_text("ELU")
    expect(page.locator("#card")).to_contain_text("C0")  # the card is at alpha = 2 too
    no_error_shown(page)
    assert sent.api() and sent.mentions("utm_source", "fbclid") == []
    page.select_option("#fn", "tanh")  # the next view written into the URL leaves them out
    expect(page.locator("#card h2")).to_have_text("Tanh")
    assert query(page) == {"fn": ["tanh"], "xmin": ["-3"], "xmax": ["4"]}
    assert_clean(page)


def test_explore_ignores_a_parameter_its_function_does_not_have(page: Page) -> None:
    sent = record(page)
    page.goto("/?fn=gelu&negative_slope=0.1")
    wait_ready(page, "curve-chart")
    assert traces(page, "curve-chart")[0]["name"] == "f(x)"
    no_error_shown(page)
    assert sent.mentions("negative_slope") == []
    assert_clean(page)


def test_compare_link_with_tracking_keys_draws_its_functions(page: Page) -> None:
    sent = record(page)
    page.goto(f"/compare?f=relu&f=elu(alpha:2,utm:1)&xmin=-2&xmax=2&{FOREIGN}")
    wait_ready(page, "compare-chart")
    drawn = traces(page, "compare-chart")
    assert [t["name"] for t in drawn] == ["ReLU", "ELU (alpha=2)"]
    elu_y = drawn[1]["y"]
    assert isinstance(elu_y, list) and elu_y[0] == pytest.approx(2 * (math.exp(-2) - 1))
    no_error_shown(page)
    assert sent.api() and sent.mentions("utm", "fbclid") == []
    page.get_by_label("f′(x)").check()
    wait_ready(page, "compare-chart")
    assert "utm_source" not in query(page) and query(page)["view"] == ["df"]
    assert query(page)["f"] == ["relu", "elu(alpha:2)"]
    assert_clean(page)


def test_train_link_with_tracking_keys_trains_its_own_network(page: Page) -> None:
    sent = record(page)
    page.goto(f"/train?act=leaky_relu&negative_slope=0.2&opt=adam&lr=0.05&epochs=200&{FOREIGN}")
    wait_ready(page, "boundary-chart")
    expect(page.locator("#outcome")).to_be_visible()
    no_error_shown(page)
    bodies = [body for url, body in sent.api() if url.endswith("/api/train/stream")]
    assert len(bodies) == 1
    assert bodies[0]["activation"] == "leaky_relu"
    assert bodies[0]["activation_params"] == {"negative_slope": "0.2"}  # and nothing else
    assert bodies[0]["epochs"] == 200
    assert sent.mentions("utm_source", "fbclid") == []
    assert page.locator("#param-negative_slope").input_value() == "0.2"
    assert_clean(page)


def test_sweep_link_with_tracking_keys_sweeps_its_own_activations(page: Page) -> None:
    sent = record(page)
    page.goto(f"/sweep?acts=relu,tanh&seeds=3&epochs=50&{FOREIGN}")
    wait_ready(page, "success-chart")
    assert traces(page, "success-chart")[0]["x"] == ["ReLU", "Tanh"]
    no_error_shown(page)
    bodies = [body for url, body in sent.api() if "/api/train/sweep" in url]
    assert [(b["activations"], b["seeds"], b["epochs"]) for b in bodies] == [
        (["relu", "tanh"], 3, 50)
    ]
    assert sent.mentions("utm_source", "fbclid") == []
    page.fill("#seeds", "4")
    page.press("#seeds", "Enter")
    expect(page.locator("#seeds")).to_have_value("4")
    page.wait_for_function("() => new URLSearchParams(location.search).get('seeds') === '4'")
    assert "utm_source" not in query(page) and "fbclid" not in query(page)
    assert_clean(page)


def test_gradient_link_with_tracking_keys_measures_its_own_network(page: Page) -> None:
    sent = record(page)
    page.goto(f"/gradients?acts=relu&inits=he&depth=5&width=16&{FOREIGN}")
    wait_ready(page, "gradflow-chart")
    drawn = traces(page, "gradflow-chart")
    assert len(drawn) == 1 and drawn[0]["x"] == [1, 2, 3, 4, 5]
    no_error_shown(page)
    bodies = [body for url, body in sent.api() if url.endswith("/api/gradient-flow")]
    assert [(b["activations"], b["init"], b["depth"], b["width"]) for b in bodies] == [
        (["relu"], "he", 5, 16)
    ]
    assert sent.mentions("utm_source", "fbclid") == []
    assert_clean(page)


def test_softmax_link_with_tracking_keys_shows_its_own_logits(page: Page) -> None:
    sent = record(page)
    page.goto(f"/softmax?z=1,2,3&t=2&{FOREIGN}")
    wait_ready(page, "softmax-chart")
    assert page.locator("#logits input[type=number]").count() == 3
    assert page.locator("#temperature").input_value() == "2"
    bodies = [body for url, body in sent.api() if url.endswith("/api/softmax")]
    assert bodies == [{"logits": [1, 2, 3], "temperature": 2, "jacobian": True}]
    no_error_shown(page)
    assert sent.mentions("utm_source", "fbclid") == []
    assert_clean(page)
