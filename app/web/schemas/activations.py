"""Request and response models for the catalogue, curve, evaluate and softmax endpoints."""

import math
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.lab.activations import Activation
from app.lab.activations.base import Continuity, Parity, Source
from app.lab.activations.sampling import (
    MAX_CURVE_POINTS,
    MAX_EVALUATE_POINTS,
    MIN_POINTS,
    POINTS,
    X_LIMIT,
    X_MAX,
    X_MIN,
)

MAX_LOGITS = 1000
# The Jacobian is K x K: 22.4 MB of JSON at 1000 logits. It comes unasked up to 64 logits
# (4096 entries, about 90 kB) and on request ("jacobian": true) up to 256 (about 1.4 MB).
JACOBIAN_DEFAULT_LOGITS = 64
JACOBIAN_MAX_LOGITS = 256

FiniteX = Annotated[float, Field(ge=-X_LIMIT, le=X_LIMIT, allow_inf_nan=False)]
ParamValues = dict[str, float | str]


class ParamInfo(BaseModel):
    """One parameter: PyTorch's name and default where PyTorch has the function."""

    # Read straight from the domain's Param (ParamInfo.model_validate(param)).
    model_config = ConfigDict(from_attributes=True)

    name: str = Field(examples=["alpha"])
    default: float | str = Field(examples=[1.0])
    min: float | None = Field(description="Lower bound (null: none).", examples=[0.0])
    max: float | None = Field(description="Upper bound (null: none).", examples=[5.0])
    min_exclusive: bool = Field(description="True when min itself is not allowed.")
    max_exclusive: bool = Field(description="True when max itself is not allowed.")
    choices: list[str] | None = Field(description="Allowed strings for a categorical parameter.")
    description: str


class PropertiesInfo(BaseModel):
    """Properties of the mathematical function for the given parameters, each checked
    numerically; where the PyTorch-compatible numbers depart from it (softplus's threshold
    switch), the entry's caveats say so."""

    # Read straight from the domain's Properties (PropertiesInfo.model_validate(props)).
    model_config = ConfigDict(from_attributes=True)

    range: tuple[float | None, float | None] = Field(
        description="[infimum, supremum], reached or not (see range_attained); null on an "
        "unbounded side.",
        examples=[[-1.7580993408473766, None]],
    )
    range_attained: tuple[bool, bool] = Field(
        description="For each end of `range`, whether some finite x gives exactly that value: "
        "ReLU [true, false] (f(0) = 0), sigmoid [false, false] (0 and 1 are only approached), "
        "hardtanh [true, true]; false on an unbounded side. A page prints [ for a reached end, "
        "( for one that is not: sigmoid (0, 1), ReLU [0, inf).",
        examples=[[False, False]],
    )
    monotonic: bool = Field(description="Non-decreasing or non-increasing (not strictly).")
    continuity: Continuity
    parity: Parity
    zero_centered: bool = Field(
        description="Outputs centred on 0 for standard-normal inputs: |E f(Z)| <= 0.1 sd f(Z) "
        "with Z ~ N(0, 1), computed for these parameters by a fixed quadrature (the normal "
        "density on 24001 points over [-12, 12]). tanh, softsign, SELU and every odd function: "
        "true; sigmoid, ReLU, GELU, SiLU, Mish, Leaky ReLU: false."
    )
    bounded: bool = Field(description="Both ends of the range are finite.")
    saturating: bool = Field(description="f'(x) -> 0 as x -> +inf or as x -> -inf.")
    identity_near_origin: bool = Field(description="f(0) = 0 and f'(0) = 1.")


class ActivationInfo(BaseModel):
    """One catalogue entry, with properties at its default parameters."""

    name: str = Field(examples=["elu"])
    label: str = Field(examples=["ELU"])
    params: list[ParamInfo]
    formula: str = Field(description="TeX for f.", examples=[r"f(x) = \max(0, x)"])
    derivative: str = Field(description="TeX for f'.")
    properties: PropertiesInfo
    use: str = Field(description="What it is good for.")
    caveats: str = Field(description="What to watch out for.")
    source: Source = Field(
        description="'pytorch' when torch.nn.functional has it under this name and defaults."
    )

    @classmethod
    def from_domain(cls, act: Activation, params: ParamValues | None = None) -> Self:
        """The entry, with properties for `params` (its defaults when None)."""
        return cls(
            name=act.name,
            label=act.label,
            params=[ParamInfo.model_validate(p) for p in act.params],
            formula=act.formula,
            derivative=act.derivative,
            properties=PropertiesInfo.model_validate(act.properties(params)),
            use=act.use,
            caveats=act.caveats,
            source=act.source,
        )


class ActivationList(BaseModel):
    """The whole catalogue."""

    activations: list[ActivationInfo]


class CurveResult(BaseModel):
    """f, f' and f'' sampled at x; null only where a value exceeds float64 (exponential)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "relu",
                    "params": {},
                    "x": [-1.0, 0.0, 1.0],
                    "y": [0.0, 0.0, 1.0],
                    "dydx": [0.0, 0.0, 1.0],
                    "d2ydx2": [0.0, 0.0, 0.0],
                }
            ]
        }
    )

    name: str
    params: ParamValues = Field(description="Every parameter, defaults filled in.")
    x: list[float]
    y: list[float | None]
    dydx: list[float | None]
    d2ydx2: list[float | None]


class CurveQuery(BaseModel):
    """Where to sample: x = linspace(x_min, x_max, points), both ends included."""

    x_min: FiniteX = X_MIN
    # validate_default: x_min=10 alone must meet the check against the default x_max too.
    x_max: FiniteX = Field(X_MAX, validate_default=True)
    points: int = Field(POINTS, ge=MIN_POINTS, le=MAX_CURVE_POINTS)

    @field_validator("x_max")
    @classmethod
    def _x_max_above_x_min(cls, x_max: float, info: ValidationInfo) -> float:
        x_min = info.data.get("x_min")
        if x_min is not None and x_max <= x_min:
            raise ValueError(f"x_max must be greater than x_min ({x_min:g})")
        return x_max


class EvaluateRequest(BaseModel):
    """Points to evaluate at, and parameters (defaults for the ones left out)."""

    # strict: JSON true/false or "1.5" are not numbers (ints still are).
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"x": [-1.0, 0.0, 2.5], "params": {"alpha": 0.5}}]},
    )

    x: list[FiniteX] = Field(min_length=1, max_length=MAX_EVALUATE_POINTS)
    params: ParamValues = Field(default_factory=dict)


class SoftmaxRequest(BaseModel):
    """Logits and a temperature T: p = softmax(logits / T)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"logits": [2.0, 1.0, 0.1], "temperature": 1.0}]},
    )

    logits: list[Annotated[float, Field(allow_inf_nan=False)]] = Field(
        min_length=2, max_length=MAX_LOGITS
    )
    # The Jacobian scales as 1/T: below 1e-6 a legitimate answer could exceed float64.
    temperature: float = Field(1.0, ge=1e-6, allow_inf_nan=False)
    jacobian: bool | None = Field(
        None,
        description=f"Return the K x K Jacobian: by default (null) only up to "
        f"{JACOBIAN_DEFAULT_LOGITS} logits; true asks for it up to {JACOBIAN_MAX_LOGITS} "
        f"(more is a 422); false never.",
    )

    @property
    def wants_jacobian(self) -> bool:
        if self.jacobian is None:
            return len(self.logits) <= JACOBIAN_DEFAULT_LOGITS
        return self.jacobian

    @model_validator(mode="after")
    def _jacobian_fits(self) -> Self:
        if self.jacobian and len(self.logits) > JACOBIAN_MAX_LOGITS:
            raise ValueError(
                f"jacobian: returned for at most {JACOBIAN_MAX_LOGITS} logits, got "
                f"{len(self.logits)}; send jacobian: false or fewer logits"
            )
        return self

    @model_validator(mode="after")
    def _spread_fits_float64(self) -> Self:
        # Exact for any spread, but (max - min) / T must itself be a float64 for log p to be one.
        spread = (max(self.logits) - min(self.logits)) / self.temperature
        if not math.isfinite(spread) or spread > 1e300:
            raise ValueError("temperature: too small for the spread of these logits")
        return self


class SoftmaxOut(BaseModel):
    """Probabilities, their logs, and jacobian[i][j] = d probabilities[i] / d logits[j]."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "probabilities": [0.7310585786300049, 0.2689414213699951],
                    "log_probabilities": [-0.31326168751822286, -1.3132616875182228],
                    "jacobian": [
                        [0.19661193324148185, -0.19661193324148185],
                        [-0.19661193324148185, 0.19661193324148185],
                    ],
                }
            ]
        }
    )

    probabilities: list[float]
    log_probabilities: list[float]
    jacobian: list[list[float]] | None = Field(
        description=f"null unless asked for; by default given up to {JACOBIAN_DEFAULT_LOGITS} "
        "logits (see the request's `jacobian`)."
    )


class ActivationDetail(ActivationInfo):
    """One entry, with properties computed for `param_values`."""

    param_values: ParamValues = Field(
        description="The parameters the properties were computed for, defaults filled in."
    )
