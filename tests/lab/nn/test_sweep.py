"""Seed sweeps: the summaries are the right statistics of the per-seed numbers."""

from dataclasses import replace

import numpy as np
import pytest

from app.lab.activations import Activation, ParamValue, get_activation
from app.lab.nn.control import Control, Progress
from app.lab.nn.sweep import bands, quartiles, sweep
from app.lab.nn.training import run
from tests.factories import xor_config

CONFIG = xor_config(hidden_layers=(3,), learning_rate=0.5, epochs=400, snapshots=10)


def test_quartiles_ignore_non_finite_values_and_need_one() -> None:
    q = quartiles(np.array([4.0, np.nan, 1.0, 2.0, 3.0, np.inf]))
    assert q is not None and (q.q25, q.median, q.q75) == (1.75, 2.5, 3.25)
    assert quartiles(np.array([np.nan])) is None


def test_bands_are_percentiles_over_the_live_rows_per_column() -> None:
    curves = np.array([[1.0, np.nan, 5.0], [2.0, np.nan, np.nan], [3.0, np.nan, np.nan]])
    p10, median, p90 = bands(curves)
    np.testing.assert_allclose(p10[[0, 2]], [1.2, 5.0])
    np.testing.assert_allclose(median[[0, 2]], [2.0, 5.0])
    np.testing.assert_allclose(p90[[0, 2]], [2.8, 5.0])
    assert np.isnan([p10[1], median[1], p90[1]]).all()


@pytest.mark.slow
def test_bands_are_nanpercentiles_numbers_to_the_bit() -> None:
    """Columns where every seed is finite take percentile's vectorised pass, the others
    nanpercentile's: both give each column exactly what nanpercentile alone gives."""
    rng = np.random.default_rng(0)
    for _ in range(100):
        seeds, records = int(rng.integers(1, 60)), int(rng.integers(1, 80))
        curves = rng.standard_normal((seeds, records)) * 10.0 ** rng.integers(
            -6, 6, (seeds, records)
        )
        curves[rng.random(curves.shape) < rng.choice([0.0, 0.02, 0.5])] = np.nan
        curves[:, rng.integers(0, records)] = np.nan  # a column every seed has left
        some = np.isfinite(curves).any(axis=0)
        want = np.full((3, records), np.nan)
        want[:, some] = np.nanpercentile(curves[:, some], [10.0, 50.0, 90.0], axis=0)
        assert bands(curves).tobytes() == want.tobytes()


def test_sweep_summarises_each_activation_over_its_seeds() -> None:
    acts: list[tuple[Activation, dict[str, ParamValue]]] = [
        (get_activation("identity"), {}),
        (get_activation("leaky_relu"), {"negative_slope": 0.2}),
    ]
    summaries = sweep(CONFIG, acts, 12)
    assert [(s.name, s.params) for s in summaries] == [
        ("identity", {}),
        ("leaky_relu", {"negative_slope": 0.2}),
    ]
    identity, leaky = summaries
    assert identity.success_rate == 0.0 and identity.epochs_to_converge is None
    assert identity.mean_dead_fraction == 0.0
    single = run(
        replace(
            CONFIG,
            activation=get_activation("leaky_relu"),
            activation_params={"negative_slope": 0.2},
        ),
        range(12),
    )
    converged = single.converged_epoch >= 0
    assert leaky.success_rate == converged.mean() > 0
    q = leaky.epochs_to_converge
    assert q is not None
    assert q.median == np.median(single.converged_epoch[converged])
    assert leaky.final_loss is not None and leaky.final_loss.median == np.median(single.final_loss)
    np.testing.assert_array_equal(leaky.loss_median, np.median(single.loss, axis=0))
    assert leaky.run.snapshots == []  # sweeps never draw surfaces


def test_sweep_reports_progress_per_stage() -> None:
    seen: list[Progress] = []
    acts: list[tuple[Activation, dict[str, ParamValue]]] = [
        (get_activation("tanh"), {}),
        (get_activation("relu"), {}),
    ]
    sweep(CONFIG, acts, 3, Control(on_progress=seen.append, interval=0.0))
    assert [p.stage for p in (seen[0], seen[-1])] == [0, 1]
    assert seen[-1].fraction == pytest.approx(1.0)
    assert all(0 < p.fraction <= 1 for p in seen)
    assert [p.fraction for p in seen] == sorted(p.fraction for p in seen)
