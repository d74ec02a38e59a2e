"""Seed sweeps: the same configuration from seeds 0..n-1, one stacked run per activation.

For each activation all n networks train in one vectorised computation (app.lab.nn.training.run with
n seeds); network s is computed exactly as a single run with seed s. Summaries are over seeds:

- success rate: the share of seeds that classified every training point right at some epoch;
- epochs_to_converge quartiles over the seeds that did; final-loss quartiles over the seeds that
  did not diverge (numpy's linear-interpolation percentiles);
- the median loss curve with 10 % and 90 % bands, per recorded epoch over the seeds still live
  there (None where none is);
- the mean over seeds of the share of hidden units that are dead at the end;
- for a regression set (app.lab.nn.fit) also the R^2 curve's 10 %, median and 90 % bands and
  the final R^2 quartiles over the seeds that did not diverge; success is then a training R^2
  of at least app.lab.nn.mlp.R2_TARGET at some epoch.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from app.lab.activations import Activation, ParamValue
from app.lab.datasets import Dataset
from app.lab.nn.control import Control
from app.lab.nn.fit import Fit, fit_of
from app.lab.nn.training import RunResult, TrainConfig, run

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Quartiles:
    q25: float
    median: float
    q75: float


def quartiles(values: Array) -> Quartiles | None:
    """Quartiles of the finite values; None when there are none."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    q25, median, q75 = np.percentile(finite, [25.0, 50.0, 75.0])
    return Quartiles(float(q25), float(median), float(q75))


def bands(curves: Array, percents: Sequence[float] = (10.0, 50.0, 90.0)) -> Array:
    """Percentiles over seeds (rows) per column, ignoring NaN; NaN where a column has none."""
    out = np.full((len(percents), curves.shape[1]), np.nan)
    finite = np.isfinite(curves)
    # nanpercentile goes column by column in Python (60 ms for 100 seeds x 1000 epochs, more
    # than a tenth of such a sweep); columns with every seed finite take percentile's one
    # vectorised pass, which computes each column as nanpercentile does.
    full = finite.all(axis=0)
    if full.any():
        out[:, full] = np.percentile(curves[:, full], list(percents), axis=0)
    some = finite.any(axis=0) & ~full
    if some.any():
        out[:, some] = np.nanpercentile(curves[:, some], list(percents), axis=0)
    return out


@dataclass(frozen=True)
class ActivationSummary:
    """One activation's sweep: the summaries above and the per-seed numbers behind them."""

    name: str
    params: dict[str, ParamValue]
    run: RunResult
    success_rate: float
    epochs_to_converge: Quartiles | None
    final_loss: Quartiles | None
    loss_p10: Array
    loss_median: Array
    loss_p90: Array
    mean_dead_fraction: float | None
    fit: Fit | None = None  # regression only
    r2_bands: Array | None = None  # (3, R): p10, median, p90 of R^2
    final_r2: Quartiles | None = None

    @classmethod
    def of(
        cls,
        name: str,
        params: dict[str, ParamValue],
        result: RunResult,
        data: Dataset | None = None,
    ) -> "ActivationSummary":
        fit = None if data is None else fit_of(result, data)
        converged = result.converged_epoch >= 0
        p10, median, p90 = bands(result.loss)
        dead = result.dead_fraction
        live_dead = dead[(result.diverged_epoch < 0) & np.isfinite(dead)]
        return cls(
            name=name,
            params=params,
            run=result,
            success_rate=float(converged.mean()),
            epochs_to_converge=quartiles(result.converged_epoch[converged].astype(np.float64)),
            final_loss=quartiles(result.final_loss),
            loss_p10=p10,
            loss_median=median,
            loss_p90=p90,
            mean_dead_fraction=float(live_dead.mean()) if live_dead.size else None,
            fit=fit,
            r2_bands=None if fit is None else bands(fit.r2),
            final_r2=None if fit is None else quartiles(fit.final_r2),
        )


def sweep(
    config: TrainConfig,
    activations: Sequence[tuple[Activation, dict[str, ParamValue]]],
    n_seeds: int,
    control: Control | None = None,
) -> list[ActivationSummary]:
    """Train `config` with each activation from seeds 0..n_seeds-1; no snapshots."""
    summaries = []
    for stage, (act, params) in enumerate(activations):
        if control is not None:
            control.stage, control.stages = stage, len(activations)
        stage_config = replace(config, activation=act, activation_params=params, snapshots=0)
        # the summaries need the loss curve only: the other curves are not recorded
        result = run(stage_config, range(n_seeds), control, curves="loss")
        summaries.append(ActivationSummary.of(act.name, params, result, config.dataset))
    return summaries
