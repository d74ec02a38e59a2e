"""The engine's speed as ratios, in one run: in-process and over HTTP, against PyTorch and sweeps.

    .venv/bin/pip install -e '.[bench]'    # torch, the CPU wheel
    .venv/bin/python bench/bench_speed.py

The network is bench_training's: XOR 2-4-1, tanh hidden, sigmoid output, bce, plain sgd, lr 0.5,
full batch, 5000 epochs, from seed 0's initial weights (handed to PyTorch and, as
`initial_weights`, to the server, so all three train the same network; their loss curves must
agree to 1e-9). Measured:

1. in-process: app.lab.nn.training.train against a float64 PyTorch loop on one thread;
2. over HTTP: POST /api/train to a real server started with the console script
   (`activation-lab`, ACTLAB_PORT on a free loopback port, ACTLAB_RESULT_CACHE_ENTRIES=0 so every
   request trains), against the same PyTorch loop; once with `snapshots: 0` (what PyTorch does)
   and once with the endpoint's default 50 snapshots (what the Train page asks for);
3. a 100-seed sweep against one run of the same network: in-process app.lab.nn.sweep.sweep
   with 100 seeds (what POST /api/train/sweep computes: the loss curves and the summaries)
   against run(config, [0]) (what POST /api/train computes); over HTTP POST /api/train/sweep
   with seeds 100 against POST /api/train with snapshots 0.

The script only talks HTTP to the server, so it measures whatever way the server runs training.
Each time is the best of 9 rounds, each round timing every measurement once (the machine is
shared: ratios of best times taken in the same rounds are what stays comparable). Prints a
Markdown table; exits 1 when a goal of issue 9 section 5 is missed (over HTTP >= 10x PyTorch,
sweep <= 3x one run).
"""

import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import torch
from bench_training import CONFIG, EPOCHS, LEARNING_RATE, SEEDS, torch_xor

from app.lab.nn.sweep import sweep
from app.lab.nn.training import run, train

ROUNDS = 9
HTTP_GOAL = 10.0  # PyTorch / engine over HTTP, at least
SWEEP_GOAL = 3.0  # 100-seed sweep / one run, at most
ROOT = Path(__file__).resolve().parent.parent
BODY: dict[str, Any] = {
    "dataset": "xor",
    "features": ["x1", "x2"],
    "activation": "tanh",
    "hidden_layers": list(CONFIG.hidden_layers),
    "output": "sigmoid",
    "loss": "bce",
    "optimizer": "sgd",
    "learning_rate": LEARNING_RATE,
    "epochs": EPOCHS,
    "seed": 0,
}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """`activation-lab` on a free loopback port with the result cache off."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "ACTLAB_HOST": "127.0.0.1",
            "ACTLAB_PORT": str(self.port),
            "ACTLAB_RESULT_CACHE_ENTRIES": "0",  # every request trains
            "ACTLAB_LOG_LEVEL": "warning",
        }
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "activation-lab")],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/activations", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"server did not come up:\n{self.log.read_text()}")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def poster(client: httpx.Client, path: str, body: dict[str, Any]) -> Callable[[], Any]:
    """A call that POSTs body and returns the parsed answer, failing on anything but 200."""

    def post() -> Any:
        r = client.post(path, json=body)
        assert r.status_code == 200, r.text[:500]
        return r.json()

    return post


def best_of_rounds(rounds: int, calls: dict[str, Callable[[], object]]) -> dict[str, float]:
    """The fastest wall-clock time of each call over `rounds` rounds of all of them, in seconds."""
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    torch.set_num_threads(1)
    reference = train(CONFIG, seed=0)
    layers = reference.initial_weights
    torch_loss = torch_xor(layers, reference.epochs)
    fixed = replace(CONFIG, initial_weights=layers)
    weights = [{"W": w.tolist(), "b": b.tolist()} for w, b in layers]
    one_body = {**BODY, "initial_weights": weights, "snapshots": 0}
    page_body = {**BODY, "initial_weights": weights}  # the default snapshots
    sweep_body = {k: v for k, v in BODY.items() if k not in ("activation", "seed")}
    sweep_body |= {"activations": ["tanh"], "seeds": SEEDS}

    with tempfile.TemporaryDirectory() as tmp, Server(Path(tmp) / "server.log") as server:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            answer = poster(client, "/api/train", one_body)()
            http_gap = float(np.max(np.abs(np.array(answer["loss"]) - torch_loss)))
            # Every measurement once per round, the rounds one after the other: on a shared
            # machine the load drifts over a minute, and a ratio of two best times is only fair
            # when both were taken under the same drift.
            best = best_of_rounds(
                ROUNDS,
                {
                    "torch": lambda: torch_xor(layers, reference.epochs),
                    "engine": lambda: train(fixed, seed=0),
                    "one": lambda: run(CONFIG, [0]),
                    "sweep": lambda: sweep(CONFIG, [(CONFIG.activation, {})], SEEDS),
                    "http": poster(client, "/api/train", one_body),
                    "http_page": poster(client, "/api/train", page_body),
                    "http_sweep": poster(client, "/api/train/sweep", sweep_body),
                },
            )
    t_torch, t_engine, t_one, t_sweep = best["torch"], best["engine"], best["one"], best["sweep"]
    t_http, t_http_page, t_http_sweep = best["http"], best["http_page"], best["http_sweep"]
    gap = float(np.max(np.abs(torch_loss - reference.loss)))

    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}")
    print(f"torch threads: {torch.get_num_threads()}; {platform.processor() or platform.machine()}")
    print(
        f"max |loss - loss_torch| over {len(reference.epochs)} epochs: "
        f"in-process {gap:.2e}, over HTTP {http_gap:.2e}"
    )
    print()
    net = f"XOR 2-4-1, tanh, bce, sgd, {EPOCHS} epochs"
    rows = [
        (f"PyTorch {torch.__version__.split('+')[0]} float64, 1 thread", t_torch, ""),
        ("engine in-process, train()", t_engine, f"PyTorch / engine = {t_torch / t_engine:.1f}x"),
        (
            "engine over HTTP, POST /api/train, snapshots 0",
            t_http,
            f"PyTorch / HTTP = {t_torch / t_http:.1f}x",
        ),
        (
            "engine over HTTP, POST /api/train, 50 snapshots (default)",
            t_http_page,
            f"PyTorch / HTTP = {t_torch / t_http_page:.1f}x",
        ),
        (
            f"engine in-process, {SEEDS}-seed sweep()",
            t_sweep,
            f"sweep() / one run() = {t_sweep / t_one:.2f}x",
        ),
        (
            f"engine over HTTP, POST /api/train/sweep, {SEEDS} seeds",
            t_http_sweep,
            f"sweep / one /api/train (snapshots 0) = {t_http_sweep / t_http:.2f}x",
        ),
    ]
    print(f"| what ({net}) | best time | ratio |")
    print("| --- | ---: | ---: |")
    for what, seconds, ratio in rows:
        print(f"| {what} | {seconds * 1e3:.0f} ms | {ratio} |")
    goals = {
        "curves agree to 1e-9": max(gap, http_gap) < 1e-9,
        f"over HTTP >= {HTTP_GOAL:g}x PyTorch": t_torch / t_http >= HTTP_GOAL,
        f"sweep <= {SWEEP_GOAL:g}x one run in-process": t_sweep / t_one <= SWEEP_GOAL,
        f"sweep <= {SWEEP_GOAL:g}x one run over HTTP": t_http_sweep / t_http <= SWEEP_GOAL,
    }
    print()
    for goal, met in goals.items():
        print(f"- {goal}: {'met' if met else 'NOT met'}")
    sys.exit(0 if all(goals.values()) else 1)


if __name__ == "__main__":
    main()
