import math

import numpy as np
import pytest

from app.lab.activations import ACTIVATIONS, Activation, ParamValue, get_activation
from app.lab.nn.gradient_flow import (
    GradientFlow,
    Problem,
    _norm,
    backprop,
    gradient_flow,
    make_problem,
    measure,
)
from app.lab.nn.initializers import INITIALIZERS, InitName

H = 1e-6
KINK_GRID = 0.25  # every default kink in the catalogue (0, +-0.5, +-1, +-2, +-3, 6) is on it
Shift = tuple[str, int, tuple[int, ...], float]  # (W | b | z | a, layer index, entry, delta)


def small_problem() -> Problem:
    """Depth 3, width 3, batch 4, with non-zero biases so their gradients are tested too."""
    rng = np.random.default_rng(12)
    problem = make_problem(3, 3, 4, "lecun", rng)
    layers = [(w, rng.normal(0.0, 0.3, size=b.shape)) for w, b in problem.layers]
    return Problem(problem.x, layers, problem.readout, problem.target)


def reference_loss(
    problem: Problem, act: Activation, params: dict[str, ParamValue], shift: Shift
) -> float:
    """mean((a_depth @ v - t)^2) written out again, delta added to one entry of W, b, z or a."""
    kind, at, index, delta = shift
    a = problem.x
    for layer, (w, b) in enumerate(problem.layers):
        w, b = w.copy(), b.copy()
        if layer == at and kind == "W":
            w[index] += delta
        if layer == at and kind == "b":
            b[index] += delta
        z = a @ w + b
        if layer == at and kind == "z":
            z[index] += delta
        a = act.f(z, **params)
        if layer == at and kind == "a":
            a[index] += delta
    return float(np.mean((a @ problem.readout - problem.target) ** 2))


def central_difference(
    problem: Problem, act: Activation, params: dict[str, ParamValue], kind: str, layer: int
) -> np.ndarray:
    width = problem.layers[layer][0].shape[1]
    shape = {"W": problem.layers[layer][0].shape, "b": (width,)}.get(
        kind, (problem.x.shape[0], width)
    )
    grad = np.zeros(shape)
    for index in np.ndindex(*shape):
        plus = reference_loss(problem, act, params, (kind, layer, index, H))
        minus = reference_loss(problem, act, params, (kind, layer, index, -H))
        grad[index] = (plus - minus) / (2 * H)
    return grad


@pytest.mark.parametrize("act", ACTIVATIONS.values(), ids=lambda a: a.name)
def test_backprop_matches_central_differences(act: Activation) -> None:
    problem = small_problem()
    params = act.resolve()
    bp = backprop(problem, act, params)
    # Step off kinks: no pre-activation within 1e-5 of the grid every default kink lies on.
    for z in bp.pre:
        assert np.min(np.abs(z / KINK_GRID - np.round(z / KINK_GRID))) * KINK_GRID > 1e-5
    assert bp.loss == pytest.approx(reference_loss(problem, act, params, ("W", 0, (0, 0), 0.0)))
    for layer in range(3):
        for kind, analytic in [
            ("W", bp.d_weights),
            ("b", bp.d_biases),
            ("z", bp.d_pre),
            ("a", bp.d_post),
        ]:
            numeric = central_difference(problem, act, params, kind, layer)
            np.testing.assert_allclose(
                analytic[layer], numeric, rtol=1e-5, atol=1e-8, err_msg=f"{kind}{layer + 1}"
            )


def test_backprop_with_parameters_matches_central_differences() -> None:
    act = get_activation("elu")
    params = act.resolve({"alpha": 2.5})
    problem = small_problem()
    bp = backprop(problem, act, params)
    for layer in range(3):
        numeric = central_difference(problem, act, params, "W", layer)
        np.testing.assert_allclose(bp.d_weights[layer], numeric, rtol=1e-5, atol=1e-8)


def flow(
    name: str, init: InitName, depth: int = 20, width: int = 128, seed: int = 0
) -> GradientFlow:
    act = get_activation(name)
    (result,) = gradient_flow([(act, act.resolve())], depth, width, init, seed, 256)
    return result


def test_sigmoid_with_xavier_gradients_vanish_towards_the_input() -> None:
    result = flow("sigmoid", "xavier")
    w = result.weight_grad_norm
    z = result.preactivation_grad_norm
    # Measured (depth 20, width 128, batch 256, seed 0): 4.14e-13 at layer 1, 2.41 at layer 20.
    assert w[0] == pytest.approx(4.142767638287019e-13, rel=1e-6)
    assert w[-1] == pytest.approx(2.4059634389146387, rel=1e-6)
    assert w[0] / w[-1] < 1e-11
    assert z[0] / z[-1] < 1e-11
    # Shrinks by at most f' <= 1/4 per layer, times what the weights pass on: monotone here.
    assert np.all(np.diff(z) > 0)
    assert result.finite


def test_relu_with_he_gradients_keep_their_size() -> None:
    result = flow("relu", "he")
    w = result.weight_grad_norm
    z = result.preactivation_grad_norm
    # Measured (depth 20, width 128, batch 256, seed 0).
    assert w[0] == pytest.approx(0.8666457345505633, rel=1e-6)
    assert w[-1] == pytest.approx(0.5354367696752202, rel=1e-6)
    assert z[0] == pytest.approx(0.07680537552412711, rel=1e-6)
    assert z[-1] == pytest.approx(0.07680464580688086, rel=1e-6)
    assert w.max() / w.min() < 2.0
    assert z.max() / z.min() < 2.0


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.slow
def test_relu_with_he_keeps_preactivation_gradients_within_a_factor_of_two(seed: int) -> None:
    relu = flow("relu", "he", seed=seed)
    sigmoid = flow("sigmoid", "xavier", seed=seed)
    relu_ratio = relu.preactivation_grad_norm[0] / relu.preactivation_grad_norm[-1]
    sigmoid_ratio = sigmoid.preactivation_grad_norm[0] / sigmoid.preactivation_grad_norm[-1]
    assert 0.5 < relu_ratio < 2.0  # measured 0.84 to 1.29 for seeds 0-3
    assert sigmoid_ratio < 1e-11  # measured 7.8e-13 to 1.2e-12


def test_relu_with_xavier_halves_the_signal_per_layer() -> None:
    result = flow("relu", "xavier")
    z = result.preactivation_grad_norm
    # Glorot's variance 1/width is half what ReLU needs: a factor sqrt(2) per layer, 19 layers.
    assert z[0] / z[-1] == pytest.approx(2**-9.5, rel=0.2)  # measured 1.51e-3


def test_statistics_are_those_of_the_activations() -> None:
    problem = make_problem(4, 16, 32, "he", np.random.default_rng(5))
    relu = get_activation("relu")
    result = measure(problem, relu, {})
    bp = backprop(problem, relu, {})
    for layer in range(4):
        a, z = bp.post[layer], bp.pre[layer]
        assert result.mean[layer] == pytest.approx(np.mean(a), rel=1e-12)
        assert result.std[layer] == pytest.approx(np.std(a), rel=1e-12)
        assert result.zero_fraction[layer] == np.mean(z <= 0.0)
        # relu' = 0 exactly where a = 0: counted as zero, not again as saturated
        assert result.saturated_fraction[layer] == 0.0
        assert result.weight_grad_norm[layer] == pytest.approx(
            np.linalg.norm(bp.d_weights[layer]), rel=1e-12
        )
        assert result.bias_grad_norm[layer] == pytest.approx(
            np.linalg.norm(bp.d_biases[layer]), rel=1e-12
        )
        assert result.preactivation_grad_norm[layer] == pytest.approx(
            np.linalg.norm(bp.d_pre[layer]), rel=1e-12
        )
        assert result.activation_grad_norm[layer] == pytest.approx(
            np.linalg.norm(bp.d_post[layer]), rel=1e-12
        )
    assert result.loss == bp.loss


def test_sigmoid_saturation_counts_slopes_below_one_hundredth() -> None:
    problem = make_problem(3, 8, 64, "uniform", np.random.default_rng(2))
    problem = Problem(problem.x * 20.0, problem.layers, problem.readout, problem.target)
    sigmoid = get_activation("sigmoid")
    result = measure(problem, sigmoid, {})
    z = backprop(problem, sigmoid, {}).pre[0]
    expected = np.mean(np.abs(z) > math.log((1 + math.sqrt(1 - 0.04)) / (1 - math.sqrt(1 - 0.04))))
    assert result.saturated_fraction[0] == pytest.approx(expected, abs=1e-12)
    assert 0.3 < result.saturated_fraction[0] < 1.0
    assert result.zero_fraction[0] == 0.0


def test_every_activation_sees_the_same_inputs_and_weights() -> None:
    specs = [(get_activation(n), get_activation(n).resolve()) for n in ("tanh", "relu", "gelu")]
    together = gradient_flow(specs, 5, 8, "lecun", 3, 16)
    for spec, result in zip(specs, together, strict=True):
        (alone,) = gradient_flow([spec], 5, 8, "lecun", 3, 16)
        np.testing.assert_array_equal(result.weight_grad_norm, alone.weight_grad_norm)
        np.testing.assert_array_equal(result.std, alone.std)


@pytest.mark.parametrize("init", INITIALIZERS)
def test_same_seed_same_numbers(init: InitName) -> None:
    first = flow("tanh", init, depth=6, width=16, seed=11)
    again = flow("tanh", init, depth=6, width=16, seed=11)
    other = flow("tanh", init, depth=6, width=16, seed=12)
    for field in ("weight_grad_norm", "activation_grad_norm", "mean", "std"):
        np.testing.assert_array_equal(getattr(first, field), getattr(again, field))
        assert not np.array_equal(getattr(first, field), getattr(other, field))
    assert first.loss == again.loss


@pytest.mark.slow
def test_overflow_is_reported_as_nan_and_not_finite() -> None:
    # exp(exp(...)) through 64 layers of the Playground's init overflows float64.
    result = flow("exponential", "uniform", depth=64, width=256)
    assert not result.finite
    assert math.isnan(result.loss)
    assert np.isnan(result.mean[-1])
    assert np.isnan(result.zero_fraction[-1])
    assert np.isfinite(result.mean[0])  # the first layer is still representable
    for column in (result.weight_grad_norm, result.std, result.saturated_fraction):
        assert not np.any(np.isinf(column))


def test_huge_but_finite_values_keep_finite_norms() -> None:
    x = np.full((2, 3), 1e200)
    assert _norm(x) == pytest.approx(math.sqrt(6) * 1e200, rel=1e-15)
    with np.errstate(over="ignore"):
        assert np.isinf(np.sqrt(np.sum(x * x)))  # what the naive sum of squares gives
    assert _norm(np.zeros(3)) == 0.0
    assert math.isnan(_norm(np.array([1.0, np.inf])))
