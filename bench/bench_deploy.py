"""A classroom's mixed load through the production setup: nginx (deploy/nginx) before N replicas.

Starts Debian's nginx with the repo's config (tests/nginx_support.py, the same one the suite
runs) in front of `--replicas` activation-lab processes on free 127.0.0.1 ports, then sends a
bounded mix of page loads, static files, curves (mostly uncached), softmax and small trainings
over `--connections` keep-alive connections, and prints throughput, latency per kind, errors and
each replica's share. `--direct` also runs the same mix against one replica without nginx, as a
reference measured in the same run.

    .venv/bin/python bench/bench_deploy.py [--requests 2000] [--connections 16] [--replicas 2]
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from tests.nginx_support import start_deployment, stop_deployment  # noqa: E402

PAGES = ["/", "/compare", "/train", "/sweep", "/gradients", "/softmax"]


def job(k: int, salt: int) -> tuple[str, str, str, Any]:
    """The k-th request of the mix: (kind, method, path, body); each salt has its own curves."""
    kind = k % 20
    if kind < 3:
        return ("page", "GET", PAGES[k % len(PAGES)], None)
    if kind < 6:
        return ("static", "GET", "/static/js/api.js", None)
    if kind < 14:
        x_max = 1 + (k % 500) / 100 + salt / 1e4  # 500 ranges: computed at first, then cached
        return ("curve", "GET", f"/api/activations/gelu/curve?points=601&x_max={x_max}", None)
    if kind < 18:
        return ("softmax", "POST", "/api/softmax", {"logits": [k % 7, 1, -1, 0.5]})
    body = {"epochs": 100 + k % 50, "snapshots": 0, "hidden_layers": [4]}
    return ("train", "POST", "/api/train", body)


def run_mix(base: str, n: int, connections: int, salt: int) -> dict[str, Any]:
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    with httpx.Client(base_url=base, limits=limits, timeout=60) as client:

        def one(k: int) -> None:
            kind, method, path, body = job(k, salt)
            start = time.perf_counter()
            try:
                status = client.request(method, path, json=body).status_code
            except httpx.HTTPError:
                status = 0
            latencies[kind].append(time.perf_counter() - start)
            statuses[(kind, status)] += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=connections) as pool:
            list(pool.map(one, range(n)))
        elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses}


def replica_counts(urls: list[str]) -> list[float]:
    counts = []
    for url in urls:
        text = httpx.get(url + "/metrics", timeout=10).text
        total = 0.0
        for line in text.splitlines():
            if line.startswith("actlab_http_requests_total{") and 'route="/metrics"' not in line:
                total += float(line.rsplit(" ", 1)[1])
        counts.append(total)
    return counts


def report(label: str, result: dict[str, Any], n: int) -> None:
    statuses = result["statuses"]
    limited = sum(v for (_, status), v in statuses.items() if status == 429)
    errors = sum(v for (_, status), v in statuses.items() if status not in (200, 429))
    rate = n / result["elapsed"]
    print(
        f"\n{label}: {n} requests in {result['elapsed']:.1f} s = {rate:.0f}/s, "
        f"errors {errors}, rate-limited (429) {limited}"
    )
    print("| kind | requests | p50 ms | p99 ms | 429 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind, values in sorted(result["latencies"].items()):
        values = sorted(values)
        p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
        p50 = statistics.median(values)
        print(
            f"| {kind} | {len(values)} | {p50 * 1000:.1f} | {p99 * 1000:.1f} "
            f"| {statuses[(kind, 429)]} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--direct", action="store_true", help="also run against one replica")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="actlab-bench-") as workdir:
        deployment, procs = start_deployment(Path(workdir), args.replicas)
        try:
            urls = [deployment.app_url(i) for i in range(args.replicas)]
            before = replica_counts(urls)
            result = run_mix(deployment.url, args.requests, args.connections, salt=1)
            after = replica_counts(urls)
            report(
                f"nginx + {args.replicas} replicas, {args.connections} connections",
                result,
                args.requests,
            )
            shares = [a - b for a, b in zip(after, before, strict=True)]
            print(f"requests per replica: {[int(s) for s in shares]}")
            if args.direct:
                direct = run_mix(urls[0], args.requests, args.connections, salt=2)
                report(
                    f"one replica directly, {args.connections} connections", direct, args.requests
                )
        finally:
            stop_deployment(procs)


if __name__ == "__main__":
    main()
