"""How well a regression run fits: R^2 curves and final values, from the run's mse losses.

With a linear output the loss is mse = mean((z - y)^2) over a set, so R^2 = 1 - mse / var(y)
(app.lab.nn.mlp.r_squared) follows from the recorded losses exactly: nothing is computed twice,
and every R^2 is as finite as the loss it comes from (NaN only where the loss is: after a
network diverged).
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.lab.datasets import Dataset
from app.lab.nn.mlp import r_squared
from app.lab.nn.training import RunResult

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Fit:
    """R^2 per network (rows) at the run's recorded epochs and at the end."""

    r2: Array  # (S, R), NaN where loss is
    test_r2: Array | None
    final_r2: Array  # (S,)
    final_test_r2: Array | None

    @classmethod
    def of(cls, run: RunResult, data: Dataset) -> "Fit":
        """The fit of a run on `data`, a regression set (its targets define var(y))."""
        assert data.regression, data.name
        y, y_test = np.asarray(data.y_train, dtype=np.float64), data.y_test
        test_r2 = final_test_r2 = None
        if y_test is not None and run.test_loss is not None and run.final_test_loss is not None:
            test_r2 = r_squared(run.test_loss, np.asarray(y_test, dtype=np.float64))
            final_test_r2 = r_squared(run.final_test_loss, np.asarray(y_test, dtype=np.float64))
        return cls(r_squared(run.loss, y), test_r2, r_squared(run.final_loss, y), final_test_r2)


def fit_of(run: RunResult, data: Dataset) -> Fit | None:
    """The run's Fit on a regression set; None for classes (they have accuracy instead)."""
    return Fit.of(run, data) if data.regression else None
