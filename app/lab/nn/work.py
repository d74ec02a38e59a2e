"""What a training run will cost before it starts: an upper bound on its peak memory and a floor
on its time, as pure functions of the network layout, the data's size, the seeds, the snapshots.

Memory (bytes), for S networks trained at once (the seeds; a sweep's activations run one after
another), n training and m test points, U = units of every layer after the input (hidden and
output), W = the widest of them, P parameters, R recorded epochs, L layers:

    8 S (TRAIN_FACTOR n U + TEST_FACTOR m U + ACTIVATION_FACTOR (n + m) W)   the activations
  + 8 S P PARAMETER_COPIES + 8 S R (4 + L)                                  weights, curves
  + the snapshots (single runs): grid^2 U x 2 x 8 for the grid's forward pass, and
    SNAPSHOT_BYTES_PER_VALUE for every value they hold (the array, its rounded copy, its JSON)
  + BASE_BYTES.

Why these factors (measured with tracemalloc, which sees numpy's allocations; tests/lab/nn/
test_work.py checks the bound on a spread of requests): a forward pass keeps z and f(z) of every
layer (2 n U), and backpropagation adds one delta and one f'(z) per layer while they are alive
(2 more); the test set's forward pass (2 m U) runs while the training set's is held. The
activation's own temporaries are per layer, so they scale with W, not U: most functions need
none beyond f(z), the costliest (sinc, soboleva_tanh) about 5 (n + m) W. The optimiser keeps up
to six (S, P) arrays: theta, the initial theta, the gradient, adam's m and v, a scratch.

A custom expression (app.lab.expressions) runs as a straight-line program of numpy calls that
keeps every intermediate array until the call returns: its temporaries are counted from the
program (RunShape.custom_temporaries, when more than ACTIVATION_FACTOR), not assumed.

Time (seconds): a floor, not a forecast. Every update step costs at least STEP_FLOOR_S (a few
numpy calls) and every epoch x point x parameter x network at least UNIT_FLOOR_S (a multiply-add
in a matmul); measured runs take 3x to 30x longer (bench/bench_admission.py). A request whose
floor is over the time limit cannot finish and is refused before it starts; the others run
under the wall-time limit, enforced in the worker process. A custom expression evaluates its
program step by step (2-10x a built-in's time for the activation alone, most for piecewise
`where`), so the floor of a custom run (or sweep stage) is CUSTOM_TIME_FACTOR times as high.
"""

import math
from dataclasses import dataclass

from app.lab.nn.mlp import Layout

BYTES = 8  # float64
TRAIN_FACTOR = 4  # z, f(z), delta and f'(z) of every layer over the training points
TEST_FACTOR = 2  # z and f(z) over the test points
ACTIVATION_FACTOR = 6  # the activation's temporaries over the widest layer (measured: up to 5)
PARAMETER_COPIES = 8  # theta, initial theta, gradient, adam's m and v, scratch, and slack
SNAPSHOT_BYTES_PER_VALUE = 24  # the float64 value, its rounded copy, and its JSON (about 5 bytes)
BASE_BYTES = 4 * 2**20  # the request, the data set, the JSON of the curves: a few MiB at most
STEP_FLOOR_S = 1e-5
UNIT_FLOOR_S = 5e-10
# How much longer a custom run takes than the built-in run it re-types, taken below the typical
# figure so that the floor stays a floor: bench/bench_custom_training.py (six re-typed built-ins
# from tanh(x) to where-ELU and mish, XOR 2-4-1 to spiral 400 at 32-32, best of 3, this 2-core
# machine under load) measured whole-run ratios of 0.7-3.0, median 1.7, and the fastest custom
# run 3.2x its floor; 1.5x the floor still sits 2x under that run.
CUSTOM_TIME_FACTOR = 1.5


@dataclass(frozen=True)
class RunShape:
    """The sizes a run's cost depends on."""

    sizes: tuple[int, ...]  # layer widths: inputs, hidden..., outputs
    n_train: int
    n_test: int
    networks: int  # trained at once (seeds)
    stages: int = 1  # runs one after another (a sweep's activations)
    epochs: int = 1
    batch_size: int | None = None  # None: full batch
    recorded: int = 1  # recorded epochs per run
    snapshot_values: int = 0  # values the snapshots hold (single runs only)
    grid: int = 0  # the snapshot grid per axis; 0 without snapshots
    custom_stages: int = 0  # of the stages, those that run a custom expression
    custom_temporaries: int = 0  # arrays a custom expression's f or f' keeps alive at most

    @property
    def units(self) -> int:
        return sum(self.sizes[1:])

    @property
    def widest(self) -> int:
        return max(self.sizes[1:])

    @property
    def n_params(self) -> int:
        return Layout(self.sizes).n_params

    @property
    def steps_per_epoch(self) -> int:
        if self.batch_size is None or self.batch_size >= self.n_train:
            return 1
        return math.ceil(self.n_train / self.batch_size)


@dataclass(frozen=True)
class WorkEstimate:
    """Peak memory (an upper bound, split into its parts) and time (a floor) of one request."""

    network_bytes: int  # activations, weights and curves of the networks trained at once
    snapshot_bytes: int
    seconds: float

    @property
    def peak_bytes(self) -> int:
        return self.network_bytes + self.snapshot_bytes + BASE_BYTES

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20


def estimate(shape: RunShape) -> WorkEstimate:
    """The memory bound and time floor above for one request of this shape."""
    s, n, m = shape.networks, shape.n_train, shape.n_test
    units, widest = shape.units, shape.widest
    activations = TRAIN_FACTOR * n * units + TEST_FACTOR * m * units
    activations += max(ACTIVATION_FACTOR, shape.custom_temporaries) * (n + m) * widest
    layers = len(shape.sizes) - 1
    network = BYTES * s * (activations + PARAMETER_COPIES * shape.n_params)
    network += BYTES * s * shape.recorded * (4 + layers)
    snapshots = 0
    if shape.snapshot_values:
        snapshots = 2 * BYTES * shape.grid**2 * units
        snapshots += SNAPSHOT_BYTES_PER_VALUE * shape.snapshot_values
    runs = shape.stages * s
    seconds = shape.stages * shape.epochs * shape.steps_per_epoch * STEP_FLOOR_S
    seconds += UNIT_FLOOR_S * shape.epochs * n * shape.n_params * runs
    if shape.custom_stages:
        seconds *= 1 + (CUSTOM_TIME_FACTOR - 1) * shape.custom_stages / shape.stages
    return WorkEstimate(network, snapshots, seconds)
