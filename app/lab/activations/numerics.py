"""Numerically stable building blocks shared by the catalogue entries."""

from collections.abc import Callable

import numpy as np
from scipy.special import expit

from app.lab.activations.base import Array

_abs, _add, _divide, _exp, _multiply = np.abs, np.add, np.divide, np.exp, np.multiply


def sigmoid_pair(x: Array) -> tuple[Array, Array]:
    """sigma(x) and sigma(-x) = 1 - sigma(x), each accurate in its own tail."""
    return expit(x), expit(-x)


def sech2(x: Array) -> Array:
    """sech^2(x) = 1 - tanh^2(x), accurate where tanh(x) rounds to +-1 and never overflowing:
    4 e / (1 + e)^2 with e = exp(-2 |x|).

    Written as in-place ufunc calls on two buffers: it is tanh's derivative, called every
    epoch of every tanh network on a few dozen values, where each temporary array the
    expression form allocates costs as much as its arithmetic. The operations and their order
    are the expression's, so are the numbers, to the bit (tests/lab/activations/test_numerics.py).
    """
    e = _abs(x, dtype=np.float64)
    if not isinstance(e, np.ndarray):  # a number, or a 0-d array: ufuncs give a number back
        e = _exp(-2.0 * e)
        return np.float64(4.0 * e / (1.0 + e) ** 2)
    _multiply(e, -2.0, out=e)
    _exp(e, out=e)
    d = _add(e, 1.0)
    _multiply(d, d, out=d)
    _multiply(e, 4.0, out=e)
    _divide(e, d, out=e)
    return e


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
