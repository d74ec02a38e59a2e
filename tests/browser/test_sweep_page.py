"""Sweep in a real browser: success bars, convergence boxes and loss bands from the stream."""

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_support import (
    assert_clean,
    open_page,
    problems_of,
    query,
    redrawn,
    traces,
    wait_ready,
)

pytestmark = pytest.mark.browser
CHARTS = ("success-chart", "converge-chart", "loss-bands-chart")


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


def stale_notes(page: Page) -> list[str]:
    """The out-of-date notes a person sees on the page, in order."""
    return page.locator(".stale-note:visible").all_inner_texts()


def test_an_error_after_a_success_marks_the_old_charts_out_of_date(page: Page) -> None:
    # 64,64 hidden units: XOR (4 points) is cheap, Spiral (250 training points) is over the cap.
    open_page(page, "/sweep?acts=identity,tanh&seeds=4&epochs=300&layers=64,64", *CHARTS)
    xor = traces(page, "success-chart")
    assert stale_notes(page) == []
    page.get_by_label("Dataset").select_option("spiral")
    expect(page.locator("#epochs-error")).to_contain_text("over this server's cap")
    notes = page.locator(".chart-card .stale-note")
    expect(notes).to_have_count(3)
    for i in range(3):
        expect(notes.nth(i)).to_be_visible()
        expect(notes.nth(i)).to_contain_text("Out of date")
    assert page.locator(".chart-card.stale").count() == 3
    assert page.locator("#success-chart").evaluate("el => getComputedStyle(el).opacity") == "0.35"
    assert traces(page, "success-chart") == xor  # still the XOR result, now plainly marked
    page.get_by_label("Dataset").select_option("xor")
    expect(page.locator("#epochs-error")).to_be_hidden()
    expect(page.locator(".stale-note:visible")).to_have_count(0)
    assert page.locator(".chart-card.stale").count() == 0
    assert traces(page, "success-chart") == xor
    problems = problems_of(page)
    assert [e.split(" ")[0] for e in problems.http_errors] == ["422"]
    assert problems.http_errors[0].endswith("/api/train/sweep/stream")
    assert len(problems.console) == 1 and "422" in problems.console[0]
    assert problems.exceptions == [] and problems.failed == [] and problems.aborted == []


def test_a_sweep_of_parameterised_activations_added_through_the_ui(
    page: Page, base_url: str
) -> None:
    open_page(page, "/sweep?acts=relu&seeds=4&epochs=200", *CHARTS)
    for name in ["gelu", "elu", "leaky_relu"]:
        redrawn(page, "success-chart")
        page.get_by_label("Activation to add").select_option(name)
        page.get_by_role("button", name="Add", exact=True).click()
        wait_ready(page, "success-chart")  # one sweep at a time: none is cut short
    assert query(page)["acts"] == ["relu,gelu,elu,leaky_relu"]
    bars = traces(page, "success-chart")[0]
    assert bars["x"] == ["ReLU", "GELU", "ELU", "Leaky ReLU"]
    body = {"activations": ["relu", "gelu", "elu", "leaky_relu"], "seeds": 4, "epochs": 200}
    body |= {"dataset": "xor", "hidden_layers": [2], "optimizer": "adam", "learning_rate": 0.1}
    expected = httpx.post(f"{base_url}/api/train/sweep", json=body | {"init": "xavier"}, timeout=60)
    assert expected.status_code == 200, expected.text
    assert bars["y"] == [r["success_rate"] for r in expected.json()["results"]]
    assert len(traces(page, "loss-bands-chart")) == 3 * 4
    assert stale_notes(page) == []
    assert_clean(page)


def test_eight_bands_keep_their_own_colours_in_panels_and_overlaid(page: Page) -> None:
    acts = "identity,sigmoid,tanh,relu,gelu,elu,leaky_relu,silu"
    open_page(page, f"/sweep?acts={acts}&seeds=4&epochs=100", "loss-bands-chart")
    drawn = page.evaluate(
        """() => document.getElementById('loss-bands-chart').data.map(
            ({name, fill, fillcolor, line, xaxis}) => ({name, fill, fillcolor, colour: line.color,
            xaxis: xaxis ?? 'x'}))"""
    )
    bands = [t for t in drawn if t["fill"] == "tonexty"]
    medians = [t for t in drawn if not t["name"].endswith((" p10", " p90"))]
    assert len(bands) == len(medians) == 8
    assert len({b["fillcolor"] for b in bands}) == 8  # one colour per activation
    assert len({b["xaxis"] for b in bands}) == 8  # one panel each
    for band, median in zip(bands, medians, strict=True):
        assert band["xaxis"] == median["xaxis"]
        rgb = tuple(int(median["colour"][i : i + 2], 16) for i in (1, 3, 5))
        assert band["fillcolor"] == f"rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, 0.3)"
    titles = page.locator("#loss-bands-chart .annotation-text").all_text_contents()
    assert titles == [m["name"] for m in medians]
    redrawn(page, "loss-bands-chart")
    page.get_by_label("all in one chart").check()
    wait_ready(page, "loss-bands-chart")
    assert query(page)["bands"] == ["overlay"]
    names = [str(t["name"]) for t in traces(page, "loss-bands-chart")]
    last_band = max(i for i, n in enumerate(names) if n.endswith(" p90"))
    assert last_band == 15 and names[16:] == [m["name"] for m in medians]  # medians on top
    assert_clean(page)
