"""The training loop: XOR with and without non-linearity, semantics, determinism, divergence."""

from dataclasses import replace

import numpy as np
import pytest

from app.lab.activations import get_activation
from app.lab.datasets import generate, xor
from app.lab.nn.control import Cancelled, Control, Progress, TimeLimitExceeded
from app.lab.nn.mlp import Head, HeadError, Layout, Stack
from app.lab.nn.training import (
    TrainConfig,
    record_count,
    record_schedule,
    run,
    snapshot_count,
    snapshot_schedule,
    train,
)
from tests.factories import xor_config

XOR_SOLUTION = [
    (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])),
    (np.array([[1.0], [-2.0]]), np.array([0.0])),
]


def test_identity_never_solves_xor() -> None:
    result = run(xor_config("identity"), range(20))
    assert (result.converged_epoch == -1).all()
    assert (result.final_accuracy <= 0.75).all()


@pytest.mark.parametrize(
    ("optimizer", "learning_rate"), [("adam", 0.05), ("momentum", 0.1), ("sgd", 1.0)]
)
def test_identity_never_converges_on_xor_by_rounding_noise(
    optimizer: str, learning_rate: float
) -> None:
    """At the least-squares optimum every logit is 0 plus noise of ~1e-16; once, Adam's noise put
    all four points on the right side and a coin toss was reported as converged."""
    config = xor_config("identity", optimizer=optimizer, learning_rate=learning_rate, epochs=1000)
    result = run(config, range(20))
    assert (result.converged_epoch == -1).all()
    assert (result.final_accuracy <= 0.75).all()


def test_tanh_with_four_hidden_units_solves_xor_for_most_seeds() -> None:
    result = run(xor_config("tanh"), range(20))
    assert (result.converged_epoch >= 0).sum() >= 15
    assert (result.final_accuracy[result.converged_epoch >= 0] == 1.0).all()


def test_hand_set_relu_network_computes_xor_exactly() -> None:
    config = xor_config("relu", hidden_layers=(2,), initial_weights=XOR_SOLUTION, epochs=1)
    layout = config.layout
    stack = Stack(
        layout, get_activation("relu"), {}, Head("sigmoid", "bce"), layout.pack(XOR_SOLUTION)[None]
    )
    logits = stack.forward(xor().x_train)[0][-1]
    assert logits.ravel().tolist() == [0.0, 1.0, 1.0, 0.0]
    result = train(config)
    assert result.converged_epoch == 0  # p = 0.5 counts as class 0, so every point is right


def test_identity_run_reports_the_affine_map_it_collapses_to() -> None:
    result = train(xor_config("identity", hidden_layers=(3, 2), epochs=300))
    assert result.affine is not None and result.weights is not None and result.output is not None
    w, b = result.affine.weights
    assert w.shape == (2, 1) and b.shape == (1,)
    np.testing.assert_allclose(result.affine.output, result.output, rtol=0, atol=1e-14)
    assert result.affine.max_abs_difference <= 1e-14
    assert train(xor_config("tanh", epochs=10)).affine is None


def test_loss_is_recorded_before_each_update_and_sgd_is_plain() -> None:
    config = xor_config("tanh", epochs=1, learning_rate=0.5)
    result = train(config)
    layers = result.initial_weights
    x, y = xor().x_train, np.array([0.0, 1.0, 1.0, 0.0])

    def loss_of(params: list[tuple[np.ndarray, np.ndarray]]) -> float:
        (w1, b1), (w2, b2) = params
        p = 1 / (1 + np.exp(-(np.tanh(x @ w1 + b1) @ w2 + b2)[:, 0]))
        return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))

    assert result.loss[0] == pytest.approx(loss_of(layers), rel=1e-13)
    # one sgd step with the central-difference gradient, independent of the backprop code
    stepped = []
    for i, (w, b) in enumerate(layers):
        new = []
        for arr in (w, b):
            grad = np.zeros_like(arr)
            for idx in np.ndindex(*arr.shape):
                for sign in (1, -1):
                    arr[idx] += sign * 1e-6
                    grad[idx] += sign * loss_of(layers) / 2e-6
                    arr[idx] -= sign * 1e-6
            new.append(arr - 0.5 * grad)
        stepped.append((new[0], new[1]))
        del i
    assert result.weights is not None
    for (w, b), (w2, b2) in zip(result.weights, stepped, strict=True):
        np.testing.assert_allclose(w, w2, atol=1e-9)
        np.testing.assert_allclose(b, b2, atol=1e-9)
    assert result.run.final_loss[0] == pytest.approx(loss_of(stepped), rel=1e-8)


def test_same_config_same_numbers_and_other_seeds_differ() -> None:
    config = xor_config("relu", batch_size=2, optimizer="adam", learning_rate=0.05, epochs=200)
    a, b, c = train(config, 3), train(config, 3), train(config, 4)
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.run.theta, b.run.theta)
    assert not np.array_equal(a.loss, c.loss)


SWEEP_CONFIGS = {
    "xor-full-batch": xor_config("tanh", epochs=1500),
    "circle-minibatch-adam-l2": replace(
        xor_config("relu", hidden_layers=(6, 3), epochs=60),
        dataset=generate("circle", n_samples=120, noise=0.1),
        optimizer="adam",
        learning_rate=0.02,
        batch_size=16,
        regularization="l2",
        reg_rate=0.001,
    ),
    "spiral3-softmax-momentum-l1": replace(
        xor_config("gelu", hidden_layers=(8,), epochs=80),
        dataset=generate("spiral3", n_samples=90, noise=0.2),
        features=("x1", "x2", "sin_x1", "sin_x2"),
        output="softmax",
        loss="cross_entropy",
        optimizer="momentum",
        learning_rate=0.05,
        regularization="l1",
        reg_rate=0.001,
        init="he",
    ),
    "gaussians-mse-uniform": replace(
        xor_config("sigmoid", epochs=3000),
        dataset=generate("gaussians", n_samples=60, noise=0.3, train_fraction=0.5),
        loss="mse",
        init="uniform",
        learning_rate=1.0,
    ),
}


@pytest.mark.parametrize("config", SWEEP_CONFIGS.values(), ids=SWEEP_CONFIGS.keys())
@pytest.mark.slow
def test_seed_s_of_a_stacked_run_equals_the_single_run_of_seed_s(config: TrainConfig) -> None:
    stacked = run(config, range(6))
    for s in (0, 3, 5):
        single = run(config, [s])
        for name in ("loss", "accuracy", "test_loss", "final_loss", "final_test_loss"):
            got, want = getattr(stacked, name), getattr(single, name)
            if want is not None:
                np.testing.assert_allclose(got[s], want[0], rtol=1e-12, atol=0, err_msg=name)
        np.testing.assert_allclose(stacked.grad_norms[s], single.grad_norms[0], rtol=1e-12)
        np.testing.assert_allclose(stacked.theta[s], single.theta[0], rtol=1e-12, atol=1e-15)
        assert stacked.converged_epoch[s] == single.converged_epoch[0]
        for dead, dead1 in zip(stacked.dead, single.dead, strict=True):
            assert dead[s].tolist() == dead1[0].tolist()


def test_record_schedule_keeps_every_epoch_up_to_1000_then_1000_spread() -> None:
    assert record_schedule(7).tolist() == list(range(7))
    assert len(record_schedule(1000)) == 1000
    spread = record_schedule(5000)
    assert len(spread) == 1000 and spread[0] == 0 and spread[-1] == 4999
    assert (np.diff(spread) > 0).all()


@pytest.mark.slow
def test_snapshot_count_is_the_length_of_the_schedule() -> None:
    for epochs in range(1, 260):
        for count in range(0, 300):
            assert snapshot_count(epochs, count) == len(snapshot_schedule(epochs, count))


def test_snapshot_schedule_spans_start_to_final_state() -> None:
    assert snapshot_schedule(100, 0).tolist() == []
    assert snapshot_schedule(100, 1).tolist() == [100]
    assert snapshot_schedule(100, 3).tolist() == [0, 50, 100]
    assert snapshot_schedule(3, 50).tolist() == [0, 1, 2, 3]


def test_snapshots_cover_the_data_with_the_output_and_hidden_thumbnails() -> None:
    result = train(xor_config("tanh", hidden_layers=(4, 3), snapshots=5, grid=20, epochs=400))
    run_ = result.run
    assert [s.epoch for s in run_.snapshots] == [0, 100, 200, 300, 400]
    assert run_.grid is not None and run_.thumbnails is not None
    assert run_.grid.x1[0] == pytest.approx(-0.2) and run_.grid.x2[-1] == pytest.approx(1.2)
    first, last = run_.snapshots[0], run_.snapshots[-1]
    assert last.output.shape == (1, 20, 20)
    assert [h.shape for h in last.hidden] == [(4, 4, 4), (3, 4, 4)]
    assert first.loss == result.loss[0] and last.loss == pytest.approx(run_.final_loss[0])
    # the surface is the network's output at the grid points: check one against a forward pass
    (w1, b1), (w2, b2), (w3, b3) = result.weights  # type: ignore[misc]
    i, j = 7, 13
    point = np.array([run_.grid.x1[j], run_.grid.x2[i]])
    z = np.tanh(np.tanh(point @ w1 + b1) @ w2 + b2) @ w3 + b3
    assert last.output[0, i, j] == pytest.approx(1 / (1 + np.exp(-z[0])), rel=1e-12)


def test_dead_and_saturated_units_are_found() -> None:
    weights = [
        (np.array([[1.0, -1.0, 50.0], [1.0, -1.0, 50.0]]), np.array([0.5, -0.5, 0.0])),
        (np.ones((3, 1)), np.zeros(1)),
    ]
    relu = train(
        xor_config(
            "relu", hidden_layers=(3,), initial_weights=weights, epochs=1, learning_rate=1e-9
        )
    )
    assert [mask[0].tolist() for mask in relu.run.dead] == [[False, True, False]]
    # the dead unit has relu' = 0 everywhere too, but is counted once: dead, not saturated
    assert [mask[0].tolist() for mask in relu.run.saturated] == [[False, False, False]]
    sigmoid = train(
        xor_config(
            "sigmoid", hidden_layers=(3,), initial_weights=weights, epochs=1, learning_rate=1e-9
        )
    )
    # unit 2 sees 0 at (0, 0): not saturated there; no unit is saturated everywhere
    assert [mask[0].tolist() for mask in sigmoid.run.saturated] == [[False, False, False]]
    far = [
        (np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([30.0, 0.0])),
        (np.ones((2, 1)), np.zeros(1)),
    ]
    sat = train(
        xor_config("sigmoid", hidden_layers=(2,), initial_weights=far, epochs=1, learning_rate=1e-9)
    )
    assert [mask[0].tolist() for mask in sat.run.saturated] == [[True, False]]


def test_dead_and_saturated_units_are_disjoint() -> None:
    # a hardtanh unit clipped at max_val on every input has f' = 0 but outputs 1: saturated only;
    # one that outputs 0 everywhere (and gets no gradient: output weight 0) is dead only
    clipped = [
        (np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([5.0, 0.0])),
        (np.array([[1.0], [0.0]]), np.zeros(1)),
    ]
    hardtanh = train(
        xor_config(
            "hardtanh", hidden_layers=(2,), initial_weights=clipped, epochs=1, learning_rate=1e-9
        )
    )
    assert [mask[0].tolist() for mask in hardtanh.run.dead] == [[False, True]]
    assert [mask[0].tolist() for mask in hardtanh.run.saturated] == [[True, False]]


def diverging_config() -> TrainConfig:
    return replace(
        xor_config("identity", hidden_layers=(8, 8), epochs=500, learning_rate=10.0),
        dataset=generate("circle", n_samples=100),
        features=("x1_squared", "x2_squared"),
        optimizer="momentum",
    )


def test_divergence_stops_the_run_and_leaves_no_nan() -> None:
    result = train(diverging_config())
    assert result.diverged_epoch is not None and 0 < result.diverged_epoch < 500
    assert result.weights is None and result.output is None
    assert np.isfinite(result.loss).all() and np.isfinite(result.grad_norms).all()
    assert (result.epochs < result.diverged_epoch).all()
    assert result.epochs[-1] == result.diverged_epoch - 1


@pytest.mark.slow
def test_divergence_of_some_seeds_leaves_the_others_untouched() -> None:
    config = replace(diverging_config(), learning_rate=0.1)
    stacked = run(config, range(8))
    assert 0 < (stacked.diverged_epoch >= 0).sum() < 8
    for s in range(8):
        single = run(config, [s])
        assert stacked.diverged_epoch[s] == single.diverged_epoch[0]
        np.testing.assert_allclose(stacked.loss[s], single.loss[0], rtol=1e-12)


def test_progress_is_reported_and_a_stop_request_ends_the_loop() -> None:
    seen: list[Progress] = []
    config = xor_config("tanh", epochs=20000)
    train(xor_config("tanh", epochs=300), control=Control(on_progress=seen.append, interval=0.0))
    assert [p.epoch for p in seen] == list(range(1, 301))
    assert seen[-1].fraction == 1.0 and seen[-1].loss is not None
    asked = 0
    reported: list[int] = []

    def stop() -> bool:
        nonlocal asked
        asked += 1
        return asked == 3

    # interval 0: the loop asks after every epoch, so epochs are counted, not seconds
    control = Control(
        on_progress=lambda p: reported.append(p.epoch), should_stop=stop, interval=0.0
    )
    with pytest.raises(Cancelled):
        train(config, control=control)
    # asked after epochs 1, 2 and 3; the third answer stopped it there, of 20000
    assert asked == 3 and reported == [1, 2]


def test_wall_time_limit_stops_the_run() -> None:
    with pytest.raises(TimeLimitExceeded, match="0.05 s"):
        train(xor_config("tanh", epochs=20000), control=Control(time_limit_s=0.05, interval=0.01))


def test_minibatches_differ_by_seed_and_full_batch_ignores_shuffles() -> None:
    config = xor_config("tanh", batch_size=1, epochs=50)
    weights = [(np.full((2, 4), 0.3), np.zeros(4)), (np.full((4, 1), 0.2), np.zeros(1))]
    given = replace(config, initial_weights=weights)
    a, b = train(given, 0), train(given, 1)
    assert not np.array_equal(a.loss, b.loss)  # same start, different shuffles
    full = replace(given, batch_size=4)
    np.testing.assert_array_equal(train(full, 0).loss, train(full, 1).loss)
    assert Layout((2, 4, 1)).n_params == 17


def test_a_config_whose_loss_does_not_fit_its_output_is_refused() -> None:
    # Softmax with bce used to train: a per-unit sigmoid loss against the softmax's gradient.
    with pytest.raises(HeadError, match="output 'softmax' is trained with loss 'cross_entropy'"):
        xor_config(output="softmax", loss="bce")
    with pytest.raises(HeadError, match="sigmoid takes bce or mse"):
        xor_config(loss="cross_entropy")


@pytest.mark.parametrize("epochs", [1, 2, 999, 1000, 1001, 5000, 100_000])
def test_record_count_is_the_schedules_length(epochs: int) -> None:
    assert record_count(epochs) == len(record_schedule(epochs))
