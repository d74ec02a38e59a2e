"""Admission and isolation measured on a real server (the console script on 127.0.0.1).

    .venv/bin/python bench/bench_admission.py            # about four minutes; prints a table
    .venv/bin/python bench/bench_admission.py --reference DIR   # the same against another tree
    .venv/bin/python bench/bench_admission.py --burst    # phase 2 alone, twice (about 40 s)

1. Uncached curve p99 idle, and while 4 and while 16 heavy trainings are asked for.
2. 48 heavy trainings at once: pages and /healthz p99 meanwhile, how fast the excess gets 503 +
   Retry-After, and the slowest answer against the time limit.
3. 16 of the largest sweeps the memory cap admits, at once: peak RSS of the whole process tree
   (server, forkserver, workers) against the budget, and whether any answered 500.
4. SIGTERM during trainings: seconds until the process has exited.

Every loop is bounded (a fixed count or a deadline). Timings on a shared machine are noisy: the
figures are ratios and maxima of one run, not guarantees.
"""

import itertools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.web.limits import work_estimate  # noqa: E402
from app.web.schemas.training import SweepRequest  # noqa: E402
from tests.server_support import VENV_BIN, app_env, free_port, wait_until_up  # noqa: E402

TIME_LIMIT_S = 15.0  # the bench's ACTLAB_TRAIN_TIME_LIMIT_S: keeps phase 2 short
CURVES = 200  # uncached curve requests per phase
BURSTS = itertools.count()


def heavy(seed: int) -> dict[str, Any]:
    """A training of a few seconds; each seed is a new request (the result cache never hits)."""
    return {
        "epochs": 2000,
        "hidden_layers": [16, 16],
        "dataset": {"name": "spiral", "n_samples": 500},
        "snapshots": 10,
        "seed": seed,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def tree_rss(pid: int) -> int:
    """Resident bytes of pid and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = int(statm.split()[1]) * page
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total


class Server:
    def __init__(self, source: Path | None = None, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkdtemp(prefix="bench-admission-")) / "server.log"
        environment = app_env(
            self.port,
            ACTLAB_TRAIN_TIME_LIMIT_S=str(TIME_LIMIT_S),
            ACTLAB_LOG_LEVEL="warning",
            **env,
        )
        command = [str(VENV_BIN / "activation-lab")]
        if source is not None:  # another checkout of the app, ahead of the installed one
            environment["PYTHONPATH"] = str(source)
            command = [str(VENV_BIN / "python"), "-m", "app.cli"]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                command, env=environment, stdout=out, stderr=out, cwd=source
            )
        wait_until_up(f"{self.base}/healthz", self.proc, self.log, timeout_s=120)
        time.sleep(2)  # the forkserver warms up in the background

    def stop(self) -> float:
        """SIGTERM; seconds until the process exited."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return time.monotonic() - start


def curve_ms(client: httpx.Client, offset: int) -> tuple[float, float]:
    """Median and p99 of CURVES uncached curve requests, in ms."""
    times = []
    for i in range(CURVES):
        # a new x range each time: the curve cache misses and the curve is computed
        url = f"/api/activations/gelu/curve?x_min={-6 - (offset + i) * 1e-4:.4f}&points=601"
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return percentile(times, 50), percentile(times, 99)


# One client for every POST: a new httpx.Client per request builds an SSL context each time,
# which costs the bench's own CPU (and GIL) while it times curves.
POSTER = httpx.Client(timeout=TIME_LIMIT_S + 30, limits=httpx.Limits(max_connections=64))


def post(base: str, path: str, body: dict[str, Any]) -> tuple[int, float, str | None]:
    start = time.perf_counter()
    r = POSTER.post(f"{base}{path}", json=body)
    return r.status_code, time.perf_counter() - start, r.headers.get("retry-after")


def while_training(server: Server, n: int, seed0: int, measure: Any) -> tuple[Any, list[Any]]:
    """measure() while n heavy trainings are asked for at once; their answers."""
    with ThreadPoolExecutor(n) as executor:
        futures = [
            executor.submit(post, server.base, "/api/train", heavy(seed0 + i)) for i in range(n)
        ]
        time.sleep(1.0)  # they are admitted and running
        result = measure()
        answers = [f.result() for f in futures]
    return result, answers


def phase_isolation(server: Server) -> list[str]:
    rows = []
    with httpx.Client(base_url=server.base) as client:
        curve_ms(client, 10**6)  # warm the connection and code paths
        idle50, idle99 = curve_ms(client, 0)
        rows.append(f"| uncached curve p99, idle | {idle99:.1f} ms | median {idle50:.1f} ms |")
        for n, seed0 in ((4, 1000), (16, 2000)):
            offset = n * 1000
            (busy50, busy99), answers = while_training(
                server, n, seed0, lambda offset=offset: curve_ms(client, offset)
            )
            codes = sorted({code for code, _, _ in answers})
            rows.append(
                f"| uncached curve p99, {n} heavy trainings asked for | {busy99:.1f} ms | "
                f"{busy99 / idle99:.1f}x idle (median {busy50:.1f} ms, "
                f"{busy50 / idle50:.1f}x); trainings answered {codes} |"
            )
    return rows


def burst(base: str, bodies: list[dict[str, Any]]) -> list[tuple[int, float, str | None]]:
    """POST every body at once over connections opened beforehand, as raw HTTP/1.1: a client
    library's own per-request CPU (httpx: about a millisecond) would add up across the burst
    and be timed as the server's. Each answer's time runs from the burst's first byte sent."""
    host, port = base.removeprefix("http://").split(":")
    socks = [socket.create_connection((host, int(port))) for _ in bodies]
    requests = []
    for body in bodies:
        data = json.dumps(body).encode()
        head = (
            f"POST /api/train HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        requests.append(head.encode() + data)
    received = dict.fromkeys(socks, b"")
    answers: dict[socket.socket, tuple[int, float, str | None]] = {}
    start = time.perf_counter()
    for sock, request in zip(socks, requests, strict=True):
        sock.sendall(request)
    deadline = start + TIME_LIMIT_S + 30
    while len(answers) < len(socks) and time.perf_counter() < deadline:  # bounded
        pending = [sock for sock in socks if sock not in answers]
        ready, _, _ = select.select(pending, [], [], 1.0)
        for sock in ready:
            chunk = sock.recv(1 << 20)
            received[sock] += chunk
            raw_head, sep, content = received[sock].partition(b"\r\n\r\n")
            if not sep:
                continue
            lines = raw_head.decode("latin-1").split("\r\n")
            headers = dict(line.lower().split(": ", 1) for line in lines[1:])
            if len(content) >= int(headers.get("content-length", 0)) or not chunk:
                status = int(lines[0].split()[1])
                answers[sock] = (status, time.perf_counter() - start, headers.get("retry-after"))
    for sock in socks:
        sock.close()
    return [answers.get(sock, (0, TIME_LIMIT_S + 30, None)) for sock in socks]


def refused_within(base: str, seconds: float) -> int:
    """How many busy refusals the server itself answered within `seconds`, from its histogram
    (actlab_training_refusal_duration_seconds; `seconds` must be one of its bucket bounds)."""
    text = httpx.get(f"{base}/metrics").text
    for line in text.splitlines():
        if line.startswith(f'actlab_training_refusal_duration_seconds_bucket{{le="{seconds}"}}'):
            return int(float(line.rsplit(" ", 1)[1]))
    raise ValueError(f"no refusal bucket with the bound {seconds}")


def phase_burst(server: Server) -> list[str]:
    page_times: list[float] = []
    page_failures: list[str] = []
    stop = threading.Event()

    def poll_pages() -> None:
        with httpx.Client(base_url=server.base, timeout=30) as client:
            for i in range(10_000):  # bounded; ends when the burst has been answered
                if stop.is_set():
                    return
                path = ("/healthz", "/", "/train", "/sweep")[i % 4]
                start = time.perf_counter()
                try:
                    status = client.get(path).status_code
                except httpx.HTTPError as err:
                    status = 0
                    page_failures.append(f"{path}: {err!r}")
                page_times.append((time.perf_counter() - start) * 1000)
                if status != 200:
                    page_failures.append(f"{path}: {status}")
                time.sleep(0.02)

    poller = threading.Thread(target=poll_pages)
    poller.start()
    time.sleep(0.5)
    before = refused_within(server.base, 0.05)
    seed0 = 3000 + 100 * next(BURSTS)  # new requests each burst: the result cache never hits
    answers = burst(server.base, [heavy(seed0 + i) for i in range(48)])
    stop.set()
    poller.join()
    # Refused at once (workers and queue full) or, queued, refused when the deadline came first.
    refused = [(t, ra) for code, t, ra in answers if code == 503 and t < TIME_LIMIT_S / 2]
    expired = [t for code, t, _ in answers if code == 503 and t >= TIME_LIMIT_S / 2]
    served = [t for code, t, _ in answers if code == 200]
    others = sorted({code for code, _, _ in answers} - {200, 503})
    slowest = max(t for _, t, _ in answers)
    return [
        f"| 48 heavy at once: pages and /healthz p99 | {percentile(page_times, 99):.1f} ms | "
        f"{len(page_times)} requests meanwhile, max {max(page_times):.1f} ms, "
        f"failures {page_failures or 'none'} |",
        f"| 48 heavy at once: 503 at once | {len(refused)} | p99 "
        f"{percentile([t for t, _ in refused] or [0.0], 99) * 1000:.1f} ms, slowest "
        f"{max([t for t, _ in refused] or [0.0]) * 1000:.1f} ms; "
        f"Retry-After {sorted({ra or '0' for _, ra in refused}, key=int)} s; the server "
        f"answered {refused_within(server.base, 0.05) - before} within 50 ms by its own clock |",
        f"| 48 heavy at once: 503 after waiting in the queue | {len(expired)} | "
        f"their deadline came before a worker |",
        f"| 48 heavy at once: answered 200 | {len(served)} | other statuses: {others or 'none'} |",
        f"| 48 heavy at once: slowest answer | {slowest:.1f} s | "
        f"time limit {TIME_LIMIT_S:g} s + 1 s |",
    ]


def largest_sweep(cap_mib: int) -> dict[str, Any]:
    """The sweep of 200 seeds over 8 layers of 27 with the most points the memory cap admits."""
    best: dict[str, Any] = {}
    for n_samples in range(100, 2001, 50):
        body = {
            "activations": ["relu"],
            "seeds": 200,
            "epochs": 1,
            "hidden_layers": [27] * 8,
            "dataset": {"name": "spiral", "n_samples": n_samples, "train_fraction": 0.9},
        }
        if work_estimate(SweepRequest.model_validate(body)).peak_mib <= cap_mib:
            best = body
    return best


def phase_memory(server: Server, settings: Settings) -> list[str]:
    idle = tree_rss(server.proc.pid)
    peak = idle
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        for _ in range(100_000):  # bounded; ends with the sweeps
            if stop.is_set():
                return
            peak = max(peak, tree_rss(server.proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    base = largest_sweep(settings.train_max_memory_mb)
    bodies = [{**base, "activations": [name]} for name in ("relu", "tanh", "gelu", "elu") * 4]
    for i, body in enumerate(bodies):
        body["dataset"] = {**body["dataset"], "seed": i}  # sixteen different requests
    with ThreadPoolExecutor(16) as executor:
        answers = list(executor.map(lambda b: post(server.base, "/api/train/sweep", b), bodies))
    stop.set()
    sampler.join()
    budget = idle + settings.train_workers * settings.train_max_memory_mb * 2**20
    codes = sorted({code for code, _, _ in answers})
    n_samples = base["dataset"]["n_samples"]
    return [
        f"| 16 largest sweeps at once (200 seeds, 8 x 27, {n_samples} points): peak tree RSS | "
        f"{peak / 2**20:.0f} MiB | budget {budget / 2**20:.0f} MiB = idle tree "
        f"{idle / 2**20:.0f} MiB + {settings.train_workers} workers x "
        f"{settings.train_max_memory_mb} MiB; statuses {codes} |",
    ]


def phase_sigterm() -> list[str]:
    server = Server()
    threads = [
        threading.Thread(target=post, args=(server.base, "/api/train", heavy(9000 + i)))
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    time.sleep(2.0)
    seconds = server.stop()
    for thread in threads:
        thread.join(30)
    return [f"| SIGTERM during 4 trainings: exit | {seconds:.2f} s | goal: within 10 s |"]


def reference(source: Path) -> None:
    """The same isolation and burst phases against another checkout (the code before the pool:
    `git archive 57798e2 | tar -x -C DIR`), for the ratios under the same load."""
    print(f"reference: {source}, load {os.getloadavg()[0]:.1f}")
    print("| measurement | figure | notes |\n| --- | --- | --- |", flush=True)
    server = Server(source)
    try:
        for phase in (phase_isolation, phase_burst):
            print("\n".join(phase(server)), flush=True)
    finally:
        server.stop()


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--reference":
        reference(Path(sys.argv[2]))
        return
    if sys.argv[1:] == ["--burst"]:  # phase 2 alone, twice: cold (first after start) and warm
        server = Server(ACTLAB_TRAIN_QUEUE="8")
        try:
            print(f"load {os.getloadavg()[0]:.1f}")
            for _ in range(2):
                print("\n".join(phase_burst(server)), flush=True)
        finally:
            server.stop()
        return
    settings = Settings(train_time_limit_s=TIME_LIMIT_S)
    print(
        f"{settings.train_workers} workers, queue {settings.train_queue}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    print("| measurement | figure | notes |\n| --- | --- | --- |", flush=True)
    server = Server()
    try:
        for phase in (phase_isolation, phase_burst):
            print("\n".join(phase(server)), flush=True)
        print("\n".join(phase_memory(server, settings)), flush=True)
    finally:
        server.stop()
    print("\n".join(phase_sigterm()))
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
