"""Helpers for the browser tests: what went wrong on a page, and what its charts hold."""

from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Page, Request, Response

# Debian's Chromium, driven by Playwright without downloading a browser of its own.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class Problems:
    """What went wrong on a page: each list should stay empty.

    A request the page aborted because it then sent a newer one to the same endpoint (a training
    superseded by a changed setting) is the page working as meant, not a failure; any other
    abort is one.
    """

    console: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    started: list[Request] = field(default_factory=list, repr=False)
    aborts: list[Request] = field(default_factory=list, repr=False)

    @property
    def aborted(self) -> list[str]:
        """Aborted requests that no later request to the same method and URL superseded."""
        return [
            f"{r.method} {r.url}"
            for r in self.aborts
            if not any(
                (later.method, later.url) == (r.method, r.url)
                for later in self.started[self.started.index(r) + 1 :]
            )
        ]

    def any(self) -> bool:
        return bool(
            self.console or self.exceptions or self.failed or self.http_errors or self.aborted
        )

    def __str__(self) -> str:
        return f"{self!r} aborted={self.aborted}"


def listen(page: Page, event: str, handler: Callable[..., object]) -> None:
    """page.on(event, handler), remembered so that the page fixture removes it when the test ends
    (the tab lives on into the module's next test)."""
    page.on(event, handler)  # type: ignore[call-overload]
    if not hasattr(page, "listeners"):  # a page a test opened itself
        page.listeners = []  # type: ignore[attr-defined]
    page.listeners.append((event, handler))  # type: ignore[attr-defined]


def watch(page: Page) -> Problems:
    """Record every console error, page error, failed request and 4xx/5xx response."""
    problems = Problems()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.console.append(message.text)

    def on_failed(request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":
            problems.aborts.append(request)
        else:
            problems.failed.append(f"{request.method} {request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.http_errors.append(f"{response.status} {response.url}")

    listen(page, "console", on_console)
    listen(page, "pageerror", lambda error: problems.exceptions.append(str(error)))
    listen(page, "request", lambda request: problems.started.append(request))
    listen(page, "requestfailed", on_failed)
    listen(page, "response", on_response)
    return problems


def problems_of(page: Page) -> Problems:
    problems: Problems = page.problems  # type: ignore[attr-defined]
    return problems


def assert_clean(page: Page) -> None:
    """No console error, uncaught exception, failed request or HTTP error on this page."""
    problems = problems_of(page)
    assert not problems.any(), str(problems)


def wait_ready(page: Page, *chart_ids: str) -> None:
    """Wait until each chart has been drawn (data-state="ready")."""
    for chart_id in chart_ids:
        page.wait_for_selector(f"#{chart_id}[data-state=ready]", state="attached")


def traces(page: Page, chart_id: str) -> list[dict[str, object]]:
    """The chart's Plotly traces as plain data (name, type, x, y, z)."""
    result: list[dict[str, object]] = page.evaluate(
        """(id) => document.getElementById(id).data.map(
            ({name, type, x, y, z}) => ({name, type, x, y, z}))""",
        chart_id,
    )
    return result


def open_page(page: Page, path: str, *chart_ids: str) -> None:
    """Navigate and wait until the given charts are drawn."""
    page.goto(path)
    wait_ready(page, *chart_ids)


def redrawn(page: Page, chart_id: str) -> None:
    """Mark a chart stale, so the next wait_ready waits for a fresh draw."""
    page.evaluate("(id) => { document.getElementById(id).dataset.state = 'stale'; }", chart_id)


def query(page: Page) -> dict[str, list[str]]:
    """The page's current query string, parsed."""
    result: dict[str, list[str]] = page.evaluate(
        """() => { const out = {}; for (const [k, v] of new URLSearchParams(location.search))
            (out[k] ??= []).push(v); return out; }"""
    )
    return result


def no_horizontal_scroll(page: Page) -> bool:
    width: bool = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    return width
