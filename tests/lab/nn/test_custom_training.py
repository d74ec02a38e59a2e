"""Training with a custom expression: a re-typed built-in trains to the built-in's numbers, an
overflowing one diverges as a built-in does, and the expression is compiled once, not per epoch."""

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from app.lab import datasets
from app.lab.activations import Activation, ParamValue, get_activation
from app.lab.expressions import compiled
from app.lab.expressions.custom import temporaries, training_activation, used_params
from app.lab.nn.sweep import sweep
from app.lab.nn.training import TrainConfig, train
from app.lab.nn.work import ACTIVATION_FACTOR, CUSTOM_TIME_FACTOR, RunShape, estimate
from tests.factories import xor_config

# Measured: the largest gap over these cases is 5.3e-14 in a weight (ELU with adam) and 2.8e-16
# in a loss; the built-ins and the compiled expressions round differently in the last bits.
TOLERANCE = 1e-12

# (built-in, its params, the expression, the expression's params)
RETYPED: list[tuple[str, dict[str, Any], str, dict[str, float]]] = [
    ("tanh", {}, "tanh(x)", {}),
    ("silu", {}, "x * sigmoid(x)", {}),
    ("relu", {}, "max(0, x)", {}),
    ("elu", {"alpha": 1.3}, "where(x > 0, x, a * (exp(x) - 1))", {"a": 1.3}),
]


def custom_config(base: TrainConfig, text: str, params: dict[str, float]) -> TrainConfig:
    act = training_activation(text, params)
    return replace(base, activation=act, activation_params=act.resolve(params))


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize(("name", "params", "text", "values"), RETYPED, ids=lambda v: str(v))
@pytest.mark.slow
def test_a_retyped_builtin_trains_to_the_builtin_s_curve_and_weights(
    name: str, params: dict[str, Any], text: str, values: dict[str, float], optimizer: str
) -> None:
    builtin = get_activation(name)
    rate = 0.1 if optimizer == "sgd" else 0.01
    base = xor_config(name, optimizer=optimizer, learning_rate=rate)
    base = replace(base, activation_params=builtin.resolve(params))
    expected, got = train(base, seed=3), train(custom_config(base, text, values), seed=3)
    assert got.epochs.tolist() == expected.epochs.tolist()
    np.testing.assert_allclose(got.loss, expected.loss, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(got.grad_norms, expected.grad_norms, rtol=0, atol=TOLERANCE)
    assert got.weights is not None and expected.weights is not None
    for (w, b), (w0, b0) in zip(got.weights, expected.weights, strict=True):
        np.testing.assert_allclose(w, w0, rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(b, b0, rtol=0, atol=TOLERANCE)
    assert got.converged_epoch == expected.converged_epoch


def test_the_retyped_tanh_converges_as_tanh_does() -> None:
    got = train(custom_config(xor_config(), "tanh(x)", {}), seed=3)
    assert got.converged_epoch == 348 and got.loss[-1] == pytest.approx(0.0140815019, abs=1e-9)


def test_an_overflowing_expression_diverges_as_the_builtin_exponential_does() -> None:
    x, y = datasets.GENERATORS["circle"](np.random.default_rng(0), 100, 0.0)
    data = datasets.Dataset("circle", x, y, None, None, 2)
    base = xor_config("exponential", dataset=data, hidden_layers=(8, 8, 8), init="uniform")
    base = replace(base, learning_rate=10.0, epochs=200)
    expected = train(base, seed=0)
    got = train(custom_config(base, "exp(x)", {}), seed=0)
    assert expected.diverged_epoch is not None  # the case is one that diverges
    assert got.diverged_epoch == expected.diverged_epoch
    assert got.weights is None and got.output is None
    assert np.isfinite(got.loss).all() and len(got.loss) == len(expected.loss)
    np.testing.assert_allclose(got.loss, expected.loss, rtol=0, atol=TOLERANCE)


def test_a_sweep_mixes_builtins_and_expressions_and_each_seed_is_its_single_run() -> None:
    base = xor_config("relu", epochs=300)
    swish = training_activation("x * sigmoid(beta * x)", {"beta": 1.7})
    bump = training_activation("exp(-x**2)", {})
    pairs: list[tuple[Activation, dict[str, ParamValue]]] = [
        (get_activation("relu"), {}),
        (swish, {"beta": 1.7}),
        (bump, {}),
    ]
    summaries = sweep(base, pairs, 4)
    assert [s.name for s in summaries] == ["relu", "custom", "custom"]
    single = train(replace(base, activation=swish, activation_params={"beta": 1.7}), seed=2)
    np.testing.assert_array_equal(summaries[1].run.loss[2], single.run.loss[0])


def test_the_expression_is_compiled_once_not_per_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    build = compiled._build_plain

    def counting(text: str, names: tuple[str, ...]) -> compiled.CompiledExpression:
        calls.append(text)
        return build(text, names)

    monkeypatch.setattr(compiled, "_build_plain", counting)
    text = "x * tanh(softplus(0.987654321 * x))"  # in no other test: not cached yet
    for _ in range(3):
        train(custom_config(xor_config(epochs=200), text, {}))
    assert calls == [text]


def test_training_runs_on_the_plain_derivative_the_same_in_every_process() -> None:
    act = training_activation("x * tanh(softplus(x))", {})
    assert act.compiled is not None and act.compiled.simplified == (False, False, False)
    x = np.linspace(-5, 5, 11)
    h = 1e-6
    numeric = (act.f(x + h) - act.f(x - h)) / (2 * h)
    np.testing.assert_allclose(act.df(x), numeric, rtol=1e-6, atol=1e-8)


def test_used_params_are_the_names_the_expression_depends_on() -> None:
    act = training_activation("a * x + where(x > b, c, 0)", {"a": 1.0, "b": 0.0, "c": 2.0, "d": 1})
    assert act.compiled is not None
    assert used_params(act.compiled) == {"a", "b", "c"}


def test_a_custom_run_s_memory_counts_its_program_s_arrays_and_its_time_floor_is_scaled() -> None:
    long = training_activation("x * tanh(softplus(x)) + sin(x) * cos(x) / (1 + x**2)", {})
    assert temporaries(long) > ACTIVATION_FACTOR
    tanh = training_activation("tanh(x)", {})
    assert tanh.compiled is not None
    assert tanh.compiled.programs[0].arrays == 2  # f: tanh's slot and the result's copy
    assert temporaries(tanh) == 5  # f' = 1 - tanh(x)**2: tanh, square, negate, add, copy
    base = RunShape(sizes=(2, 8, 1), n_train=100, n_test=100, networks=10, epochs=100)
    custom = replace(base, custom_stages=1, custom_temporaries=temporaries(long))
    extra = 8 * 10 * (temporaries(long) - ACTIVATION_FACTOR) * 200 * 8
    assert estimate(custom).network_bytes == estimate(base).network_bytes + extra
    assert estimate(custom).seconds == pytest.approx(CUSTOM_TIME_FACTOR * estimate(base).seconds)
    # one custom stage of three: a third of the time is the custom one's
    sweep_shape = replace(base, stages=3, custom_stages=1)
    plain = estimate(replace(base, stages=3)).seconds
    assert estimate(sweep_shape).seconds == pytest.approx(plain * (2 + CUSTOM_TIME_FACTOR) / 3)
