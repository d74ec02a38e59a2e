"""Custom activations from an expression: its TeX and properties, its curve, its values.

Registered before the catalogue's router, so /api/activations/custom/... is answered here and
never reaches /api/activations/{name}. `custom` is not a catalogue name, so the curve fast path
(app.web.curves.parse_plain_request) declines these requests and they are validated here.
"""

from typing import TYPE_CHECKING, Annotated

import numpy as np
from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from app.lab.activations import ParamValue
from app.lab.expressions import (
    CUSTOM_NAME,
    ExpressionError,
    ParamNameError,
)
from app.web.curves import sample

if TYPE_CHECKING:
    from app.lab.expressions.custom import CustomActivation
from app.web.custom import refused_expression
from app.web.dependencies import CURVE_SAMPLING, resolve_params
from app.web.errors import error_item
from app.web.formulas import formula_mathml
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
_QUERY_FIELDS = CURVE_SAMPLING | {EXPRESSION_FIELD}


def _activation(where: str, text: str, params: dict[str, float]) -> "CustomActivation":
    """The compiled expression as an activation, or the 422 that says what is wrong and where."""
    # imported here, on the first expression: sympy's import would slow every worker's start
    from app.lab.expressions.custom import custom_activation

    try:
        return custom_activation(text, params)
    except ExpressionError as err:
        raise refused_expression((where, EXPRESSION_FIELD), err) from None
    except ParamNameError as err:
        loc = (where, err.param) if where == "query" else (where, "params", err.param)
        raise RequestValidationError([error_item(loc, str(err), "value_error")]) from None


def _resolve(
    where: str, act: "CustomActivation", given: dict[str, object]
) -> dict[str, ParamValue]:
    return resolve_params(act, given, (where,) if where == "query" else (where, "params"))


@router.post("/api/expressions", response_model=ExpressionResult, responses=RESPONSES)
def describe_expression(req: ExpressionRequest) -> Response:
    """An expression's f, f' and f'' in TeX, and its properties estimated for these parameters.

    The derivatives are exact (sympy), simplified where simplification finishes in its budget;
    f, f' and f'' are compiled once per expression and parameter names into numpy and cached.
    With `"mathml": true` the answer also carries the three as MathML (what the pages show).
    """
    act = _activation("body", req.expression, dict(req.params))
    params = _resolve("body", act, dict(req.params))
    values = {k: float(v) for k, v in params.items()}
    result = ExpressionResult.from_domain(act, values, formula_mathml if req.mathml else None)
    return json_response(result.to_json())


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
