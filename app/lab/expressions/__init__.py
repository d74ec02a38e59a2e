"""Custom activations: an expression in x, its exact f' and f'' (sympy), compiled to numpy.

>>> import numpy as np
>>> from app.lab.expressions import custom_activation
>>> swish = custom_activation("x * sigmoid(beta * x)", {"beta": 1.7})
>>> swish.df(np.array([0.0]), **swish.defaults)  # f'(0) = sigmoid(0) = 0.5
array([0.5])

The grammar and its limits: app.lab.expressions.grammar and .limits; the README's "Custom
activations" section says the same for people.
"""

from app.lab.expressions.catalogue import CATALOGUE_EXPRESSIONS, NOT_EXPRESSIBLE
from app.lab.expressions.compiled import CompiledExpression, compile_text
from app.lab.expressions.custom import CUSTOM_NAME, CustomActivation, custom_activation
from app.lab.expressions.errors import ExpressionError
from app.lab.expressions.grammar import FUNCTIONS, WHERE, ParamNameError, available_functions
from app.lab.expressions.limits import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_PARAM_NAME,
    MAX_PARAMS,
    SIMPLIFY_BUDGET_S,
    TIME_BUDGET_S,
)
from app.lab.expressions.properties import PROBE_LIMIT

__all__ = [
    "CATALOGUE_EXPRESSIONS",
    "CUSTOM_NAME",
    "FUNCTIONS",
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
    "ExpressionError",
    "ParamNameError",
    "available_functions",
    "compile_text",
    "custom_activation",
]
