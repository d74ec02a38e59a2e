"""sympy expression -> vectorised numpy function, through a whitelist of node types.

Not `sympy.lambdify`: it prints the tree as Python source and exec's it, maps our sigmoid and
softplus only through a hand-made module dict, and evaluates `Piecewise` through nested
`select` calls it generates. Walking the tree ourselves lets each node type be a deliberate
choice (expit and logaddexp for the stable forms, the branch a `where` selects, 0 for the Dirac
delta in the derivative of |u| away from 0), compiles each distinct subexpression once (sympy
shares them, and f'' of a deeply nested expression repeats many), and refuses anything not on
the list rather than calling whatever name a printer produced.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy.special import erf, erfc, expit
from sympy.codegen.cfunctions import log1p
from sympy.logic.boolalg import ITE, BooleanFalse, BooleanTrue

from app.lab.activations.base import Array
from app.lab.expressions.functions import sigmoid, softplus

Value = Any  # an array, a float, or a boolean array (conditions)


class CompileError(ValueError):
    """The expression holds a node type this compiler does not evaluate."""


def _heaviside(u: Array, h0: float = 0.5) -> Array:
    return np.where(u > 0, 1.0, np.where(u < 0, 0.0, h0))


def _zero(u: Array) -> Array:
    return np.zeros_like(u, dtype=np.float64)


def _softplus(u: Array) -> Array:
    return np.logaddexp(0.0, u)


def _reduce(op: Callable[[Value, Value], Value]) -> Callable[..., Value]:
    def reduced(*values: Value) -> Value:
        out = values[0]
        for value in values[1:]:
            out = op(out, value)
        return out

    return reduced


FUNCTIONS: dict[type[sp.Basic], Callable[..., Value]] = {
    sp.exp: np.exp,
    sp.log: np.log,
    log1p: np.log1p,
    sp.sin: np.sin,
    sp.cos: np.cos,
    sp.tan: np.tan,
    sp.tanh: np.tanh,
    sp.sinh: np.sinh,
    sp.cosh: np.cosh,
    sp.atan: np.arctan,
    sp.asin: np.arcsin,
    sp.acos: np.arccos,
    sp.asinh: np.arcsinh,
    sp.acosh: np.arccosh,
    sp.atanh: np.arctanh,
    sp.sec: lambda u: 1.0 / np.cos(u),
    sp.csc: lambda u: 1.0 / np.sin(u),
    sp.cot: lambda u: 1.0 / np.tan(u),
    sp.sech: lambda u: 1.0 / np.cosh(u),
    sp.csch: lambda u: 1.0 / np.sinh(u),
    sp.coth: lambda u: 1.0 / np.tanh(u),
    sp.erf: erf,
    sp.erfc: erfc,
    sp.Abs: np.abs,
    sp.sign: np.sign,
    sigmoid: expit,
    softplus: _softplus,
    # d/du |u| = sign(u), and its derivative 2 delta(u) is 0 at every u but 0, where it is not a
    # number at all: 0 is the value of the branch on either side, as for where(...)
    sp.DiracDelta: _zero,
    sp.Heaviside: _heaviside,
    sp.Max: _reduce(np.maximum),
    sp.Min: _reduce(np.minimum),
    sp.Add: _reduce(np.add),
    sp.Mul: _reduce(np.multiply),
    sp.StrictLessThan: np.less,
    sp.LessThan: np.less_equal,
    sp.StrictGreaterThan: np.greater,
    sp.GreaterThan: np.greater_equal,
    sp.Eq: np.equal,
    sp.Ne: np.not_equal,
    sp.And: _reduce(np.logical_and),
    sp.Or: _reduce(np.logical_or),
    sp.Not: np.logical_not,
    ITE: lambda c, a, b: np.where(c, a, b),
}


def _power(base: Value, exponent: Value) -> Value:
    return np.power(base, exponent)


def _piecewise(*values: Value) -> Value:
    """Piecewise((v0, c0), (v1, c1), ...): the first branch whose condition holds."""
    branches, conditions = values[0::2], values[1::2]
    out = branches[-1]
    for value, condition in zip(branches[-2::-1], conditions[-2::-1], strict=True):
        out = np.where(condition, value, out)
    # the last condition is True in every where(...); anything else leaves NaN where none holds
    return np.where(conditions[-1], out, np.nan)


@dataclass(frozen=True)
class Program:
    """A straight-line program: step i computes slot i from earlier slots, once per call."""

    steps: tuple[tuple[Callable[..., Value] | None, tuple[int, ...], object], ...]
    result: int
    params: tuple[str, ...]

    @property
    def arrays(self) -> int:
        """Arrays one call holds at its peak, at most: every computed slot stays alive until the
        call returns, plus the result's copy (what the work model counts for memory)."""
        return sum(fn is not None for fn, _, _ in self.steps) + 1

    def __call__(self, x: Array, **params: object) -> Array:
        x = np.asarray(x, dtype=np.float64)
        slots: list[Value] = []
        # np.where evaluates every branch, and a branch not taken may overflow (e^x of a large
        # x on the side where x is returned): silence those; an overflow in the value itself is
        # inf, which the API writes as null like the built-in `exponential`.
        with np.errstate(all="ignore"):
            for fn, args, leaf in self.steps:
                if fn is None:
                    if leaf == "x":
                        slots.append(x)
                    elif isinstance(leaf, str):
                        slots.append(float(params[leaf]))  # type: ignore[arg-type]
                    else:
                        slots.append(leaf)
                else:
                    slots.append(fn(*(slots[i] for i in args)))
        out = slots[self.result]
        return np.array(np.broadcast_to(out, x.shape), dtype=np.float64)


def compile_expression(expr: sp.Basic, variable: sp.Symbol, params: Sequence[str]) -> Program:
    """Compile `expr` in `variable` and `params` to a Program; CompileError if it cannot."""
    steps: list[tuple[Callable[..., Value] | None, tuple[int, ...], object]] = []
    index: dict[sp.Basic, int] = {}
    names = set(params)

    def emit(node: sp.Basic) -> int:
        known = index.get(node)
        if known is not None:
            return known
        fn: Callable[..., Value] | None
        leaf: object = None
        args: tuple[int, ...] = ()
        if node == variable:
            fn, leaf = None, "x"
        elif isinstance(node, sp.Symbol):
            if node.name not in names:
                raise CompileError(f"unknown symbol {node.name}")
            fn, leaf = None, node.name
        elif isinstance(node, BooleanTrue | BooleanFalse):
            fn, leaf = None, bool(node)
        elif node.is_Number or isinstance(node, sp.NumberSymbol):
            if not node.is_finite or not node.is_extended_real:
                raise CompileError(f"not a finite real number: {node}")
            fn, leaf = None, float(node)
        elif isinstance(node, sp.Piecewise):
            flat: list[int] = []
            for branch in node.args:
                flat += [emit(branch.expr), emit(branch.cond)]
            fn, args = _piecewise, tuple(flat)
        elif isinstance(node, sp.Pow):
            fn, args = _power, (emit(node.base), emit(node.exp))
        elif type(node) in FUNCTIONS:
            fn, args = FUNCTIONS[type(node)], tuple(emit(arg) for arg in node.args)
        else:
            raise CompileError(f"{type(node).__name__} is not evaluated")
        steps.append((fn, args, leaf))
        index[node] = len(steps) - 1
        return len(steps) - 1

    result = emit(expr)
    return Program(tuple(steps), result, tuple(params))


def evaluate(program: Program, x: Array, params: Mapping[str, float]) -> Array:
    """program(x, **params)."""
    return program(x, **params)
