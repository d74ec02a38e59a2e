"""Charts at the largest sizes the API allows: tick labels that can be read, bands told apart."""

import pytest
from playwright.sync_api import Page

from tests.browser.browser_support import assert_clean, open_page, traces
from tests.browser.chart_geometry import assert_readable_ticks

pytestmark = pytest.mark.browser

EIGHT = "sigmoid,tanh,relu,gelu,elu,silu,softplus,mish"
INITS = "xavier,he,lecun,uniform"


def largest(page: Page, control: str) -> int:
    """The most the page's rule for this control (from the request model) accepts."""
    result: int = page.evaluate(
        "(id) => JSON.parse(document.getElementById('initial-state').textContent).fields[id].max",
        control,
    )
    return result


@pytest.mark.parametrize("width", [375, 1280])
def test_gradient_flow_at_the_deepest_network_has_readable_axes(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, "/gradients?acts=relu&depth=2&width=4", "gradflow-chart")
    depth = largest(page, "depth")
    open_page(
        page,
        f"/gradients?acts={EIGHT}&inits={INITS}&depth={depth}&width=16&batch=32",
        "gradflow-chart",
        "stats-chart",
    )
    assert len(traces(page, "gradflow-chart")) == 8 * 4
    for chart in ("gradflow-chart", "stats-chart"):
        x, y = assert_readable_ticks(page, chart)
        assert x["labels"] == ["10", "20", "30", "40", "50", "60"]  # layers 1..64, every tenth
        assert len(y["labels"]) <= 12
    assert_clean(page)


def test_a_shallow_network_labels_every_layer(page: Page) -> None:
    open_page(page, "/gradients?acts=relu&inits=he&depth=7&width=16", "gradflow-chart")
    x, _ = assert_readable_ticks(page, "gradflow-chart")
    assert x["labels"] == ["1", "2", "3", "4", "5", "6", "7"]  # no half layers


def test_sweep_of_twenty_activations_names_each_one_at_phone_width(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    open_page(page, "/sweep?acts=relu&seeds=1&epochs=2", "success-chart")
    catalogue = page.evaluate(
        "() => JSON.parse(document.getElementById('initial-state').textContent).catalogue"
    )
    chosen = catalogue[:20]
    acts = ",".join(entry["name"] for entry in chosen)
    open_page(page, f"/sweep?acts={acts}&seeds=2&epochs=30", "success-chart", "converge-chart")
    names = [entry["label"] for entry in chosen]
    for chart in ("success-chart", "converge-chart"):
        value_axis, category_axis = assert_readable_ticks(page, chart)
        top_down = sorted(
            zip(category_axis["boxes"], category_axis["labels"], strict=True),
            key=lambda pair: pair[0]["top"],
        )
        assert [label for _, label in top_down] == names  # every bar and box named, in order
    assert_readable_ticks(page, "loss-bands-chart", at_least=2)
    assert_clean(page)


@pytest.mark.parametrize("width", [375, 1280])
def test_softmax_of_many_logits_keeps_its_labels_apart(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    logits = ",".join(str((i * 7) % 11 - 5) for i in range(100))
    open_page(page, f"/softmax?z={logits}", "softmax-chart", "jacobian-chart")
    assert len(traces(page, "softmax-chart")[0]["y"]) == 100  # type: ignore[arg-type]
    assert_readable_ticks(page, "softmax-chart")
    assert_readable_ticks(page, "jacobian-chart")
    assert_clean(page)


def test_compare_small_multiples_of_eight_functions_at_phone_width(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    functions = "&".join(f"f={name}" for name in EIGHT.split(","))
    open_page(page, f"/compare?{functions}", "compare-chart", "multiples-chart")
    axes = assert_readable_ticks(page, "multiples-chart")
    assert len(axes) == 2 * 8
    assert_readable_ticks(page, "compare-chart")
    assert_clean(page)
