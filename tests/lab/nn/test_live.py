"""The live session is /api/train's engine stepped: the same numbers, then changes mid-run."""

from dataclasses import replace

import numpy as np
import pytest

from app.lab.datasets import generate
from app.lab.nn.live import EditError, LiveSession
from app.lab.nn.training import TrainConfig, train
from tests.factories import xor_config

SPIRAL = replace(
    xor_config("relu", hidden_layers=(8, 8), optimizer="adam", learning_rate=0.01, epochs=60),
    dataset=generate("spiral", n_samples=200, noise=0.1, train_fraction=0.5, seed=3),
    batch_size=10,
)


def stepped(config: TrainConfig, seed: int, chunks: list[int]) -> tuple[list[float], LiveSession]:
    """Losses at every epoch reached by stepping in these chunks, and the session."""
    session = LiveSession(config, seed, max_epochs=10_000)
    losses = []
    for n in chunks:
        for _ in range(n):
            state = session.state()
            assert state.loss is not None
            losses.append(state.loss)
            session.step(1)
    return losses, session


@pytest.mark.parametrize("config", [xor_config(epochs=300), SPIRAL], ids=["xor", "spiral"])
def test_stepping_with_no_change_is_exactly_train(config: TrainConfig) -> None:
    result = train(config, seed=5)
    losses, session = stepped(config, 5, [1, 7, config.epochs - 8])
    np.testing.assert_array_equal(losses, result.loss)  # every epoch is recorded at this length
    assert result.weights is not None
    for (w, b), (lw, lb) in zip(result.weights, session.state().weights, strict=True):
        np.testing.assert_array_equal(lw, w)
        np.testing.assert_array_equal(lb, b)
    final = session.state()
    assert final.loss == result.run.final_loss[0]
    if result.run.final_test_loss is not None:
        assert final.test_loss == result.run.final_test_loss[0]


def test_step_in_chunks_equals_step_at_once() -> None:
    a = LiveSession(SPIRAL, 1, 1000)
    b = LiveSession(SPIRAL, 1, 1000)
    a.step(50)
    for n in (3, 20, 27):
        b.step(n)
    np.testing.assert_array_equal(a.trainer.theta, b.trainer.theta)
    assert a.epoch == b.epoch == 50


def test_set_learning_rate_carries_on_from_the_weights() -> None:
    session = LiveSession(xor_config(), 0, 1000)
    session.step(10)
    before = session.trainer.theta.copy()
    session.set(learning_rate=1.0)
    grad_session = LiveSession(xor_config(learning_rate=1.0), 0, 1000)
    grad_session.trainer.theta[:] = before  # same weights, the new rate
    session.step(1)
    grad_session.step(1)
    np.testing.assert_array_equal(session.trainer.theta, grad_session.trainer.theta)
    assert session.epoch == 11


def test_edit_sets_one_weight_and_one_bias() -> None:
    session = LiveSession(xor_config(), 0, 1000)
    session.edit(0, "weight", to_unit=3, from_unit=1, value=0.75)
    session.edit(1, "bias", to_unit=0, value=-2.5)
    (w0, _), (_, b1) = session.state().weights
    assert w0[1, 3] == 0.75
    assert b1[0] == -2.5


@pytest.mark.parametrize(
    ("layer", "to_unit", "from_unit", "field"),
    [(2, 0, 0, "layer"), (0, 4, 0, "to_unit"), (0, 0, 2, "from_unit"), (0, 0, None, "from_unit")],
)
def test_edit_outside_the_network_names_the_field(
    layer: int, to_unit: int, from_unit: int | None, field: str
) -> None:
    session = LiveSession(xor_config(), 0, 1000)
    with pytest.raises(EditError) as err:
        session.edit(layer, "weight", to_unit=to_unit, from_unit=from_unit, value=1.0)
    assert err.value.field == field


def test_reset_draws_the_weights_of_the_new_seed_and_restarts_at_epoch_0() -> None:
    session = LiveSession(xor_config(), 0, 1000)
    session.step(40)
    session.reset(9)
    assert session.epoch == 0
    fresh = train(xor_config(epochs=1), seed=9)
    for (w, b), (lw, lb) in zip(fresh.initial_weights, session.state().weights, strict=True):
        np.testing.assert_array_equal(lw, w)
        np.testing.assert_array_equal(lb, b)


def test_regenerate_keeps_the_weights_and_replaces_the_data() -> None:
    session = LiveSession(SPIRAL, 0, 1000)
    session.step(5)
    weights = session.trainer.theta.copy()
    new = generate("spiral", n_samples=200, noise=0.1, train_fraction=0.5, seed=4)
    session.regenerate(new)
    np.testing.assert_array_equal(session.trainer.theta, weights)
    np.testing.assert_array_equal(session.trainer.labels, new.y_train)
    assert session.epoch == 5


def test_the_epoch_cap_stops_stepping() -> None:
    session = LiveSession(xor_config(), 0, 30)
    assert session.step(25) == 25
    assert session.step(25) == 5
    assert session.step(1) == 0
    assert session.epoch == 30


def test_a_diverging_network_reports_no_numbers_and_stops() -> None:
    session = LiveSession(xor_config("identity", learning_rate=10.0, hidden_layers=(8, 8)), 0, 5000)
    session.edit(0, "weight", to_unit=0, from_unit=0, value=1000.0)
    session.step(5000)
    state = session.state()
    assert state.diverged_epoch is not None
    assert state.loss is None and state.accuracy is None
    assert np.isfinite(state.output).all()
