"""Data set models shared by the training requests: a name, a generated set with its knobs, or a
user's own points."""

from typing import Annotated, Any, Self

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from app.lab import datasets
from app.lab.datasets import (
    COORD_LIMIT,
    DEFAULT_N_SAMPLES,
    DEFAULT_NOISE,
    DEFAULT_SEED,
    DEFAULT_TRAIN_FRACTION,
    MAX_NOISE,
    MAX_POINTS,
    MAX_SEED,
    MAX_TRAIN_FRACTION,
    MIN_OWN_POINTS,
    MIN_SAMPLES,
    MIN_TRAIN_FRACTION,
    DatasetName,
)
from app.lab.text import spelled

# The generator's knobs, in the order of datasets.generate's keyword arguments.
KNOBS = ("n_samples", "noise", "train_fraction", "seed")

Finite = Annotated[float, Field(allow_inf_nan=False)]
Coordinate = Annotated[float, Field(ge=-COORD_LIMIT, le=COORD_LIMIT, allow_inf_nan=False)]


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
        given = [k for k in KNOBS if getattr(self, k) is not None]
        if self.name == "xor" and given:
            raise ValueError(
                f"xor is the fixed four-point truth table; {', '.join(given)} do not apply"
            )
        return self

    def knobs(self) -> dict[str, Any]:
        """The generator's arguments given (null ones take the generator's defaults)."""
        return {k: getattr(self, k) for k in KNOBS if getattr(self, k) is not None}

    def build(self) -> datasets.Dataset:
        return datasets.generate(self.name, **self.knobs())

    @property
    def n_train(self) -> int:
        knobs = self.knobs()
        knobs.pop("noise", None)
        knobs.pop("seed", None)
        return datasets.n_train_for(self.name, **knobs)

    @property
    def n_test(self) -> int:
        if self.name == "xor":
            return 0
        return (DEFAULT_N_SAMPLES if self.n_samples is None else self.n_samples) - self.n_train


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
