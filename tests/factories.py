"""Shared set-ups for the training tests: one place that knows how to build a TrainConfig."""

from dataclasses import replace
from typing import Any

from app.lab.activations import get_activation
from app.lab.datasets import generate, xor
from app.lab.nn.training import TrainConfig


def xor_config(activation: str = "tanh", **changes: Any) -> TrainConfig:
    """XOR 2-4-1 with the named activation at its defaults, sigmoid + bce, plain SGD at 0.1 for
    2000 epochs; any field can be changed by keyword."""
    act = get_activation(activation)
    base = TrainConfig(
        dataset=xor(),
        features=("x1", "x2"),
        activation=act,
        activation_params=act.defaults,
        hidden_layers=(4,),
        output="sigmoid",
        loss="bce",
        optimizer="sgd",
        learning_rate=0.1,
        epochs=2000,
    )
    return replace(base, **changes)


def regression_config(name: str = "reg-plane", **changes: Any) -> TrainConfig:
    """A Playground regression set (500 points, half for training) on a tanh 2-8-8-1 network
    with the linear output and mse, Adam at 0.01 for 1000 full-batch epochs; any field can be
    changed by keyword."""
    base = xor_config(
        dataset=generate(name),  # type: ignore[arg-type]
        hidden_layers=(8, 8),
        output="linear",
        loss="mse",
        optimizer="adam",
        learning_rate=0.01,
        epochs=1000,
    )
    return replace(base, **changes)
