"""How much slower training is with a custom expression than with the built-in it re-types.

    .venv/bin/python bench/bench_custom_training.py        # about a minute; prints a table

Each pair trains the same network with the catalogue entry and with its expression
(app.lab.expressions.custom.training_activation), in this process, best of REPEATS, on shapes
from the smallest request (XOR 2-4-1) to a wide mini-batched one; then the whole run's ratio
custom / built-in and the custom run's time over the work model's time floor. The floor times
app.lab.nn.work.CUSTOM_TIME_FACTOR must stay below every measured custom run (it is a floor),
so the factor is at most the smallest ratio here. Timings on a shared machine are noisy: the
figures are ratios of one run.
"""

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from app.lab import datasets  # noqa: E402
from app.lab.activations import get_activation  # noqa: E402
from app.lab.expressions.custom import training_activation  # noqa: E402
from app.lab.nn.training import TrainConfig, record_schedule, train  # noqa: E402
from app.lab.nn.work import CUSTOM_TIME_FACTOR, RunShape, estimate  # noqa: E402
from tests.factories import xor_config  # noqa: E402

REPEATS = 3
PAIRS = [  # built-in, its expression, the expression's params
    ("tanh", "tanh(x)", {}),
    ("relu", "max(0, x)", {}),
    ("silu", "x * sigmoid(x)", {}),
    ("elu", "where(x > 0, x, a * (exp(x) - 1))", {"a": 1.0}),
    ("mish", "x * tanh(softplus(x))", {}),
    ("softsign", "x / (1 + abs(x))", {}),
]


def shapes() -> list[tuple[str, TrainConfig]]:
    spiral = datasets.GENERATORS["spiral"]
    x, y = spiral(np.random.default_rng(0), 400, 0.1)
    data = datasets.Dataset(
        name="spiral", x_train=x, y_train=y, x_test=None, y_test=None, n_classes=2
    )
    return [
        ("xor 2-4-1, 2000 epochs", xor_config()),
        (
            "spiral 400, 8-8, batch 20, 100 epochs",
            replace(xor_config(), dataset=data, hidden_layers=(8, 8), batch_size=20, epochs=100),
        ),
        (
            "spiral 400, 32-32, full batch, 300 epochs",
            replace(xor_config(), dataset=data, hidden_layers=(32, 32), epochs=300),
        ),
    ]


def best(config: TrainConfig) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        train(config)
        times.append(time.perf_counter() - started)
    return min(times)


def floor_s(config: TrainConfig) -> float:
    shape = RunShape(
        sizes=config.layout.sizes,
        n_train=config.n_train,
        n_test=0,
        networks=1,
        epochs=config.epochs,
        batch_size=config.batch_size,
        recorded=len(record_schedule(config.epochs)),
    )
    return estimate(shape).seconds


def main() -> None:
    ratios = []
    floors = []
    print(f"{'shape':42} {'pair':10} {'built-in s':>10} {'custom s':>9} {'ratio':>6} {'/floor':>7}")
    for label, base in shapes():
        for name, text, params in PAIRS:
            act_b = get_activation(name)
            builtin = replace(base, activation=act_b, activation_params=act_b.defaults)
            act = training_activation(text, params)
            custom = replace(base, activation=act, activation_params=act.resolve(params))
            t_builtin, t_custom = best(builtin), best(custom)
            ratio, over_floor = t_custom / t_builtin, t_custom / floor_s(base)
            ratios.append(ratio)
            floors.append(over_floor)
            print(
                f"{label:42} {name:10} {t_builtin:10.3f} {t_custom:9.3f} {ratio:6.2f} "
                f"{over_floor:7.1f}"
            )
    print(
        f"custom / built-in: min {min(ratios):.2f}, median {statistics.median(ratios):.2f}, "
        f"max {max(ratios):.2f}"
    )
    print(
        f"custom / time floor: min {min(floors):.1f}; over CUSTOM_TIME_FACTOR = "
        f"{CUSTOM_TIME_FACTOR} x the floor: {min(floors) / CUSTOM_TIME_FACTOR:.1f}"
        " (above 1: a floor)"
    )


if __name__ == "__main__":
    main()
