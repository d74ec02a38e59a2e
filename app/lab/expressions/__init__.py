"""Custom activations: an expression in x, its exact f' and f'' (sympy), compiled to numpy.

>>> import numpy as np
>>> from app.lab.expressions import custom_activation
>>> swish = custom_activation("x * sigmoid(beta * x)", {"beta": 1.7})
>>> swish.df(np.array([0.0]), **swish.defaults)  # f'(0) = sigmoid(0) = 0.5
array([0.5])

The grammar and its limits: app.lab.expressions.grammar and .limits; the README's "Custom
activations" section says the same for people. sympy takes seconds to import on a busy machine
(5 s measured at load 12, past uvicorn's worker health check), so the names that need it are
loaded on first use, not when the app starts.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from app.lab.expressions.catalogue import (
    CATALOGUE_EXPRESSIONS,
    NOT_EXPRESSIBLE,
    available_functions,
)
from app.lab.expressions.errors import ExpressionError, ParamNameError
from app.lab.expressions.examples import EXAMPLES, Example
from app.lab.expressions.limits import (
    CUSTOM_NAME,
    GRAMMAR_FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_PARAM_NAME,
    MAX_PARAMS,
    PROBE_LIMIT,
    SIMPLIFY_BUDGET_S,
    TIME_BUDGET_S,
    WHERE,
)

if TYPE_CHECKING:
    from app.lab.expressions.compiled import CompiledExpression, compile_text
    from app.lab.expressions.custom import CustomActivation, custom_activation

_LAZY = {
    "CompiledExpression": "app.lab.expressions.compiled",
    "compile_text": "app.lab.expressions.compiled",
    "CustomActivation": "app.lab.expressions.custom",
    "custom_activation": "app.lab.expressions.custom",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CATALOGUE_EXPRESSIONS",
    "CUSTOM_NAME",
    "EXAMPLES",
    "GRAMMAR_FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_PARAMS",
    "MAX_PARAM_NAME",
    "NOT_EXPRESSIBLE",
    "PROBE_LIMIT",
    "SIMPLIFY_BUDGET_S",
    "TIME_BUDGET_S",
    "WHERE",
    "CompiledExpression",
    "CustomActivation",
    "Example",
    "ExpressionError",
    "ParamNameError",
    "available_functions",
    "compile_text",
    "custom_activation",
]
