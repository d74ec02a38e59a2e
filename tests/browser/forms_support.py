"""Helpers for the form, link and keyboard journeys: what a page asked the server, focus rings."""

import json
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, Request

from tests.browser.browser_support import listen


@dataclass
class Sent:
    """Every request a page made: its URL and, for a POST, its JSON body."""

    requests: list[tuple[str, Any]] = field(default_factory=list)

    def api(self) -> list[tuple[str, Any]]:
        return [(url, body) for url, body in self.requests if "/api/" in url or "/card/" in url]

    def mentions(self, *keys: str) -> list[str]:
        """The API requests whose URL or body carries any of these keys (the page's own
        navigation to the link is not one)."""
        return [
            url for url, body in self.api() if any(k in url or k in json.dumps(body) for k in keys)
        ]


def record(page: Page) -> Sent:
    """Start recording the page's requests (before page.goto, to see the first ones too)."""
    sent = Sent()

    def on_request(request: Request) -> None:
        data = request.post_data
        try:
            body = json.loads(data) if data else None
        except json.JSONDecodeError:
            body = data
        sent.requests.append((request.url, body))

    listen(page, "request", on_request)
    return sent


def settle(page: Page) -> None:
    """Make one request of our own and wait for it: the page's requests made before it have been
    recorded by then (the browser reports them in order), so "nothing was sent" can be asserted
    without waiting for a time. On Train, changes close together make one run after they settle
    (aria-busy on the results until then), so that is waited for first."""
    if page.locator("#results[aria-busy]").count():
        page.wait_for_selector("#results[aria-busy=false]", state="attached")
    with page.expect_response("**/healthz?sentinel"):
        page.evaluate("() => fetch('/healthz?sentinel')")


def api_since(sent: Sent, before: int) -> list[str]:
    """The API requests made after the first `before` requests, less the sentinel."""
    return [url for url, _ in sent.requests[before:] if "sentinel" not in url and "/api/" in url]


RING = """() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  // A visually hidden file input shows its focus on the label styled as a button.
  if (el.matches('input[type=file]') && el.labels && el.labels.length) el = el.labels[0];
  const css = getComputedStyle(el);
  const outline = css.outlineStyle !== 'none' && parseFloat(css.outlineWidth) >= 2;
  const shadow = css.boxShadow !== 'none';
  const box = el.getBoundingClientRect();
  let opacity = 1;  // a ring inside a faded toolbar is not seen
  for (let node = el; node && node.nodeType === 1; node = node.parentElement)
    opacity *= Number(getComputedStyle(node).opacity);
  return {
    id: document.activeElement.id, tag: document.activeElement.tagName.toLowerCase(),
    label: document.activeElement.getAttribute('aria-label') || el.textContent.trim().slice(0, 30),
    ring: outline || shadow, visible: box.width > 2 && box.height > 2 && opacity > 0.5,
  };
}"""


def focused(page: Page) -> dict[str, Any] | None:
    """The focused element (id, tag, label) and whether it draws a visible focus ring."""
    result: dict[str, Any] | None = page.evaluate(RING)
    return result


def tab_to(page: Page, element_id: str, *, key: str = "Tab", limit: int = 60) -> list[str]:
    """Press Tab (or Shift+Tab) until the element with this id has focus, asserting a visible
    focus ring on every element reached on the way; the ids passed."""
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now is None:
            continue
        assert now["ring"] and now["visible"], f"no visible focus ring on {now}"
        passed.append(now["id"] or now["label"])
        if now["id"] == element_id:
            return passed
    raise AssertionError(f"#{element_id} not reached with {key}: passed {passed}")


def assert_nothing_sent(page: Page, sent: Sent, before: int) -> None:
    """No API request since the first `before` requests (waited for with a sentinel)."""
    settle(page)
    assert api_since(sent, before) == []
