"""Request and response models for gradient flow at initialisation and the XOR proof."""

from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.lab.activations import ACTIVATIONS, SATURATION_SLOPE
from app.lab.datasets import MAX_SEED
from app.lab.expressions import CUSTOM_NAME
from app.lab.nn.gradient_flow import LOSS_DEFINITION, MAX_BATCH_SIZE, MAX_DEPTH, MAX_WIDTH
from app.lab.nn.initializers import DEFAULT_INIT, InitName
from app.lab.text import spelled
from app.lab.xor import Relation
from app.web.schemas.activations import ParamValues
from app.web.schemas.training import expression_description


def _known_activation(name: str) -> str:
    if name not in ACTIVATIONS and name != CUSTOM_NAME:
        raise ValueError(f"unknown activation {name!r}; GET /api/activations lists them")
    return name


ActivationName = Annotated[str, AfterValidator(_known_activation)]


class GradientFlowRequest(BaseModel):
    """A deep MLP at initialisation: which activations, how deep and wide, how initialised."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"activations": ["sigmoid", "relu"], "depth": 20, "width": 128, "init": "he"},
                {
                    "activation": "leaky_relu",
                    "activation_params": {"leaky_relu": {"negative_slope": 0.1}},
                    "depth": 3,
                    "width": 4,
                    "init": "xavier",
                    "seed": 0,
                    "batch_size": 8,
                },
            ]
        },
    )

    activation: ActivationName | None = Field(
        None,
        description=f'One catalogue name, or "{CUSTOM_NAME}" with `expression`; give this or '
        "`activations`, not both.",
    )
    activations: list[ActivationName] | None = Field(
        None,
        min_length=1,
        max_length=len(ACTIVATIONS),
        description="Several catalogue names, each measured on the same inputs and weights "
        f'(one of them may be "{CUSTOM_NAME}", with `expression`).',
    )
    expression: str | None = Field(
        None,
        validate_default=True,  # so that "custom" without one is refused
        description=expression_description(f'`activation_params["{CUSTOM_NAME}"]`'),
        examples=["x * sigmoid(beta * x)"],
    )
    activation_params: dict[str, ParamValues] = Field(
        default_factory=dict,
        description="Parameters per activation name (defaults for the ones left out); "
        f'"{CUSTOM_NAME}": the values of the expression\'s parameters.',
        examples=[{"leaky_relu": {"negative_slope": 0.1}}],
    )
    depth: int = Field(20, ge=1, le=MAX_DEPTH, description="Number of hidden layers.")
    width: int = Field(
        128, ge=1, le=MAX_WIDTH, description="Units per layer, and the input dimension."
    )
    init: InitName = Field(
        DEFAULT_INIT,
        description="xavier: Glorot-uniform W, b = 0; he: He-normal W ~ N(0, 2/fan_in), b = 0; "
        "lecun: LeCun-normal W ~ N(0, 1/fan_in), b = 0; uniform: the TensorFlow Playground's "
        "W ~ U(-0.5, 0.5), b = 0.1.",
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Seeds inputs, weights, readout, targets.")
    batch_size: int = Field(256, ge=1, le=MAX_BATCH_SIZE, description="Standard-normal inputs.")

    @field_validator("expression")
    @classmethod
    def _expression_with_custom(cls, text: str | None, info: ValidationInfo) -> str | None:
        """Given exactly when "custom" is among the names (app.web.custom compiles it)."""
        names = [info.data.get("activation"), *(info.data.get("activations") or [])]
        if CUSTOM_NAME in names and text is None:
            raise ValueError(f'activation "{CUSTOM_NAME}" needs an expression')
        if CUSTOM_NAME not in names and text is not None:
            raise ValueError(
                f'an expression is only for activation "{CUSTOM_NAME}"; name it among the '
                "activations, or leave the expression out"
            )
        return text

    @field_validator("activation_params", mode="before")
    @classmethod
    def _custom_numbers(cls, params: Any) -> Any:
        """The expression's parameters are numbers only, as POST /api/expressions takes them."""
        custom = params.get(CUSTOM_NAME) if isinstance(params, dict) else None
        if isinstance(custom, dict):
            for name, value in custom.items():
                if isinstance(value, bool):
                    raise ValueError(
                        f"{CUSTOM_NAME}.{name}: a parameter of an expression is a number, not "
                        f"{str(value).lower()}"
                    )
        return params

    @model_validator(mode="after")
    def _names_given_once(self) -> Self:
        if (self.activation is None) == (self.activations is None):
            raise ValueError("give exactly one of activation (a name) or activations (a list)")
        names = self.names
        if len(set(names)) != len(names):
            raise ValueError("activations: each name at most once")
        stray = sorted(set(self.activation_params) - set(names))
        if stray:
            raise ValueError(f"activation_params: {stray} not among the requested activations")
        return self

    @property
    def names(self) -> list[str]:
        """The requested activation names, in order."""
        return [self.activation] if self.activation is not None else list(self.activations or [])

    @property
    def work(self) -> int:
        """Multiply-adds of one forward pass over every requested activation."""
        return len(self.names) * self.depth * self.width * self.width * self.batch_size


class ActivationFlow(BaseModel):
    """Per-layer numbers for one activation; index i is layer i + 1 (the first hidden layer)."""

    activation: str = Field(examples=["sigmoid"])
    params: ParamValues = Field(description="Every parameter, defaults filled in.")
    loss: float | None = Field(description="L at initialisation; null if it overflowed float64.")
    finite: bool = Field(
        description="False when some value overflowed float64; those numbers are null."
    )
    layer: list[int] = Field(description="Layer numbers 1..depth.")
    weight_grad_norm: list[float | None] = Field(description="||dL/dW_l||, Frobenius.")
    bias_grad_norm: list[float | None] = Field(description="||dL/db_l||.")
    preactivation_grad_norm: list[float | None] = Field(
        description="||dL/dz_l||, Frobenius over (batch, width), z_l = a_{l-1} @ W_l + b_l."
    )
    activation_grad_norm: list[float | None] = Field(
        description="||dL/da_l||, Frobenius over (batch, width), a_l = f(z_l)."
    )
    mean: list[float | None] = Field(description="Mean of a_l over batch and units.")
    std: list[float | None] = Field(description="Standard deviation of a_l (population).")
    zero_fraction: list[float | None] = Field(description="Fraction of a_l exactly 0.")
    saturated_fraction: list[float | None] = Field(
        description=f"Fraction with |f'(z_l)| < {spelled(SATURATION_SLOPE)} and a_l != 0: "
        "disjoint from zero_fraction, "
        "so a ReLU's zeros (where f' = 0 too) are counted once, as zeros."
    )


class GradientFlowResult(BaseModel):
    """The request's network, the loss it was measured with, and one entry per activation."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "depth": 2,
                    "width": 3,
                    "init": "he",
                    "seed": 0,
                    "batch_size": 4,
                    "loss_definition": LOSS_DEFINITION,
                    "results": [
                        {
                            "activation": "relu",
                            "params": {},
                            "loss": 0.4632707931006099,
                            "finite": True,
                            "weight_grad_norm": [0.6279853052082424, 0.891614605959218],
                            "bias_grad_norm": [0.8717597414909858, 0.6596687591216064],
                            "preactivation_grad_norm": [0.5277785463068357, 0.3881028892677161],
                            "activation_grad_norm": [0.579662556448733, 0.40997583802707377],
                            "mean": [0.5148002018281055, 0.35999933037922793],
                            "std": [0.7984100089773333, 0.6784785061631585],
                            "zero_fraction": [0.4166666666666667, 0.5833333333333334],
                            "saturated_fraction": [0.0, 0.0],
                            "layer": [1, 2],
                        }
                    ],
                }
            ]
        }
    )

    depth: int
    width: int
    init: InitName
    seed: int
    batch_size: int
    loss_definition: str
    results: list[ActivationFlow]


class AffineFitInfo(BaseModel):
    """The least-squares affine map y = x @ weights + bias on the truth table."""

    weights: list[float] = Field(examples=[[0.0, 0.0]])
    bias: float = Field(examples=[0.5])
    predictions: list[float] = Field(examples=[[0.5, 0.5, 0.5, 0.5]])
    mse: float = Field(description="mean((prediction - target)^2)", examples=[0.25])


class InequalityInfo(BaseModel):
    """coefficients . (w1, w2, b) <relation> 0: what the listed points demand of a line."""

    inputs: list[list[float]] = Field(examples=[[[0.0, 1.0]]])
    target: float = Field(examples=[1.0])
    coefficients: list[int] = Field(description="Of (w1, w2, b).", examples=[[0, 1, 1]])
    relation: Relation
    text: str = Field(examples=["w2 + b > 0"])


class SeparationProofInfo(BaseModel):
    """Why no line separates XOR: one condition per point, and two sums that contradict."""

    rule: str
    inequalities: list[InequalityInfo] = Field(description="One per point, in table order.")
    sums: list[InequalityInfo] = Field(
        description="The sum over the points labelled 1, then over those labelled 0."
    )
    contradiction: str
    statement: str


class XorLinearResult(BaseModel):
    """The truth table, the best affine fit to it and the proof that no line separates it."""

    inputs: list[list[float]] = Field(examples=[[[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]])
    targets: list[float] = Field(examples=[[0.0, 1.0, 1.0, 0.0]])
    fit: AffineFitInfo
    proof: SeparationProofInfo


class XorSolutionResult(BaseModel):
    """The hand-set network y = relu(x @ W + c) @ w + b and what it computes on the table."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "inputs": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
                    "targets": [0.0, 1.0, 1.0, 0.0],
                    "hidden_weights": [[1.0, 1.0], [1.0, 1.0]],
                    "hidden_biases": [0.0, -1.0],
                    "output_weights": [1.0, -2.0],
                    "output_bias": 0.0,
                    "hidden_preactivations": [[0.0, -1.0], [1.0, 0.0], [1.0, 0.0], [2.0, 1.0]],
                    "hidden_activations": [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [2.0, 1.0]],
                    "outputs": [0.0, 1.0, 1.0, 0.0],
                }
            ]
        }
    )

    inputs: list[list[float]]
    targets: list[float]
    hidden_weights: list[list[float]] = Field(description="W, shape (2, 2): a = relu(x @ W + c).")
    hidden_biases: list[float] = Field(description="c.")
    output_weights: list[float] = Field(description="w: y = a @ w + b.")
    output_bias: float = Field(description="b.")
    hidden_preactivations: list[list[float]] = Field(description="x @ W + c per input.")
    hidden_activations: list[list[float]] = Field(description="a = relu(x @ W + c) per input.")
    outputs: list[float] = Field(description="y per input: exactly the targets.")
