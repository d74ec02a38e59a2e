"""Request models for /api/train and /api/train/sweep (and their /stream variants).

Every check that can be made from the body alone is a validator here, so a bad body is a 422
naming the field; the limits that come from settings are checked in the router.
"""

from typing import Annotated, Any, Self

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.config import Settings
from app.lab import datasets
from app.lab.activations import (
    ACTIVATIONS,
    ParamError,
    ParamValue,
    UnknownActivation,
    get_activation,
)
from app.lab.datasets import (
    COORD_LIMIT,
    DATASET_NAMES,
    DEFAULT_N_SAMPLES,
    DEFAULT_NOISE,
    DEFAULT_SEED,
    DEFAULT_TRAIN_FRACTION,
    FEATURE_NAMES,
    MAX_NOISE,
    MAX_POINTS,
    MAX_SEED,
    MAX_TRAIN_FRACTION,
    MIN_OWN_POINTS,
    MIN_SAMPLES,
    MIN_TRAIN_FRACTION,
    DatasetName,
    FeatureName,
)
from app.lab.nn import training
from app.lab.nn.initializers import DEFAULT_INIT, InitName
from app.lab.nn.mlp import (
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    Head,
    Layout,
    LossName,
    OptimizerName,
    OutputName,
    RegularizationName,
)
from app.lab.nn.training import TrainConfig, snapshot_schedule, thumbnail_points
from app.lab.text import spelled

WEIGHT_LIMIT = 1000.0
MAX_GRID_VALUES = 500_000  # snapshots x grid^2: 200 snapshots at 50 x 50, or 50 at 100 x 100
# Every number the snapshots hold: snapshots x (output units x grid^2 + hidden units x
# thumbnail^2). 200 snapshots of 8 x 64 hidden units on spiral3 held 11.7 million, a 66 MB
# response; the cap admits the Train page's default (50 snapshots at 50 x 50) with any network
# the API accepts (2.9 million, 17.5 MB, 4.5 MB gzipped).
MAX_SNAPSHOT_VALUES = 3_000_000

Finite = Annotated[float, Field(allow_inf_nan=False)]
Coordinate = Annotated[float, Field(ge=-COORD_LIMIT, le=COORD_LIMIT, allow_inf_nan=False)]
WeightValue = Annotated[float, Field(ge=-WEIGHT_LIMIT, le=WEIGHT_LIMIT, allow_inf_nan=False)]
ParamValues = dict[str, float | str]


class GeneratedDataset(BaseModel):
    """A named data set with its generator's knobs; null means the default shown."""

    model_config = ConfigDict(extra="forbid")

    name: DatasetName = Field(examples=["spiral"])
    n_samples: int | None = Field(
        None,
        ge=MIN_SAMPLES,
        le=MAX_POINTS,
        description=f"Points in all, train + test (default {DEFAULT_N_SAMPLES}).",
    )
    noise: float | None = Field(
        None,
        ge=0.0,
        le=MAX_NOISE,
        description=f"0 to {spelled(MAX_NOISE)}, the Playground's 0-{MAX_NOISE * 100:g} % "
        f"(default {spelled(DEFAULT_NOISE)}).",
    )
    train_fraction: float | None = Field(
        None,
        ge=MIN_TRAIN_FRACTION,
        le=MAX_TRAIN_FRACTION,
        description="Share of points used for training (default "
        f"{spelled(DEFAULT_TRAIN_FRACTION)}).",
    )
    seed: int | None = Field(
        None,
        ge=0,
        le=MAX_SEED,
        description=f"Seed of the data, not of the network (default {DEFAULT_SEED}).",
    )

    @model_validator(mode="after")
    def xor_is_fixed(self) -> Self:
        knobs = ("n_samples", "noise", "train_fraction", "seed")
        given = [k for k in knobs if getattr(self, k) is not None]
        if self.name == "xor" and given:
            raise ValueError(
                f"xor is the fixed four-point truth table; {', '.join(given)} do not apply"
            )
        return self

    def knobs(self) -> dict[str, Any]:
        """The generator's arguments given (null ones take the generator's defaults)."""
        knobs = ("n_samples", "noise", "train_fraction", "seed")
        return {k: getattr(self, k) for k in knobs if getattr(self, k) is not None}

    def build(self) -> datasets.Dataset:
        return datasets.generate(self.name, **self.knobs())

    @property
    def n_train(self) -> int:
        knobs = self.knobs()
        knobs.pop("noise", None)
        knobs.pop("seed", None)
        return datasets.n_train_for(self.name, **knobs)


class OwnPoints(BaseModel):
    """Your own points [x1, x2, label]; all of them are training data (there is no test set)."""

    model_config = ConfigDict(extra="forbid")

    points: list[tuple[Coordinate, Coordinate, Finite]] = Field(
        min_length=MIN_OWN_POINTS,
        max_length=MAX_POINTS,
        description=f"[[x1, x2, label], ...], |x| <= {COORD_LIMIT:g}; labels are class indices "
        f"0..{datasets.MAX_CLASSES - 1} (0 and 1 with a sigmoid output).",
        examples=[[[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]],
    )

    @field_validator("points")
    @classmethod
    def labels_are_classes(
        cls, points: list[tuple[float, float, float]]
    ) -> list[tuple[float, float, float]]:
        for i, (_, _, label) in enumerate(points):
            if label != int(label) or not 0 <= label < datasets.MAX_CLASSES:
                raise ValueError(
                    f"points[{i}] has label {label:g}; labels are the class indices 0 to "
                    f"{datasets.MAX_CLASSES - 1}"
                )
        return points

    @property
    def max_label(self) -> int:
        return int(max(p[2] for p in self.points))

    def build(self, n_classes: int) -> datasets.Dataset:
        return datasets.from_points(np.array(self.points, dtype=np.float64), n_classes)


def dataset_kind(value: Any) -> str:
    if isinstance(value, str):
        return "name"
    if isinstance(value, OwnPoints) or (isinstance(value, dict) and "points" in value):
        return "points"
    return "generated"


DatasetSpec = Annotated[
    Annotated[DatasetName, Tag("name")]
    | Annotated[GeneratedDataset, Tag("generated")]
    | Annotated[OwnPoints, Tag("points")],
    Discriminator(dataset_kind),
]


class LayerWeights(BaseModel):
    """One layer's parameters: the layer computes a @ W + b."""

    model_config = ConfigDict(extra="forbid")

    W: list[list[WeightValue]] = Field(description="Shape (in, out).", examples=[[[1, 1], [1, 1]]])
    b: list[WeightValue] = Field(description="Shape (out,).", examples=[[0, -1]])


class ActivationChoice(BaseModel):
    """A catalogue activation and its parameters (defaults filled in for the rest)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(examples=["leaky_relu"])
    # validate_default: an omitted params must still get its defaults filled in.
    params: ParamValues = Field(
        default_factory=dict, validate_default=True, examples=[{"negative_slope": 0.1}]
    )

    @field_validator("name")
    @classmethod
    def known(cls, name: str) -> str:
        return check_activation(name)

    @field_validator("params")
    @classmethod
    def valid(cls, params: ParamValues, info: ValidationInfo) -> dict[str, float | str]:
        return params_of(info, "name", params)


def choice_from_name(value: Any) -> Any:
    """A bare name stands for {"name": name} with default parameters."""
    return {"name": value} if isinstance(value, str) else value


ActivationItem = Annotated[
    ActivationChoice,
    BeforeValidator(choice_from_name, json_schema_input_type=str | ActivationChoice),
]


def check_activation(name: str) -> str:
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
    return resolve_params(name, params)


def resolve_head(
    n_classes: int, output: OutputName | None, loss: LossName | None
) -> tuple[OutputName, LossName]:
    """Fill in the output and loss for the data's classes, or say what does not fit (the rules
    are the domain's: app.lab.nn.mlp.Head)."""
    head = Head.for_classes(n_classes, output, loss)
    return head.output, head.loss


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
        description="'sigmoid' (two classes, one unit) or 'softmax' (K units); null: sigmoid "
        "for two classes, softmax for more.",
    )
    loss: LossName | None = Field(
        None,
        description="'bce' or 'mse' with sigmoid, 'cross_entropy' with softmax; null: bce or "
        "cross_entropy.",
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
        if isinstance(self.dataset, OwnPoints):
            return datasets.n_classes_of_points(self.dataset.max_label, self.output == "sigmoid")
        name = self.dataset if isinstance(self.dataset, str) else self.dataset.name
        return datasets.N_CLASSES[name]

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

    def layout(self) -> Layout:
        output, loss = self.head()
        return Head(output, loss).layout(len(self.features), self.hidden_layers, self.n_classes)

    def build_dataset(self) -> datasets.Dataset:
        if isinstance(self.dataset, OwnPoints):
            return self.dataset.build(self.n_classes)
        if isinstance(self.dataset, str):
            return GeneratedDataset(name=self.dataset).build()
        return self.dataset.build()

    def config(self, activation: str, params: dict[str, ParamValue], **extra: Any) -> TrainConfig:
        """The domain configuration for one activation."""
        output, loss = self.head()
        return TrainConfig(
            dataset=self.build_dataset(),
            features=tuple(self.features),
            activation=get_activation(activation),
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
        "tanh", description="Catalogue name for every hidden layer.", examples=["tanh"]
    )
    # validate_default, as in ActivationChoice: an omitted params still gets its defaults.
    activation_params: ParamValues = Field(
        default_factory=dict,
        validate_default=True,
        description="Parameters of the activation; defaults fill the rest.",
        examples=[{}],
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Seed of the initial weights and shuffles.")
    initial_weights: list[LayerWeights] | None = Field(
        None,
        description="One {W, b} per layer (hidden layers, then the output layer), W of shape "
        "(in, out); replaces `init`.",
    )

    @field_validator("activation")
    @classmethod
    def activation_known(cls, name: str) -> str:
        return check_activation(name)

    @field_validator("activation_params")
    @classmethod
    def params_valid(cls, params: ParamValues, info: ValidationInfo) -> dict[str, float | str]:
        return params_of(info, "activation", params)

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

    @model_validator(mode="after")
    def snapshots_fit(self) -> Self:
        sizes = self.layout().sizes
        per_snapshot = (
            sizes[-1] * self.grid**2 + sum(sizes[1:-1]) * thumbnail_points(self.grid) ** 2
        )
        values = len(snapshot_schedule(self.epochs, self.snapshots)) * per_snapshot
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
        return self.config(self.activation, dict(self.activation_params), initial_weights=weights)


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
        description="Names, or {name, params} objects, each trained from every seed.",
        examples=[["identity", "tanh", "relu"]],
    )
    seeds: int = Field(100, ge=1, le=200, description="Seeds 0..seeds-1 per activation.")

    @model_validator(mode="before")
    @classmethod
    def no_single_run_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("activation", "activation_params", "seed", "initial_weights"):
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
            key = (choice.name, tuple(sorted(choice.params.items())))
            if key in seen:
                raise ValueError(f"activation {choice.name!r} with these params is listed twice")
            seen.add(key)
        return choices


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
{env_name("train_max_work")}); over the cap is a 422 that states it. A run longer than
{env_name("train_time_limit_s")} seconds is stopped: 422 (or, streaming, an `error` event) with
the limit.
"""
)
