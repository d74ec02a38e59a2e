"""The work model: its estimate bounds the measured peak memory of the job a worker runs, without
being absurdly loose, and its time floor grows with what a run does."""

import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from app.lab.nn.control import Control
from app.lab.nn.work import BASE_BYTES, RunShape, estimate
from app.web.limits import work_estimate
from app.web.routes.training import sweep_bytes, train_bytes
from app.web.schemas.training import SweepRequest, TrainingOptions, TrainRequest

# Starts processes or trains whole runs: left out of the fast subset (make test-fast).
pytestmark = pytest.mark.slow

# (what, body, loose): the bound must hold for every one; for the big ones (loose = False) it
# must also stay within 4x of the measured peak.
CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("small", {"epochs": 200}, True),
    (
        "wide",
        {
            "activations": ["relu"],
            "seeds": 50,
            "epochs": 1,
            "hidden_layers": [64],
            "dataset": {"name": "circle", "n_samples": 2000},
        },
        # loose since the loop became Trainer.step: the last epoch's activations are freed
        # before the final forward pass, so this one-epoch run's peak fell from over 111 MiB
        # to 102 MiB and the (unchanged, still safe) estimate is 4.4x it
        True,
    ),
    (
        "deep",
        {
            "activations": ["tanh"],
            "seeds": 20,
            "epochs": 1,
            "hidden_layers": [32] * 8,
            "dataset": {"name": "spiral", "n_samples": 2000, "train_fraction": 0.9},
        },
        False,
    ),
    (
        "many seeds",
        {
            "activations": ["sigmoid", "relu"],
            "seeds": 200,
            "epochs": 2,
            "hidden_layers": [8, 8],
            "dataset": {"name": "gaussians", "n_samples": 1000},
        },
        False,
    ),
    (
        "costliest activation",
        {
            "activations": ["sinc", "soboleva_tanh"],
            "seeds": 40,
            "epochs": 1,
            "hidden_layers": [64],
            "dataset": {"name": "moons", "n_samples": 2000},
        },
        False,
    ),
    (
        # a program keeps every intermediate: counted (17 arrays), not assumed (6); measured
        # 395 MiB, where the bound without counting them would be 358 MiB
        "custom expressions",
        {
            "activations": [
                {"name": "custom", "expression": "x * tanh(softplus(x))"},
                {
                    "name": "custom",
                    "expression": "where(x > 0, x, a * (exp(x) - 1))"
                    " + sin(x) * cos(x) / (1 + x**2)",
                    "params": {"a": 1.3},
                },
            ],
            "seeds": 40,
            "epochs": 1,
            "hidden_layers": [64],
            "dataset": {"name": "moons", "n_samples": 2000},
        },
        False,
    ),
    (
        "mini-batches",
        {
            "activations": ["mish"],
            "seeds": 20,
            "epochs": 1,
            "batch_size": 50,
            "hidden_layers": [64] * 3,
            "dataset": {"name": "spiral", "n_samples": 2000},
        },
        False,
    ),
    (
        "large grid",
        {
            "epochs": 20,
            "hidden_layers": [64, 64],
            "grid": 100,
            "snapshots": 20,
            "dataset": {"name": "circle", "n_samples": 2000},
        },
        False,
    ),
    (
        "many snapshots",
        {
            "epochs": 400,
            "hidden_layers": [16] * 4,
            "snapshots": 200,
            "grid": 50,
            "dataset": {"name": "spiral3", "n_samples": 600},
            "output": "softmax",
            "loss": "cross_entropy",
        },
        False,
    ),
]


def measured_peak(job: Callable[[Control, Any], bytes], req: TrainingOptions) -> int:
    """Peak bytes allocated while the worker's job runs (tracemalloc sees numpy's buffers)."""
    tracemalloc.start()
    try:
        job(Control(), req)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("what", "body", "loose"), CASES, ids=[c[0] for c in CASES])
def test_the_estimate_bounds_the_measured_peak(
    what: str, body: dict[str, Any], loose: bool
) -> None:
    req: TrainingOptions
    if "activations" in body:
        req = SweepRequest.model_validate(body)
        peak = measured_peak(sweep_bytes, req)
    else:
        req = TrainRequest.model_validate(body)
        peak = measured_peak(train_bytes, req)
    bound = work_estimate(req).peak_bytes
    assert peak <= bound, f"{what}: measured {peak / 2**20:.1f} MiB > {bound / 2**20:.1f} MiB"
    if not loose:
        assert bound <= 4 * peak, f"{what}: {bound / 2**20:.1f} MiB for {peak / 2**20:.1f} MiB"


def shape(**changes: Any) -> RunShape:
    base: dict[str, Any] = {"sizes": (2, 8, 1), "n_train": 100, "n_test": 100, "networks": 10}
    return RunShape(**{**base, **changes})


def test_the_issue_s_largest_sweep_is_estimated_at_3_gib() -> None:
    # 200 seeds, 1800 training and 200 test points, 8 layers of 27: 2.5 GiB measured
    big = shape(sizes=(2, *[27] * 8, 1), n_train=1800, n_test=200, networks=200)
    assert round(estimate(big).peak_mib) == 3081
    assert estimate(big).snapshot_bytes == 0


def test_memory_grows_with_networks_points_and_units_not_with_epochs_or_stages() -> None:
    base = estimate(shape()).network_bytes
    assert estimate(shape(networks=20)).network_bytes == 2 * base
    assert estimate(shape(n_train=200, n_test=200)).network_bytes > 1.9 * base
    assert estimate(shape(sizes=(2, 16, 1))).network_bytes > 1.9 * base
    assert estimate(shape(epochs=1000, stages=4)).network_bytes == base
    assert estimate(shape()).peak_bytes == base + BASE_BYTES


def test_snapshots_cost_their_values_and_the_grid_s_forward_pass() -> None:
    with_snapshots = estimate(shape(snapshot_values=1_000_000, grid=50))
    assert with_snapshots.snapshot_bytes == 2 * 8 * 50**2 * 9 + 24 * 1_000_000


def test_the_time_floor_counts_steps_and_work() -> None:
    one = estimate(shape(epochs=1000)).seconds
    assert one == pytest.approx(1000 * 1e-5 + 5e-10 * 1000 * 100 * 33 * 10)
    assert estimate(shape(epochs=1000, stages=3)).seconds == pytest.approx(3 * one)
    batches = estimate(shape(epochs=1000, batch_size=10)).seconds
    assert batches == pytest.approx(one + 1000 * 9 * 1e-5)
