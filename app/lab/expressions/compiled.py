"""One expression, parsed, differentiated, simplified, printed and compiled: all once, cached.

compile_expression(text, names) is the whole pipeline under one time budget. The result depends
only on the text and the parameter names; parameter values come in per call, so the compiled
functions are reused for every value a slider takes.
"""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass

import sympy as sp

from app.lab.expressions.budget import Expired, time_limit
from app.lab.expressions.errors import ExpressionError
from app.lab.expressions.grammar import X, check_param_names, parse
from app.lab.expressions.limits import SIMPLIFY_BUDGET_S, TIME_BUDGET_S
from app.lab.expressions.numeric import CompileError, Program, compile_expression

logger = logging.getLogger("app.lab.expressions")
CACHE_ENTRIES = 256  # compiled expressions (and refusals) kept, least recently used first out


class _OverBudget(Expired):
    """The whole pipeline ran past TIME_BUDGET_S."""


class _SimplifyExpired(Expired):
    """One simplify call ran past SIMPLIFY_BUDGET_S."""


@dataclass(frozen=True)
class CompiledExpression:
    """f, f', f'' of one expression: sympy forms, their TeX, numpy programs, switch points."""

    text: str
    params: tuple[str, ...]  # sorted
    exprs: tuple[sp.Expr, sp.Expr, sp.Expr]
    latex: tuple[str, str, str]
    programs: tuple[Program, Program, Program]
    # Arguments whose sign change moves a branch (where's lhs - rhs, abs's argument, ...): where
    # f or a derivative may jump; the property estimates look there.
    switches: tuple[Program, ...]
    simplified: tuple[bool, bool, bool]  # False where simplify ran out of time


# Time kept back from simplify for what must still follow (TeX, compiling, switch points), so
# an expression whose simplification is merely slow is never refused for it.
RESERVE_S = 0.4


def _simplify(expr: sp.Expr, deadline: float) -> tuple[sp.Expr, bool]:
    budget = min(SIMPLIFY_BUDGET_S, deadline - RESERVE_S - time.perf_counter())
    if budget <= 0:
        return expr, False
    try:
        with time_limit(budget, _SimplifyExpired):
            return sp.simplify(expr), True
    except _SimplifyExpired:
        return expr, False


def _switch_arguments(expr: sp.Basic) -> list[sp.Expr]:
    out: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Rel):
            out.append(node.lhs - node.rhs)
        elif isinstance(node, sp.Abs | sp.sign | sp.Heaviside | sp.DiracDelta):
            out.append(node.args[0])
        elif isinstance(node, sp.Max | sp.Min) and len(node.args) == 2:
            out.append(node.args[0] - node.args[1])
    return list(dict.fromkeys(out))


def _drop_delta(expr: sp.Expr) -> sp.Expr:
    return expr.replace(sp.DiracDelta, lambda *args: sp.S.Zero)


def _compile(expr: sp.Expr, names: tuple[str, ...]) -> Program:
    return compile_expression(expr, X, names)


def _build(text: str, names: tuple[str, ...]) -> CompiledExpression:
    deadline = time.perf_counter() + TIME_BUDGET_S
    f = parse(text, names)
    # The derivative of |u| is sign(u), and sign's is 2 delta(u): zero at every point but u = 0,
    # where it is no number. Derivatives here are pointwise, as for where(...): drop it.
    df = _drop_delta(f.diff(X))
    raw = (f, df, _drop_delta(df.diff(X)))
    exprs: list[sp.Expr] = []
    programs: list[Program] = []
    simplified: list[bool] = []
    for expr in raw:
        candidate, done = _simplify(expr, deadline) if expr.free_symbols else (expr, True)
        try:
            program = _compile(candidate, names)
        except CompileError:
            # simplify may introduce a function the compiler does not evaluate; the plain
            # form only holds the grammar's own functions and their derivatives
            candidate, done = expr, False
            program = _compile(expr, names)
        exprs.append(candidate)
        programs.append(program)
        simplified.append(done)
    latex = tuple(sp.latex(expr) for expr in exprs)
    switches = tuple(_compile(arg, names) for arg in _switch_arguments(f))
    return CompiledExpression(
        text=text,
        params=names,
        exprs=(exprs[0], exprs[1], exprs[2]),
        latex=(latex[0], latex[1], latex[2]),
        programs=(programs[0], programs[1], programs[2]),
        switches=switches,
        simplified=(simplified[0], simplified[1], simplified[2]),
    )


def _compile_or_refuse(text: str, names: tuple[str, ...]) -> CompiledExpression | ExpressionError:
    started = time.perf_counter()
    try:
        with time_limit(TIME_BUDGET_S, _OverBudget):
            return _build(text, names)
    except ExpressionError as err:
        return err
    except _OverBudget:
        return ExpressionError(
            "time_budget",
            f"parsing, differentiating and compiling took over the {TIME_BUDGET_S:g} s budget "
            f"({time.perf_counter() - started:.2f} s); simplify the expression",
            0,
            text,
        )
    except RecursionError:
        return ExpressionError("too_deep", "too deeply nested to differentiate", 0, text)
    except Exception as err:  # noqa: BLE001 - sympy's own failures, never a 500
        # e.g. a CompileError (a node the compiler lacks) or a TypeError inside sympy: the
        # grammar allowed the text, but the algebra cannot finish it; say so, with the reason
        logger.warning("expression %r not compiled: %r", text, err)
        return ExpressionError(
            "unsupported", f"the algebra could not handle this ({type(err).__name__})", 0, text
        )


_cache: OrderedDict[tuple[str, tuple[str, ...]], CompiledExpression | ExpressionError] = (
    OrderedDict()
)
_cache_lock = threading.Lock()


def compile_text(text: str, params: Collection[str] = ()) -> CompiledExpression:
    """The compiled expression for `text` with these parameter names; ExpressionError if refused,
    ParamNameError for an unusable name. Refusals are cached too, so repeating an expensive one
    costs nothing."""
    check_param_names(params)
    key = (text, tuple(sorted(params)))
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
    if found is None:
        found = _compile_or_refuse(*key)
        with _cache_lock:
            _cache[key] = found
            while len(_cache) > CACHE_ENTRIES:
                _cache.popitem(last=False)
    if isinstance(found, ExpressionError):
        raise found
    return found


def _build_plain(text: str, names: tuple[str, ...]) -> CompiledExpression:
    f = parse(text, names)
    df = _drop_delta(f.diff(X))
    exprs = (f, df, _drop_delta(df.diff(X)))
    programs = tuple(_compile(expr, names) for expr in exprs)
    return CompiledExpression(
        text=text,
        params=names,
        exprs=exprs,
        latex=(sp.latex(f), sp.latex(df), sp.latex(exprs[2])),
        programs=(programs[0], programs[1], programs[2]),
        switches=(),
        simplified=(False, False, False),
    )


_plain_cache: OrderedDict[tuple[str, tuple[str, ...]], CompiledExpression] = OrderedDict()


def compile_plain(text: str, params: Collection[str] = ()) -> CompiledExpression:
    """f, f', f'' of an expression compile_text accepted, as differentiated and not simplified:
    what training runs on. simplify works under a clock, so on a loaded machine (or in a worker
    process at a lower priority) it may finish for one process and not for another, and the two
    would compute a network with functions that differ in the last bits; the plain forms are the
    same in every process, so a run stays a pure function of its request. No time budget: the
    text passed compile_text's, which does this work and more. Cached as compile_text is."""
    key = (text, tuple(sorted(params)))
    with _cache_lock:
        found = _plain_cache.get(key)
        if found is not None:
            _plain_cache.move_to_end(key)
            return found
    found = _build_plain(*key)
    with _cache_lock:
        _plain_cache[key] = found
        while len(_plain_cache) > CACHE_ENTRIES:
            _plain_cache.popitem(last=False)
    return found
