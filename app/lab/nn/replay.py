"""Replay a live session's history: the session itself again, or the run it made as a recording.

A history is a start (a configuration and a seed), a list of changes, each at the epoch it took
effect (before that epoch's update, as app.lab.nn.live applies them), and the epoch the session
had reached. `replay_session` rebuilds the LiveSession at that epoch (the live `replay` command);
`recorded_run` trains the same epochs in a Trainer that records curves and snapshots as
/api/train's does (POST /api/train/replay). Both drive one loop, `drive`: train to a change's
epoch, apply it, and so on to the end.

A `reset` starts the run over: new weights from its seed, epoch 0, nothing of the network before
it left (the options `set` and the data `regenerate` chose stay). So only the part after the
last reset is trained; what came before only decides the configuration that part starts from.
The recorded run is that part: its epochs are 0..epoch of the last segment, as the session's
epoch counter showed it. With no change at all the recorded run is /api/train's run of `epoch`
epochs, to the byte (the same Trainer, stepped the same epochs, then finished).

Data: `regenerate` names a data seed, and `data(seed)` gives that seed's data set (the caller
knows how the start's data were generated). A recorded run's snapshots are all drawn over the
grid of the data it ends with, so that the surface and the points shown with it agree.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from app.lab.datasets import Dataset
from app.lab.nn.control import Control
from app.lab.nn.live import EditError, LiveSession, check_edit, with_options
from app.lab.nn.mlp import RegularizationName
from app.lab.nn.training import TrainConfig, TrainResult, train_result


@dataclass(frozen=True)
class Set:
    """New optimiser options from this epoch on (None: unchanged; full_batch: batch_size None)."""

    learning_rate: float | None = None
    regularization: RegularizationName | None = None
    reg_rate: float | None = None
    batch_size: int | None = None
    full_batch: bool = False


@dataclass(frozen=True)
class Edit:
    """W_layer[from_unit, to_unit] (kind "weight") or b_layer[to_unit] ("bias") = value."""

    layer: int
    kind: str
    to_unit: int
    value: float
    from_unit: int | None = None


@dataclass(frozen=True)
class Reset:
    """New initial weights and shuffles from `seed`; the epoch starts again at 0."""

    seed: int


@dataclass(frozen=True)
class Regenerate:
    """The data set of `data_seed` from this epoch on; weights and optimiser state kept."""

    data_seed: int


Change = Set | Edit | Reset | Regenerate
Entry = tuple[int, Change]  # (the epoch it took effect, the change)
DataOf = Callable[[int], Dataset]  # a data seed's data set


class HistoryError(ValueError):
    """A history no session could have made: entry `index` (None: the history's own epoch)
    is wrong at `field` ("epoch", or an edit's "layer", "to_unit", "from_unit")."""

    def __init__(self, index: int | None, field: str, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.field = field


def check(sizes: Sequence[int], entries: Sequence[tuple[int, Change | None]], epoch: int) -> None:
    """HistoryError unless every entry's epoch is at least the one before it (0 after a reset),
    every edit names a weight or bias of a network of these layer sizes, and the history's
    epoch is at least its last entry's. A change None is an entry that changes no number (the
    live play, pause, step and speed, kept as a record): only its epoch is checked."""
    at = 0
    for i, (when, change) in enumerate(entries):
        if when < at:
            raise HistoryError(i, "epoch", f"epoch {when} is before the epoch {at} reached there")
        if isinstance(change, Edit):
            try:
                check_edit(sizes, change.layer, change.kind, change.to_unit, change.from_unit)
            except EditError as err:
                raise HistoryError(i, err.field, str(err)) from None
        at = 0 if isinstance(change, Reset) else when
    if epoch < at:
        raise HistoryError(None, "epoch", f"epoch {epoch} is before the last entry's, {at}")


def epochs_covered(entries: Sequence[Entry], epoch: int) -> int:
    """Epochs the session trained to make this history: every segment's, the resets' included."""
    return sum(when for when, change in entries if isinstance(change, Reset)) + epoch


@dataclass(frozen=True)
class Regenerated:
    """A Regenerate with its data set made (once per data seed, by last_segment)."""

    data_seed: int
    dataset: Dataset


Step = tuple[int, Set | Edit | Regenerated]  # an entry after the last reset


@dataclass(frozen=True)
class Segment:
    """The part after the last reset: the configuration and seed it starts from, its changes."""

    config: TrainConfig
    seed: int
    entries: tuple[Step, ...]
    final_data: Dataset


def last_segment(config: TrainConfig, seed: int, entries: Sequence[Entry], data: DataOf) -> Segment:
    """The history up to its last reset reduced to what it leaves: the options and data chosen,
    the reset's seed (edits and training before it are undone by the new weights)."""
    made: dict[int, Dataset] = {}

    def data_of(data_seed: int) -> Dataset:
        if data_seed not in made:
            made[data_seed] = data(data_seed)
        return made[data_seed]

    cut = max((i + 1 for i, (_, c) in enumerate(entries) if isinstance(c, Reset)), default=0)
    for _, change in entries[:cut]:
        if isinstance(change, Set):
            config = with_set(config, change)
        elif isinstance(change, Regenerate):
            config = replace(config, dataset=data_of(change.data_seed))
        elif isinstance(change, Reset):
            seed = change.seed
            config = replace(config, initial_weights=None)
    tail: list[Step] = []
    final = config.dataset
    for when, change in entries[cut:]:
        assert not isinstance(change, Reset)
        if isinstance(change, Regenerate):
            final = data_of(change.data_seed)
            tail.append((when, Regenerated(change.data_seed, final)))
        else:
            tail.append((when, change))
    return Segment(config, seed, tuple(tail), final)


def with_set(config: TrainConfig, change: Set) -> TrainConfig:
    return with_options(
        config,
        change.learning_rate,
        change.regularization,
        change.reg_rate,
        change.batch_size,
        change.full_batch,
    )


def drive(session: LiveSession, entries: Sequence[Step], epoch: int) -> None:
    """Train to each entry's epoch, apply its change, then train to `epoch` (fewer epochs once
    the network diverged, as the session did)."""
    for when, change in entries:
        session.step(when - session.epoch)
        if isinstance(change, Set):
            session.set(
                change.learning_rate,
                change.regularization,
                change.reg_rate,
                change.batch_size,
                change.full_batch,
            )
        elif isinstance(change, Edit):
            session.edit(change.layer, change.kind, change.to_unit, change.value, change.from_unit)
        else:
            session.regenerate(change.dataset)
    session.step(epoch - session.epoch)


def replay_session(
    config: TrainConfig,
    seed: int,
    entries: Sequence[Entry],
    epoch: int,
    data: DataOf,
    max_epochs: int,
    hidden_space_layers: Sequence[int] = (),
) -> LiveSession:
    """The live session the history describes, at its epoch (check() it first)."""
    segment = last_segment(config, seed, entries, data)
    session = LiveSession(
        segment.config, segment.seed, max_epochs, hidden_space_layers=hidden_space_layers
    )
    drive(session, segment.entries, epoch)
    return session


@dataclass(frozen=True)
class RecordedRun:
    """The history's run as /api/train reports one; `config` is the one it ended with (the
    options of the last set, the data of the last regenerate, `epochs` = the history's)."""

    config: TrainConfig
    result: TrainResult


def recorded_run(
    config: TrainConfig,
    seed: int,
    entries: Sequence[Entry],
    epoch: int,
    data: DataOf,
    control: Control | None = None,
) -> RecordedRun:
    """The part after the last reset, trained `epoch` epochs with curves and `config.snapshots`
    snapshots over 0..epoch as /api/train records them (check() the history first)."""
    segment = last_segment(config, seed, entries, data)
    session = LiveSession(segment.config, segment.seed, epoch, config.snapshots, control)
    trainer = session.trainer
    if trainer.grid is not None and segment.final_data is not segment.config.dataset:
        trainer.snapshots_over(segment.final_data)
    drive(session, segment.entries, epoch)
    with np.errstate(all="ignore"):  # divergence is detected and reported, not warned about
        return RecordedRun(session.config, train_result(session.config, trainer.finish()))
