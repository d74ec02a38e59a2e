"""Request and response models for custom expressions: POST /api/expressions and the custom
curve and evaluate endpoints. Limits come from app.lab.expressions and the built-in curve's
schemas, never restated."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.lab.expressions import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_PARAMS,
    PROBE_LIMIT,
    TIME_BUDGET_S,
    available_functions,
)
from app.web.schemas.activations import CurveQuery, EvaluateRequest, PropertiesInfo
from app.web.schemas.errors import ErrorItem

if TYPE_CHECKING:
    from app.lab.expressions.custom import CustomActivation

GRAMMAR = (
    "An expression in `x`: numbers, `x`, the declared parameters, `+ - * / **`, unary minus, "
    "`where(cond, a, b)` whose `cond` is one comparison `< <= > >=` (the only place a comparison "
    "may appear; at the switch point the branch the condition selects is taken, derivatives "
    "included), and the functions "
    + ", ".join(f"`{name}`" for name in available_functions())
    + " (catalogue names take their default parameters; `min`/`max` take their first argument "
    f"on a tie). At most {MAX_LENGTH} characters, nesting at most {MAX_DEPTH} deep, constant "
    f"exponents within +-{MAX_EXPONENT}, and {TIME_BUDGET_S:g} s to parse, differentiate, "
    "simplify and compile. Anything else (attributes, subscripts, other calls, lambdas, "
    "comprehensions, strings, keyword arguments) is a 422 whose `ctx` gives the 0-based "
    "`position` of the offending part and its `text`."
)
EXAMPLE = "x * sigmoid(beta * x)"
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
ParamNumbers = dict[str, FiniteFloat]
ExpressionText = Annotated[str, Field(description=GRAMMAR, examples=[EXAMPLE])]
PARAMS_DESCRIPTION = (
    f"Every name the expression uses besides x, with its value (at most {MAX_PARAMS}; a name is "
    "an ASCII letter then letters, digits or _, and not x or a function name)."
)


class ExpressionRequest(BaseModel):
    """An expression and the values of its parameters."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"expression": EXAMPLE, "params": {"beta": 1.7}}]},
    )

    expression: ExpressionText
    params: ParamNumbers = Field(default_factory=dict, description=PARAMS_DESCRIPTION)
    mathml: bool = Field(
        False,
        description="Also answer f, f' and f'' as MathML (`mathml` in the answer), rendered from "
        "the TeX by the server as the catalogue's formula cards are; the pages ask for it.",
    )


class FormulasMathML(BaseModel):
    """f, f' and f'' as MathML display blocks, converted on the server from the TeX."""

    formula: str
    derivative: str
    second_derivative: str


class EstimatedPropertiesInfo(PropertiesInfo):
    """The catalogue's properties, estimated numerically for the given parameters: f, f' and
    f'' sampled on [-1000, 1000] (steps of 0.01 on [-100, 100]), extremes refined by Newton's
    method, branch switches located by bisection and their two sides compared. Estimates, not
    proofs."""

    estimated: Literal[True] = Field(
        True, description="Always true: these are numerical estimates, not declared traits."
    )
    probe_interval: tuple[float, float] = Field(
        (-PROBE_LIMIT, PROBE_LIMIT), description="Where f was sampled for the estimates."
    )


class ExpressionResult(BaseModel):
    """The expression's f, f' and f'' in TeX (simplified by sympy where it finished within its
    budget) and its estimated properties."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "expression": EXAMPLE,
                    "params": {"beta": 1.7},
                    "formula": r"f(x) = x \sigma\left(\beta x\right)",
                    "derivative": r"f'(x) = \left(\beta x \sigma\left(- \beta x\right) + 1\right) "
                    r"\sigma\left(\beta x\right)",
                    "second_derivative": r"f''(x) = \beta \left(\beta x \sigma\left(- \beta x"
                    r"\right) - \beta x \sigma\left(\beta x\right) + 2\right) \sigma\left(- "
                    r"\beta x\right) \sigma\left(\beta x\right)",
                }
            ]
        }
    )

    expression: str
    params: dict[str, float]
    formula: str = Field(description="TeX for f.")
    derivative: str = Field(description="TeX for f'.")
    second_derivative: str = Field(description="TeX for f''.")
    properties: EstimatedPropertiesInfo
    mathml: FormulasMathML | None = Field(
        None,
        description='Present only when the request asked for it (`"mathml": true`): the three '
        "TeX strings as MathML.",
    )

    @classmethod
    def from_domain(
        cls,
        act: "CustomActivation",
        params: dict[str, float],
        mathml: Callable[[str], str] | None = None,
    ) -> "ExpressionResult":
        """The answer for `act` at `params`; `mathml` converts TeX when MathML was asked for."""
        tex = {
            "formula": act.formula,
            "derivative": act.derivative,
            "second_derivative": act.second_derivative,
        }
        return cls(
            expression=act.expression,
            params=params,
            **tex,
            properties=EstimatedPropertiesInfo.model_validate(act.properties(params)),
            mathml=None
            if mathml is None
            else FormulasMathML(**{k: mathml(v) for k, v in tex.items()}),
        )

    def to_json(self) -> dict[str, object]:
        """The answer's JSON; without `mathml` unless it was asked for, so an answer to a request
        that did not ask is the same bytes as before the field existed."""
        return self.model_dump(mode="json", exclude={"mathml"} if self.mathml is None else None)


class CustomEvaluateRequest(EvaluateRequest):
    """An expression, its parameters, and the points to evaluate at (the built-in evaluate's
    limits)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"expression": EXAMPLE, "params": {"beta": 1.7}, "x": [-1.0, 0.0, 2.5]}]
        }
    )

    expression: ExpressionText
    params: ParamNumbers = Field(default_factory=dict, description=PARAMS_DESCRIPTION)  # type: ignore[assignment]


class CustomCurveQuery(CurveQuery):
    """The built-in curve's sampling fields, plus the expression; every other query parameter
    is one of the expression's parameters (`?beta=1.7`)."""

    expression: ExpressionText


class ExpressionErrorContext(BaseModel):
    """Where in the text the refused part starts (0-based characters), and that part."""

    position: int = Field(examples=[7])
    text: str = Field(examples=["__class__"])


class ExpressionErrorItem(ErrorItem):
    """An error item; refusals of the expression also carry where in the text they are."""

    ctx: ExpressionErrorContext | None = Field(
        None, description="Present for a refused expression: the position of the offending part."
    )


class ExpressionErrorResponse(BaseModel):
    """The 422 body of the expression endpoints."""

    detail: list[ExpressionErrorItem]
