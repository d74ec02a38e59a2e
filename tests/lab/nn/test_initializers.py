import math

import numpy as np
import pytest

from app.lab.nn.initializers import (
    INITIALIZERS,
    PLAYGROUND_BIAS,
    InitName,
    he,
    init_layers,
    lecun,
    uniform,
    xavier,
)


def test_xavier_is_glorot_uniform_with_zero_biases() -> None:
    w, b = xavier(np.random.default_rng(0), 300, 200)
    limit = math.sqrt(6.0 / 500)
    assert w.shape == (300, 200)
    assert np.all(np.abs(w) <= limit)
    assert np.max(np.abs(w)) > 0.999 * limit  # fills the interval
    assert np.var(w) == pytest.approx(limit**2 / 3, rel=0.02)  # U(-l, l) has variance l^2 / 3
    np.testing.assert_array_equal(b, np.zeros(200))


@pytest.mark.parametrize(("scheme", "gain"), [(he, 2.0), (lecun, 1.0)])
def test_normal_schemes_have_variance_gain_over_fan_in(scheme: object, gain: float) -> None:
    assert callable(scheme)
    w, b = scheme(np.random.default_rng(1), 250, 400)
    assert w.shape == (250, 400)
    assert np.mean(w) == pytest.approx(0.0, abs=0.002)
    assert np.var(w) == pytest.approx(gain / 250, rel=0.02)
    assert np.max(np.abs(w)) > 4.0 * math.sqrt(gain / 250)  # untruncated normal tails
    np.testing.assert_array_equal(b, np.zeros(400))


def test_uniform_is_the_playgrounds() -> None:
    w, b = uniform(np.random.default_rng(2), 100, 100)
    assert np.all(np.abs(w) <= 0.5)
    assert np.var(w) == pytest.approx(1.0 / 12.0, rel=0.05)
    np.testing.assert_array_equal(b, np.full(100, PLAYGROUND_BIAS))


@pytest.mark.parametrize("name", INITIALIZERS)
def test_init_layers_is_a_pure_function_of_the_generator(name: InitName) -> None:
    first = init_layers(name, [2, 4, 3, 1], np.random.default_rng(7))
    again = init_layers(name, [2, 4, 3, 1], np.random.default_rng(7))
    assert [w.shape for w, _ in first] == [(2, 4), (4, 3), (3, 1)]
    assert [b.shape for _, b in first] == [(4,), (3,), (1,)]
    for (w1, b1), (w2, b2) in zip(first, again, strict=True):
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(b1, b2)
    other = init_layers(name, [2, 4, 3, 1], np.random.default_rng(8))
    assert not np.array_equal(first[0][0], other[0][0])


def test_init_layers_draws_layer_by_layer_from_one_generator() -> None:
    rng = np.random.default_rng(3)
    expected = [he(rng, 3, 5), he(rng, 5, 2)]
    layers = init_layers("he", [3, 5, 2], np.random.default_rng(3))
    for (w, _), (w_expected, _) in zip(layers, expected, strict=True):
        np.testing.assert_array_equal(w, w_expected)


def test_unknown_scheme_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        init_layers("glorot", [2, 2], np.random.default_rng(0))  # type: ignore[arg-type]
