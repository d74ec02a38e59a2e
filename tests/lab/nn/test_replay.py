"""A history replayed: as /api/train's run when nothing changes, as the live session otherwise."""

from dataclasses import replace

import numpy as np
import pytest

from app.lab.datasets import Dataset, generate
from app.lab.nn.live import LiveSession
from app.lab.nn.replay import (
    Edit,
    Entry,
    HistoryError,
    Regenerate,
    Reset,
    Set,
    check,
    epochs_covered,
    recorded_run,
    replay_session,
)
from app.lab.nn.training import TrainConfig, TrainResult, train
from tests.factories import xor_config

SPIRAL = replace(
    xor_config("relu", hidden_layers=(8, 8), optimizer="adam", learning_rate=0.01, epochs=40),
    dataset=generate("spiral", n_samples=200, noise=0.1, train_fraction=0.5, seed=3),
    batch_size=10,
    snapshots=5,
    grid=20,
)


def spiral_data(seed: int) -> Dataset:
    return generate("spiral", n_samples=200, noise=0.1, train_fraction=0.5, seed=seed)


def assert_same_run(a: TrainResult, b: TrainResult) -> None:
    np.testing.assert_array_equal(a.epochs, b.epochs)
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
    assert a.weights is not None and b.weights is not None
    for (wa, ba), (wb, bb) in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ba, bb)
    assert [s.epoch for s in a.run.snapshots] == [s.epoch for s in b.run.snapshots]
    for sa, sb in zip(a.run.snapshots, b.run.snapshots, strict=True):
        np.testing.assert_array_equal(sa.output, sb.output)
    assert a.converged_epoch == b.converged_epoch and a.diverged_epoch == b.diverged_epoch


@pytest.mark.parametrize(
    "config", [xor_config(epochs=300, snapshots=7), SPIRAL], ids=["xor", "spiral"]
)
def test_no_change_is_exactly_train(config: TrainConfig) -> None:
    recorded = recorded_run(config, 5, [], config.epochs, spiral_data)
    assert recorded.config == config
    assert_same_run(recorded.result, train(config, seed=5))


def test_changes_give_the_live_sessions_numbers() -> None:
    entries: list[Entry] = [
        (7, Set(learning_rate=0.05, batch_size=30)),
        (11, Edit(layer=2, kind="weight", to_unit=0, from_unit=3, value=1.0)),
        (11, Regenerate(data_seed=11)),
        (20, Set(full_batch=True, regularization="l2", reg_rate=0.01)),
    ]
    live = LiveSession(SPIRAL, 2, 1000)
    for when, change in entries:
        live.step(when - live.epoch)
        if isinstance(change, Set):
            live.set(
                change.learning_rate,
                change.regularization,
                change.reg_rate,
                change.batch_size,
                change.full_batch,
            )
        elif isinstance(change, Edit):
            live.edit(change.layer, change.kind, change.to_unit, change.value, change.from_unit)
        elif isinstance(change, Regenerate):
            live.regenerate(spiral_data(change.data_seed))
    live.step(30 - live.epoch)
    state = live.state()

    recorded = recorded_run(SPIRAL, 2, entries, 30, spiral_data)
    result = recorded.result
    assert result.weights is not None
    for (w, b), (lw, lb) in zip(result.weights, state.weights, strict=True):
        np.testing.assert_array_equal(w, lw)
        np.testing.assert_array_equal(b, lb)
    assert result.run.final_loss[0] == state.loss
    assert result.epochs.tolist() == list(range(30))
    assert recorded.config.learning_rate == 0.05 and recorded.config.batch_size is None
    assert recorded.config.epochs == 30
    np.testing.assert_array_equal(recorded.config.dataset.y_train, spiral_data(11).y_train)
    # every snapshot over the grid of the data at the end: the final one is the live frame's
    assert [s.epoch for s in result.run.snapshots] == [0, 8, 15, 22, 30]
    assert result.run.grid is not None
    np.testing.assert_array_equal(result.run.grid.x1, state.grid.x1)
    np.testing.assert_array_equal(result.run.snapshots[-1].output, state.output)

    session = replay_session(SPIRAL, 2, entries, 30, spiral_data, 1000)
    np.testing.assert_array_equal(session.trainer.theta, live.trainer.theta)
    assert session.epoch == 30


def test_the_run_after_the_last_reset_is_recorded() -> None:
    """Options and data chosen before the reset stay; the weights start from its seed."""
    entries: list[Entry] = [
        (5, Set(learning_rate=0.02)),
        (9, Regenerate(data_seed=4)),
        (9, Edit(layer=0, kind="bias", to_unit=0, value=3.0)),
        (12, Reset(seed=8)),
    ]
    recorded = recorded_run(SPIRAL, 1, entries, 25, spiral_data)
    expected = train(replace(SPIRAL, learning_rate=0.02, dataset=spiral_data(4), epochs=25), 8)
    assert_same_run(recorded.result, expected)
    session = replay_session(SPIRAL, 1, entries, 25, spiral_data, 1000)
    assert session.seed == 8 and session.epoch == 25
    assert expected.weights is not None
    np.testing.assert_array_equal(session.state().weights[0][0], expected.weights[0][0])
    assert epochs_covered(entries, 25) == 37


def test_a_history_that_diverges_reports_no_final_state() -> None:
    config = xor_config("identity", learning_rate=10.0, hidden_layers=(8, 8), epochs=60)
    entries: list[Entry] = [(0, Edit(layer=0, kind="weight", to_unit=0, from_unit=0, value=1e3))]
    result = recorded_run(config, 0, entries, 60, spiral_data).result
    assert result.diverged_epoch is not None and result.weights is None
    assert np.isfinite(result.loss).all()


@pytest.mark.parametrize(
    ("entries", "epoch", "index", "field"),
    [
        ([(5, Set(learning_rate=1.0)), (4, Set(learning_rate=2.0))], 9, 1, "epoch"),
        ([(5, Reset(seed=1)), (4, Set(learning_rate=2.0))], 9, None, None),  # 4 after the reset
        ([(5, Reset(seed=1)), (0, Reset(seed=2))], 3, None, None),
        ([(5, Set(learning_rate=1.0))], 4, None, "epoch"),
        ([(5, Reset(seed=1))], 4, None, None),  # the epoch counts again from the reset
        ([(0, Edit(layer=2, kind="bias", to_unit=0, value=1.0))], 1, 0, "layer"),
        ([(0, Edit(layer=1, kind="bias", to_unit=1, value=1.0))], 1, 0, "to_unit"),
        ([(0, Edit(layer=0, kind="weight", to_unit=1, from_unit=2, value=1.0))], 1, 0, "from_unit"),
    ],
)
def test_check_names_the_entry_and_field(
    entries: list[Entry], epoch: int, index: int | None, field: str | None
) -> None:
    sizes = (2, 4, 1)
    if field is None:
        check(sizes, entries, epoch)
        return
    with pytest.raises(HistoryError) as err:
        check(sizes, entries, epoch)
    assert (err.value.index, err.value.field) == (index, field)
