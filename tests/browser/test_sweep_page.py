"""Sweep in a real browser: success bars, convergence boxes and loss bands from the stream."""

import pytest
from browser_support import assert_clean, open_page, traces
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_sweep_draws_success_convergence_and_bands(page: Page) -> None:
    open_page(
        page,
        "/sweep?acts=identity,tanh&seeds=8&epochs=300",
        "success-chart",
        "converge-chart",
        "loss-bands-chart",
    )
    bars = traces(page, "success-chart")[0]
    assert bars["x"] == ["Identity (linear)", "Tanh"]
    rates = bars["y"]
    assert isinstance(rates, list) and all(0 <= r <= 1 for r in rates)
    assert len(traces(page, "loss-bands-chart")) == 6  # p10, p90 and median per activation
    boxes = traces(page, "converge-chart")
    assert [b["type"] for b in boxes] == ["box", "box"]
    assert_clean(page)
