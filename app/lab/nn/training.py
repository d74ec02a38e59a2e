"""Train a stack of MLPs on a toy data set: one vectorised loop for one seed or many.

`run(config, seeds)` trains one network per seed at once (a leading seed axis, see app.lab.nn.mlp)
and returns every seed's curves; `train(config, seed)` is run(config, [seed]) plus what only a
single run reports (snapshots of the decision surface, predictions, weights, the collapsed affine
map). Seed s of a run of many is computed exactly as the run of seed s alone.

Order of random draws, from np.random.default_rng(seed) per network: first the initial weights
(app.lab.nn.initializers, layer by layer, W only), then one permutation of the training set per
epoch when mini-batches are used. initial_weights, when given, replace the first draws (nothing is
drawn).

Epoch e means the state before update e (with mini-batches: before the epoch's first update);
epoch `epochs` is the final state. loss[k] is the training-set data loss at epochs[k]. A network
diverges at the first epoch whose weights or training-set logits are not all finite; it stops
there and nothing after it is reported.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from app.lab.activations import SATURATION_SLOPE, Activation, ParamValue
from app.lab.datasets import REGRESSION_NAMES, Dataset, FeatureName, bounds, features
from app.lab.nn.control import Control
from app.lab.nn.initializers import DEFAULT_INIT, InitName, Layer
from app.lab.nn.mlp import (
    DECISION_MARGIN,
    R2_TARGET,
    Head,
    Layout,
    LossName,
    Optimizer,
    OptimizerName,
    OutputName,
    RegularizationName,
    Stack,
    add_penalty_gradient,
    collapse,
    init_theta,
    penalised,
)
from app.lab.text import spelled

Array = NDArray[np.float64]
Ints = NDArray[np.int64]

# bound once: an attribute lookup per call is measurable at tens of microseconds per epoch
_add_reduce = np.add.reduce
_isfinite = math.isfinite

MAX_RECORDS = 1000  # curve points per run
# Which curves a run records: "all" of them, or only the training loss (a sweep reports nothing
# else per epoch, and the accuracy, test curves and gradient norms are most of a record's cost).
Curves = Literal["all", "loss"]
THUMBNAIL_DIVISOR = 5  # hidden-unit thumbnails use ceil(grid / 5) points per axis
DEFAULT_GRID = 50  # snapshot grid points per axis

# What a run computes, in words: the API's endpoint descriptions are built from this text, so it
# is written once, here, beside the code it describes (and the numbers come from that code).
_MARGIN, _SLOPE = spelled(DECISION_MARGIN), spelled(SATURATION_SLOPE)
SEMANTICS = f"""
**Network.** Hidden layer l computes a_l = f(z_l) with z_l = a_(l-1) @ W_l + b_l, W_l of shape
(in, out), a_0 = the chosen features of each point; every hidden layer uses `activation` with
`activation_params`. The last layer is the output layer: one unit with a sigmoid for two classes
(p = sigmoid(z) is the probability of class 1), K units with a softmax for K classes, one
linear unit (its value is z) for a regression set's real-valued target.

**Loss** (the batch mean; gradients are gradients of that mean): bce = mean(-(y log p + (1 - y)
log(1 - p))), computed from the logit as mean(log(1 + e^z) - y z), no epsilon; mse =
mean((p - y)^2), no 1/2 (with linear: mean((z - y)^2)); cross_entropy = mean(-log p_y).
sigmoid takes bce or mse, softmax cross_entropy, linear mse. Regularisation adds reg_rate *
sum|W| (l1, gradient reg_rate * sign W) or reg_rate * sum W^2 / 2 (l2, gradient reg_rate * W)
over the weights, not the biases; reported losses are the data loss without it.

**Optimisers.** sgd: W -= lr dW, b -= lr db. momentum: m = 0.9 m + g, theta -= lr m. adam:
PyTorch's defaults (0.9, 0.999, eps 1e-8) with bias correction. batch_size null (or >= the
training set): one full-batch update per epoch; otherwise mini-batches of batch_size in a new
random order every epoch (the last one smaller).

**Initialisation.** xavier: Glorot-uniform U(-l, l), l = sqrt(6 / (in + out)), zero biases.
he: He-normal N(0, 2 / in), zero biases. lecun: N(0, 1 / in), zero biases. uniform: U(-0.5, 0.5),
biases 0.1 (the TensorFlow Playground). `np.random.default_rng(seed)` draws the weights layer by
layer (W only, row-major), then one permutation of the training set per epoch for mini-batches.
initial_weights replace the drawn weights. A run is a pure function of its configuration and seed.

**Curves.** Epoch e is the state before update e (before the epoch's first update with
mini-batches); epoch `epochs` is the final state. `epochs` lists the recorded epochs: all when
there are at most {MAX_RECORDS}, else {MAX_RECORDS} evenly spaced ones including the first and
last; loss[k], accuracy[k], test_loss[k], test_accuracy[k] and grad_norms[layer][k] are at
epochs[k] over the whole training (test) set. A point is classified as class 1 where its logit
exceeds {_MARGIN} (p > 0.5 by more than rounding noise), else class 0; with softmax as the class
of the largest logit when it beats the runner-up by more than {_MARGIN}, and as no class (never
right) when the top two are closer: rounding noise is never a decision.

**Regression** ({", ".join(REGRESSION_NAMES)}; a linear output): accuracy, test_accuracy and the
predicted classes are null, as there are no classes; r2 and test_r2 (and final.r2,
final.test_r2) give R^2 = 1 - mse / var(y) over the training (test) set, which is 1 for a
perfect fit, 0 for predicting the mean, negative when worse (constant targets: 1 for a perfect
fit, else 0), always finite.

**Outcome.** epochs_to_converge: the first epoch (0..epochs) at which every training point is
classified right (regression: at which the training R^2 reaches {R2_TARGET:g}); converged: there
is one. A run diverges at the first epoch whose loss or weights are not all finite: it stops
there, `diverged` is true, `diverged_epoch` says when, the curves end before it and the final
state (final, predictions, weights, units) is null. Dead units output exactly 0 on every
training input; saturated units have |f'(z)| < {_SLOPE} on every one and are not dead, so the
two lists are disjoint and no unit is counted twice.
"""


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run depends on; a run is a pure function of this and its seeds."""

    dataset: Dataset
    features: tuple[FeatureName, ...]
    activation: Activation
    activation_params: dict[str, ParamValue]
    hidden_layers: tuple[int, ...]
    output: OutputName
    loss: LossName
    optimizer: OptimizerName
    learning_rate: float
    epochs: int
    batch_size: int | None = None  # None or >= n_train: full batch
    regularization: RegularizationName = "none"
    reg_rate: float = 0.0
    init: InitName = DEFAULT_INIT
    initial_weights: Sequence[Layer] | None = None
    snapshots: int = 0
    grid: int = DEFAULT_GRID

    def __post_init__(self) -> None:
        self.head  # noqa: B018 - raises HeadError for an output and loss that do not go together

    @property
    def layout(self) -> Layout:
        return self.head.layout(len(self.features), self.hidden_layers, self.dataset.n_classes)

    @property
    def n_train(self) -> int:
        return len(self.dataset.y_train)

    @property
    def effective_batch(self) -> int:
        if self.batch_size is None:
            return self.n_train
        return min(self.batch_size, self.n_train)

    @property
    def head(self) -> Head:
        return Head(self.output, self.loss)


def record_schedule(epochs: int, most: int = MAX_RECORDS) -> Ints:
    """Every epoch when there are at most `most`, else `most` evenly spaced, first and last kept."""
    if epochs <= most:
        return np.arange(epochs, dtype=np.int64)
    return np.round(np.linspace(0.0, epochs - 1, most)).astype(np.int64)


def record_count(epochs: int, most: int = MAX_RECORDS) -> int:
    """len(record_schedule(epochs, most)), without building it (the limits check every request)."""
    return min(epochs, most)


def thumbnail_points(grid: int) -> int:
    """Points per axis of the hidden-unit thumbnails for a snapshot grid of `grid` per axis."""
    return max(2, math.ceil(grid / THUMBNAIL_DIVISOR))


def snapshot_schedule(epochs: int, count: int) -> Ints:
    """`count` evenly spaced states in 0..epochs (epochs = final); one snapshot is the final."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    if count == 1:
        return np.array([epochs], dtype=np.int64)
    return np.unique(np.round(np.linspace(0.0, epochs, count)).astype(np.int64))


def snapshot_count(epochs: int, count: int) -> int:
    """len(snapshot_schedule(epochs, count)) without building it (request validation asks for
    it on every training request, refused ones included). Evenly spaced points at most one
    apart round onto every epoch 0..epochs, so only the epochs + 1 distinct ones are left."""
    return min(count, 1 if count == 1 else epochs + 1)


@dataclass(frozen=True)
class Snapshot:
    """The network at one epoch: training loss, output over the grid, hidden units' thumbnails."""

    epoch: int
    loss: float
    output: Array  # (units, grid, grid); row i is x2 = grid_x2[i], column j is x1 = grid_x1[j]
    hidden: list[Array]  # per hidden layer (units, t, t) over the thumbnail grid
    # the weights at that epoch (a few hundred numbers): the hidden space is computed from them
    weights: list[Layer]


@dataclass(frozen=True)
class Grid:
    """An n x n lattice over the data's bounding box and its network inputs."""

    x1: Array
    x2: Array
    inputs: Array  # (n * n, features), row-major: x2 outer, x1 inner

    @classmethod
    def over(cls, dataset: Dataset, names: Sequence[FeatureName], n: int) -> "Grid":
        points = dataset.x_train
        if dataset.x_test is not None:
            points = np.concatenate([points, dataset.x_test])
        (lo1, hi1), (lo2, hi2) = bounds(points)
        x1, x2 = np.linspace(lo1, hi1, n), np.linspace(lo2, hi2, n)
        mesh1, mesh2 = np.meshgrid(x1, x2)
        return cls(x1, x2, features(np.column_stack([mesh1.ravel(), mesh2.ravel()]), names))


@dataclass
class RunResult:
    """Per-network curves and outcomes of one stacked run (S networks)."""

    seeds: list[int]
    epochs: Ints  # recorded epochs (R,)
    loss: Array  # (S, R); NaN from a network's divergence on
    accuracy: Array
    test_loss: Array | None
    test_accuracy: Array | None
    grad_norms: Array  # (S, layers, R): ||d(objective)/dW_l||_F
    initial_theta: Array  # (S, P)
    theta: Array  # (S, P) final; rows of diverged networks are meaningless
    diverged_epoch: Ints  # (S,), -1 when the network never diverged
    converged_epoch: Ints  # (S,), -1 when never every training point was right
    final_loss: Array  # (S,), NaN for diverged networks
    final_accuracy: Array
    final_test_loss: Array | None
    final_test_accuracy: Array | None
    dead: list[NDArray[np.bool_]]  # per hidden layer (S, units): output 0 on every training input
    # per hidden layer (S, units): |f'| < SATURATION_SLOPE on every training input and not dead,
    # so a unit is counted once (a dead ReLU also has f' = 0)
    saturated: list[NDArray[np.bool_]]
    snapshots: list[Snapshot]
    final_logits: Array  # (S, n_train, units)
    grid: "Grid | None"  # the snapshots' grids; None without snapshots
    thumbnails: "Grid | None"

    @property
    def dead_fraction(self) -> Array:
        """(S,) share of hidden units that are dead; NaN with no hidden units."""
        if not self.dead:
            return np.full(len(self.seeds), np.nan)
        return np.asarray(np.concatenate(self.dead, axis=1).mean(axis=1), dtype=np.float64)


class Trainer:
    """The loop behind run(): one configuration, one list of seeds, one network per seed."""

    def __init__(
        self,
        config: TrainConfig,
        seeds: Sequence[int],
        control: Control | None,
        curves: Curves = "all",
    ):
        self.config = config
        self.all_curves = curves == "all"
        self.seeds = list(seeds)
        self.control = control
        self.layout = config.layout
        self.head = config.head
        data = config.dataset
        self.load_data(data)
        self.rngs = [np.random.default_rng(s) for s in self.seeds]
        if config.initial_weights is not None:
            theta = np.tile(self.layout.pack(config.initial_weights), (len(self.seeds), 1))
        else:
            theta = init_theta(self.layout, config.init, self.rngs)
        self.initial_theta = theta.copy()
        self.stack = Stack(
            self.layout, config.activation, config.activation_params, self.head, theta
        )
        self.theta = theta
        self.penalised = penalised(config.regularization, config.reg_rate)
        self.optimizer = Optimizer(config.optimizer, config.learning_rate, theta.shape)
        n_seeds = len(self.seeds)
        epochs = config.epochs
        self.record_epochs = record_schedule(epochs)
        n_rec = len(self.record_epochs)
        self.record_index = np.full(epochs + 1, -1, dtype=np.int64)
        self.record_index[self.record_epochs] = np.arange(n_rec)
        self.loss = np.full((n_seeds, n_rec), np.nan)
        self.accuracy = np.full((n_seeds, n_rec), np.nan)
        has_test = self.x_test is not None
        self.test_loss = np.full((n_seeds, n_rec), np.nan) if has_test else None
        self.test_accuracy = np.full((n_seeds, n_rec), np.nan) if has_test else None
        self.grad_norms = np.full((n_seeds, self.layout.n_layers, n_rec), np.nan)
        self.diverged = np.full(n_seeds, -1, dtype=np.int64)
        self.converged = np.full(n_seeds, -1, dtype=np.int64)
        self.waiting = True  # some live network has not yet classified every point right
        self.unconverged: NDArray[np.intp] | None = None  # those networks, once few; None: all
        self.latest_loss: Array | None = None
        self.snapshot_epochs = set(snapshot_schedule(epochs, config.snapshots).tolist())
        self.snapshots: list[Snapshot] = []
        self.grid: Grid | None = None
        self.thumbnails: Grid | None = None
        if self.snapshot_epochs and len(self.seeds) == 1:
            self.snapshots_over(data)
        # per-epoch lookups in plain Python: indexing a numpy array yields a numpy scalar, and
        # comparing those costs more than the rest of the bookkeeping of a small network's epoch
        self.record_at: list[int] = self.record_index.tolist()
        # where the gradient norms are recorded: with mini-batches, the full-batch gradient at
        # such an epoch is computed for them alone, so a loss-only run skips it too
        self.norms_at = self.record_at if self.all_curves else [-1] * len(self.record_at)
        self.epoch = 0  # the state is that before update `epoch`
        self.stopped = False  # every network diverged: step() trains no further

    def snapshots_over(self, data: Dataset) -> None:
        """Take the snapshots over the grids covering `data` (a replayed run whose data change
        midway draws every snapshot over its final data)."""
        config = self.config
        self.grid = Grid.over(data, config.features, config.grid)
        self.thumbnails = Grid.over(data, config.features, thumbnail_points(config.grid))

    def load_data(self, data: Dataset) -> None:
        """The training and test inputs and targets of `data` (a live session swaps them)."""
        names = self.config.features
        self.x = features(data.x_train, names)
        self.labels = data.y_train
        self.y = self.head.targets(data.y_train, data.n_classes)
        self.x_test = None if data.x_test is None else features(data.x_test, names)
        self.labels_test = data.y_test
        self.y_test = (
            None if data.y_test is None else self.head.targets(data.y_test, data.n_classes)
        )

    # --- per-epoch steps ------------------------------------------------------------------------

    @staticmethod
    def finite(theta: Array, z: Array) -> bool:
        """Every weight and logit finite: one sum each, since a sum of finite numbers is finite
        unless it overflows (then the exact check runs and finds nothing)."""
        return _isfinite(_add_reduce(theta, axis=None)) and _isfinite(_add_reduce(z, axis=None))

    def check_divergence(self, epoch: int, zs: list[Array]) -> bool:
        """Mark networks whose weights or logits are not finite; False once none is left.

        A diverged network's row restarts from zeros so that it stays finite and the one-sum
        test below stays valid for the others; its numbers are masked out afterwards.
        """
        theta, z = self.theta, zs[-1]
        finite = np.asarray(np.isfinite(theta).all(axis=1) & np.isfinite(z).all(axis=(1, 2)))
        bad = ~finite & (self.diverged < 0)
        self.diverged[bad] = epoch
        theta[~finite] = 0.0
        self.optimizer.reset(~finite)
        return bool((self.diverged < 0).any())

    def check_convergence(self, epoch: int, z: Array) -> None:
        rows = self.unconverged
        correct = self.head.solved(z if rows is None else z[rows], self.y, self.labels)
        if not np.logical_or.reduce(correct):
            return
        if rows is not None:
            subset, correct = correct, np.zeros(len(self.seeds), dtype=bool)
            correct[rows] = subset
        live = (self.converged < 0) & (self.diverged < 0)
        self.converged[correct & live] = epoch
        waiting = live & ~correct
        self.waiting = bool(waiting.any())
        # A sweep usually keeps one or two seeds that never converge: checking those alone
        # every epoch costs a tenth of checking all 100 (a sweep's epoch is ~100 us).
        still = np.flatnonzero(waiting)
        self.unconverged = still if len(still) <= len(self.seeds) // 4 else None

    def await_convergence(self) -> None:
        """Forget every convergence (a live session's new data): each network is checked again."""
        self.converged[:] = -1
        self.waiting = True
        self.unconverged = None

    def record(self, epoch: int, index: int, zs: list[Array]) -> bool:
        """Store the curves' values at this epoch; False once no network is left.

        A loss that overflows although every logit is finite is divergence too.
        """
        z = zs[-1]
        loss = self.head.losses(z, self.y)
        overflow = ~np.isfinite(loss) & (self.diverged < 0)
        if overflow.any():
            self.diverged[overflow] = epoch
        self.loss[:, index] = loss
        self.latest_loss = self.loss[:, index]
        if not self.all_curves:
            return bool((self.diverged < 0).any())
        self.accuracy[:, index] = self.share_right(z, self.labels)
        if self.x_test is not None and self.test_loss is not None:
            assert self.y_test is not None and self.test_accuracy is not None
            assert self.labels_test is not None
            z_test = self.stack.forward(self.x_test)[0][-1]
            self.test_loss[:, index] = self.head.losses(z_test, self.y_test)
            self.test_accuracy[:, index] = self.share_right(z_test, self.labels_test)
        return bool((self.diverged < 0).any())

    def share_right(self, z: Array, labels: NDArray[Any]) -> Array:
        """(S,) share of points classified right: .mean(axis=1)'s numbers without its wrapper;
        NaN for a regression head, which has no classes to be right about."""
        if not self.head.classifies:
            return np.full(len(self.seeds), np.nan)
        right = self.head.right(z, labels)
        return np.asarray(np.add.reduce(right, axis=1, dtype=np.float64) / right.shape[1])

    def record_grad_norms(self, index: int) -> None:
        g = self.stack.grad[:, : self.layout.n_weights]
        with np.errstate(over="ignore", invalid="ignore"):
            sums = np.add.reduceat(g * g, list(self.layout.w_offsets), axis=1)
        norms = np.sqrt(sums)
        if not np.isfinite(norms).all():
            # A finite gradient past 1e154 overflows its squares: scale by the largest entry
            # first (only then, so every other norm keeps its bits). What stays non-finite is a
            # gradient that is itself inf or NaN: reported as null, the run diverges next step.
            norms = self.scaled_norms(g, norms)
        self.grad_norms[:, :, index] = norms

    def scaled_norms(self, g: Array, norms: Array) -> Array:
        out = norms.copy()
        bounds = [*self.layout.w_offsets, g.shape[1]]
        for s, layer in zip(*np.nonzero(~np.isfinite(norms)), strict=True):
            block = g[s, bounds[layer] : bounds[layer + 1]]
            largest = np.max(np.abs(block)) if block.size else 0.0
            if np.isfinite(largest) and largest > 0:
                out[s, layer] = largest * np.sqrt(np.sum((block / largest) ** 2))
        return out

    def gradient(self, x: Array, y: Array, zs: list[Array], inputs: list[Array]) -> None:
        """stack.grad = gradient of the objective (data loss + penalty) for this batch."""
        config = self.config
        self.stack.backward(zs, inputs, self.head.delta(zs[-1], y))
        if self.penalised:
            add_penalty_gradient(
                self.stack.grad, self.theta, self.layout, config.regularization, config.reg_rate
            )

    def snapshot(self, epoch: int, zs: list[Array]) -> None:
        assert self.grid is not None and self.thumbnails is not None
        grid_zs, _ = self.stack.forward(self.grid.inputs)
        _, thumb_inputs = self.stack.forward(self.thumbnails.inputs)
        n, t = len(self.grid.x1), len(self.thumbnails.x1)
        output = self.head.probabilities(grid_zs[-1][0]).T.reshape(-1, n, n)
        hidden = [a[0].T.reshape(-1, t, t) for a in thumb_inputs[1:]]
        loss = float(self.head.losses(zs[-1], self.y)[0])
        weights = self.layout.unpack(self.theta[0])
        self.snapshots.append(Snapshot(epoch, loss, output, hidden, weights))

    # --- the loop --------------------------------------------------------------------------------

    def run(self) -> RunResult:
        """Train every epoch of the configuration, then measure the final state."""
        self.step(self.config.epochs)
        return self.finish()

    def step(self, n: int) -> int:
        """Train n more epochs from self.epoch (the same loop however it is cut into steps);
        returns the epochs trained, fewer than n once every network diverged (self.stopped).

        A live session (app.lab.nn.live) steps a one-seed Trainer whose configuration may
        change between steps: the learning rate, the regularisation and the batch size are
        read at the start of each step. Epochs stay below config.epochs + 1 (the record table).
        """
        if self.stopped:
            return 0
        config, stack, x, y, theta = self.config, self.stack, self.x, self.y, self.theta
        epochs, control, grad = config.epochs, self.control, stack.grad
        full_batch = config.effective_batch >= self.n_train
        record_at, norms_at = self.record_at, self.norms_at
        snapshot_at = self.snapshot_epochs if self.grid is not None else set()
        finite, step = self.finite, self.optimizer.step
        first = epoch = self.epoch
        for epoch in range(first, first + n):
            zs, inputs = stack.forward(x)
            if not finite(theta, zs[-1]):
                if not self.check_divergence(epoch, zs):
                    self.stopped = True
                    break
                zs, inputs = stack.forward(x)  # the restarted rows' logits
            if self.waiting:
                self.check_convergence(epoch, zs[-1])
            index = record_at[epoch]
            if index >= 0 and not self.record(epoch, index, zs):
                self.stopped = True
                break
            index = norms_at[epoch]
            if epoch in snapshot_at:
                self.snapshot(epoch, zs)
            if full_batch or index >= 0:
                self.gradient(x, y, zs, inputs)
                if index >= 0:
                    self.record_grad_norms(index)
            if full_batch:
                step(theta, grad)
            else:
                self.minibatch_epoch()
            if control is not None:
                control.tick(epoch + 1, epochs, self.latest_loss)
        else:
            epoch = first + n
        self.epoch = epoch
        return epoch - first

    @property
    def n_train(self) -> int:
        return len(self.labels)

    def minibatch_epoch(self) -> None:
        """One pass over the training set in batches, each network in its own shuffled order."""
        size = self.config.effective_batch
        order = np.stack([rng.permutation(self.n_train) for rng in self.rngs])
        for start in range(0, self.n_train, size):
            batch = order[:, start : start + size]
            xb, yb = self.x[batch], self.y[batch]
            zs, inputs = self.stack.forward(xb)
            self.gradient(xb, yb, zs, inputs)
            self.optimizer.step(self.theta, self.stack.grad)

    def finish(self) -> RunResult:
        """The final state (epoch `epochs`): last checks, final metrics, dead/saturated units."""
        config, stack, head = self.config, self.stack, self.head
        epochs = config.epochs
        zs, inputs = stack.forward(self.x)
        if (self.diverged < 0).any() and not self.finite(self.theta, zs[-1]):
            self.check_divergence(epochs, zs)
        z = zs[-1]
        losses = head.losses(z, self.y)
        self.diverged[~np.isfinite(losses) & (self.diverged < 0)] = epochs
        live = self.diverged < 0
        if self.waiting:
            self.check_convergence(epochs, z)
        final_loss = np.where(live, losses, np.nan)
        final_accuracy = np.where(live, self.share_right(z, self.labels), np.nan)
        final_test_loss = final_test_accuracy = None
        if self.x_test is not None and self.y_test is not None:
            z_test = stack.forward(self.x_test)[0][-1]
            final_test_loss = np.where(live, head.losses(z_test, self.y_test), np.nan)
            assert self.labels_test is not None
            final_test_accuracy = np.where(live, self.share_right(z_test, self.labels_test), np.nan)
        df, params = config.activation.df, config.activation_params
        dead = [np.asarray((a == 0.0).all(axis=1)) for a in inputs[1:]]
        saturated = [
            np.asarray((np.abs(df(pre, **params)) < SATURATION_SLOPE).all(axis=1) & ~is_dead)
            for pre, is_dead in zip(zs[:-1], dead, strict=True)
        ]
        if self.grid is not None and epochs in self.snapshot_epochs and live[0]:
            self.snapshot(epochs, zs)
        # nothing from a network's divergence on is reported
        stop = np.where(self.diverged >= 0, self.diverged, epochs + 1)
        after = self.record_epochs[None, :] >= stop[:, None]
        for curve in (self.loss, self.accuracy, self.test_loss, self.test_accuracy):
            if curve is not None:
                curve[after] = np.nan
        self.grad_norms[np.broadcast_to(after[:, None, :], self.grad_norms.shape)] = np.nan
        return RunResult(
            seeds=self.seeds,
            epochs=self.record_epochs,
            loss=self.loss,
            accuracy=self.accuracy,
            test_loss=self.test_loss,
            test_accuracy=self.test_accuracy,
            grad_norms=self.grad_norms,
            initial_theta=self.initial_theta,
            theta=self.theta,
            diverged_epoch=self.diverged,
            converged_epoch=self.converged,
            final_loss=final_loss,
            final_accuracy=final_accuracy,
            final_test_loss=final_test_loss,
            final_test_accuracy=final_test_accuracy,
            dead=dead,
            saturated=saturated,
            snapshots=self.snapshots,
            final_logits=z,
            grid=self.grid,
            thumbnails=self.thumbnails,
        )


def run(
    config: TrainConfig,
    seeds: Sequence[int],
    control: Control | None = None,
    curves: Curves = "all",
) -> RunResult:
    """Train one network per seed, all at once; snapshots only when there is a single seed.

    curves="loss" records only the training loss per epoch (accuracy, test and gradient-norm
    curves stay NaN); every other number, the final ones included, is the same to the bit.
    """
    with np.errstate(all="ignore"):  # divergence is detected and reported, not warned about
        return Trainer(config, seeds, control, curves).run()


@dataclass(frozen=True)
class AffineMap:
    """The one affine map a network without non-linear hidden layers computes."""

    weights: Layer  # W (inputs, outputs), b (outputs,)
    output: Array  # (n_train, units): the head applied to x @ W + b
    max_abs_difference: float  # largest gap to the network's own outputs


@dataclass(frozen=True)
class TrainResult:
    """A single run: its curves (up to divergence) and, unless it diverged, its final state."""

    run: RunResult
    epochs: Ints  # recorded epochs before divergence
    loss: Array
    accuracy: Array
    test_loss: Array | None
    test_accuracy: Array | None
    grad_norms: Array  # (layers, R)
    initial_weights: list[Layer]
    weights: list[Layer] | None
    output: Array | None  # (n_train, units) head output at the final weights
    predicted: Ints | None  # None for regression too
    affine: AffineMap | None
    diverged_epoch: int | None
    converged_epoch: int | None


def train(config: TrainConfig, seed: int = 0, control: Control | None = None) -> TrainResult:
    """One network from one seed, with snapshots, predictions and final weights."""
    return train_result(config, run(config, [seed], control))


def train_result(config: TrainConfig, result: RunResult) -> TrainResult:
    """A one-seed run's result with what only a single run reports; `config` is the one the
    run ended with (a replayed live session's may differ from its start, app.lab.nn.replay)."""
    layout, head = config.layout, config.head
    diverged = int(result.diverged_epoch[0])
    converged = int(result.converged_epoch[0])
    keep = np.isfinite(result.loss[0])
    weights = output = predicted = affine = None
    if diverged < 0:
        weights = layout.unpack(result.theta[0])
        logits = result.final_logits[0]
        with np.errstate(all="ignore"):
            output = head.probabilities(logits)
        predicted = head.predicted(logits) if head.classifies else None
        if config.activation.name == "identity" or not config.hidden_layers:
            affine = collapse_run(config, weights, output)
    return TrainResult(
        run=result,
        epochs=result.epochs[keep],
        loss=result.loss[0][keep],
        accuracy=result.accuracy[0][keep],
        test_loss=None if result.test_loss is None else result.test_loss[0][keep],
        test_accuracy=None if result.test_accuracy is None else result.test_accuracy[0][keep],
        grad_norms=result.grad_norms[0][:, keep],
        initial_weights=layout.unpack(result.initial_theta[0]),
        weights=weights,
        output=output,
        predicted=predicted,
        affine=affine,
        diverged_epoch=None if diverged < 0 else diverged,
        converged_epoch=None if converged < 0 else converged,
    )


def collapse_run(config: TrainConfig, weights: list[Layer], output: Array) -> AffineMap:
    """Collapse identity layers to x @ W + b and compare its outputs with the network's."""
    w, b = collapse(weights)
    x = features(config.dataset.x_train, config.features)
    with np.errstate(all="ignore"):
        affine_output = config.head.probabilities(x @ w + b)
    gap = float(np.max(np.abs(affine_output - output)))
    return AffineMap((w, b), affine_output, gap)
