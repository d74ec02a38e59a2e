"""Custom expressions in training, sweep and gradient-flow requests: compiled and checked in a
thread before a worker is taken, refused with a 422 that names the field.

The request models (app.web.schemas.training, .analysis) check only that an expression comes
exactly with activation "custom": compiling one takes sympy (seconds to import, up to its time
budget per expression), which must not run where FastAPI validates bodies, on the event loop.
The dependencies here run the checks in FastAPI's thread pool (only for a request that has an
expression); they compile the text as POST /api/expressions does (the same grammar, limits,
budget and refusals, with `ctx` giving the position) and check the parameters: each a finite
number, usable as a name, and used by the expression. The worker then rebuilds the activation
from the text and the parameters (app.web.schemas.training.build_activation).
"""

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, NoReturn

from fastapi import Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError

from app.lab.activations import ParamValue
from app.lab.expressions import CUSTOM_NAME, ExpressionError, ParamNameError
from app.web.errors import error_item
from app.web.schemas.analysis import GradientFlowRequest
from app.web.schemas.expressions import ExpressionErrorResponse
from app.web.schemas.live import History
from app.web.schemas.training import SweepRequest, TrainRequest

Loc = tuple[str | int, ...]
# The 422 of the routes that take a custom expression: the error shape, with `ctx` on a refusal
# of the expression text (as the expression routes answer).
EXPRESSION_422: dict[int | str, dict[str, object]] = {
    422: {
        "model": ExpressionErrorResponse,
        "description": "A field is missing, malformed or out of bounds, or a custom expression "
        "is refused: `loc` names the field, `msg` the problem and the column, `ctx` the position "
        "of the refused part.",
    }
}


def _refuse(loc: Loc, msg: str, type_: str, ctx: dict[str, Any] | None = None) -> NoReturn:
    raise RequestValidationError([error_item(loc, msg, type_, ctx)])


def refused_expression(loc: Loc, err: ExpressionError) -> RequestValidationError:
    """The 422 for a refused expression: at `loc`, its type expression_<kind>, and `ctx` with
    the 0-based position and text of the refused part (the expression routes answer so too)."""
    ctx = {"position": err.position, "text": err.text}
    return RequestValidationError([error_item(loc, str(err), f"expression_{err.kind}", ctx)])


def check_custom(
    text: str, given: Mapping[str, object], expression_loc: Loc, params_loc: Loc
) -> dict[str, ParamValue]:
    """The expression's parameter values, checked; else a 422 at the expression (with the
    position of the refused part) or at the parameter."""
    # imported here, on the first expression: sympy's import would slow the app's start
    from app.lab.expressions.custom import custom_activation, training_activation, used_params

    values: dict[str, float] = {}
    for name, value in given.items():
        if isinstance(value, str) or not math.isfinite(value):  # type: ignore[arg-type]
            _refuse((*params_loc, name), "Input should be a valid finite number", "float_type")
        values[name] = float(value)  # type: ignore[arg-type]
    try:
        custom_activation(text, values)  # the full pipeline, under its time budget
    except ExpressionError as err:
        raise refused_expression(expression_loc, err) from None
    except ParamNameError as err:
        loc = params_loc if err.param == "params" else (*params_loc, err.param)
        _refuse(loc, str(err), "value_error")
    try:
        act = training_activation(text, values)
    except Exception as err:  # noqa: BLE001 - sympy's own failures are a 422, never a 500
        # The plain derivatives hold only the grammar's functions and theirs, which the compiler
        # evaluates; should sympy still produce something it does not, say so, as compile_text
        # does, rather than let the worker fail on it.
        msg = f"the algebra could not handle this ({type(err).__name__})"
        _refuse(expression_loc, msg, "expression_unsupported", {"position": 0, "text": text})
    assert act.compiled is not None
    used = used_params(act.compiled)
    for name in values:
        if name not in used:
            known = ", ".join(sorted(used)) or "none"
            _refuse(
                (*params_loc, name),
                f"unknown parameter {name!r}: the expression does not use it (it uses: {known})",
                "value_error",
            )
    return act.resolve(values)


def check_train_request(req: TrainRequest, where: Loc = ("body",)) -> TrainRequest:
    """The body of /api/train and /api/train/stream (or a history's start body, `where`), its
    expression (if any) checked."""
    if req.activation == CUSTOM_NAME:
        assert req.expression is not None
        check_custom(
            req.expression,
            req.activation_params,
            (*where, "expression"),
            (*where, "activation_params"),
        )
    return req


def check_history(history: History) -> History:
    """The body of /api/train/replay: its start body's expression (if any) checked."""
    check_train_request(history.start, ("body", "start"))
    return history


def check_sweep_request(req: SweepRequest) -> SweepRequest:
    """The body of /api/train/sweep and its stream, every custom entry's expression checked."""
    for i, choice in enumerate(req.activations):
        if choice.name == CUSTOM_NAME:
            assert choice.expression is not None
            where: Sequence[str | int] = ("body", "activations", i)
            check_custom(
                choice.expression, choice.params, (*where, "expression"), (*where, "params")
            )
    return req


def check_gradient_flow_request(req: GradientFlowRequest) -> GradientFlowRequest:
    """The body of /api/gradient-flow, its expression (if "custom" is among its names) checked."""
    if CUSTOM_NAME in req.names:
        assert req.expression is not None
        check_custom(
            req.expression,
            req.activation_params.get(CUSTOM_NAME) or {},
            ("body", "expression"),
            ("body", "activation_params", CUSTOM_NAME),
        )
    return req


# The dependencies are async and hand only a request with an expression to the thread pool: a
# plain `def` dependency made every training request wait for a pool thread (for a burst of
# built-in requests, a thread started per request on the event loop), expression or not.
async def checked_train_request(req: TrainRequest) -> TrainRequest:
    if req.activation == CUSTOM_NAME:
        await run_in_threadpool(check_train_request, req)
    return req


async def checked_history(history: History) -> History:
    if history.start.activation == CUSTOM_NAME:
        await run_in_threadpool(check_history, history)
    return history


async def checked_sweep_request(req: SweepRequest) -> SweepRequest:
    if any(choice.name == CUSTOM_NAME for choice in req.activations):
        await run_in_threadpool(check_sweep_request, req)
    return req


async def checked_gradient_flow_request(req: GradientFlowRequest) -> GradientFlowRequest:
    if CUSTOM_NAME in req.names:
        await run_in_threadpool(check_gradient_flow_request, req)
    return req


CheckedTrainRequest = Annotated[TrainRequest, Depends(checked_train_request)]
CheckedHistory = Annotated[History, Depends(checked_history)]
CheckedSweepRequest = Annotated[SweepRequest, Depends(checked_sweep_request)]
CheckedGradientFlowRequest = Annotated[GradientFlowRequest, Depends(checked_gradient_flow_request)]
