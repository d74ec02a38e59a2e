"""Weight initialisers for dense layers W of shape (fan_in, fan_out) and b of shape (fan_out,).

Each scheme is one function `scheme(rng, fan_in, fan_out) -> (W, b)` that draws W with a single
call on `rng` (so a seed fixes the weights) and draws nothing for b:

- xavier: Glorot-uniform, W ~ U(-l, l) with l = sqrt(6 / (fan_in + fan_out)); b = 0.
- he: He-normal, W ~ N(0, 2 / fan_in) (untruncated, as torch.nn.init.kaiming_normal_); b = 0.
- lecun: LeCun-normal, W ~ N(0, 1 / fan_in) (untruncated); b = 0.
- uniform: the TensorFlow Playground's, W ~ U(-0.5, 0.5) and b = 0.1.
"""

import math
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Layer = tuple[Array, Array]
InitName = Literal["xavier", "he", "lecun", "uniform"]
INIT_NAMES: tuple[InitName, ...] = get_args(InitName)
DEFAULT_INIT: InitName = "xavier"

# The TensorFlow Playground starts every bias at 0.1 (src/nn.ts, class Node).
PLAYGROUND_BIAS = 0.1


def xavier(rng: np.random.Generator, fan_in: int, fan_out: int) -> Layer:
    """Glorot-uniform weights U(-l, l), l = sqrt(6 / (fan_in + fan_out)), and zero biases."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)), np.zeros(fan_out)


def he(rng: np.random.Generator, fan_in: int, fan_out: int) -> Layer:
    """He-normal weights N(0, 2 / fan_in) and zero biases."""
    std = math.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out)), np.zeros(fan_out)


def lecun(rng: np.random.Generator, fan_in: int, fan_out: int) -> Layer:
    """LeCun-normal weights N(0, 1 / fan_in) and zero biases."""
    std = math.sqrt(1.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out)), np.zeros(fan_out)


def uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> Layer:
    """The TensorFlow Playground's weights U(-0.5, 0.5) and biases 0.1."""
    return rng.uniform(-0.5, 0.5, size=(fan_in, fan_out)), np.full(fan_out, PLAYGROUND_BIAS)


INITIALIZERS: dict[InitName, Callable[[np.random.Generator, int, int], Layer]] = {
    "xavier": xavier,
    "he": he,
    "lecun": lecun,
    "uniform": uniform,
}


def init_layers(name: InitName, sizes: Sequence[int], rng: np.random.Generator) -> list[Layer]:
    """(W, b) for each pair of consecutive sizes, drawn in layer order; KeyError if unknown."""
    scheme = INITIALIZERS[name]
    return [scheme(rng, fan_in, fan_out) for fan_in, fan_out in pairwise(sizes)]
