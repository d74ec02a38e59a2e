"""A compiled expression as a catalogue-compatible Activation, named "custom"."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from app.lab.activations.base import Activation, Param, Params, Properties, Traits
from app.lab.expressions.compiled import CompiledExpression, compile_plain, compile_text
from app.lab.expressions.limits import CUSTOM_NAME, PROBE_LIMIT
from app.lab.expressions.properties import estimate_traits


@dataclass(frozen=True)
class CustomActivation(Activation):
    """An Activation whose f, f', f'' come from an expression; its traits are estimates."""

    expression: str = ""
    second_derivative: str = ""  # TeX for f''
    compiled: CompiledExpression | None = None
    estimated: ClassVar[bool] = True  # its properties are sampled, not declared

    def properties(self, params: Params | None = None) -> Properties:
        """As for a catalogue entry; where f is not finite (1/x at 0) the normal-input mean is
        not a number, so the expression does not count as zero-centred."""
        with np.errstate(all="ignore"):
            return super().properties(params)


def custom_activation(text: str, params: Mapping[str, float] | None = None) -> CustomActivation:
    """The activation for `text` whose parameters default to the given values.

    Raises ExpressionError (the text) or ParamNameError (a name); values are checked, as for any
    activation, by resolve().
    """
    params = dict(params or {})
    return _activation(text, params, compile_text(text, params))


def training_activation(text: str, params: Mapping[str, float]) -> CustomActivation:
    """The activation training, sweeps and gradient flow run with: custom_activation's, but with
    f, f', f'' as differentiated, never simplified (compiled.compile_plain says why), so every
    process computes the same network. For a text custom_activation accepted."""
    params = dict(params)
    return _activation(text, params, compile_plain(text, params))


def used_params(compiled: CompiledExpression) -> frozenset[str]:
    """The parameters f depends on (a declared name the expression never uses is not one)."""
    return frozenset(s.name for s in compiled.exprs[0].free_symbols) - {"x"}


def temporaries(act: CustomActivation) -> int:
    """Arrays of the input's size a call of f or f' (what training calls) holds at its peak."""
    assert act.compiled is not None
    return max(program.arrays for program in act.compiled.programs[:2])


def _activation(
    text: str, params: dict[str, float], compiled: CompiledExpression
) -> CustomActivation:
    param_list = tuple(
        Param(name, params[name], description=f"declared in the expression, given {params[name]}")
        for name in compiled.params
    )

    def traits(resolved: Params) -> Traits:
        return estimate_traits(compiled, resolved)

    return CustomActivation(
        name=CUSTOM_NAME,
        label=text,
        f=compiled.programs[0],
        df=compiled.programs[1],
        d2f=compiled.programs[2],
        formula=f"f(x) = {compiled.latex[0]}",
        derivative=f"f'(x) = {compiled.latex[1]}",
        traits=traits,
        use="Your own expression: compare it with the catalogue, or train with it.",
        caveats=f"Properties are estimated numerically on [-{PROBE_LIMIT:g}, {PROBE_LIMIT:g}], "
        "not proved.",
        params=param_list,
        # source keeps its default: an expression follows no autograd convention at kinks
        expression=text,
        second_derivative=f"f''(x) = {compiled.latex[2]}",
        compiled=compiled,
    )
