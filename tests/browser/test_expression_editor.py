"""The "Add your own" editor as a learner uses it: typing a formula, its refusal marked in
place, sliders, the examples, a shared link, a hostile link, Compare with several, 375 px and
the keyboard alone."""

import math

import pytest
from playwright.sync_api import Page, expect

from app.lab.expressions import EXAMPLES, MAX_LENGTH
from tests.browser.browser_support import (
    open_page,
    problems_of,
    query,
    redrawn,
    traces,
    wait_ready,
)

pytestmark = pytest.mark.browser

OWN = "/?fn=custom"


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def assert_only_refusals(page: Page, expected: int | None = None) -> None:
    """No exception, failed request or console error but the 422s of refused formulas: the
    server is what refuses a formula, so those answers are the editor working."""
    problems = problems_of(page)
    assert not problems.exceptions and not problems.failed and not problems.aborted, problems
    refused = [e for e in problems.http_errors if e.startswith("422 ")]
    assert refused == problems.http_errors and all(e.endswith("/api/expressions") for e in refused)
    assert all("422" in m for m in problems.console), problems.console
    if expected is not None:
        assert len(problems.http_errors) == expected, problems


def curve_y(page: Page) -> list[float]:
    y = traces(page, "curve-chart")[0]["y"]
    assert isinstance(y, list)
    return y


def type_formula(page: Page, text: str, field: str = "#expr") -> None:
    """Select what the field holds and type over it, key by key."""
    page.locator(field).focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text, delay=15)


def wait_curve(page: Page, index: int, value: float) -> None:
    page.wait_for_function(
        "([i, v]) => { const c = document.getElementById('curve-chart');"
        " return c.dataset.state === 'ready' && c.data"
        " && Math.abs(c.data[0].y.at(i) - v) < 1e-9; }",
        arg=[index, value],
    )


def test_a_refusal_is_marked_in_place_then_a_fix_draws_the_curve(page: Page) -> None:
    open_page(page, OWN, "curve-chart")
    expect(page.locator("#expr")).to_have_value("x * sigmoid(beta * x)")  # the first example
    expect(page.locator("#expr-f math")).to_have_count(1)
    type_formula(page, "x + x.y")
    error = page.locator("#expr-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("attribute access is not allowed at column 6")
    expect(page.locator("#expr")).to_have_attribute("aria-invalid", "true")
    assert "expr-error" in (page.locator("#expr").get_attribute("aria-describedby") or "")
    expect(page.locator("#expr-mark mark")).to_have_text("y")  # the offending part, marked
    expect(page.locator("#curve-chart").locator("xpath=..")).to_have_class("chart-card stale")
    # success right after the error: 2x + 1 at x = 6 is 13
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type(" + 1", delay=15)
    wait_curve(page, -1, 2 * 6 + 1)
    expect(error).to_be_hidden()
    expect(page.locator("#expr")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#expr-mark")).to_be_hidden()
    expect(page.locator("#expr-df")).to_contain_text("2")  # f'(x) = 2
    expect(page.locator("#expr-result")).to_contain_text("Properties (estimated)")
    expect(page.locator("#expr-props")).to_contain_text("(−∞, ∞)")
    assert query(page)["expr"] == ["beta:1.7|x + x + 1"]  # the example's row stays, unused
    # the error right after a success, at its place: an undeclared name
    page.keyboard.type(" * k", delay=15)
    expect(error).to_contain_text("unknown name `k`")
    expect(page.locator("#expr-mark mark")).to_have_text("k")
    declare = page.get_by_role("button", name="Declare k as a parameter")
    declare.click()
    expect(page.locator("#pname-1")).to_have_value("k")
    wait_curve(page, -1, 6 + 6 + 1 * 1)  # x + x + 1 * k with k = 1
    assert query(page)["expr"] == ["beta:1.7,k:1|x + x + 1 * k"]
    assert_only_refusals(page)


def test_dragging_a_parameter_slider_moves_the_curve_and_the_link(page: Page) -> None:
    open_page(page, f"{OWN}&expr=beta:1|x*sigmoid(beta*x)", "curve-chart")
    wait_curve(page, 0, -6 * sigmoid(-6))
    slider = page.locator("#pslider-0")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('pvalue-0').value !== '1'")
    beta = float(page.locator("#pvalue-0").input_value())
    assert beta > 1
    wait_curve(page, 0, -6 * sigmoid(-6 * beta))
    shown = page.locator("#pvalue-0").input_value()
    assert query(page)["expr"] == [f"beta:{shown}|x*sigmoid(beta*x)"]
    # a typed value is taken too, outside the slider's window
    redrawn(page, "curve-chart")
    page.locator("#pvalue-0").fill("40")
    wait_curve(page, 0, -6 * sigmoid(-240))
    assert page.locator("#pslider-0").input_value() == "40"
    expect(page.locator("#expr-props")).to_contain_text("✗ no")
    assert_only_refusals(page, expected=0)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_each_example_is_one_click(page: Page, example: object) -> None:
    open_page(page, f"{OWN}&expr=sin(x)%2Bcos(x)", "curve-chart")
    wait_curve(page, -1, math.sin(6) + math.cos(6))
    name = example.name  # type: ignore[attr-defined]
    page.locator(f"#expr-example-{name}").click()
    expect(page.locator("#expr")).to_have_value(example.expression)  # type: ignore[attr-defined]
    params = dict(example.params)  # type: ignore[attr-defined]
    at_six = {
        "swish": 6 * sigmoid(1.7 * 6),
        "mish": 6 * math.tanh(math.log1p(math.exp(6))),
        "sine": math.sin(6),
        "gaussian": math.exp(-36),
        "clipped_relu": 6.0,
    }[name]
    page.wait_for_function(
        "v => { const c = document.getElementById('curve-chart');"
        " return c.data && Math.abs(c.data[0].y[600] - v) < 1e-9 * Math.max(1, Math.abs(v)); }",
        arg=at_six,
    )
    for i, (param, value) in enumerate(params.items()):
        expect(page.locator(f"#pname-{i}")).to_have_value(param)
        expect(page.locator(f"#pvalue-{i}")).to_have_value(f"{value:g}")
    expect(page.locator("#pname-0")).to_have_count(1 if params else 0)
    expect(page.locator("#expr-f math")).to_have_count(1)
    assert_only_refusals(page, expected=0)


def test_a_shared_link_reopens_the_same_function(page: Page) -> None:
    open_page(page, f"{OWN}&expr=x", "curve-chart")
    type_formula(page, "where(x > 0, x, a * (exp(x) - 1))")
    page.get_by_role("button", name="Declare a as a parameter").click()
    page.locator("#pvalue-0").fill("1.3")
    wait_curve(page, 0, 1.3 * (math.exp(-6) - 1))
    link = page.url
    y = curve_y(page)
    other = page.context.new_page()
    try:
        other.goto(link)
        wait_ready(other, "curve-chart")
        expect(other.locator("#expr")).to_have_value("where(x > 0, x, a * (exp(x) - 1))")
        expect(other.locator("#pname-0")).to_have_value("a")
        expect(other.locator("#pvalue-0")).to_have_value("1.3")
        other.wait_for_function(
            "v => Math.abs(document.getElementById('curve-chart').data[0].y[0] - v) < 1e-12",
            arg=y[0],
        )
        assert curve_y(other) == y
        expect(other.locator("#fn")).to_have_value("custom")
    finally:
        other.close()
    # back: the formula before its parameter was declared, refused again at its place (a typed
    # value replaces the history entry, as a dragged slider does; the declaration pushed one)
    page.go_back()
    expect(page.locator("#expr-error")).to_contain_text("unknown name `a`")
    expect(page.locator("#expr-mark mark")).to_have_text("a")
    expect(page.locator("#pname-0")).to_have_count(0)
    assert_only_refusals(page)


@pytest.mark.parametrize(
    ("expr", "message", "marked"),
    [
        ("__import__('os').system('ls')", "attribute access is not allowed", "system"),
        ("x<script>alert(1)</script>", "", None),
        ("x" * (MAX_LENGTH + 20), f"at most {MAX_LENGTH} characters", "x" * 20),
        ("a:1,a:2|x.__class__", "attribute access", "__class__"),
    ],
    ids=["call", "markup", "too-long", "broken-params"],
)
def test_a_hostile_link_shows_the_refusal_at_the_editor(
    page: Page, expr: str, message: str, marked: str | None
) -> None:
    page.goto(f"{OWN}&expr={expr.replace('%', '%25').replace('&', '%26')}&utm_source=x")
    error = page.locator("#expr-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(message)
    if marked is not None:
        expect(page.locator("#expr-mark mark")).to_have_text(marked)
    assert page.locator("script:not([src]):not([type])").count() == 0  # nothing injected
    expect(page.locator("#expr")).to_have_attribute("aria-invalid", "true")
    # the page still works: a built-in draws, and the foreign key never came back
    page.locator("#fn").select_option("relu")
    wait_ready(page, "curve-chart")
    assert "utm_source" not in query(page) and "expr" not in query(page)
    assert_only_refusals(page)


def test_compare_holds_several_of_your_own_beside_built_ins(page: Page) -> None:
    open_page(page, "/compare", "compare-chart")
    before = len(traces(page, "compare-chart"))
    page.locator("#add-fn").select_option("custom")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("button", name="Add", exact=True).click()
    first, second = before, before + 1
    expect(page.locator(f"#fn{first}-expr")).to_have_value("x * sigmoid(beta * x)")
    expect(page.locator(f"#fn{second}-expr")).to_have_value("x * tanh(softplus(x))")
    page.wait_for_function(
        "n => (document.getElementById('compare-chart').data || []).length === n", arg=before + 2
    )
    type_formula(page, "exp(-x**2)", f"#fn{second}-expr")
    page.wait_for_function(
        "n => { const d = document.getElementById('compare-chart').data;"
        " return d.length === n && d[n - 1].name === 'exp(-x**2)'; }",
        arg=before + 2,
    )
    names = [t["name"] for t in traces(page, "compare-chart")]
    assert names[-2:] == ["x * sigmoid(beta * x) (beta=1.7)", "exp(-x**2)"]
    expect(page.locator("#props-table")).to_contain_text("exp(-x**2) (estimated)")
    specs = query(page)["f"]
    assert specs[-2:] == ["custom:beta:1.7|x * sigmoid(beta * x)", "custom:exp(-x**2)"]
    # a refusal in one card leaves the others drawn
    type_formula(page, "exp(-x**", f"#fn{second}-expr")
    expect(page.locator(f"#fn{second}-expr-error")).to_be_visible()
    expect(page.locator(f"#fn{first}-expr-error")).to_be_hidden()
    assert_only_refusals(page)


def test_the_editor_fits_375_px(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    open_page(page, f"{OWN}&expr=cap:6|min(max(0, x), cap)", "curve-chart")
    expect(page.locator("#expr-f math")).to_have_count(1)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375
    for selector in ("#expr", "#pvalue-0", "#pslider-0", "#expr-example-mish"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    page.goto("/compare?f=relu&f=custom:beta:1.7|x*sigmoid(beta*x)&f=custom:x.y")
    wait_ready(page, "compare-chart")
    expect(page.locator("#fn2-expr-error")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert_only_refusals(page)


def test_keyboard_alone_chooses_types_and_picks_an_example(page: Page) -> None:
    open_page(page, "/", "curve-chart")
    page.locator("#fn").focus()
    page.keyboard.press("End")  # the last choice: your own
    expect(page.locator("#fn")).to_have_value("custom")
    page.keyboard.press("Tab")
    expect(page.locator("#expr")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("tanh(x) + a", delay=15)
    page.keyboard.press("Enter")  # checks at once, no line break
    expect(page.locator("#expr")).to_have_value("tanh(x) + a")
    expect(page.locator("#expr-error")).to_contain_text("unknown name `a`")
    page.keyboard.press("Tab")
    expect(page.locator("#expr-declare")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#pname-1")).to_have_value("a")  # after the example's beta
    expect(page.locator("#pvalue-1")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    wait_curve(page, 300, 2.0)  # tanh(0) + 2
    # Shift+Tab back to the examples, Enter on the sine unit
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.id") == "expr-example-sine":
            break
    expect(page.locator("#expr-example-sine")).to_be_focused()
    page.keyboard.press("Enter")
    wait_curve(page, -1, math.sin(6))
    expect(page.locator("#pname-0")).to_have_count(0)
    assert_only_refusals(page)
