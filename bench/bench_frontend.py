"""Time from navigation to the first chart drawn, for every page and for the Plotly floor.

Starts uvicorn on a free 127.0.0.1 port serving the app plus one extra page, /bench/floor, that
only loads the same Plotly bundle (same URL, same headers) and draws one line: what the chart
library alone costs. Debian's Chromium (through Playwright) then opens each page: once with an
empty cache ("cold"), then twice more in the same browser profile; the third load is "warm"
(HTTP cache and V8's code cache in play, as for someone coming back or moving between pages).
Each load records, inside the page, performance.now() when the first chart gets
data-state="ready", and the bytes transferred (navigation + resources, from Resource Timing).
Pages are visited round-robin for --rounds rounds, so a busy moment on a shared machine hits
them all alike; each median is printed with its ratio to the floor's median from the same run.
Goal (issue 4): every page within 1.3x of the floor. Last, it moves Explore's parameter slider
20 times and times each round trip (input event to the new curve fetched and drawn).

"Cold" is the browser's side only: the server keeps training, sweep and gradient-flow results
(ACTLAB_RESULT_CACHE_ENTRIES), so after a page's first visit its default request is answered
from memory, as for every visitor after the first in real use. --no-result-cache runs the server
with that cache off, so every load computes its request again.

    .venv/bin/python bench/bench_frontend.py [--rounds 5] [--no-result-cache]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.main import create_app  # noqa: E402
from app.web.assets import plotly_bundle  # noqa: E402
from tests.browser.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGES = ["/bench/floor", "/", "/compare", "/train", "/sweep", "/gradients", "/softmax"]
FLOOR = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>floor</title>
<script id="plotly-js" src="/assets/{bundle}" defer></script></head>
<body><div id="chart" data-state="loading" style="width:800px;height:400px"></div>
<script type="module">
await new Promise((resolve) => window.Plotly ? resolve() :
  document.getElementById("plotly-js").addEventListener("load", resolve, {{ once: true }}));
const el = document.getElementById("chart");
await Plotly.newPlot(el, [{{ x: [0, 1, 2, 3], y: [0, 1, 0, 1], mode: "lines" }}], {{}});
el.dataset.state = "ready";
</script></body></html>"""
# Records when the first chart becomes ready, relative to the navigation start.
PROBE = """
window.__firstChart = null;
new MutationObserver((_, observer) => {
  if (document.querySelector('[data-state="ready"]')) {
    window.__firstChart = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
"""
# Explore's slider: from an input event to the new curve fetched and drawn, 20 moves; and, from
# resource timing, the HTTP round trip of each move's curve request alone.
SLIDER = """async () => {
  const chart = document.getElementById('curve-chart');
  const slider = document.getElementById('param-alpha-slider');
  const times = [];
  const trips = [];
  for (let i = 1; i <= 20; i++) {
    chart.dataset.state = 'stale';
    const start = performance.now();
    slider.value = String(0.5 + 0.1 * i);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    while (chart.dataset.state !== 'ready') await new Promise((r) => setTimeout(r, 0));
    times.push(performance.now() - start);
    const curves = performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/curve'));
    const last = curves[curves.length - 1];
    trips.push(last.responseEnd - last.startTime);
  }
  return { times, trips };
}"""
TRANSFERRED = """() => performance.getEntriesByType('navigation')
  .concat(performance.getEntriesByType('resource'))
  .reduce((sum, entry) => sum + entry.transferSize, 0)"""


def bench_app() -> FastAPI:
    """The app as shipped, plus the floor page (uvicorn --factory)."""
    app = create_app()
    html = FLOOR.format(bundle=plotly_bundle().filename)
    app.add_api_route("/bench/floor", lambda: HTMLResponse(html), include_in_schema=False)
    return app


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, result_cache: bool = True) -> subprocess.Popen[bytes]:
    env = {**os.environ, **({} if result_cache else {"ACTLAB_RESULT_CACHE_ENTRIES": "0"})}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bench.bench_frontend:bench_app"]
        + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("uvicorn did not start")


def measure(page: Page, url: str) -> tuple[float, int]:
    """Milliseconds from navigation start to the first ready chart, and bytes transferred."""
    page.goto(url)
    page.wait_for_function("() => window.__firstChart !== null", timeout=60_000)
    page.wait_for_load_state("networkidle")
    ms: float = page.evaluate("() => window.__firstChart")
    transferred: int = page.evaluate(TRANSFERRED)
    return ms, transferred


def load_three_times(context: BrowserContext, url: str) -> tuple[tuple[float, int], ...]:
    """Cold (empty cache), second (V8 writes its code cache) and warm (code cache used)."""
    page = context.new_page()
    loads = tuple(measure(page, url) for _ in range(3))
    page.close()
    return loads


def slider_round_trips(context: BrowserContext, base: str) -> tuple[list[float], list[float]]:
    """Per move: input event to curve drawn, and the curve request's HTTP round trip."""
    page = context.new_page()
    measure(page, f"{base}/?fn=elu")
    result: dict[str, list[float]] = page.evaluate(SLIDER)
    page.close()
    return result["times"], result["trips"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds over every page (median)")
    parser.add_argument(
        "--no-result-cache",
        action="store_true",
        help="run the server with its result cache off (every load computes its request)",
    )
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, result_cache=not args.no_result_cache)
    samples: dict[str, list[tuple[tuple[float, int], ...]]] = {path: [] for path in PAGES}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # Round-robin over the pages, so a busy moment on this shared machine hits all alike.
            for _ in range(args.rounds):
                for path in PAGES:
                    # A fresh profile each time, so the first load really is cold.
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    context.add_init_script(PROBE)
                    url = f"http://127.0.0.1:{port}{path}"
                    samples[path].append(load_three_times(context, url))
                    context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(PROBE)
            slider, trips = slider_round_trips(context, f"http://127.0.0.1:{port}")
            context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    median = {
        path: {
            "cold_ms": statistics.median(s[0][0] for s in runs),
            "cold_bytes": statistics.median(s[0][1] for s in runs),
            "warm_ms": statistics.median(s[2][0] for s in runs),
            "warm_bytes": statistics.median(s[2][1] for s in runs),
        }
        for path, runs in samples.items()
    }
    bundle = plotly_bundle()
    print(
        f"plotly.js {bundle.version}: {len(bundle.identity) / 1e6:.2f} MB, "
        f"{len(bundle.gzipped) / 1e6:.2f} MB gzipped; medians of {args.rounds} rounds; "
        f"server result cache {'off' if args.no_result_cache else 'on'}"
    )
    print()
    print("| page | cold ms | cold / floor | warm ms | warm / floor | cold KB | warm KB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    floor = median["/bench/floor"]
    for path, r in median.items():
        name = "floor: Plotly + one line" if path == "/bench/floor" else f"`{path}`"
        print(
            f"| {name} | {r['cold_ms']:.0f} | {r['cold_ms'] / floor['cold_ms']:.2f}x | "
            f"{r['warm_ms']:.0f} | {r['warm_ms'] / floor['warm_ms']:.2f}x | "
            f"{r['cold_bytes'] / 1024:.0f} | {r['warm_bytes'] / 1024:.0f} |"
        )
    quantiles = statistics.quantiles(slider, n=10)
    print()
    trip_quantiles = statistics.quantiles(trips, n=10)
    print(
        f"Explore slider, input event to the new curve fetched and drawn ({len(slider)} moves): "
        f"median {statistics.median(slider):.1f} ms, p90 {quantiles[-1]:.1f} ms; "
        f"the curve request's HTTP round trip alone: median {statistics.median(trips):.1f} ms, "
        f"p90 {trip_quantiles[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
