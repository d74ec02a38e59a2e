"""A stack of S small fully connected networks, one per seed, with backprop written by hand.

Semantics (the API documents the same):

- layer l computes a_l = f(z_l), z_l = a_{l-1} @ W_l + b_l with W_l of shape (in, out), a_0 = x;
  every hidden layer uses the same activation f; the last layer is the output layer.
- output "sigmoid": one unit, p = sigmoid(z) is the probability of class 1; loss "bce" is
  mean(-(y log p + (1 - y) log(1 - p))), computed from the logit as mean(log(1 + e^z) - y z)
  with no epsilon; loss "mse" is mean((p - y)^2), no 1/2.
- output "softmax": K units, p = softmax(z); loss "cross_entropy" is mean(-log p_y).
- output "linear": one unit whose value is z itself, for a real-valued target (regression);
  loss "mse" is mean((z - y)^2), no 1/2. Its fit is R^2 = 1 - mse / var(y) (r_squared).
- means are over the batch; gradients are gradients of that mean. Regularisation adds
  rate * sum|W| ("l1", gradient rate * sign W) or rate * sum W^2 / 2 ("l2", gradient rate * W)
  over the weights, never the biases; the reported loss is the data loss without it.

The S networks live in one parameter matrix theta of shape (S, P): each row holds every W_l
(row-major, layer by layer) and then every b_l. Layer views into it are (S, in, out) and
(S, out), so one np.matmul on (S, n, in) @ (S, in, out) runs all seeds at once and the optimisers
update every parameter with a few whole-matrix operations.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from app.lab.activations import Activation, ParamValue
from app.lab.nn.initializers import InitName, Layer, init_layers

Array = NDArray[np.float64]
# bound once: the attribute lookups are measurable at a few microseconds per epoch
_matmul = np.matmul
_add_reduce = np.add.reduce
_add = np.add

# A stack's batches of up to this many points are summed by a chain of adds (sum_over_points).
CHAINED_SUM_POINTS = 7


def sum_over_points(d: Array, out: Array) -> None:
    """out = d summed over its points (axis -2): (n, u) -> (u,) or (S, n, u) -> (S, u).

    For a stack of networks, a layer of several units and up to CHAINED_SUM_POINTS points (the
    XOR truth table, small mini-batches) this is a chain of adds in point order,
    ((d0 + d1) + d2) + ...: add.reduce walks such a (100, 4, 4) stack one unit row at a time,
    ~2x the chain's time. For one network's 2-D array, or one unit (the points contiguous),
    add.reduce is the faster. The chain is the order add.reduce itself sums so few points in
    (pairwise summation starts at 8), so either way the numbers are numpy's to the bit, and a seed's
    sweep numbers its own run's (tests/lab/nn/test_mlp.py, test_sweep_bits.py).
    """
    n = d.shape[-2]
    if d.ndim < 3 or d.shape[-1] == 1 or n > CHAINED_SUM_POINTS or n < 2:
        _add_reduce(d, axis=-2, out=out)
        return
    _add(d[..., 0, :], d[..., 1, :], out=out)
    for i in range(2, n):
        _add(out, d[..., i, :], out=out)


OutputName = Literal["sigmoid", "softmax", "linear"]
LossName = Literal["bce", "mse", "cross_entropy"]
OptimizerName = Literal["sgd", "momentum", "adam"]
RegularizationName = Literal["none", "l1", "l2"]
OUTPUT_NAMES: tuple[OutputName, ...] = get_args(OutputName)
LOSS_NAMES: tuple[LossName, ...] = get_args(LossName)
OPTIMIZER_NAMES: tuple[OptimizerName, ...] = get_args(OptimizerName)
REGULARIZATION_NAMES: tuple[RegularizationName, ...] = get_args(RegularizationName)
# Which losses each output is trained with; the first is the default.
LOSSES_OF: dict[OutputName, tuple[LossName, ...]] = {
    "sigmoid": ("bce", "mse"),
    "softmax": ("cross_entropy",),
    "linear": ("mse",),
}
# A regression run counts as converged once its training R^2 reaches this (the fit a learner
# would call "learned it"); a classification run once every training point is right.
R2_TARGET = 0.95
# The networks this trainer is made for: the Playground's scale (it allows 6 layers of 8).
MAX_HIDDEN_LAYERS = 8
MAX_UNITS = 64
# A point counts as classified only when its logit (for softmax: the winning margin) clears the
# decision boundary by more than this; closer than that is rounding noise, not a decision.
DECISION_MARGIN = 1e-6

MOMENTUM = 0.9
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


@dataclass(frozen=True)
class Layout:
    """Where each layer's W (in, out) and b (out,) sit in a flat parameter row."""

    sizes: tuple[int, ...]  # (inputs, hidden..., outputs)
    w_offsets: tuple[int, ...] = field(init=False)
    b_offsets: tuple[int, ...] = field(init=False)
    n_params: int = field(init=False)

    def __post_init__(self) -> None:
        # plain ints (itertools, not numpy: a request's checks build several layouts, and
        # np.cumsum's wrapper was a third of the time an admission refusal takes)
        shapes = list(pairwise(self.sizes))
        w_offsets = list(accumulate((i * o for i, o in shapes), initial=0))
        n_weights = w_offsets.pop()
        b_offsets = list(accumulate((o for _, o in shapes), initial=n_weights))
        object.__setattr__(self, "w_offsets", tuple(w_offsets))
        object.__setattr__(self, "n_params", b_offsets.pop())
        object.__setattr__(self, "b_offsets", tuple(b_offsets))

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def n_weights(self) -> int:
        """Parameters that are weights (the biases follow them in a row)."""
        return self.b_offsets[0]

    def views(self, theta: Array) -> list[tuple[Array, Array]]:
        """(W_l, b_l) views of shape (S, in, out) and (S, out) into theta (S, P)."""
        s = theta.shape[0]
        out = []
        for (fan_in, fan_out), w0, b0 in zip(
            pairwise(self.sizes), self.w_offsets, self.b_offsets, strict=True
        ):
            w = theta[:, w0 : w0 + fan_in * fan_out].reshape(s, fan_in, fan_out)
            out.append((w, theta[:, b0 : b0 + fan_out]))
        return out

    def pack(self, layers: Sequence[Layer]) -> Array:
        """One flat parameter row (P,) from [(W_l, b_l)]."""
        row = np.empty(self.n_params)
        for (w, b), (w_view, b_view) in zip(layers, self.views(row[None, :]), strict=True):
            w_view[0] = w
            b_view[0] = b
        return row

    def unpack(self, row: Array) -> list[Layer]:
        """[(W_l, b_l)] as fresh arrays from one flat row (P,)."""
        return [(w[0].copy(), b[0].copy()) for w, b in self.views(row[None, :])]


def init_theta(layout: Layout, init: InitName, rngs: Sequence[np.random.Generator]) -> Array:
    """(S, P): row s holds app.lab.nn.initializers's layers drawn, layer by layer, from rngs[s]."""
    return np.stack([layout.pack(init_layers(init, layout.sizes, rng)) for rng in rngs])


class HeadError(ValueError):
    """An output and a loss (or a number of classes) that do not go together."""


@dataclass(frozen=True)
class Head:
    """The output layer's squashing and the loss on top of it.

    sigmoid (one unit, two classes) is trained with bce or mse, softmax (K units) with
    cross_entropy, linear (one unit, a real target: regression) with mse; any other pairing is
    refused here, so no caller can compute a loss whose gradient does not match it (bce on a
    softmax would use the sigmoid's per-unit formula).
    """

    output: OutputName
    loss: LossName

    def __post_init__(self) -> None:
        allowed = LOSSES_OF[self.output]
        if self.loss in allowed:
            return
        if self.output == "sigmoid":
            raise HeadError(
                f"loss {self.loss!r} goes with output 'softmax'; sigmoid takes "
                f"{' or '.join(allowed)}"
            )
        raise HeadError(
            f"output {self.output!r} is trained with loss {allowed[0]!r}, not {self.loss!r}"
        )

    @classmethod
    def for_classes(
        cls, n_classes: int, output: OutputName | None = None, loss: LossName | None = None
    ) -> "Head":
        """The head for data with n_classes classes (0: a regression set): linear for none,
        sigmoid for two and softmax for more when `output` is None, its first loss when `loss`
        is None; HeadError when they do not fit."""
        chosen: OutputName = output or default_output(n_classes)
        if n_classes == 0 and chosen != "linear":
            raise HeadError(
                f"output {chosen!r} is for classes; this is a regression set (a real-valued "
                "target per point): use 'linear'"
            )
        if n_classes > 0 and chosen == "linear":
            raise HeadError(
                f"output 'linear' is for the regression sets' real-valued targets; this data has "
                f"{n_classes} classes: use {default_output(n_classes)!r}"
            )
        if chosen == "sigmoid" and n_classes > 2:
            raise HeadError(
                f"output 'sigmoid' is for two classes; this data has {n_classes}: use 'softmax'"
            )
        return cls(chosen, LOSSES_OF[chosen][0] if loss is None else loss)

    @property
    def classifies(self) -> bool:
        """Outputs classes (sigmoid, softmax) rather than a real value (linear)."""
        return self.output != "linear"

    def units(self, n_classes: int) -> int:
        """Output units: one p(class 1) for sigmoid, one per class for softmax, one value for
        linear."""
        return n_classes if self.output == "softmax" else 1

    def layout(self, n_inputs: int, hidden_layers: Sequence[int], n_classes: int) -> "Layout":
        """The network's layer sizes: inputs, hidden units, this head's output units."""
        return Layout((n_inputs, *hidden_layers, self.units(n_classes)))

    def targets(self, labels: NDArray[Any], n_classes: int) -> Array:
        """Labels as the float targets y the loss compares with: (n, 1) or one-hot (n, K)."""
        if self.output != "softmax":
            return np.asarray(labels, dtype=np.float64)[:, None]
        return np.asarray(np.eye(n_classes)[labels], dtype=np.float64)

    def probabilities(self, z: Array) -> Array:
        """p(class 1) (..., 1) for sigmoid, the class probabilities (..., K) for softmax; the
        output value z itself (..., 1) for linear."""
        if self.output == "sigmoid":
            return np.asarray(expit(z), dtype=np.float64)
        if self.output == "linear":
            return np.array(z, dtype=np.float64)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return np.asarray(e / e.sum(axis=-1, keepdims=True), dtype=np.float64)

    def predicted(self, z: Array) -> NDArray[np.int64]:
        """Class per point. Sigmoid: 1 where the logit exceeds DECISION_MARGIN, else 0 (a tie
        goes to class 0, as p > 0.5 would have it). Softmax: the argmax, or -1 (never right)
        where the top two logits are within DECISION_MARGIN.

        A linear model fit to XOR puts every logit at 0 plus rounding noise; without the
        margin, that noise can land all four points on the right side and call a coin toss
        "converged".
        """
        if self.output == "sigmoid":
            return (z[..., 0] > DECISION_MARGIN).astype(np.int64)
        top_two = np.sort(z, axis=-1)[..., -2:]
        decided = top_two[..., 1] - top_two[..., 0] > DECISION_MARGIN
        return np.where(decided, np.argmax(z, axis=-1), -1).astype(np.int64)

    def right(self, z: Array, labels: NDArray[np.int64]) -> NDArray[np.bool_]:
        """predicted(z) == labels, per network and point, without the integer classes in between
        (the sigmoid's bool is compared with labels == 1: the check runs every epoch)."""
        if self.output == "sigmoid":
            return np.asarray(np.equal(z[..., 0] > DECISION_MARGIN, labels == 1))
        return np.asarray(self.predicted(z) == labels)

    def solved(self, z: Array, y: Array, labels: NDArray[Any]) -> NDArray[np.bool_]:
        """(S,) whether each network has learned the task: every point right (classes), or a
        training R^2 of at least R2_TARGET (linear)."""
        if self.classifies:
            return np.asarray(np.logical_and.reduce(self.right(z, labels), axis=1))  # .all
        return np.asarray(r_squared(self.losses(z, y), y) >= R2_TARGET)

    def losses(self, z: Array, y: Array) -> Array:
        """The batch-mean loss of each network: z (S, n, units) -> (S,)."""
        if self.loss == "bce":
            per_point = np.logaddexp(0.0, z) - y * z
        elif self.output == "linear":
            per_point = (z - y) ** 2
        elif self.loss == "mse":
            per_point = (expit(z) - y) ** 2
        else:
            top = z.max(axis=-1, keepdims=True)
            log_sum = top + np.log(np.exp(z - top).sum(axis=-1, keepdims=True))
            per_point = log_sum - (z * y).sum(axis=-1, keepdims=True)
        return np.asarray(np.add.reduce(per_point, axis=(1, 2)) / z.shape[1])  # .sum, unwrapped

    def delta(self, z: Array, y: Array) -> Array:
        """d(batch-mean loss)/dz, the same shape as z."""
        scale = 1.0 / z.shape[1]
        if self.output == "linear":
            d = z - y
            d *= 2.0 * scale
            return d
        if self.loss == "mse":
            p = expit(z)
            d = p - y
            d *= p
            d *= expit(-z)  # p (1 - p) without cancellation when p is near 1
            d *= 2.0 * scale
            return d
        d = self.probabilities(z)
        d -= y
        d *= scale
        return d


def default_output(n_classes: int) -> OutputName:
    """The output unit(s) data with n_classes classes gets by default (0: regression)."""
    if n_classes == 0:
        return "linear"
    return "sigmoid" if n_classes == 2 else "softmax"


def r_squared(mse: Array, targets: Array) -> Array:
    """R^2 = 1 - mse / var(targets) elementwise (var: the mean squared deviation, so this is
    1 - SS_res / SS_tot). Constant targets have no variance to explain: 1 for a perfect fit,
    else 0 (scikit-learn's r2_score convention), so the number is always finite."""
    var = float(np.var(targets))
    if var == 0.0:
        return np.where(mse == 0.0, 1.0, 0.0)
    return np.asarray(1.0 - mse / var, dtype=np.float64)


def bound(fn: Callable[..., Array], params: dict[str, ParamValue]) -> Callable[[Array], Array]:
    """fn with its parameters filled in; fn itself when it has none (no **{} per call)."""
    if not params:
        return fn

    def with_params(x: Array) -> Array:
        return fn(x, **params)

    return with_params


@dataclass
class Stack:
    """S networks of one architecture and activation, parameters in theta (S, P)."""

    layout: Layout
    act: Activation
    act_params: dict[str, ParamValue]
    head: Head
    theta: Array
    grad: Array = field(init=False)

    def __post_init__(self) -> None:
        self.grad = np.zeros_like(self.theta)
        self.layers = self.layout.views(self.theta)
        self.b_rows = [b[:, None, :] for _, b in self.layers]
        self.w_t = [w.transpose(0, 2, 1) for w, _ in self.layers]
        self.grad_layers = self.layout.views(self.grad)
        # What forward and backward read per layer, bound once: at a few microseconds per epoch
        # the lookups and the empty **params unpacking are a measurable share of the time.
        plan = [(w, b) for (w, _), b in zip(self.layers, self.b_rows, strict=True)]
        self.hidden_plan, self.output_plan = plan[:-1], plan[-1]
        last = len(self.layers) - 1
        self.backward_plan = [
            (layer, *self.grad_layers[layer], self.w_t[layer] if layer else None)
            for layer in range(last, -1, -1)
        ]
        self.f = bound(self.act.f, self.act_params)
        self.df = bound(self.act.df, self.act_params)
        # backward transposes each layer's input; the first one is usually the same x every
        # epoch, so its transposed view is kept (a view: the same memory, the same matmul)
        self.x_seen: Array | None = None
        self.x_t: Array = np.empty((0, 0))
        if self.theta.shape[0] == 1:
            # One network (every /api/train run): the same products on 2-D views skip
            # matmul's broadcasting over a seed axis of one, a third of its cost at this size.
            # numpy computes each matrix of a stack as it computes that matrix alone, so the
            # numbers are the same to the bit (tests/lab/nn/test_mlp.py checks it).
            self.hidden_plan_1 = [(w[0], b[0, 0]) for w, b in self.hidden_plan]
            w, b = self.output_plan
            self.output_plan_1 = (w[0], b[0, 0])
            self.backward_plan_1 = [
                (layer, g_w[0], g_b[0], None if w_t is None else w_t[0])
                for layer, g_w, g_b, w_t in self.backward_plan
            ]
            self.forward = self.forward_single  # type: ignore[method-assign]
            self.backward = self.backward_single  # type: ignore[method-assign]

    @property
    def n_seeds(self) -> int:
        return int(self.theta.shape[0])

    def forward(self, x: Array) -> tuple[list[Array], list[Array]]:
        """Pre-activations [z_1..z_L] (z_L are the logits) and inputs [a_0..a_{L-1}] of each layer.

        x is (n, in), shared by every network, or (S, n, in); every z_l is (S, n, out).
        """
        f = self.f
        inputs = [x]
        zs = []
        a = x
        for w, b in self.hidden_plan:
            z = _matmul(a, w)
            z += b
            zs.append(z)
            a = f(z)
            inputs.append(a)
        w, b = self.output_plan
        z = _matmul(a, w)
        z += b
        zs.append(z)
        return zs, inputs

    def backward(self, zs: list[Array], inputs: list[Array], delta: Array) -> None:
        """Fill self.grad with d(loss)/d(theta), given delta = d(loss)/d(logits)."""
        df = self.df
        x = inputs[0]
        if x is not self.x_seen:
            self.x_seen, self.x_t = x, x.swapaxes(-1, -2)
        for layer, g_w, g_b, w_t in self.backward_plan:
            a_t = inputs[layer].swapaxes(-1, -2) if layer else self.x_t
            _matmul(a_t, delta, out=g_w)
            sum_over_points(delta, g_b)
            if w_t is not None:
                delta = _matmul(delta, w_t)
                delta *= df(zs[layer - 1])

    def forward_single(self, x: Array) -> tuple[list[Array], list[Array]]:
        """forward() for a stack of one network, on 2-D views."""
        f = self.f
        inputs = [x]
        zs = []
        a = x if x.ndim == 2 else x[0]
        for w, b in self.hidden_plan_1:
            z = _matmul(a, w)
            z += b
            zs.append(z[None])
            a = f(z)
            inputs.append(a[None])
        w, b = self.output_plan_1
        z = _matmul(a, w)
        z += b
        zs.append(z[None])
        return zs, inputs

    def backward_single(self, zs: list[Array], inputs: list[Array], delta: Array) -> None:
        """backward() for a stack of one network, on 2-D views."""
        df = self.df
        x = inputs[0]
        if x is not self.x_seen:
            self.x_seen, self.x_t = x, (x if x.ndim == 2 else x[0]).T
        d = delta[0]
        for layer, g_w, g_b, w_t in self.backward_plan_1:
            _matmul(inputs[layer][0].T if layer else self.x_t, d, out=g_w)
            _add_reduce(d, axis=0, out=g_b)
            if w_t is not None:
                d = _matmul(d, w_t)
                d *= df(zs[layer - 1][0])


def penalised(kind: RegularizationName, rate: float) -> bool:
    """Whether the objective has a penalty term at all (no kind or a zero rate: none)."""
    return kind != "none" and rate != 0.0


def add_penalty_gradient(
    grad: Array, theta: Array, layout: Layout, kind: RegularizationName, rate: float
) -> None:
    """grad += rate * dR/dtheta for R = sum|W| (l1) or sum W^2 / 2 (l2); biases are exempt."""
    if not penalised(kind, rate):
        return
    weights = theta[:, : layout.n_weights]
    step = np.sign(weights) if kind == "l1" else weights.copy()
    step *= rate
    grad[:, : layout.n_weights] += step


def penalty(theta: Array, layout: Layout, kind: RegularizationName) -> Array:
    """R per network: sum|W| (l1), sum W^2 / 2 (l2) or 0, over the weights only; (S,)."""
    weights = theta[:, : layout.n_weights]
    if kind == "l1":
        return np.asarray(np.abs(weights).sum(axis=1))
    if kind == "l2":
        return np.asarray(0.5 * (weights * weights).sum(axis=1))
    return np.zeros(theta.shape[0])


class Optimizer:
    """Updates theta in place from grad; the state has one row per network, like theta."""

    def __init__(self, name: OptimizerName, learning_rate: float, shape: tuple[int, ...]) -> None:
        self.name = name
        self.lr = learning_rate
        self.step_count = 0
        self.scratch = np.zeros(shape)
        self.m = np.zeros(shape) if name != "sgd" else self.scratch
        self.v = np.zeros(shape) if name == "adam" else self.scratch

    def reset(self, rows: NDArray[np.bool_]) -> None:
        """Forget the state of these networks (used when they diverge)."""
        self.m[rows] = 0.0
        self.v[rows] = 0.0

    def step(self, theta: Array, grad: Array) -> None:
        """sgd: theta -= lr g. momentum (PyTorch's form): m = 0.9 m + g; theta -= lr m.

        adam (PyTorch's defaults and arithmetic): m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g^2,
        theta -= (lr / (1 - 0.9^t)) m / (sqrt(v) / sqrt(1 - 0.999^t) + 1e-8).
        """
        tmp = self.scratch
        if self.name == "sgd":
            np.multiply(grad, self.lr, out=tmp)
        elif self.name == "momentum":
            self.m *= MOMENTUM
            self.m += grad
            np.multiply(self.m, self.lr, out=tmp)
        else:
            beta1, beta2 = ADAM_BETAS
            self.step_count += 1
            t = self.step_count
            self.m += (1.0 - beta1) * (grad - self.m)
            self.v *= beta2
            self.v += (1.0 - beta2) * grad * grad
            np.sqrt(self.v, out=tmp)
            tmp /= (1.0 - beta2**t) ** 0.5
            tmp += ADAM_EPS
            np.divide(self.m, tmp, out=tmp)
            tmp *= self.lr / (1.0 - beta1**t)
        theta -= tmp


def collapse(layers: Sequence[Layer]) -> Layer:
    """The single affine map (W, b) that a stack of linear layers computes: x @ W + b."""
    w, b = layers[0]
    for w_next, b_next in layers[1:]:
        w, b = w @ w_next, b @ w_next + b_next
    return w, b
