"""Custom activations from an expression: its TeX and properties, its curve, its values.

Registered before the catalogue's router, so /api/activations/custom/... is answered here and
never reaches /api/activations/{name}. `custom` is not a catalogue name, so the curve fast path
(app.web.curves.parse_plain_request) declines these requests and they are validated here.
"""

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from app.lab.activations import ParamError, ParamValue
from app.lab.expressions import (
    CUSTOM_NAME,
    CustomActivation,
    ExpressionError,
    ParamNameError,
    custom_activation,
)
from app.web.curves import SAMPLING_FIELDS, sample
from app.web.errors import error_item, invalid_param
from app.web.responses import OrjsonRoute, json_response
from app.web.schemas.activations import CurveResult
from app.web.schemas.errors import ERROR_RESPONSES
from app.web.schemas.expressions import (
    CustomCurveQuery,
    CustomEvaluateRequest,
    ExpressionErrorResponse,
    ExpressionRequest,
    ExpressionResult,
)

router = APIRouter(route_class=OrjsonRoute, tags=["expressions"])
RESPONSES: dict[int | str, dict[str, object]] = {
    **ERROR_RESPONSES,
    422: {
        "model": ExpressionErrorResponse,
        "description": "A field is missing, malformed or out of bounds, or the expression is "
        "refused: `loc` names the field, `msg` the problem and the column, `ctx` the position.",
    },
}
EXPRESSION_FIELD = "expression"
_QUERY_FIELDS = SAMPLING_FIELDS | {EXPRESSION_FIELD}


def _activation(where: str, text: str, params: dict[str, float]) -> CustomActivation:
    """The compiled expression as an activation, or the 422 that says what is wrong and where."""
    try:
        return custom_activation(text, params)
    except ExpressionError as err:
        raise RequestValidationError(
            [
                error_item(
                    (where, EXPRESSION_FIELD),
                    str(err),
                    f"expression_{err.kind}",
                    {"position": err.position, "text": err.text},
                )
            ]
        ) from None
    except (ParamNameError, ParamError) as err:
        raise invalid_param(where, ParamError(err.param, err.message)) from None


def _resolve(where: str, act: CustomActivation, given: dict[str, object]) -> dict[str, ParamValue]:
    try:
        return act.resolve(given)
    except ParamError as err:
        raise invalid_param(where, err) from None


@router.post("/api/expressions", response_model=ExpressionResult, responses=RESPONSES)
def describe_expression(req: ExpressionRequest) -> Response:
    """An expression's f, f' and f'' in TeX, and its properties estimated for these parameters.

    The derivatives are exact (sympy), simplified where simplification finishes in its budget;
    f, f' and f'' are compiled once per expression and parameter names into numpy and cached.
    """
    act = _activation("body", req.expression, dict(req.params))
    params = _resolve("body", act, dict(req.params))
    result = ExpressionResult.from_domain(act, {k: float(v) for k, v in params.items()})
    return json_response(result.model_dump(mode="json"))


@router.post(
    f"/api/activations/{CUSTOM_NAME}/evaluate", response_model=CurveResult, responses=RESPONSES
)
def evaluate_expression(req: CustomEvaluateRequest) -> Response:
    """f, f' and f'' of an expression at the given x, exactly like a built-in's evaluate.

    `name` is "custom"; values that exceed float64 (e^x above 709.78), or where the expression
    is not defined (log of a negative number), are null.
    """
    act = _activation("body", req.expression, dict(req.params))
    params = _resolve("body", act, dict(req.params))
    return json_response(sample(act, np.asarray(req.x, dtype=np.float64), params))


@router.get(
    f"/api/activations/{CUSTOM_NAME}/curve", response_model=CurveResult, responses=RESPONSES
)
def expression_curve(query: Annotated[CustomCurveQuery, Query()], request: Request) -> Response:
    """f, f' and f'' of an expression at x = linspace(x_min, x_max, points), ends included.

    The built-in curve's sampling fields and limits; every other query parameter is one of the
    expression's parameters: `?expression=x*sigmoid(beta*x)&beta=1.7`. Null where a value
    exceeds float64 or the expression is not defined.
    """
    given: dict[str, object] = {
        k: v for k, v in request.query_params.items() if k not in _QUERY_FIELDS
    }
    # names first (the compiled functions depend on them only); values are checked by resolve
    act = _activation("query", query.expression, dict.fromkeys(given, 0.0))
    params = _resolve("query", act, given)
    x = np.linspace(query.x_min, query.x_max, query.points)
    return json_response(sample(act, x, params))
