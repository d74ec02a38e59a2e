"""Catalogue entries written in the expression grammar, so an expression can call them by name.

Each definition is in x and the entry's own parameter names; a call such as `elu(2 * x)` takes the
entry's defaults (read from the catalogue, never restated here) and substitutes its argument for
x. tests/lab/test_expressions.py checks every definition against the numpy entry, values and
both derivatives, to 1e-12 away from kinks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from app.lab.activations import ACTIVATIONS
from app.lab.expressions.limits import GRAMMAR_FUNCTIONS, WHERE

if TYPE_CHECKING:  # sympy is imported with the grammar, on the first expression, not at start-up
    import sympy as sp

# Where the grammar has a function of the same name (sigmoid, tanh, arctan, softplus), the
# grammar's wins: `softplus` in an expression is log(1 + e^x) itself, without PyTorch's switch
# to x above threshold / beta (the entry's definition below keeps that switch, for the tests).
CATALOGUE_EXPRESSIONS: dict[str, str] = {
    "identity": "x",
    "binary_step": "where(x >= 0, 1, 0)",
    "sigmoid": "sigmoid(x)",
    "tanh": "tanh(x)",
    "relu": "where(x > 0, x, 0)",
    "leaky_relu": "where(x > 0, x, negative_slope * x)",
    "prelu": "where(x > 0, x, weight * x)",
    "elu": "where(x > 0, x, alpha * (exp(x) - 1))",
    "selu": "1.0507009873554804934193349852946 * where(x > 0, x, "
    "1.6732632423543772848170429916717 * (exp(x) - 1))",
    "celu": "where(x > 0, x, alpha * (exp(x / alpha) - 1))",
    # the default approximate='none': x Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2
    "gelu": "x * (1 + erf(x / sqrt(2))) / 2",
    "silu": "x * sigmoid(x)",
    "mish": "x * tanh(softplus(x))",
    "softplus": "where(beta * x > threshold, x, softplus(beta * x) / beta)",
    "softsign": "x / (1 + abs(x))",
    "relu6": "min(max(x, 0), 6)",
    "hardtanh": "min(max(x, min_val), max_val)",
    "hardsigmoid": "min(max(x + 3, 0), 6) / 6",
    "hardswish": "x * min(max(x + 3, 0), 6) / 6",
    "logsigmoid": "-softplus(-x)",
    "tanhshrink": "x - tanh(x)",
    "softshrink": "where(x > lambd, x - lambd, where(x < -lambd, x + lambd, 0))",
    "hardshrink": "where(x > lambd, x, where(x < -lambd, x, 0))",
    "threshold": "where(x > threshold, x, value)",
    # eval mode: the slope is the midpoint of [lower, upper]
    "rrelu": "where(x > 0, x, (lower + upper) / 2 * x)",
    "swish": "x * sigmoid(beta * x)",
    "squareplus": "(x + sqrt(x**2 + b)) / 2",
    "sparse_plus": "where(x <= -1, 0, where(x >= 1, x, (x + 1)**2 / 4))",
    "exponential": "exp(x)",
    "srelu": "where(x <= t_left, t_left + a_left * (x - t_left), "
    "where(x >= t_right, t_right + a_right * (x - t_right), x))",
    "lecun_tanh": "1.7159 * tanh(2 / 3 * x)",
    "arctan": "arctan(x)",
    "bent_identity": "(sqrt(x**2 + 1) - 1) / 2 + x",
    "symmetrical_sigmoid": "tanh(x / 2)",
    "loglog": "1 - exp(-exp(x))",
    "absolute": "abs(x)",
    "signum": "where(x > 0, 1, where(x < 0, -1, 0))",
    "gaussian": "exp(-x**2)",
    "sinusoid": "sin(x)",
    "cosine": "cos(x)",
    "isru": "x / sqrt(1 + alpha * x**2)",
    "isrlu": "where(x >= 0, x, x / sqrt(1 + alpha * x**2))",
    "sqnl": "where(x > 2, 1, where(x >= 0, x - x**2 / 4, where(x >= -2, x + x**2 / 4, -1)))",
    # (e^{ax} - e^{-bx}) / (e^{cx} + e^{-dx}) at its defaults a = b = c = d = 1 is tanh exactly;
    # written as the quotient it would overflow to inf / inf beyond |x| = 709
    "soboleva_tanh": "tanh(x)",
    "probit": "(1 + erf(x / sqrt(2))) / 2",
}

# Entries the grammar cannot write, with why, as the refusal's message.
NOT_EXPRESSIBLE: dict[str, str] = {
    "sinc": "sinc cannot be written in this grammar: sin(x) / x is 0 / 0 at x = 0, where sinc "
    "is 1, and the grammar has no == to single that point out; use the built-in `sinc` entry",
}


@cache
def _definition(name: str) -> sp.Expr:
    # one at a time, on first use: all 45 at once took 2 s on the shared machine, inside the
    # first request's time budget
    from app.lab.expressions.grammar import parse_trusted

    defaults = ACTIVATIONS[name].defaults
    numbers = {k: float(v) for k, v in defaults.items() if not isinstance(v, str)}
    return parse_trusted(CATALOGUE_EXPRESSIONS[name], numbers)


def catalogue_function(name: str) -> Callable[[sp.Expr], sp.Expr] | None:
    """The entry `name` as a function of its argument, at its default parameters; None if none."""
    if name not in CATALOGUE_EXPRESSIONS:
        return None
    from app.lab.expressions.grammar import X

    definition = _definition(name)
    return lambda arg: definition.xreplace({X: arg})


@cache
def available_functions() -> tuple[str, ...]:
    """Every name the grammar can call: its functions, where, and the expressible catalogue."""
    extra = sorted(set(CATALOGUE_EXPRESSIONS) - set(GRAMMAR_FUNCTIONS))
    return (*GRAMMAR_FUNCTIONS, WHERE, *extra)
