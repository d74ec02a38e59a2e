"""The toy data sets: the XOR truth table, the Playground's generators, features and splits."""

import math

import numpy as np
import pytest

from app.lab import datasets
from app.lab.datasets import (
    GENERATED,
    REGRESSION_NAMES,
    DatasetName,
    FeatureName,
    bounds,
    features,
    from_points,
    generate,
    xor,
)


def test_xor_is_the_truth_table_in_order() -> None:
    data = xor()
    np.testing.assert_array_equal(data.x_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(data.y_train, [0, 1, 1, 0])
    assert data.x_test is None and data.y_test is None and data.n_classes == 2


CLASSIFIED = tuple(name for name in GENERATED if name not in REGRESSION_NAMES)


@pytest.mark.parametrize("name", CLASSIFIED)
def test_generated_sets_split_by_train_fraction_and_label_every_class(name: DatasetName) -> None:
    data = generate(name, n_samples=301, noise=0.2, train_fraction=0.3, seed=5)
    assert data.x_test is not None and data.y_test is not None
    assert data.x_train.shape == (90, 2) and data.x_test.shape == (211, 2)
    labels = np.concatenate([data.y_train, data.y_test])
    assert set(labels.tolist()) == set(range(data.n_classes))
    assert np.isfinite(data.x_train).all() and np.isfinite(data.x_test).all()


@pytest.mark.parametrize("name", GENERATED)
def test_generated_sets_are_pure_functions_of_their_seed(name: DatasetName) -> None:
    a, b = generate(name, seed=3, noise=0.1), generate(name, seed=3, noise=0.1)
    c = generate(name, seed=4, noise=0.1)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)


def all_points(name: DatasetName, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    data = generate(name, n_samples=400, noise=noise, seed=1)
    assert data.x_test is not None and data.y_test is not None
    return np.concatenate([data.x_train, data.x_test]), np.concatenate([data.y_train, data.y_test])


def test_quadrants_without_noise_is_class_1_where_x1_x2_is_positive() -> None:
    x, y = all_points("quadrants")
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] >= 0).astype(int))
    assert np.abs(x).min() >= 0.3 and np.abs(x).max() <= 5.3  # padded off the axes


def test_quadrants_noise_flips_labels_near_the_axes() -> None:
    x, y = all_points("quadrants", noise=0.5)
    flipped = y != (x[:, 0] * x[:, 1] >= 0)
    assert 0 < flipped.sum() < len(y) / 2


def test_circle_without_noise_is_class_1_inside_radius_2_5() -> None:
    x, y = all_points("circle")
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_array_equal(y, (r < 2.5).astype(int))
    assert r[y == 0].min() >= 3.5 and r.max() <= 5.0
    assert (y == 1).sum() == 200


def test_gaussians_centre_on_plus_and_minus_two() -> None:
    x, y = all_points("gaussians")
    np.testing.assert_allclose(x[y == 1].mean(axis=0), [2, 2], atol=0.2)
    np.testing.assert_allclose(x[y == 0].mean(axis=0), [-2, -2], atol=0.2)
    np.testing.assert_allclose(x[y == 1].std(axis=0), math.sqrt(0.5), rtol=0.15)


def test_spiral_without_noise_lies_on_two_arms_out_to_radius_5() -> None:
    x, y = all_points("spiral")
    r = np.hypot(x[:, 0], x[:, 1])
    assert r.max() < 5.0 and (y == 1).sum() == 200
    # arm 1 starts at angle 0 (the point (0, 0) going up), arm 0 half a turn later
    t = np.arctan2(x[:, 0], x[:, 1])  # the generator's angle: (r sin t, r cos t)
    inner = (r > 0.5) & (r < 1.0)
    expected = 1.75 * 2 * np.pi * r[inner] / 5 + np.where(y[inner] == 1, 0.0, np.pi)
    np.testing.assert_allclose(np.cos(t[inner] - expected), 1.0, atol=1e-9)


def test_spiral3_has_three_balanced_classes() -> None:
    x, y = all_points("spiral3")
    assert np.bincount(y).tolist() == [134, 133, 133]
    assert datasets.N_CLASSES["spiral3"] == 3


def test_moons_without_noise_lie_on_two_scaled_half_circles() -> None:
    x, y = all_points("moons")
    upper = x[y == 0] / 3 + [0.5, 0.25]
    lower = x[y == 1] / 3 + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)


def test_features_follow_the_playground() -> None:
    x = np.array([[2.0, -3.0]])
    names: list[FeatureName] = ["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"]
    np.testing.assert_allclose(
        features(x, names), [[2, -3, 4, 9, -6, math.sin(2), math.sin(-3)]], rtol=1e-15
    )
    assert features(x, ["x2", "x1"]).tolist() == [[-3.0, 2.0]]


def test_own_points_are_all_training_data_in_order() -> None:
    data = from_points(np.array([[0.5, 1.0, 2.0], [-1.0, 3.0, 0.0]]), n_classes=3)
    assert data.x_train.tolist() == [[0.5, 1.0], [-1.0, 3.0]]
    assert data.y_train.tolist() == [2, 0] and data.x_test is None and data.n_classes == 3


def test_bounds_add_a_margin_and_widen_flat_axes() -> None:
    (lo1, hi1), (lo2, hi2) = bounds(np.array([[0.0, 2.0], [1.0, 2.0]]))
    assert (lo1, hi1) == pytest.approx((-0.2, 1.2))
    assert (lo2, hi2) == pytest.approx((1.3, 2.7))


@pytest.mark.parametrize("name", datasets.DATASET_NAMES)
def test_n_train_for_is_the_size_of_the_generated_training_set(name: datasets.DatasetName) -> None:
    for n_samples, fraction in ((500, 0.5), (37, 0.3), (2000, 0.9)):
        data = generate(name, n_samples=n_samples, train_fraction=fraction)
        assert datasets.n_train_for(name, n_samples, fraction) == len(data.y_train)


def test_n_classes_of_points_counts_labels_and_at_least_two() -> None:
    assert datasets.n_classes_of_points(0, two_classes=False) == 2
    assert datasets.n_classes_of_points(4, two_classes=False) == 5
    assert datasets.n_classes_of_points(1, two_classes=True) == 2


class Draws:
    """A generator that hands out the given uniform draws in order (the values a hand
    computation starts from), checking each is one the real generator could have drawn."""

    def __init__(self, *draws: list[list[float]]) -> None:
        self.draws = [np.array(d) for d in draws]

    def uniform(self, low: float, high: float, size: tuple[int, int]) -> np.ndarray:
        value = self.draws.pop(0)
        assert value.shape == size and low <= value.min() and value.max() <= high
        return value


def test_regression_sets_have_real_targets_and_no_classes() -> None:
    assert REGRESSION_NAMES == ("reg-plane", "reg-gauss")
    for name in REGRESSION_NAMES:
        data = generate(name, n_samples=300, noise=0.1, train_fraction=0.5, seed=2)
        assert data.regression and data.n_classes == 0 and datasets.N_CLASSES[name] == 0
        assert data.y_train.dtype == np.float64 and data.x_train.shape == (150, 2)
        assert data.y_test is not None and (data.y_test != np.round(data.y_test)).mean() > 0.3
        assert np.abs(data.x_train).max() <= 6.0  # the Playground's U(-6, 6)
    assert not generate("circle").regression


def test_reg_plane_is_the_playgrounds_x_plus_y_over_ten() -> None:
    # regressPlane: labelScale maps [-10, 10] linearly onto [-1, 1], unclamped, of x + y.
    # (3, 1) -> 0.4; (-6, -6) -> -1.2; (2, 2) moved by (6, -6) * 0.5 to (5, -1) -> 0.4.
    x, y = datasets.reg_plane(Draws([[3, 1], [-6, -6], [2, 2]], [[0, 0], [0, 0], [6, -6]]), 3, 0.5)  # type: ignore[arg-type]
    np.testing.assert_array_equal(x, [[3, 1], [-6, -6], [2, 2]])  # the point is not moved
    np.testing.assert_allclose(y, [0.4, -1.2, 0.4], rtol=1e-15)


def test_reg_plane_without_noise_is_exactly_the_plane() -> None:
    x, y = all_points("reg-plane")
    np.testing.assert_array_equal(y, (x[:, 0] + x[:, 1]) / 10.0)


def playground_gauss_label(x: float, y: float) -> float:
    """regressGaussian's getLabel, line by line from the Playground's dataset.ts."""
    gaussians = [
        [-4, 2.5, 1],
        [0, 2.5, -1],
        [4, 2.5, 1],
        [-4, -2.5, -1],
        [0, -2.5, 1],
        [4, -2.5, -1],
    ]
    label = 0.0
    for cx, cy, sign in gaussians:
        d = math.hypot(x - cx, y - cy)
        new_label = sign * min(1.0, max(0.0, 1.0 + (0.0 - 1.0) * d / 2.0))  # [0, 2] -> [1, 0]
        if abs(new_label) > abs(label):
            label = new_label
    return label


def test_reg_gauss_matches_the_playgrounds_bumps_by_hand() -> None:
    # (-4, 2.5): the centre of a + bump -> 1. (0, 2.5): a - centre -> -1. (1, 2.5): 1 from the
    # - bump at (0, 2.5) -> -(1 - 1/2) = -0.5 (3 from (4, 2.5): 0). (0.5, 1.5): sqrt(1.25) from
    # (0, 2.5) -> -(1 - sqrt(1.25) / 2) = -0.440983. (0, 0): 2.5 from every centre or more -> 0.
    # (3, 2.5) moved by (2, 0) * 0.5 to the + centre (4, 2.5) -> 1.
    points = [[-4, 2.5], [0, 2.5], [1, 2.5], [0.5, 1.5], [0, 0], [3, 2.5]]
    shift = [[0, 0]] * 5 + [[2, 0]]
    x, y = datasets.reg_gauss(Draws(points, shift), 6, 0.5)  # type: ignore[arg-type]
    expected = [1.0, -1.0, -0.5, -(1 - math.sqrt(1.25) / 2), 0.0, 1.0]
    np.testing.assert_allclose(y, expected, rtol=1e-15, atol=0)
    # the same by the Playground's own loop, at the point the label is taken (3, 2.5) moved
    moved = [(-4.0, 2.5), (0.0, 2.5), (1.0, 2.5), (0.5, 1.5), (0.0, 0.0), (4.0, 2.5)]
    assert [playground_gauss_label(a, b) for a, b in moved] == pytest.approx(expected, rel=1e-15)


def test_reg_gauss_agrees_with_the_playgrounds_label_on_every_point() -> None:
    data = generate("reg-gauss", n_samples=400, noise=0.3, seed=7)
    assert data.y_test is not None
    # noise moves the point the label is taken at, so recompute from the same draws
    rng = np.random.default_rng(7)
    x = rng.uniform(-6, 6, size=(400, 2))
    moved = x + rng.uniform(-6, 6, size=(400, 2)) * 0.3
    expected = np.array([playground_gauss_label(a, b) for a, b in moved])
    order = rng.permutation(400)
    np.testing.assert_allclose(
        np.concatenate([data.y_train, data.y_test]), expected[order], rtol=0, atol=1e-15
    )  # to rounding: numpy's and math's hypot may differ in the last bit
    assert set(np.sign(expected).tolist()) == {-1.0, 0.0, 1.0}
