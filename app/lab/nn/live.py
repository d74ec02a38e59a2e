"""A live training session: the one Trainer of app.lab.nn.training, stepped and changed mid-run.

`LiveSession(config, seed, max_epochs)` owns the data, the network, the optimiser state and the
random generator of one network (a one-seed `Trainer`) and trains it `step(n)` epochs at a
time. Stepped with no change in between, it computes exactly /api/train's numbers for the same
configuration and seed: the same loop, the same arithmetic, the same draws in the same order
(tests/lab/nn/test_live.py checks losses and weights for equality).

Between steps it can be changed, as the TensorFlow Playground allows:

- `set(...)`: learning rate, regularisation, its rate and the batch size, from the next epoch on;
  weights and optimiser state kept;
- `edit(layer, kind, to_unit, from_unit, value)`: one weight or bias;
- `reset(seed)`: new initial weights (and shuffles) drawn from `seed`, epoch back to 0;
- `regenerate(dataset)`: new training and test data; weights, optimiser state and epoch kept.

`state()` measures the network now (epoch e is the state before update e, as in the curves of
/api/train): training and test loss and accuracy, the output over the grid, each hidden unit's
output over the thumbnail grid, and the weights.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from app.lab.datasets import Dataset
from app.lab.nn.control import Control
from app.lab.nn.hidden_space import HiddenSpace, LiveProjector, inputs_of
from app.lab.nn.initializers import Layer
from app.lab.nn.mlp import RegularizationName, penalised
from app.lab.nn.training import Grid, TrainConfig, Trainer, thumbnail_points

Array = NDArray[np.float64]

EDIT_KINDS = ("weight", "bias")


class EditError(ValueError):
    """An edit names a layer or unit the network does not have; `field` is the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LiveState:
    """The network at one epoch, measured on the whole training (test) set and the grids."""

    epoch: int
    loss: float | None  # None once the network diverged
    accuracy: float | None
    test_loss: float | None  # None without a test set, or once diverged
    test_accuracy: float | None
    diverged_epoch: int | None
    converged_epoch: int | None
    grid: Grid
    thumbnails: Grid
    output: Array  # (units, n, n); row i is x2 = grid.x2[i], column j is x1 = grid.x1[j]
    hidden: list[Array]  # per hidden layer (units, t, t) over the thumbnail grid
    weights: list[Layer]  # (W (in, out), b (out,)) per layer, hidden layers then output
    # the chosen hidden layers' views (app.lab.nn.hidden_space); None where not finite
    hidden_spaces: list[HiddenSpace | None]


def check_edit(
    sizes: Sequence[int], layer: int, kind: str, to_unit: int, from_unit: int | None
) -> None:
    """EditError unless the network of these layer sizes (inputs, hidden..., outputs) has the
    weight (kind "weight") or bias the edit names."""
    if not 0 <= layer < len(sizes) - 1:
        raise EditError("layer", f"layer must be 0 to {len(sizes) - 2}; got {layer}")
    fan_in, fan_out = sizes[layer], sizes[layer + 1]
    if not 0 <= to_unit < fan_out:
        raise EditError(
            "to_unit", f"layer {layer} has units 0 to {fan_out - 1}; got to_unit {to_unit}"
        )
    if kind != "bias" and (from_unit is None or not 0 <= from_unit < fan_in):
        raise EditError(
            "from_unit", f"layer {layer} takes inputs 0 to {fan_in - 1}; got from_unit {from_unit}"
        )


def with_options(
    config: TrainConfig,
    learning_rate: float | None = None,
    regularization: RegularizationName | None = None,
    reg_rate: float | None = None,
    batch_size: int | None = None,
    full_batch: bool = False,
) -> TrainConfig:
    """The configuration after a `set`: only the options given change (full_batch: batch_size
    back to None)."""
    changes: dict[str, object] = {}
    if learning_rate is not None:
        changes["learning_rate"] = learning_rate
    if regularization is not None:
        changes["regularization"] = regularization
    if reg_rate is not None:
        changes["reg_rate"] = reg_rate
    if batch_size is not None or full_batch:
        changes["batch_size"] = batch_size
    return replace(config, **changes)  # type: ignore[arg-type]


class LiveSession:
    """One network trained step by step; see the module docstring.

    The Trainer's record table spans `max_epochs`. A live session takes no snapshots (its
    frames are measured by state()); a replayed recorded run (app.lab.nn.replay) is a session
    whose max_epochs is its length, with the snapshots and the time limit of /api/train.
    """

    def __init__(
        self,
        config: TrainConfig,
        seed: int,
        max_epochs: int,
        snapshots: int = 0,
        control: Control | None = None,
        hidden_space_layers: Sequence[int] = (),
    ) -> None:
        self.config = replace(config, epochs=max_epochs, snapshots=snapshots)
        self.max_epochs = max_epochs
        self.seed = seed
        self.control = control
        self.trainer = Trainer(self.config, [seed], control)
        # one projector for the session's life, anchored at its first state: its PCA bases keep
        # their signs across resets, and a replay (the same start) draws the same frames
        self.projector = LiveProjector(hidden_space_layers)
        if self.projector.layers:
            self.projector.anchor(
                self.trainer.layout.unpack(self.trainer.theta[0]),
                config.activation,
                config.activation_params,
                inputs_of(self.config)[0],
            )
        self.grids()

    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @property
    def stopped(self) -> bool:
        """The network diverged: it trains no further until reset or edited."""
        return self.trainer.stopped

    def grids(self) -> None:
        data, names, n = self.config.dataset, self.config.features, self.config.grid
        self.grid = Grid.over(data, names, n)
        self.thumbnails = Grid.over(data, names, thumbnail_points(n))

    def step(self, n: int) -> int:
        """Train up to n epochs (fewer at the epoch cap or on divergence); the epochs trained."""
        n = max(0, min(n, self.max_epochs - self.trainer.epoch))
        with np.errstate(all="ignore"):  # divergence is detected and reported, not warned about
            return self.trainer.step(n)

    # --- changes between steps ------------------------------------------------------------------

    def set(
        self,
        learning_rate: float | None = None,
        regularization: RegularizationName | None = None,
        reg_rate: float | None = None,
        batch_size: int | None = None,
        full_batch: bool = False,
    ) -> None:
        """Change the optimiser's rate, the penalty or the batch size from the next epoch on
        (full_batch: batch_size back to None)."""
        self.config = with_options(
            self.config, learning_rate, regularization, reg_rate, batch_size, full_batch
        )
        trainer = self.trainer
        trainer.config = self.config
        trainer.optimizer.lr = self.config.learning_rate
        trainer.penalised = penalised(self.config.regularization, self.config.reg_rate)

    def edit(
        self, layer: int, kind: str, to_unit: int, value: float, from_unit: int | None = None
    ) -> None:
        """Set W_layer[from_unit, to_unit] (kind "weight") or b_layer[to_unit] ("bias")."""
        layout = self.trainer.layout
        check_edit(layout.sizes, layer, kind, to_unit, from_unit)
        w, b = layout.views(self.trainer.theta)[layer]
        if kind == "bias":
            b[0, to_unit] = value
        else:
            assert from_unit is not None
            w[0, from_unit, to_unit] = value
        # an edit can bring a diverged network back: its checks start again from here
        self.trainer.stopped = False
        self.trainer.diverged[:] = -1

    def reset(self, seed: int) -> None:
        """New initial weights and shuffles from `seed`; the epoch starts again at 0."""
        self.seed = seed
        self.config = replace(self.config, initial_weights=None)
        self.trainer = Trainer(self.config, [seed], self.control)

    def regenerate(self, dataset: Dataset) -> None:
        """New data from the next epoch on; weights, optimiser state and epoch kept."""
        self.config = replace(self.config, dataset=dataset)
        trainer = self.trainer
        trainer.config = self.config
        trainer.load_data(dataset)
        trainer.await_convergence()
        self.grids()

    # --- measuring ------------------------------------------------------------------------------

    def state(self) -> LiveState:
        """The network now: metrics, grid outputs and weights (all finite)."""
        trainer, head = self.trainer, self.trainer.head
        stack = trainer.stack
        with np.errstate(all="ignore"):
            zs, _ = stack.forward(trainer.x)
            z = zs[-1]
            loss = float(head.losses(z, trainer.y)[0])
            if trainer.stopped or not np.isfinite(loss) or not np.isfinite(z).all():
                if trainer.diverged[0] < 0:
                    trainer.diverged[0] = trainer.epoch
                trainer.stopped = True
            diverged = int(trainer.diverged[0])
            live = diverged < 0
            accuracy = float(trainer.share_right(z, trainer.labels)[0]) if live else None
            test_loss = test_accuracy = None
            if live and trainer.x_test is not None:
                assert trainer.y_test is not None and trainer.labels_test is not None
                z_test = stack.forward(trainer.x_test)[0][-1]
                test_loss = float(head.losses(z_test, trainer.y_test)[0])
                test_accuracy = float(trainer.share_right(z_test, trainer.labels_test)[0])
            grid_zs, _ = stack.forward(self.grid.inputs)
            _, thumb_inputs = stack.forward(self.thumbnails.inputs)
            n, t = len(self.grid.x1), len(self.thumbnails.x1)
            output = head.probabilities(grid_zs[-1][0]).T.reshape(-1, n, n)
            hidden = [a[0].T.reshape(-1, t, t) for a in thumb_inputs[1:]]
        converged = int(trainer.converged[0])
        weights = trainer.layout.unpack(trainer.theta[0])
        spaces: list[HiddenSpace | None] = [None] * len(self.projector.layers)
        if live and self.projector.layers:
            config = self.config
            spaces = self.projector.views(
                weights,
                config.activation,
                config.activation_params,
                config.output,
                *inputs_of(config),
            )
        return LiveState(
            epoch=trainer.epoch,
            loss=loss if live else None,
            accuracy=finite_or_none(accuracy),  # NaN for a regression head: no classes
            test_loss=finite_or_none(test_loss),
            test_accuracy=finite_or_none(test_accuracy),
            diverged_epoch=None if live else diverged,
            converged_epoch=None if converged < 0 else converged,
            grid=self.grid,
            thumbnails=self.thumbnails,
            output=np.nan_to_num(output, nan=0.5),
            hidden=[np.nan_to_num(h, nan=0.0, posinf=0.0, neginf=0.0) for h in hidden],
            weights=weights,
            hidden_spaces=spaces,
        )


def finite_or_none(value: float | None) -> float | None:
    return value if value is not None and np.isfinite(value) else None
