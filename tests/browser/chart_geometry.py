"""What a chart looks like on screen: its tick labels, toolbar and plot areas as boxes."""

from typing import TypedDict

from playwright.sync_api import Page


class Box(TypedDict):
    left: float
    right: float
    top: float
    bottom: float


class Axis(TypedDict):
    axis: str
    labels: list[str]
    boxes: list[Box]


BOX = "r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom})"


def overlap(a: Box, b: Box, slack: float = 0.5) -> bool:
    """Whether two boxes share more than `slack` pixels each way."""
    return (
        a["left"] < b["right"] - slack
        and b["left"] < a["right"] - slack
        and a["top"] < b["bottom"] - slack
        and b["top"] < a["bottom"] - slack
    )


def tick_axes(page: Page, chart_id: str) -> list[Axis]:
    """Every drawn axis of the chart with its tick labels' texts and boxes."""
    axes: list[Axis] = page.evaluate(
        f"""(id) => [...document.querySelectorAll(
              `#${{id}} .xaxislayer-above, #${{id}} .yaxislayer-above`)].map((layer, i) => {{
            const texts = [...layer.querySelectorAll('text')].filter(t => t.textContent);
            return {{axis: `${{layer.getAttribute('class')}} ${{i}}`,
                     labels: texts.map(t => t.textContent),
                     boxes: texts.map(t => ({BOX})(t.getBoundingClientRect()))}};
        }})""",
        chart_id,
    )
    return axes


def overlapping_ticks(axis: Axis) -> list[tuple[str, str]]:
    """Pairs of tick labels on one axis that overlap on screen."""
    pairs = []
    for i, a in enumerate(axis["boxes"]):
        for j in range(i + 1, len(axis["boxes"])):
            if overlap(a, axis["boxes"][j]):
                pairs.append((axis["labels"][i], axis["labels"][j]))
    return pairs


def boxes(page: Page, selector: str) -> list[Box]:
    """The screen boxes of every element matching `selector`."""
    found: list[Box] = page.evaluate(
        f"(s) => [...document.querySelectorAll(s)].map(el => ({BOX})(el.getBoundingClientRect()))",
        selector,
    )
    return found


def axis_titles(page: Page, chart_id: str) -> list[Box]:
    """The boxes of the chart's axis titles (g-xtitle, g-ytitle, g-x2title, ...)."""
    return boxes(page, f'#{chart_id} .infolayer g[class^="g-"][class$="title"] text')


def assert_readable_ticks(page: Page, chart_id: str, at_least: int = 3) -> list[Axis]:
    """Every axis of the chart has `at_least` tick labels; none overlaps another or a title."""
    axes = tick_axes(page, chart_id)
    assert axes, f"{chart_id} has no axes"
    titles = axis_titles(page, chart_id)
    for axis in axes:
        assert len(axis["labels"]) >= at_least, axis
        assert overlapping_ticks(axis) == [], (chart_id, axis["axis"])
        under = [
            label
            for label, box in zip(axis["labels"], axis["boxes"], strict=True)
            if any(overlap(box, title) for title in titles)
        ]
        assert under == [], (chart_id, axis["axis"], "tick labels under an axis title")
    return axes


# A view of each page with charts but Train (whose controls are another suite's), and its charts.
CHART_PAGES = {
    "/": ["curve-chart"],
    "/compare?f=relu&f=elu(alpha:2)&f=gelu": ["compare-chart", "multiples-chart"],
    "/sweep?acts=identity,tanh,relu&seeds=4&epochs=100": [
        "success-chart",
        "converge-chart",
        "loss-bands-chart",
    ],
    "/gradients?depth=6&width=16": ["gradflow-chart", "stats-chart"],
    "/softmax": ["softmax-chart", "jacobian-chart"],
}
