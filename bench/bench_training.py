"""Training speed, side by side: this engine against PyTorch, and a seed sweep against single runs.

    .venv/bin/pip install -e '.[bench]'    # torch==2.13.0, the CPU wheel
    .venv/bin/python bench/bench_training.py

1. The XOR network 2-4-1 (tanh hidden, sigmoid output, bce, plain sgd, lr 0.5, full batch,
   5000 epochs) from the same initial weights, with app.lab.nn.training.train and with a float64
   PyTorch loop on one CPU thread (torch.set_num_threads(1)). Both record the loss at the
   engine's 1000 recorded epochs; the curves must agree to 1e-9 and the ratio is printed.
2. The same configuration from seeds 0..99: one stacked run of 100 networks, against 100
   single runs and against one single run. Goals: PyTorch / engine >= 5, sweep / one run <= 10.

Each timing is the best of several repeats. Prints a Markdown table for the README.
"""

import platform
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import torch

from app.lab.activations import get_activation
from app.lab.datasets import xor
from app.lab.nn.training import TrainConfig, run, train

EPOCHS = 5000
LEARNING_RATE = 0.5
SEEDS = 100
CONFIG = TrainConfig(
    dataset=xor(),
    features=("x1", "x2"),
    activation=get_activation("tanh"),
    activation_params={},
    hidden_layers=(4,),
    output="sigmoid",
    loss="bce",
    optimizer="sgd",
    learning_rate=LEARNING_RATE,
    epochs=EPOCHS,
    snapshots=0,
)


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    """The fastest of `repeats` wall-clock timings of fn(), in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def torch_xor(layers: list[tuple[np.ndarray, np.ndarray]], record: np.ndarray) -> np.ndarray:
    """The same network and updates in PyTorch; the loss before update e for e in `record`."""
    (w1, b1), (w2, b2) = layers
    # torch.nn.Linear computes x @ W.T + b: hand it W transposed
    hidden = torch.nn.Linear(2, 4).double()
    out = torch.nn.Linear(4, 1).double()
    with torch.no_grad():
        hidden.weight.copy_(torch.from_numpy(w1.T.copy()))
        hidden.bias.copy_(torch.from_numpy(b1))
        out.weight.copy_(torch.from_numpy(w2.T.copy()))
        out.bias.copy_(torch.from_numpy(b2))
    net = torch.nn.Sequential(hidden, torch.nn.Tanh(), out)
    x = torch.tensor(xor().x_train, dtype=torch.float64)
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(net.parameters(), lr=LEARNING_RATE)
    wanted = np.zeros(EPOCHS, dtype=bool)
    wanted[record] = True
    losses = []
    for epoch in range(EPOCHS):
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        if wanted[epoch]:
            losses.append(loss.item())
        loss.backward()
        opt.step()
    return np.array(losses)


def main() -> None:
    torch.set_num_threads(1)
    repeats = 5
    reference = train(CONFIG, seed=0)
    layers = reference.initial_weights
    torch_loss = torch_xor(layers, reference.epochs)
    gap = float(np.max(np.abs(torch_loss - reference.loss)))

    fixed = replace(CONFIG, initial_weights=layers)
    t_engine = best_of(repeats, lambda: train(fixed, seed=0))
    t_torch = best_of(3, lambda: torch_xor(layers, reference.epochs))
    t_one = best_of(repeats, lambda: run(CONFIG, [0]))
    t_sweep = best_of(3, lambda: run(CONFIG, range(SEEDS)))
    t_loop = best_of(1, lambda: [run(CONFIG, [s]) for s in range(SEEDS)])

    stacked = run(CONFIG, range(SEEDS))
    for s in (0, 50, 99):
        single = run(CONFIG, [s])
        np.testing.assert_allclose(stacked.loss[s], single.loss[0], rtol=1e-12)

    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}")
    print(f"torch threads: {torch.get_num_threads()}; {platform.processor() or platform.machine()}")
    print(f"max |loss_engine - loss_torch| over {len(reference.epochs)} epochs: {gap:.2e}")
    print()
    print("| what (XOR 2-4-1, tanh, bce, sgd, 5000 epochs, full batch) | time | ratio |")
    print("| --- | ---: | ---: |")
    print(f"| PyTorch 2.13 float64, 1 thread | {t_torch * 1e3:.0f} ms | |")
    print(
        f"| this engine, one run | {t_engine * 1e3:.0f} ms | "
        f"PyTorch / engine = {t_torch / t_engine:.1f}x |"
    )
    print(
        f"| this engine, {SEEDS}-seed sweep (one stacked run) | {t_sweep * 1e3:.0f} ms | "
        f"sweep / one run = {t_sweep / t_one:.1f}x |"
    )
    print(
        f"| this engine, {SEEDS} single runs in a loop | {t_loop * 1e3:.0f} ms | "
        f"loop / sweep = {t_loop / t_sweep:.1f}x |"
    )
    ok = gap < 1e-9 and t_torch / t_engine >= 5 and t_sweep / t_one <= 10
    print()
    print(
        "goals (curves agree to 1e-9, >= 5x PyTorch, sweep <= 10x one run):",
        "met" if ok else "NOT met",
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
