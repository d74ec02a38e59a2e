"""Seed s of a sweep is /api/train's run of seed s to the last bit, whatever the sweep skips.

The sweep's fast paths (app.lab.nn.training's curves="loss", the stacked Stack) must not move a
single bit of what it reports: tobytes() comparisons, not tolerances, over shapes that take
numpy's different code paths (fewer and more than 8 points, a single output unit and several,
mini-batches, every optimiser and penalty, a test split, regression, divergence).
"""

from dataclasses import replace

import numpy as np
import pytest

from app.lab.datasets import generate
from app.lab.nn.fit import fit_of
from app.lab.nn.sweep import sweep
from app.lab.nn.training import TrainConfig, run, train
from tests.factories import regression_config, xor_config

# Starts processes or trains whole runs: left out of the fast subset (make test-fast).
pytestmark = pytest.mark.slow

CONFIGS = {
    "xor-2-4-1-sgd": xor_config("tanh", learning_rate=0.5, epochs=1200),
    "xor-relu-adam-minibatch": xor_config(
        "relu", hidden_layers=(3, 2), optimizer="adam", learning_rate=0.05, batch_size=3
    ),
    "spiral-8-8-500-minibatch": replace(
        xor_config("tanh", hidden_layers=(8, 8), epochs=12, learning_rate=0.03, batch_size=10),
        dataset=generate("spiral", n_samples=500),
    ),
    "circle-test-split-momentum-l2": replace(
        xor_config("elu", hidden_layers=(5,), epochs=300, optimizer="momentum"),
        dataset=generate("circle", n_samples=120, noise=0.1, train_fraction=0.5),
        regularization="l2",
        reg_rate=0.003,
    ),
    "spiral3-softmax-l1": replace(
        xor_config("gelu", hidden_layers=(8,), epochs=150, learning_rate=0.05),
        dataset=generate("spiral3", n_samples=90, noise=0.2),
        output="softmax",
        loss="cross_entropy",
        regularization="l1",
        reg_rate=0.001,
    ),
    "gaussians-mse-one-hidden-unit": replace(
        xor_config("sigmoid", hidden_layers=(1,), epochs=400, learning_rate=1.0),
        dataset=generate("gaussians", n_samples=60, noise=0.3),
        loss="mse",
    ),
    # mini-batches on both sides of mlp.CHAINED_SUM_POINTS (7: chained adds; 8: add.reduce)
    "gaussians-batch-7-chained-sums": replace(
        xor_config("tanh", hidden_layers=(3,), epochs=40, batch_size=7),
        dataset=generate("gaussians", n_samples=50, noise=0.4),
    ),
    "gaussians-batch-8-reduced-sums": replace(
        xor_config("tanh", hidden_layers=(3,), epochs=40, batch_size=8),
        dataset=generate("gaussians", n_samples=50, noise=0.4),
    ),
    "reg-plane-linear": regression_config(epochs=150),
    "circle-some-diverge": replace(
        xor_config("identity", hidden_layers=(8, 8), epochs=500, learning_rate=0.1),
        dataset=generate("circle", n_samples=100),
        features=("x1_squared", "x2_squared"),
        optimizer="momentum",
    ),
}


def bits(value: object) -> bytes:
    return np.ascontiguousarray(np.asarray(value, dtype=np.float64)).tobytes()


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_every_number_a_sweep_reports_is_the_single_runs_to_the_bit(config: TrainConfig) -> None:
    seeds = 7
    (summary,) = sweep(config, [(config.activation, config.activation_params)], seeds)
    stacked = summary.run
    for s in range(seeds):
        single = train(config, seed=s)
        alone = single.run
        assert bits(stacked.loss[s]) == bits(alone.loss[0]), s
        for name in ("final_loss", "final_accuracy", "dead_fraction"):
            assert bits(getattr(stacked, name)[s]) == bits(getattr(alone, name)[0]), (name, s)
        assert stacked.converged_epoch[s] == alone.converged_epoch[0]
        assert stacked.diverged_epoch[s] == alone.diverged_epoch[0]
        if alone.diverged_epoch[0] < 0:
            assert bits(stacked.theta[s]) == bits(alone.theta[0]), s
        if summary.fit is not None:
            fit = fit_of(alone, config.dataset)
            assert fit is not None
            assert bits(summary.fit.r2[s]) == bits(fit.r2[0]), s
            assert bits(summary.fit.final_r2[s]) == bits(fit.final_r2[0]), s


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_a_full_stacked_run_is_each_single_run_to_the_bit(config: TrainConfig) -> None:
    stacked = run(config, range(5))
    for s in (0, 2, 4):
        alone = run(config, [s])
        for name in (
            "loss",
            "accuracy",
            "test_loss",
            "test_accuracy",
            "grad_norms",
            "final_loss",
            "final_accuracy",
            "final_test_loss",
            "final_test_accuracy",
            "final_logits",
        ):
            got, want = getattr(stacked, name), getattr(alone, name)
            if want is None:
                assert got is None, name
            elif alone.diverged_epoch[0] < 0 or name != "final_logits":
                assert bits(got[s]) == bits(want[0]), (name, s)
        assert stacked.converged_epoch[s] == alone.converged_epoch[0]
        assert stacked.diverged_epoch[s] == alone.diverged_epoch[0]
        units = zip(stacked.dead + stacked.saturated, alone.dead + alone.saturated, strict=True)
        for many, one in units:
            assert many[s].tolist() == one[0].tolist()


def test_the_diverging_config_diverges_for_some_seeds_only() -> None:
    result = run(CONFIGS["circle-some-diverge"], range(7))
    assert 0 < (result.diverged_epoch >= 0).sum() < 7


def test_loss_only_curves_skip_accuracy_gradients_and_test_curves() -> None:
    config = CONFIGS["circle-test-split-momentum-l2"]
    full, lean = run(config, range(3)), run(config, range(3), curves="loss")
    assert bits(lean.loss) == bits(full.loss)
    assert bits(lean.theta) == bits(full.theta)
    assert np.isnan(lean.accuracy).all() and np.isnan(lean.grad_norms).all()
    assert lean.test_loss is not None and np.isnan(lean.test_loss).all()
    assert bits(lean.final_test_loss) == bits(full.final_test_loss)


def test_convergence_is_the_single_runs_when_only_a_few_seeds_are_left_to_check() -> None:
    """Once at most a quarter of the networks are still unconverged, only those are checked
    (training.Trainer.unconverged): each seed's converged epoch must stay its own run's."""
    config = xor_config("tanh", learning_rate=0.5, epochs=1500)
    seeds = range(24)
    stacked = run(config, seeds, curves="loss")
    converged = stacked.converged_epoch
    # the case the shortcut is for: most seeds converge early, the rest one by one later
    assert (converged >= 0).sum() > 18 and len(set(converged[converged >= 0].tolist())) > 10
    for s in seeds:
        assert converged[s] == run(config, [s]).converged_epoch[0], s
