"""Numerically stable building blocks shared by the catalogue entries."""

from collections.abc import Callable

import numpy as np
from scipy.special import expit

from app.lab.activations.base import Array


def sigmoid_pair(x: Array) -> tuple[Array, Array]:
    """sigma(x) and sigma(-x) = 1 - sigma(x), each accurate in its own tail."""
    return expit(x), expit(-x)


def sech2(x: Array) -> Array:
    """sech^2(x) = 1 - tanh^2(x), accurate where tanh(x) rounds to +-1 and never overflowing."""
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def stationary_value(
    f: Callable[[Array], Array],
    df: Callable[[Array], Array],
    d2f: Callable[[Array], Array],
    x0: float,
) -> float:
    """f at the stationary point near x0, found by Newton's method on f' (uses the exact f'')."""
    x = np.array([x0])
    for _ in range(50):
        step = df(x) / d2f(x)
        x = x - step
        if abs(float(step[0])) < 1e-15 * max(1.0, abs(float(x[0]))):
            break
    return float(f(x)[0])
