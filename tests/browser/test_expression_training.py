"""Training with your own activation, through the Train page's "Add your own" editor."""

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import open_page, problems_of, wait_ready

pytestmark = pytest.mark.browser


def test_a_learner_trains_xor_with_a_formula_they_typed(page: Page) -> None:
    open_page(page, "/train?epochs=300&lr=0.5", "boundary-chart")
    page.locator("#activation").focus()
    page.keyboard.press("End")  # the last choice: your own
    expect(page.locator("#act-expr")).to_have_value("x * sigmoid(beta * x)")
    with page.expect_request(lambda r: r.url.endswith("/api/train/stream")) as sent:
        page.locator("#act-expr-example-mish").click()
    body = json.loads(sent.value.post_data or "{}")
    assert (body["activation"], body["expression"]) == ("custom", "x * tanh(softplus(x))")
    assert body["activation_params"] == {}
    expect(page.locator("#outcome")).to_contain_text("Solved")
    expect(page.locator("#network")).to_contain_text("x * tanh(softplus(x))")
    assert "expr=x%20*%20tanh(softplus(x))" in page.url and "act=custom" in page.url
    # typed, with a parameter declared from the refusal, as a learner would
    page.locator("#act-expr").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("tanh(a * x)", delay=15)
    expect(page.locator("#act-expr-error")).to_contain_text("unknown name `a`")
    expect(page.locator("#results")).to_have_class("stack stale")  # the old run, dimmed
    with page.expect_request(lambda r: r.url.endswith("/api/train/stream")) as sent:
        page.get_by_role("button", name="Declare a as a parameter").click()
    body = json.loads(sent.value.post_data or "{}")
    assert (body["expression"], body["activation_params"]) == ("tanh(a * x)", {"a": 1.0})
    wait_ready(page, "loss-chart")
    expect(page.locator("#outcome")).to_be_visible()
    problems = problems_of(page)
    assert not problems.exceptions and not problems.failed, problems
    assert all(e.endswith("/api/expressions") for e in problems.http_errors), problems
