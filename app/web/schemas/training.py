"""Request models for /api/train and /api/train/sweep (and their /stream variants).

Every check that can be made from the body alone is a validator here, so a bad body is a 422
naming the field; the limits that come from settings are checked in the router.
"""

from typing import TYPE_CHECKING, Annotated, Any, Self

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from app.config import Settings
from app.lab import datasets
from app.lab.activations import (
    ACTIVATIONS,
    Activation,
    ParamError,
    ParamValue,
    UnknownActivation,
    get_activation,
)
from app.lab.datasets import (
    DATASET_NAMES,
    FEATURE_NAMES,
    MAX_SEED,
    FeatureName,
)
from app.lab.expressions import CUSTOM_NAME, MAX_LENGTH
from app.lab.nn import training
from app.lab.nn.hidden_space import (
    MAX_IDENTITY_WIDTH,
    HiddenSpaceError,
    LayerKeyword,
    resolve_layers,
)
from app.lab.nn.initializers import DEFAULT_INIT, InitName
from app.lab.nn.mlp import (
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    Head,
    HeadError,
    Layout,
    LossName,
    OptimizerName,
    OutputName,
    RegularizationName,
    default_output,
)
from app.lab.nn.training import TrainConfig, record_count, snapshot_count, thumbnail_points
from app.lab.nn.work import CUSTOM_TIME_FACTOR, RunShape
from app.web.schemas.datasets import DatasetSpec, GeneratedDataset, OwnPoints

if TYPE_CHECKING:
    from app.lab.expressions.custom import CustomActivation

WEIGHT_LIMIT = 1000.0
MAX_GRID_VALUES = 500_000  # snapshots x grid^2: 200 snapshots at 50 x 50, or 50 at 100 x 100
# Every number the snapshots hold: snapshots x (output units x grid^2 + hidden units x
# thumbnail^2). 200 snapshots of 8 x 64 hidden units on spiral3 held 11.7 million, a 66 MB
# response; the cap admits the Train page's default (50 snapshots at 50 x 50) with any network
# the API accepts (2.9 million, 17.5 MB, 4.5 MB gzipped).
MAX_SNAPSHOT_VALUES = 3_000_000


def expression_description(params_field: str) -> str:
    """The description of an `expression` field whose parameters go in `params_field`."""
    return (
        f'With activation "{CUSTOM_NAME}" only, and then required: the activation as an '
        "expression in x (the grammar of POST /api/expressions); the value of every parameter "
        f"it uses, and no other, goes in {params_field}. At most {MAX_LENGTH} characters. A "
        "refused expression is a 422 at this field whose `ctx` gives the position."
    )


WeightValue = Annotated[float, Field(ge=-WEIGHT_LIMIT, le=WEIGHT_LIMIT, allow_inf_nan=False)]
ParamValues = dict[str, float | str]


class LayerWeights(BaseModel):
    """One layer's parameters: the layer computes a @ W + b."""

    model_config = ConfigDict(extra="forbid")

    W: list[list[WeightValue]] = Field(description="Shape (in, out).", examples=[[[1, 1], [1, 1]]])
    b: list[WeightValue] = Field(description="Shape (out,).", examples=[[0, -1]])


class ActivationChoice(BaseModel):
    """A catalogue activation and its parameters (defaults filled in for the rest), or "custom"
    with an expression and the values of its parameters."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(examples=["leaky_relu"])
    # validate_default: an omitted params must still get its defaults filled in.
    params: ParamValues = Field(
        default_factory=dict, validate_default=True, examples=[{"negative_slope": 0.1}]
    )
    expression: str | None = Field(
        None,
        validate_default=True,  # so that "custom" without one is refused
        description=expression_description("`params`"),
        examples=["x * sigmoid(beta * x)"],
    )

    @field_validator("name")
    @classmethod
    def known(cls, name: str) -> str:
        return check_activation(name)

    @field_validator("params", mode="before")
    @classmethod
    def numbers(cls, params: Any, info: ValidationInfo) -> Any:
        return custom_numbers(info, "name", params)

    @field_validator("params")
    @classmethod
    def valid(cls, params: ParamValues, info: ValidationInfo) -> dict[str, float | str]:
        return params_of(info, "name", params)

    @field_validator("expression")
    @classmethod
    def expression_fits(cls, text: str | None, info: ValidationInfo) -> str | None:
        return expression_of(info, "name", text)

    def activation(self) -> Activation:
        return build_activation(self.name, self.expression, self.params)


def choice_from_name(value: Any) -> Any:
    """A bare name stands for {"name": name} with default parameters."""
    return {"name": value} if isinstance(value, str) else value


ActivationItem = Annotated[
    ActivationChoice,
    BeforeValidator(choice_from_name, json_schema_input_type=str | ActivationChoice),
]


def check_activation(name: str) -> str:
    if name == CUSTOM_NAME:
        return name
    try:
        get_activation(name)
    except UnknownActivation:
        raise ValueError(
            f"unknown activation {name!r}; GET /api/activations lists the {len(ACTIVATIONS)} names"
        ) from None
    return name


def resolve_params(name: str, params: ParamValues) -> dict[str, float | str]:
    try:
        return get_activation(name).resolve(params)
    except ParamError as err:
        raise ValueError(f"{err.param}: {err.message}") from None


def params_of(info: ValidationInfo, key: str, params: ParamValues) -> dict[str, float | str]:
    """The params resolved for the activation validated just before them under `key`."""
    name = info.data.get(key)
    if name is None:  # the name itself was rejected; that error says enough
        return params
    if name == CUSTOM_NAME:  # they depend on the expression: app.web.custom checks them
        return params
    return resolve_params(name, params)


def custom_numbers(info: ValidationInfo, key: str, params: Any) -> Any:
    """The raw params of a custom expression: numbers only, as POST /api/expressions takes them
    (strictly: true is no 1.0 there, and would become one in the lax float | str below)."""
    if info.data.get(key) == CUSTOM_NAME and isinstance(params, dict):
        for name, value in params.items():
            if isinstance(value, bool):
                raise ValueError(
                    f"{name}: a parameter of an expression is a number, not {str(value).lower()}"
                )
    return params


def expression_of(info: ValidationInfo, key: str, text: str | None) -> str | None:
    """The expression, given exactly when the activation validated under `key` is "custom".

    Only this pairing is checked here: compiling the text takes sympy (seconds to import, up to
    its time budget to compile), which must not run where FastAPI validates bodies, on the event
    loop; app.web.custom compiles it in a thread and says what is wrong and where."""
    name = info.data.get(key)
    if name == CUSTOM_NAME and text is None:
        raise ValueError(
            f'activation "{CUSTOM_NAME}" needs an expression, e.g. "x * sigmoid(beta * x)"'
        )
    if name is not None and name != CUSTOM_NAME and text is not None:
        raise ValueError(
            f'an expression is only for activation "{CUSTOM_NAME}"; {name!r} is a catalogue '
            'entry (leave the expression out, or name the activation "custom")'
        )
    return text


def build_activation(name: str, expression: str | None, params: ParamValues) -> Activation:
    """The catalogue entry, or the custom expression compiled for training (in this process:
    a worker rebuilds it from the text and the parameters, cached by both)."""
    if name != CUSTOM_NAME:
        return get_activation(name)
    assert expression is not None  # expression_of saw to it
    # imported here, on the first custom run: sympy's import would slow every worker's start
    from app.lab.expressions.custom import training_activation

    return training_activation(expression, {k: float(v) for k, v in params.items()})


def resolve_head(
    n_classes: int, output: OutputName | None, loss: LossName | None
) -> tuple[OutputName, LossName]:
    """Fill in the output and loss for the data's classes, or say what does not fit (the rules
    are the domain's: app.lab.nn.mlp.Head)."""
    head = Head.for_classes(n_classes, output, loss)
    return head.output, head.loss


def classes_of(dataset: DatasetSpec, output: OutputName | None) -> int:
    """Classes in the data (0: a regression set); own points count their labels."""
    if isinstance(dataset, OwnPoints):
        return datasets.n_classes_of_points(dataset.max_label, output == "sigmoid")
    name = dataset if isinstance(dataset, str) else dataset.name
    return datasets.N_CLASSES[name]


def regression_head(info: ValidationInfo, output: OutputName | None) -> bool | None:
    """Whether the data (validated before the head's fields) is a regression set or the output
    is linear: the pairings refused at the head's own fields. None when the data was refused."""
    if "dataset" not in info.data:
        return None
    return classes_of(info.data["dataset"], output) == 0 or output == "linear"


def refused(err: HeadError) -> ValueError:
    return ValueError(str(err))


class TrainingOptions(BaseModel):
    """What /api/train and /api/train/sweep share: data, network, optimiser and output grid."""

    model_config = ConfigDict(extra="forbid")

    dataset: DatasetSpec = Field(
        "xor",
        description="A name (" + ", ".join(f'"{name}"' for name in DATASET_NAMES) + ")"
        ', an object {"name", "n_samples", "noise", "train_fraction", "seed"}, or '
        '{"points": [[x1, x2, label], ...]}.',
        examples=["xor", {"name": "spiral", "n_samples": 400, "noise": 0.1}],
    )
    features: list[FeatureName] = Field(
        ["x1", "x2"],
        min_length=1,
        max_length=len(FEATURE_NAMES),
        description="Network inputs computed from (x1, x2), in this order, as in the Playground.",
    )
    hidden_layers: list[Annotated[int, Field(ge=1, le=MAX_UNITS)]] = Field(
        [4],
        max_length=MAX_HIDDEN_LAYERS,
        description=f"Units per hidden layer: 0 to {MAX_HIDDEN_LAYERS} layers of 1 to "
        f"{MAX_UNITS} units.",
    )
    output: OutputName | None = Field(
        None,
        description="'sigmoid' (two classes, one unit), 'softmax' (K units) or 'linear' (one "
        f"unit, the regression sets {', '.join(datasets.REGRESSION_NAMES)}); null: sigmoid for "
        "two classes, softmax for more, linear for a regression set.",
    )
    loss: LossName | None = Field(
        None,
        description="'bce' or 'mse' with sigmoid, 'cross_entropy' with softmax, 'mse' with "
        "linear; null: bce, cross_entropy or mse.",
    )
    optimizer: OptimizerName = Field(
        "sgd", description="'sgd', 'momentum' (0.9) or 'adam' (0.9, 0.999, 1e-8)."
    )
    learning_rate: float = Field(0.1, gt=0.0, le=10.0)
    epochs: int = Field(
        2000,
        ge=1,
        description="Passes over the training set (at most "
        f"{Settings.model_fields['train_max_epochs'].default} by default).",
    )
    batch_size: int | None = Field(
        None,
        ge=1,
        description="Mini-batch size, reshuffled every epoch from the seed; null or at least "
        "the training-set size: full batch.",
    )
    regularization: RegularizationName = Field(
        "none", description="'l1': rate * sum|W|; 'l2': rate * sum W^2 / 2; weights only."
    )
    reg_rate: float = Field(0.0, ge=0.0, le=10.0)
    init: InitName = Field(
        DEFAULT_INIT,
        description="'xavier' (Glorot-uniform, zero biases), 'he' (He-normal, zero biases), "
        "'lecun' (LeCun-normal, zero biases), 'uniform' (U(-0.5, 0.5), biases 0.1, as the "
        "TensorFlow Playground).",
    )
    snapshots: int = Field(
        50, ge=0, le=200, description="Evenly spaced snapshots of the decision surface."
    )
    grid: int = Field(
        training.DEFAULT_GRID, ge=2, le=100, description="Snapshot grid resolution per axis."
    )

    @field_validator("features")
    @classmethod
    def features_unique(cls, names: list[str]) -> list[str]:
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"each feature at most once; repeated: {', '.join(repeated)}")
        return names

    @field_validator("output")
    @classmethod
    def output_fits_data(cls, output: OutputName | None, info: ValidationInfo) -> OutputName | None:
        """A regression set takes the linear output, and only a regression set does."""
        if output is not None and regression_head(info, output):
            try:
                Head.for_classes(classes_of(info.data["dataset"], output), output)
            except HeadError as err:
                raise refused(err) from None
        return output

    @field_validator("loss")
    @classmethod
    def loss_fits_linear(cls, loss: LossName | None, info: ValidationInfo) -> LossName | None:
        """The linear output is trained with mse alone."""
        if loss is None or "output" not in info.data:  # no loss given, or the output refused
            return loss
        output = info.data["output"]
        if regression_head(info, output):
            try:
                Head(output or default_output(classes_of(info.data["dataset"], output)), loss)
            except HeadError as err:
                raise refused(err) from None
        return loss

    @model_validator(mode="after")
    def fits_together(self) -> Self:
        if self.snapshots * self.grid**2 > MAX_GRID_VALUES:
            raise ValueError(
                f"snapshots x grid^2 = {self.snapshots * self.grid**2} exceeds the cap of "
                f"{MAX_GRID_VALUES}; lower snapshots or grid"
            )
        self.head()  # raises when output, loss and the data's classes do not fit
        return self

    @property
    def n_classes(self) -> int:
        return classes_of(self.dataset, self.output)

    def head(self) -> tuple[OutputName, LossName]:
        if (
            isinstance(self.dataset, OwnPoints)
            and self.output == "sigmoid"
            and self.dataset.max_label > 1
        ):
            raise ValueError(
                f"points carry label {self.dataset.max_label}; output 'sigmoid' takes labels 0 "
                "and 1 (use 'softmax' for more classes)"
            )
        return resolve_head(self.n_classes, self.output, self.loss)

    @property
    def n_train(self) -> int:
        if isinstance(self.dataset, OwnPoints):
            return len(self.dataset.points)
        if isinstance(self.dataset, str):
            return GeneratedDataset(name=self.dataset).n_train
        return self.dataset.n_train

    @property
    def n_test(self) -> int:
        if isinstance(self.dataset, OwnPoints):
            return 0
        if isinstance(self.dataset, str):
            return GeneratedDataset(name=self.dataset).n_test
        return self.dataset.n_test

    def custom_activations(self) -> "list[CustomActivation]":
        """The custom expressions this request trains with, compiled for training."""
        return []

    def run_shape(self, networks: int, stages: int = 1, snapshot_values: int = 0) -> RunShape:
        """The sizes app.lab.nn.work estimates this request's memory and time from."""
        customs = self.custom_activations()
        temporaries = 0
        if customs:
            from app.lab.expressions.custom import temporaries as count  # sympy is loaded

            temporaries = max(count(act) for act in customs)
        return RunShape(
            sizes=self.layout().sizes,
            n_train=self.n_train,
            n_test=self.n_test,
            networks=networks,
            stages=stages,
            epochs=self.epochs,
            batch_size=self.batch_size,
            recorded=record_count(self.epochs),
            snapshot_values=snapshot_values,
            grid=self.grid if snapshot_values else 0,
            custom_stages=len(customs),
            custom_temporaries=temporaries,
        )

    def layout(self) -> Layout:
        output, loss = self.head()
        return Head(output, loss).layout(len(self.features), self.hidden_layers, self.n_classes)

    def build_dataset(self) -> datasets.Dataset:
        if isinstance(self.dataset, OwnPoints):
            return self.dataset.build(self.n_classes)
        if isinstance(self.dataset, str):
            return GeneratedDataset(name=self.dataset).build()
        return self.dataset.build()

    def config(
        self,
        activation: str,
        params: dict[str, ParamValue],
        expression: str | None = None,
        **extra: Any,
    ) -> TrainConfig:
        """The domain configuration for one activation (a custom one compiled from expression)."""
        output, loss = self.head()
        return TrainConfig(
            dataset=self.build_dataset(),
            features=tuple(self.features),
            activation=build_activation(activation, expression, params),
            activation_params=params,
            hidden_layers=tuple(self.hidden_layers),
            output=output,
            loss=loss,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            epochs=self.epochs,
            batch_size=self.batch_size,
            regularization=self.regularization,
            reg_rate=self.reg_rate,
            init=self.init,
            snapshots=self.snapshots,
            grid=self.grid,
            **extra,
        )


class TrainRequest(TrainingOptions):
    """Body of POST /api/train and /api/train/stream."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"dataset": "xor", "activation": "tanh", "hidden_layers": [4], "epochs": 2000},
                {
                    "dataset": {"name": "spiral", "n_samples": 400, "noise": 0.1},
                    "features": ["x1", "x2", "sin_x1", "sin_x2"],
                    "activation": "relu",
                    "hidden_layers": [8, 8],
                    "optimizer": "adam",
                    "learning_rate": 0.01,
                    "batch_size": 20,
                    "epochs": 500,
                },
            ]
        },
    )

    activation: str = Field(
        "tanh",
        description=f'Catalogue name for every hidden layer, or "{CUSTOM_NAME}" with an '
        "`expression`.",
        examples=["tanh"],
    )
    # validate_default, as in ActivationChoice: an omitted params still gets its defaults.
    activation_params: ParamValues = Field(
        default_factory=dict,
        validate_default=True,
        description="Parameters of the activation; defaults fill the rest. With "
        f'"{CUSTOM_NAME}": the value of every parameter the expression uses, by name.',
        examples=[{}],
    )
    expression: str | None = Field(
        None,
        validate_default=True,  # so that "custom" without one is refused
        description=expression_description("`activation_params`"),
        examples=["where(x > 0, x, a * (exp(x) - 1))"],
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Seed of the initial weights and shuffles.")
    initial_weights: list[LayerWeights] | None = Field(
        None,
        description="One {W, b} per layer (hidden layers, then the output layer), W of shape "
        "(in, out); replaces `init`.",
    )
    hidden_space: Annotated[int, Field(ge=0)] | LayerKeyword | None = Field(
        None,
        description="Opt-in (null: nothing added, the answer as without it): a hidden layer's "
        "index (0-based), 'last' or 'all'; then every snapshot carries `hidden_space`, the "
        "training and test points in that layer's coordinates with the output's decision "
        f"boundary there (the units themselves up to {MAX_IDENTITY_WIDTH} units, a PCA "
        "projection onto two components beyond), and a live session's frames carry the same "
        "arrays. A network without hidden layers, or an index past its last, is a 422 here.",
        examples=["last"],
    )

    @field_validator("activation")
    @classmethod
    def activation_known(cls, name: str) -> str:
        return check_activation(name)

    @field_validator("activation_params", mode="before")
    @classmethod
    def numbers(cls, params: Any, info: ValidationInfo) -> Any:
        return custom_numbers(info, "activation", params)

    @field_validator("activation_params")
    @classmethod
    def params_valid(cls, params: ParamValues, info: ValidationInfo) -> dict[str, float | str]:
        return params_of(info, "activation", params)

    @field_validator("expression")
    @classmethod
    def expression_fits(cls, text: str | None, info: ValidationInfo) -> str | None:
        return expression_of(info, "activation", text)

    @field_validator("hidden_space")
    @classmethod
    def hidden_layer_exists(
        cls, choice: int | LayerKeyword | None, info: ValidationInfo
    ) -> int | LayerKeyword | None:
        if choice is not None and "hidden_layers" in info.data:
            try:
                resolve_layers(choice, len(info.data["hidden_layers"]))
            except HiddenSpaceError as err:
                raise ValueError(str(err)) from None
        return choice

    @model_serializer(mode="wrap")
    def without_unasked_hidden_space(
        self, handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        """No `hidden_space` key when none was asked for: an exported live history and the
        result cache's keys stay those of a body without the field."""
        data: dict[str, Any] = handler(self)
        if data.get("hidden_space", 0) is None:
            del data["hidden_space"]
        return data

    @property
    def hidden_space_layers(self) -> list[int]:
        """The hidden layers whose views were asked for (none without `hidden_space`)."""
        if self.hidden_space is None:
            return []
        return resolve_layers(self.hidden_space, len(self.hidden_layers))

    @property
    def hidden_space_values(self) -> int:
        """Numbers the hidden-space views add: per snapshot and chosen layer, every point's
        coordinates (at most 3) and a value or boundary coefficient per point at most."""
        layers = self.hidden_space_layers
        if not layers:
            return 0
        points = self.n_train + self.n_test
        per_snapshot = sum(
            (min(self.hidden_layers[layer], MAX_IDENTITY_WIDTH) + 1) * points for layer in layers
        )
        return snapshot_count(self.epochs, self.snapshots) * per_snapshot

    @model_validator(mode="after")
    def hidden_space_fits(self) -> Self:
        values = self.snapshot_values + self.hidden_space_values
        if self.hidden_space is not None and values > MAX_SNAPSHOT_VALUES:
            raise ValueError(
                f"with hidden_space, the snapshots hold {values} numbers, over the cap of "
                f"{MAX_SNAPSHOT_VALUES}; ask for one layer, or lower snapshots or grid"
            )
        return self

    def custom_activations(self) -> "list[CustomActivation]":
        if self.activation != CUSTOM_NAME:
            return []
        act = build_activation(self.activation, self.expression, self.activation_params)
        return [act]  # type: ignore[list-item]  # a CustomActivation, as the name says

    @model_validator(mode="after")
    def weights_fit(self) -> Self:
        if self.initial_weights is None:
            return self
        sizes = self.layout().sizes
        expected = list(zip(sizes[:-1], sizes[1:], strict=True))
        if len(self.initial_weights) != len(expected):
            raise ValueError(
                f"initial_weights has {len(self.initial_weights)} layers; layer sizes "
                f"{list(sizes)} need {len(expected)}"
            )
        for i, (layer, (fan_in, fan_out)) in enumerate(
            zip(self.initial_weights, expected, strict=True)
        ):
            rows = {len(row) for row in layer.W}
            if len(layer.W) != fan_in or rows != {fan_out} or len(layer.b) != fan_out:
                got = f"({len(layer.W)}, {'/'.join(map(str, sorted(rows))) or 0})"
                raise ValueError(
                    f"initial_weights[{i}] must have W of shape ({fan_in}, {fan_out}) and b of "
                    f"length {fan_out} for layer sizes {list(sizes)}; got W {got}, b of length "
                    f"{len(layer.b)}"
                )
        return self

    @property
    def networks(self) -> int:
        """Networks this request trains (the limits count work per network)."""
        return 1

    @property
    def snapshot_values(self) -> int:
        """Numbers the snapshots hold: snapshots x (output units x grid^2 + hidden units x
        thumbnail^2)."""
        sizes = self.layout().sizes
        per_snapshot = (
            sizes[-1] * self.grid**2 + sum(sizes[1:-1]) * thumbnail_points(self.grid) ** 2
        )
        return snapshot_count(self.epochs, self.snapshots) * per_snapshot

    @model_validator(mode="after")
    def snapshots_fit(self) -> Self:
        values = self.snapshot_values
        if values > MAX_SNAPSHOT_VALUES:
            raise ValueError(
                f"snapshots x (output units x grid^2 + hidden units x thumbnail^2) = {values} "
                f"exceeds the cap of {MAX_SNAPSHOT_VALUES}; lower snapshots, grid or the "
                "hidden units"
            )
        return self

    def to_config(self) -> TrainConfig:
        weights = None
        if self.initial_weights is not None:
            weights = [
                (np.array(layer.W, dtype=np.float64), np.array(layer.b, dtype=np.float64))
                for layer in self.initial_weights
            ]
        return self.config(
            self.activation,
            dict(self.activation_params),
            self.expression,
            initial_weights=weights,
        )


class SweepRequest(TrainingOptions):
    """Body of POST /api/train/sweep and /api/train/sweep/stream."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"activations": ["identity", "tanh", "relu", "sigmoid"], "seeds": 100},
                {
                    "activations": [
                        "relu",
                        {"name": "leaky_relu", "params": {"negative_slope": 0.1}},
                    ],
                    "seeds": 50,
                    "hidden_layers": [2],
                    "learning_rate": 0.5,
                },
            ]
        },
    )

    activations: list[ActivationItem] = Field(
        min_length=1,
        max_length=len(ACTIVATIONS),
        description="Names, or {name, params} objects, each trained from every seed; "
        f'{{"name": "{CUSTOM_NAME}", "expression", "params"}} for an expression (as many as '
        "you like, mixed with catalogue entries). `results` come in this order.",
        examples=[["identity", "tanh", "relu"]],
    )
    seeds: int = Field(100, ge=1, le=200, description="Seeds 0..seeds-1 per activation.")

    @property
    def networks(self) -> int:
        """Networks this request trains (the limits count work per network)."""
        return self.seeds * len(self.activations)

    @model_validator(mode="before")
    @classmethod
    def no_single_run_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("activation", "activation_params", "expression", "seed", "initial_weights"):
                if key in data:
                    raise ValueError(
                        f"a sweep has no {key!r}: it runs seeds 0..seeds-1 from fresh initial "
                        "weights for each entry of 'activations' (names or {name, params})"
                    )
        return data

    @field_validator("activations")
    @classmethod
    def listed_once(cls, choices: list[ActivationChoice]) -> list[ActivationChoice]:
        seen = set()
        for choice in choices:
            key = (choice.name, choice.expression, tuple(sorted(choice.params.items())))
            if key in seen:
                raise ValueError(f"activation {choice.name!r} with these params is listed twice")
            seen.add(key)
        return choices

    def custom_activations(self) -> "list[CustomActivation]":
        return [
            choice.activation()  # type: ignore[misc]  # a CustomActivation, as the name says
            for choice in self.activations
            if choice.name == CUSTOM_NAME
        ]


def describe_work(epochs: int, n_train: int, n_params: int, n_seeds: int) -> str:
    """The work product spelled out, for the message of a 422."""
    total = epochs * n_train * n_params * n_seeds
    return (
        f"{epochs} epochs x {n_train} training samples x {n_params} parameters x {n_seeds} "
        f"networks = {total:.3g}"
    )


def env_name(setting: str) -> str:
    """The environment variable that sets one of the Settings fields."""
    assert setting in Settings.model_fields, setting
    return f"{Settings.model_config['env_prefix']}{setting.upper()}"


# The endpoints' descriptions: the domain's account of a run, then what this server adds.
SEMANTICS = (
    training.SEMANTICS
    + f"""
**Server.** The same request always gives the same bytes, so the server keeps recent results in
memory and answers a repeated request from there. epochs, and epochs x training samples x
parameters x networks, are capped by the server's settings ({env_name("train_max_epochs")},
{env_name("train_max_work")}); over the cap is a 422 that states it. Before it starts, a
request's peak memory is estimated (an upper bound: 8 bytes x networks trained at once x (4 x
training points x units + 2 x test points x units + 6 x all points x the widest layer, or a
custom expression's count of live arrays where it has more than 6), plus weights, curves and
snapshots) and its time (a floor: 10 us per update step plus 0.5 ns per epoch x point x
parameter x network, {CUSTOM_TIME_FACTOR:g}x that for a custom expression); over
{env_name("train_max_memory_mb")}, or a floor over the time limit, is a 422 stating both caps
and the estimates. A run still going
{env_name("train_time_limit_s")} seconds after the request arrived is stopped (inside an epoch if
need be): 422 (or, streaming, an `error` event) with the limit, within a second of it.

**Admission.** Trainings run in {env_name("train_workers")} worker processes with
{env_name("train_queue")} places to wait; beyond that the answer is 503 with a Retry-After header
(seconds) and {{"detail": [{{"loc": [], "msg": ..., "type": "busy"}}]}}, at once, before any stream
starts. While the server shuts down (SIGTERM), running trainings end with 503 (type
"shutting_down") or, when streaming, an `error` event with that detail.
"""
)
