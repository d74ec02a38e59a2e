"""The hidden space: coordinates, projections and the output's boundary in a hidden layer."""

from dataclasses import replace

import numpy as np
import pytest

from app.lab.activations import get_activation
from app.lab.datasets import generate
from app.lab.nn import hidden_space as hs
from app.lab.nn.mlp import DECISION_MARGIN, Head
from app.lab.nn.training import TrainConfig, TrainResult, train
from tests.factories import regression_config, xor_config


def states(result: TrainResult) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    return [s.weights for s in result.run.snapshots]


def views(config: TrainConfig, result: TrainResult, layer: int) -> list[hs.HiddenSpace]:
    data = config.dataset
    x_test = data.x_test
    out = hs.recorded(
        states(result),
        config.activation,
        config.activation_params,
        config.output,
        data.x_train,
        x_test,
        [layer],
    )
    spaces = [row[0] for row in out]
    assert all(s is not None for s in spaces)
    return [s for s in spaces if s is not None]


def separates(space: hs.HiddenSpace, labels: np.ndarray) -> bool:
    assert space.boundaries is not None
    (boundary,) = space.boundaries
    z = space.train @ boundary.coefficients + boundary.offset
    return bool(((z > DECISION_MARGIN) == (labels == 1)).all())


def test_coordinates_are_a_hand_forward_pass() -> None:
    rng = np.random.default_rng(3)
    w0, b0 = rng.normal(size=(2, 3)), rng.normal(size=3)
    w1, b1 = rng.normal(size=(3, 5)), rng.normal(size=5)
    w2, b2 = rng.normal(size=(5, 1)), rng.normal(size=1)
    x = rng.normal(size=(7, 2))
    weights = [(w0, b0), (w1, b1), (w2, b2)]
    tanh = get_activation("tanh")
    first = hs.view(weights, tanh, {}, "sigmoid", x, None, 0)
    assert first is not None
    np.testing.assert_array_equal(first.train, np.tanh(x @ w0 + b0))
    assert (first.projection, first.axes) == ("identity", ("unit 1", "unit 2", "unit 3"))
    assert first.boundaries is None  # not the last hidden layer: the rest is not linear
    relu = get_activation("relu")
    second = hs.layer_outputs(weights, relu, {}, x, 1)
    np.testing.assert_array_equal(second, np.maximum(np.maximum(x @ w0 + b0, 0) @ w1 + b1, 0))


@pytest.mark.parametrize(
    ("dataset", "hidden", "seed"),
    [("circle", (2,), 1), ("circle", (8, 3), 0), ("gaussians", (3,), 2)],
)
def test_last_layer_boundary_classifies_every_point_as_the_network(
    dataset: str, hidden: tuple[int, ...], seed: int
) -> None:
    config = xor_config(
        dataset=generate(dataset),  # type: ignore[arg-type]
        hidden_layers=hidden,
        epochs=300,
        snapshots=5,
        optimizer="adam",
        learning_rate=0.03,
    )
    result = train(config, seed)
    assert result.weights is not None and result.predicted is not None
    (final,) = views(config, result, len(hidden) - 1)[-1:]
    assert final.projection == "identity" and final.dims == hidden[-1]
    assert separates(final, result.predicted)  # the network's own classes, every point
    x_test = config.dataset.x_test
    assert x_test is not None and final.test is not None
    assert final.test.shape == (len(x_test), hidden[-1])


def test_softmax_pair_boundaries_agree_with_the_argmax() -> None:
    config = xor_config(
        dataset=generate("spiral3"),
        hidden_layers=(8, 3),
        output="softmax",
        loss="cross_entropy",
        optimizer="adam",
        learning_rate=0.02,
        epochs=200,
        snapshots=2,
    )
    result = train(config, 0)
    assert result.predicted is not None
    final = views(config, result, 1)[-1]
    assert final.boundaries is not None
    assert [b.classes for b in final.boundaries] == [(0, 1), (0, 2), (1, 2)]
    decided = result.predicted >= 0
    for boundary in final.boundaries:
        i, j = boundary.classes
        z = final.train @ boundary.coefficients + boundary.offset
        np.testing.assert_array_equal((z > 0)[decided & (result.predicted == i)], True)
        np.testing.assert_array_equal((z < 0)[decided & (result.predicted == j)], True)


def test_pca_explained_variance_is_numpys_svd() -> None:
    config = xor_config(
        dataset=generate("circle"),
        hidden_layers=(6,),
        epochs=50,
        snapshots=1,
    )
    result = train(config, 0)
    assert result.weights is not None
    (space,) = views(config, result, 0)
    assert space.projection == "pca" and space.axes == ("PC1", "PC2") and space.dims == 2
    h = hs.layer_outputs(result.weights, config.activation, {}, config.dataset.x_train, 0)
    s = np.linalg.svd(h - h.mean(axis=0), compute_uv=False)
    assert space.explained_variance is not None
    np.testing.assert_allclose(space.explained_variance, s[:2] ** 2 / np.sum(s**2), rtol=1e-9)
    # the pooled moments of one state give the SVD's plane (the same signs too)
    own = hs.pca_basis(h)
    pooled = hs.pooled_basis([result.weights], config.activation, {}, config.dataset.x_train, 0)
    assert pooled is not None
    np.testing.assert_allclose(pooled.vectors, own.vectors, atol=1e-7)


def test_pca_boundary_is_exact_on_the_plane_through_the_mean() -> None:
    rng = np.random.default_rng(5)
    weights = [
        (rng.normal(size=(2, 5)), rng.normal(size=5)),
        (rng.normal(size=(5, 1)), rng.normal(size=1)),
    ]
    x = rng.normal(size=(40, 2))
    space = hs.view(weights, get_activation("tanh"), {}, "sigmoid", x, None, 0)
    assert space is not None and space.boundaries is not None
    basis = hs.pca_basis(hs.layer_outputs(weights, get_activation("tanh"), {}, x, 0))
    on_plane = basis.mean + space.train @ basis.vectors.T  # each point moved onto the plane
    logit = on_plane @ weights[-1][0][:, 0] + weights[-1][1][0]
    (boundary,) = space.boundaries
    np.testing.assert_allclose(space.train @ boundary.coefficients + boundary.offset, logit)


def test_xor_two_tanh_units_end_linearly_separable() -> None:
    """The seeds' whole argument: no line separates XOR's four points at epoch 0, one does in
    the hidden plane once trained (seed 0 solves XOR at epoch 950)."""
    config = xor_config(hidden_layers=(2,), snapshots=50)
    result = train(config, 0)
    assert result.converged_epoch == 950
    spaces = views(config, result, 0)
    labels = config.dataset.y_train
    assert not separates(spaces[0], labels)
    assert separates(spaces[-1], labels)
    assert spaces[-1].train.shape == (4, 2)
    # at the final state the line's side is the network's output, point by point
    assert result.output is not None
    final_z = spaces[-1].train @ spaces[-1].boundaries[0].coefficients  # type: ignore[index]
    final_z += spaces[-1].boundaries[0].offset  # type: ignore[index]
    np.testing.assert_allclose(1 / (1 + np.exp(-final_z)), result.output[:, 0], rtol=1e-12)


def test_a_recorded_pca_run_keeps_one_basis() -> None:
    config = xor_config(
        dataset=generate("circle"),
        hidden_layers=(5,),
        epochs=200,
        snapshots=10,
    )
    result = train(config, 0)
    basis = hs.pooled_basis(states(result), config.activation, {}, config.dataset.x_train, 0)
    assert basis is not None
    for weights, space in zip(states(result), views(config, result, 0), strict=True):
        h = hs.layer_outputs(weights, config.activation, {}, config.dataset.x_train, 0)
        np.testing.assert_allclose(space.train, (h - basis.mean) @ basis.vectors)
        assert space.explained_variance is not None
        assert (space.explained_variance >= 0).all() and space.explained_variance.sum() <= 1 + 1e-12


def test_live_alignment_turns_a_flipped_basis_back() -> None:
    basis = hs.Basis(np.zeros(4), np.eye(4)[:, :2])
    flipped = hs.Basis(np.zeros(4), -np.eye(4)[:, :2])
    np.testing.assert_array_equal(hs.align(flipped, basis).vectors, basis.vectors)
    assert hs.align(basis, None) is basis


def test_regression_has_no_boundary_and_the_points_carry_the_output() -> None:
    config = replace(regression_config(), epochs=100, snapshots=1)
    result = train(config, 0)
    assert result.output is not None
    (space,) = views(config, result, 1)
    assert space.boundaries is None and space.values is not None
    np.testing.assert_allclose(space.values, result.output[:, 0], rtol=1e-12)
    assert space.test_values is not None and len(space.test_values) == len(space.test)  # type: ignore[arg-type]


def test_layer_choices() -> None:
    assert hs.resolve_layers("last", 3) == [2]
    assert hs.resolve_layers("all", 3) == [0, 1, 2]
    assert hs.resolve_layers(1, 3) == [1]
    with pytest.raises(hs.HiddenSpaceError, match="no hidden layer"):
        hs.resolve_layers("last", 0)
    with pytest.raises(hs.HiddenSpaceError, match="hidden layers are 0 to 1"):
        hs.resolve_layers(2, 2)


def test_a_non_finite_state_has_no_hidden_space() -> None:
    big = np.full((2, 2), 1e308)
    weights = [(big, np.zeros(2)), (np.ones((2, 1)), np.zeros(1))]
    x = np.array([[10.0, 10.0]])
    assert hs.view(weights, get_activation("relu"), {}, "sigmoid", x, None, 0) is None
    assert hs.pooled_basis([weights], get_activation("relu"), {}, x, 0) is None


def test_snapshots_keep_their_weights() -> None:
    result = train(xor_config(snapshots=3), 0)
    assert [s.epoch for s in result.run.snapshots] == [0, 1000, 2000]
    assert result.weights is not None
    for (w, b), (w_final, b_final) in zip(
        result.run.snapshots[-1].weights, result.weights, strict=True
    ):
        np.testing.assert_array_equal(w, w_final)
        np.testing.assert_array_equal(b, b_final)
    np.testing.assert_array_equal(
        result.run.snapshots[0].weights[0][0], result.initial_weights[0][0]
    )
    assert Head("sigmoid", "bce").classifies
