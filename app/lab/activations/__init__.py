"""The activation catalogue: 46 functions with exact f, f' and f'' (numpy and scipy only).

>>> import numpy as np
>>> from app.lab.activations import get_activation
>>> gelu = get_activation("gelu")
>>> params = gelu.resolve({"approximate": "tanh"})
>>> params
{'approximate': 'tanh'}
>>> gelu.f(np.array([-1.0, 0.0, 1.0]), **params).round(6).tolist()
[-0.158808, 0.0, 0.841192]
>>> gelu.df(np.array([0.0, 1.0]), **params).round(6).tolist()
[0.5, 1.082964]
"""

from app.lab.activations.base import (
    SATURATION_SLOPE,
    Activation,
    Array,
    Param,
    ParamError,
    Params,
    ParamValue,
    Properties,
    Traits,
)
from app.lab.activations.literature import LITERATURE
from app.lab.activations.pytorch import PYTORCH

ACTIVATIONS: dict[str, Activation] = {act.name: act for act in (*PYTORCH, *LITERATURE)}


class UnknownActivation(KeyError):
    """No catalogue entry has this name."""


def get_activation(name: str) -> Activation:
    """The catalogue entry called `name`; raise UnknownActivation if there is none."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise UnknownActivation(name) from None


__all__ = [
    "ACTIVATIONS",
    "SATURATION_SLOPE",
    "Activation",
    "Array",
    "Param",
    "ParamError",
    "ParamValue",
    "Params",
    "Properties",
    "Traits",
    "UnknownActivation",
    "get_activation",
]
