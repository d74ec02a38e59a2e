"""The live client in Chromium under the app's Content-Security-Policy: `connect-src 'self'`
admits the same-origin ws: socket (CSP 3: 'self' covers ws/wss of the page's host), and
static/js/live.js decodes real frames there. No UI yet (issue 9 section 2 builds the page)."""

import pytest
from playwright.sync_api import Page

from tests.browser.browser_support import assert_clean

pytestmark = pytest.mark.browser

SESSION = """async () => {
  const { LiveSession } = await import("/static/js/live.js");
  const frames = [];
  const messages = [];
  const live = new LiveSession({
    onFrame: (frame) => frames.push(frame),
    onMessage: (message) => messages.push(message),
  });
  live.start({ dataset: "xor", hidden_layers: [4], learning_rate: 0.5 });
  live.step(25);
  const until = (ok) => new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (ok()) resolve();
      else if (Date.now() - started > 30000) reject(new Error("timeout"));  // cold worker, load
      else setTimeout(check, 20);
    };
    check();
  });
  await until(() => frames.length >= 2);
  const history = await live.exportHistory();
  live.close();
  const last = frames[frames.length - 1];
  return {
    started: messages[0].type,
    epoch: last.header.epoch,
    output: [last.arrays.output.constructor.name, last.arrays.output.length],
    weights: last.arrays["W.0"].constructor.name,
    url: live.socket.url,
    commands: history.commands.map((entry) => entry.command.type),
  };
}"""


def test_the_live_client_connects_under_the_csp_and_decodes_frames(
    page: Page, base_url: str
) -> None:
    page.goto("/")
    csp = page.evaluate("() => fetch('/').then((r) => r.headers.get('content-security-policy'))")
    assert "connect-src 'self';" in csp
    result = page.evaluate(SESSION)
    assert result == {
        "started": "started",
        "epoch": 25,
        "output": ["Float32Array", 2500],
        "weights": "Float64Array",
        "url": base_url.replace("http://", "ws://") + "/api/train/live",
        "commands": ["step"],
    }
    assert_clean(page)  # no CSP violation, no failed request
