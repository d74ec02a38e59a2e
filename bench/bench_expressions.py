"""Custom expressions: how long one takes to compile, and how its numpy program compares with
the hand-written catalogue entry it re-types (a ratio, so the machine's load mostly cancels).

    .venv/bin/python bench/bench_expressions.py [--points 20001] [--repeat 5]

Compile: parse + differentiate twice + simplify + TeX + compile, cold (each text is compiled
once; a trailing "+ 0*x" variant would be simplified away but is a new cache key). Evaluate:
f + f' + f'' at `points` values in [-6, 6], best of --repeat loops sized to about 0.1 s, for the
expression `name(x)` against the catalogue entry at its defaults.
"""

import argparse
import time
import timeit
from functools import partial

import numpy as np

from app.lab.activations import Activation, Array, ParamValue, get_activation
from app.lab.expressions import custom_activation

COMPILE = [
    "x * sigmoid(beta * x)",
    "x * tanh(softplus(x))",
    "where(x > 0, x, a * (exp(x) - 1))",
    "max(0.1 * x, x)",
    "sin(3 * x) * exp(-x ** 2 / 2)",
]
EVALUATE = ["relu", "silu", "mish", "elu", "gelu", "softsign", "hardswish"]


def all_three(act: Activation, x: Array, params: dict[str, ParamValue]) -> None:
    act.f(x, **params), act.df(x, **params), act.d2f(x, **params)


def best(fn: object, repeat: int) -> float:
    timer = timeit.Timer(fn)  # type: ignore[arg-type]
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=20001)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    print("compile (cold)                         seconds")
    for text in COMPILE:
        params = {name: 1.3 for name in ("a", "beta") if name in text.replace("abs", "")}
        started = time.perf_counter()
        custom_activation(text, params)
        print(f"  {text:36} {time.perf_counter() - started:7.3f}")

    x = np.linspace(-6, 6, args.points) + 1e-3
    print(f"\nf + f' + f'' at {args.points} points   builtin ms  custom ms  custom/builtin")
    for name in EVALUATE:
        builtin = get_activation(name)
        params = builtin.defaults
        custom = custom_activation(f"{name}(x)")

        tb = best(partial(all_three, builtin, x, params), args.repeat)
        tc = best(partial(all_three, custom, x, {}), args.repeat)
        print(f"  {name:34} {tb * 1e3:9.3f} {tc * 1e3:10.3f} {tc / tb:10.2f}")


if __name__ == "__main__":
    main()
