"""Gradient flow at initialisation: how the loss gradient reaches each layer of a deep MLP.

The network and its loss (all drawn from one seed, in this order):

- inputs X, shape (batch, width), entries N(0, 1);
- `depth` layers z_l = a_{l-1} @ W_l + b_l, a_l = f(z_l), a_0 = X, W_l of shape (width, width),
  initialised by app.lab.nn.initializers (the same weights for every activation compared);
- a fixed linear readout y = a_depth @ v with v_i ~ N(0, 1 / width);
- targets t, shape (batch,), entries N(0, 1);
- loss L = mean_b (y_b - t_b)^2 (batch mean, no 1/2).

Per layer this reports the Frobenius norms of dL/dW_l, dL/db_l, dL/dz_l (pre-activation) and
dL/da_l (post-activation, a (batch, width) matrix), and statistics of a_l over the batch and
units: mean, std, the fraction exactly 0 and the fraction saturated (|f'(z_l)| below
SATURATION_SLOPE and a_l != 0, so the two fractions are disjoint: a ReLU's zeros have f' = 0
too). With
sigmoid the gradient shrinks by about f' <= 1/4 per layer on its way down; with ReLU and He
initialisation its norm stays of the same order in every layer.
"""

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.lab.activations import SATURATION_SLOPE, Activation, Array, ParamValue
from app.lab.nn.initializers import InitName, Layer, init_layers

# The deepest, widest network and the largest batch measured (the work cap is the server's).
MAX_DEPTH = 64
MAX_WIDTH = 256
MAX_BATCH_SIZE = 1024

LOSS_DEFINITION = (
    "L = mean_b (y_b - t_b)^2 with y = a_depth @ v, v_i ~ N(0, 1/width), t_b ~ N(0, 1); "
    "a_l = f(a_{l-1} @ W_l + b_l), a_0 = X with N(0, 1) entries; drawn from the seed in the "
    "order X, (W_l, b_l) for l = 1..depth, v, t"
)

COLUMNS = (
    "weight_grad_norm",
    "bias_grad_norm",
    "preactivation_grad_norm",
    "activation_grad_norm",
    "mean",
    "std",
    "zero_fraction",
    "saturated_fraction",
)


@dataclass(frozen=True)
class Problem:
    """The inputs, initial layers, readout and targets the gradients are measured on."""

    x: Array  # (batch, width)
    layers: list[Layer]  # (W_l, b_l) for l = 1..depth
    readout: Array  # (width,)
    target: Array  # (batch,)


@dataclass(frozen=True)
class Backprop:
    """One forward and backward pass: every intermediate and gradient, index l-1 for layer l."""

    loss: float
    pre: list[Array]  # z_l
    post: list[Array]  # a_l
    slope: list[Array]  # f'(z_l)
    d_weights: list[Array]
    d_biases: list[Array]
    d_pre: list[Array]  # dL/dz_l
    d_post: list[Array]  # dL/da_l


@dataclass(frozen=True)
class GradientFlow:
    """Per-layer gradient norms and activation statistics for one activation (arrays of depth)."""

    activation: str
    params: dict[str, ParamValue]
    loss: float  # NaN when it overflowed float64
    finite: bool  # False when any value below overflowed float64 (those are NaN)
    weight_grad_norm: Array
    bias_grad_norm: Array
    preactivation_grad_norm: Array
    activation_grad_norm: Array
    mean: Array
    std: Array
    zero_fraction: Array
    saturated_fraction: Array


def make_problem(
    depth: int, width: int, batch_size: int, init: InitName, rng: np.random.Generator
) -> Problem:
    """Draw X, the layers, the readout and the targets from rng, in that order."""
    x = rng.standard_normal((batch_size, width))
    layers = init_layers(init, [width] * (depth + 1), rng)
    readout = rng.normal(0.0, math.sqrt(1.0 / width), size=width)
    target = rng.standard_normal(batch_size)
    return Problem(x, layers, readout, target)


def forward(
    problem: Problem, act: Activation, params: dict[str, ParamValue]
) -> tuple[list[Array], list[Array], float]:
    """z_l and a_l for every layer, and the loss mean((a_depth @ v - t)^2)."""
    pre: list[Array] = []
    post: list[Array] = []
    a = problem.x
    for w, b in problem.layers:
        z = a @ w + b
        a = act.f(z, **params)
        pre.append(z)
        post.append(a)
    loss = float(np.mean((a @ problem.readout - problem.target) ** 2))
    return pre, post, loss


@dataclass(frozen=True)
class LayerGradients:
    """What the backward pass yields for one layer (index l-1 for layer l)."""

    index: int
    slope: Array  # f'(z_l)
    d_post: Array  # dL/da_l
    d_pre: Array  # dL/dz_l
    d_weights: Array
    d_biases: Array


def backward(
    problem: Problem,
    act: Activation,
    params: dict[str, ParamValue],
    pre: list[Array],
    post: list[Array],
) -> Iterator[LayerGradients]:
    """Exact gradients of the loss by backpropagation, one layer at a time from the last."""
    residual = post[-1] @ problem.readout - problem.target
    d_a = np.outer(2.0 * residual / residual.size, problem.readout)
    for index in reversed(range(len(problem.layers))):
        slope = act.df(pre[index], **params)
        d_z = d_a * slope
        below = post[index - 1] if index > 0 else problem.x
        yield LayerGradients(index, slope, d_a, d_z, below.T @ d_z, d_z.sum(axis=0))
        d_a = d_z @ problem.layers[index][0].T


def backprop(problem: Problem, act: Activation, params: dict[str, ParamValue]) -> Backprop:
    """Forward pass, loss and every gradient, kept in memory (for tests and small nets)."""
    pre, post, loss = forward(problem, act, params)
    grads = list(backward(problem, act, params, pre, post))[::-1]
    return Backprop(
        loss,
        pre,
        post,
        [g.slope for g in grads],
        [g.d_weights for g in grads],
        [g.d_biases for g in grads],
        [g.d_pre for g in grads],
        [g.d_post for g in grads],
    )


def _scale_free(stat: Callable[[Array], float], x: Array) -> float:
    """stat(x) for a statistic that scales linearly (norm, mean, std), safe from overflow.

    Far from 1 it is computed as m * stat(x / m), m = max |x|, so squares of huge values never
    overflow and squares of tiny ones never underflow; NaN when x is not finite.
    """
    m = float(max(np.max(x), -np.min(x)))
    if not math.isfinite(m):
        return math.nan
    if m == 0.0:
        return 0.0
    if 1e-100 < m < 1e100:
        return stat(x)
    return m * stat(x / m)


def _norm(x: Array) -> float:
    return _scale_free(lambda y: float(np.linalg.norm(y)), x)


def _mean(x: Array) -> float:
    return _scale_free(lambda y: float(np.mean(y)), x)


def _std(x: Array) -> float:
    return _scale_free(lambda y: float(np.std(y)), x)


def _fraction(where: NDArray[np.bool_], of: Array) -> float:
    """The fraction of entries where `where` holds; NaN when `of` is not finite."""
    return float(np.mean(where)) if np.isfinite(of).all() else math.nan


def measure(problem: Problem, act: Activation, params: dict[str, ParamValue]) -> GradientFlow:
    """The per-layer gradient norms and activation statistics of `act` on this problem.

    Gradients are reduced to norms as the backward pass yields them, so only z_l and a_l are
    held for every layer at once.
    """
    depth = len(problem.layers)
    columns = {name: np.empty(depth) for name in COLUMNS}
    # Deep stacks can overflow float64 (uniform init, large depth); that is reported, not raised.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        pre, post, loss = forward(problem, act, params)
        for index, a in enumerate(post):
            columns["mean"][index] = _mean(a)
            columns["std"][index] = _std(a)
            columns["zero_fraction"][index] = _fraction(a == 0.0, a)
        for g in backward(problem, act, params, pre, post):
            columns["weight_grad_norm"][g.index] = _norm(g.d_weights)
            columns["bias_grad_norm"][g.index] = _norm(g.d_biases)
            columns["preactivation_grad_norm"][g.index] = _norm(g.d_pre)
            columns["activation_grad_norm"][g.index] = _norm(g.d_post)
            # a zero output is counted once, as zero, even where f' = 0 there too (ReLU)
            saturated = (np.abs(g.slope) < SATURATION_SLOPE) & (post[g.index] != 0.0)
            columns["saturated_fraction"][g.index] = _fraction(saturated, g.slope)
    loss = loss if math.isfinite(loss) else math.nan
    finite = math.isfinite(loss) and all(np.isfinite(v).all() for v in columns.values())
    return GradientFlow(activation=act.name, params=params, loss=loss, finite=finite, **columns)


def gradient_flow(
    activations: Sequence[tuple[Activation, dict[str, ParamValue]]],
    depth: int,
    width: int,
    init: InitName,
    seed: int,
    batch_size: int,
) -> list[GradientFlow]:
    """Measure each (activation, params) on one problem drawn from the seed (same X and weights)."""
    problem = make_problem(depth, width, batch_size, init, np.random.default_rng(seed))
    return [measure(problem, act, params) for act, params in activations]
