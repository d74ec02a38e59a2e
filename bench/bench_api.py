"""Throughput and latency of the core API under a real load generator, in one run.

Starts uvicorn (one worker, the default settings) on a free 127.0.0.1 port, loads it with
Debian's `wrk` (`apt-get install wrk`), and prints requests/s and p50/p99 latency for each
scenario with its ratio to the minimal JSON route measured in the same run, so the noise of a
shared machine cancels out. Goals (issue 2): cached curve >= 0.8x, uncached curve >= 0.5x.

    .venv/bin/python bench/bench_api.py [--seconds 8] [--connections 8]
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent

# wrk's Lua hooks: print a JSON summary; optionally make each request's URL unique.
REPORT = """
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, '
    .. '"errors": %d, "non2xx": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""
UNIQUE = """
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("thread_id", thread_id); thread_id = thread_id + 1 end
request = function()
  counter = counter + 1
  -- a new canonical x_min for every request, so nothing is served from the cache
  local x_min = string.format("%.9f", -6 - (counter * 64 + thread_id) * 1e-9)
  return wrk.format("GET", "/api/activations/gelu/curve?points=601&x_min=" .. x_min)
end
"""
POST_BODY = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("{body}", "rb"); wrk.body = f:read("*a"); f:close()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_wrk(url: str, lua: str, seconds: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua + REPORT)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    summary: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    summary["rps"] = summary["requests"] / summary["seconds"]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ACTLAB_HOST": "127.0.0.1", "ACTLAB_PORT": str(port)}
    env.pop("ACTLAB_WORKERS", None)
    env.pop("WEB_CONCURRENCY", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "activation-lab"), "--log-level", "warning"],
        env=env,
        cwd=ROOT,
    )
    body_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    sys.exit("server did not start")
                time.sleep(0.2)
        x = np.linspace(-10, 10, 100_000)
        json.dump({"x": x.tolist()}, body_file)
        body_file.close()
        cached_url = base + "/api/activations/gelu/curve?points=601"
        httpx.get(cached_url)  # warm the cache
        scenarios = [
            ("minimal JSON route (GET /healthz)", base + "/healthz", ""),
            ("curve, 601 points, cached", cached_url, ""),
            ("curve, 601 points, uncached", base, UNIQUE),
            (
                "evaluate, 100000 points (POST)",
                base + "/api/activations/gelu/evaluate",
                POST_BODY.replace("{body}", body_file.name),
            ),
        ]
        results = []
        for label, url, lua in scenarios:
            connections = 2 if "evaluate" in label else args.connections
            results.append((label, run_wrk(url, lua, args.seconds, connections)))
    finally:
        server.terminate()
        server.wait(timeout=15)
        os.unlink(body_file.name)

    reference = results[0][1]["rps"]
    print(f"wrk -t1 -c{args.connections} -d{args.seconds}s against one uvicorn worker")
    print("| scenario | requests/s | p50 ms | p99 ms | ratio to minimal | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, r in results:
        print(
            f"| {label} | {r['rps']:.0f} | {r['p50_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} "
            f"| {r['rps'] / reference:.2f}x | {int(r['errors'] + r['non2xx'])} |"
        )


if __name__ == "__main__":
    main()
