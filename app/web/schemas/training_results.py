"""Response models of the training endpoints, and the payloads that fill them from numpy.

The models document the JSON in OpenAPI and declare its keys; the payload builders below give
the values (app.web.schemas.payload checks the keys against the model) and the routes serialise
them straight from numpy with orjson. NaN, which orjson writes as null, appears only where a
field says "null"; tests validate every response against its model with extra keys forbidden.
"""

import math
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from app.lab.activations import SATURATION_SLOPE
from app.lab.datasets import Dataset
from app.lab.nn.fit import fit_of
from app.lab.nn.hidden_space import MAX_IDENTITY_WIDTH, HiddenSpace, Projection
from app.lab.nn.initializers import Layer
from app.lab.nn.mlp import DECISION_MARGIN, R2_TARGET
from app.lab.nn.sweep import ActivationSummary, Quartiles
from app.lab.nn.training import TrainConfig, TrainResult
from app.lab.text import spelled
from app.web.schemas.payload import payload

GRID_DECIMALS = 2  # snapshot surfaces to 0.01: plenty for a heat map; keeps XOR under 1 MB
GRID_STEP = spelled(10.0**-GRID_DECIMALS)


class Setup(BaseModel):
    """The configuration as trained, defaults resolved."""

    features: list[str] = Field(examples=[["x1", "x2"]])
    output: str = Field(examples=["sigmoid"])
    loss: str = Field(examples=["bce"])
    layer_sizes: list[int] = Field(
        description="Inputs, hidden units per layer, output units.", examples=[[2, 4, 1]]
    )
    n_parameters: int = Field(examples=[17])
    n_classes: int = Field(
        description="0 for a regression set (a real target per point).", examples=[2]
    )
    n_train: int = Field(examples=[4])
    n_test: int = Field(examples=[0])
    batch_size: int = Field(description="Effective mini-batch size.", examples=[4])
    updates_per_epoch: int = Field(examples=[1])
    epochs: int = Field(examples=[2000])


class TrainSetup(Setup):
    activation: str = Field(examples=["tanh"])
    activation_params: dict[str, float | str] = Field(description="With defaults filled in.")


class Points(BaseModel):
    x: list[list[float]] = Field(description="Raw points [x1, x2].")
    y: list[int] | list[float] = Field(
        description="Class labels; for a regression set the real-valued targets."
    )


class Data(BaseModel):
    train: Points
    test: Points | None = Field(description="null for xor and your own points.")


R2_ONLY = "Regression sets only (absent otherwise):"


class Final(BaseModel):
    """Metrics of the final weights (after the last update, at epoch = epochs)."""

    epoch: int
    loss: float
    accuracy: float | None = Field(description="null for a regression set.")
    test_loss: float | None
    test_accuracy: float | None
    r2: float | None = Field(None, description=f"{R2_ONLY} R^2 on the training set.")
    test_r2: float | None = Field(None, description=f"{R2_ONLY} R^2 on the test set, or null.")


class Predictions(BaseModel):
    """The final network on every training point, in the order of data.train."""

    output: list[list[float]] = Field(
        description="Per point: [p(class 1)] for sigmoid, [p_0, ..., p_K-1] for softmax, "
        "[value] for linear."
    )
    predicted: list[int] | None = Field(
        description=f"Class: 1 where the logit exceeds {spelled(DECISION_MARGIN)} (p > 0.5 by "
        "more than rounding), else 0 (sigmoid); the argmax, or -1 (undecided, never right) "
        f"where the top two logits are within {spelled(DECISION_MARGIN)} (softmax); null for "
        "linear (regression: no classes)."
    )
    correct: list[bool] | None = Field(description="null for linear.")


class Weights(BaseModel):
    W: list[list[float]] = Field(description="Shape (in, out).")
    b: list[float] = Field(description="Shape (out,).")


class GridAxes(BaseModel):
    x1: list[float] = Field(description="Column coordinates.")
    x2: list[float] = Field(description="Row coordinates.")


HIDDEN_DECIMALS = 4  # hidden-space coordinates to 1e-4: finer than a pixel of any chart
HIDDEN_STEP = spelled(10.0**-HIDDEN_DECIMALS)


class BoundaryOut(BaseModel):
    """coefficients . c + offset = 0 in the view's coordinates c (unrounded)."""

    classes: list[int] = Field(
        description="[i, j]: the positive side (coefficients . c + offset > 0) is class i, the "
        "negative side class j. Sigmoid: [1, 0], z = h . w + b itself. Softmax: one entry per "
        "class pair, z_i - z_j; it is the decision boundary only where i and j lead.",
        examples=[[1, 0]],
    )
    coefficients: list[float] = Field(description="One per coordinate of the view.")
    offset: float


class HiddenSpaceOut(BaseModel):
    """One hidden layer's view of the data at this snapshot (app/lab/nn/hidden_space.py)."""

    layer: int = Field(description="The hidden layer, 0-based.")
    width: int = Field(description="Its units.")
    projection: Projection = Field(
        description=f"'identity': the units' outputs themselves (width 1 to "
        f"{MAX_IDENTITY_WIDTH}: a 1-D, 2-D or 3-D view); 'pca': c = (h - mean) @ P onto two "
        "principal components, one basis for every snapshot of the run (the training points of "
        "all snapshots pooled), so the animation does not jump."
    )
    axes: list[str] = Field(description="A label per coordinate.", examples=[["unit 1", "unit 2"]])
    explained_variance: list[float] | None = Field(
        description="pca: the share of this snapshot's training points' variance (around their "
        "mean) along each component; null for identity."
    )
    train: list[list[float]] = Field(
        description="[point][coordinate]: each training point (data.train's order) in this "
        f"layer's coordinates (post-activation), rounded to {HIDDEN_STEP}."
    )
    test: list[list[float]] | None = Field(description="The test points; null without a test set.")
    boundary: list[BoundaryOut] | None = Field(
        description="The output layer's decision boundary in these coordinates: exact (a "
        "point, line or plane) in the last hidden layer, where the output is affine. In a pca "
        "view it is the hyperplane's cut by the plane through the mean, (P^T w) . c + (w . mean "
        "+ b) = 0: exact for points on that plane, a projection for the rest. null for an "
        "earlier layer (the rest of the network is not linear there) and for a linear output."
    )
    values: list[float] | None = Field(
        description="Linear output (regression), last hidden layer: the network's value at "
        "each training point, to colour them; null otherwise."
    )
    test_values: list[float] | None = Field(description="The same at the test points.")


class SnapshotOut(BaseModel):
    epoch: int = Field(
        description="State before update `epoch`; epoch = epochs is the final state."
    )
    loss: float = Field(description="Training loss at that state.")
    output: list[list[list[float]]] = Field(
        description="[unit][i][j]: the output unit's probability at (grid.x1[j], grid.x2[i]), "
        f"rounded to {GRID_STEP}; one unit (p of class 1) for sigmoid, K for softmax, one "
        "(the predicted value) for linear."
    )
    hidden: list[list[list[list[float]]]] = Field(
        description="[layer][unit][i][j]: each hidden unit's output over thumbnail_grid, "
        f"rounded to {GRID_STEP}."
    )
    hidden_space: list[HiddenSpaceOut | None] | None = Field(
        None,
        description="Only with the request's `hidden_space` (absent otherwise): one view per "
        "requested hidden layer, in layer order; null for a state whose numbers are not all "
        "finite (a diverging network).",
    )


class AffineMapOut(BaseModel):
    """What identity layers collapse to: the network is exactly features @ W + b."""

    W: list[list[float]] = Field(description="W_1 @ W_2 @ ... @ W_L, shape (inputs, outputs).")
    b: list[float] = Field(description="(...(b_1 @ W_2 + b_2) @ W_3 ...) + b_L.")
    output: list[list[float]] = Field(description="The output head on features @ W + b.")
    max_abs_difference: float = Field(
        description="Largest gap to predictions.output: rounding only, about 1e-16."
    )


class TrainResponse(BaseModel):
    """A single training run."""

    setup: TrainSetup
    data: Data
    epochs: list[int] = Field(description="Recorded epochs (0-based).")
    loss: list[float] = Field(description="Training loss before update epochs[k].")
    accuracy: list[float] | None = Field(description="null for a regression set.")
    test_loss: list[float] | None = Field(description="null without a test set.")
    test_accuracy: list[float] | None
    r2: list[float] | None = Field(
        None, description=f"{R2_ONLY} training R^2 = 1 - loss / var(y) at epochs[k]."
    )
    test_r2: list[float] | None = Field(
        None, description=f"{R2_ONLY} test R^2 at epochs[k]; null without a test set."
    )
    grad_norms: list[list[float | None]] = Field(
        description="[layer][k]: ||d objective / d W_layer||_F at epochs[k], output layer last; "
        "null where the gradient itself is not finite (the update before the run diverges)."
    )
    converged: bool = Field(
        description="Every training point was right at some epoch. A point is right when its "
        f"logit clears the decision boundary by more than {spelled(DECISION_MARGIN)} (for "
        "softmax: the winner beats the runner-up by that much), so rounding noise around "
        f"p = 0.5 is never a decision. For a regression set: the training R^2 reached "
        f"{R2_TARGET:g}."
    )
    epochs_to_converge: int | None = Field(description="The first such epoch (0..epochs).")
    diverged: bool
    diverged_epoch: int | None = Field(description="First epoch with a non-finite loss or weight.")
    final: Final | None = Field(description="null when the run diverged.")
    predictions: Predictions | None = Field(description="null when the run diverged.")
    initial_weights: list[Weights]
    weights: list[Weights] | None = Field(description="Final weights; null when it diverged.")
    dead_units: list[list[int]] | None = Field(
        description="Per hidden layer, the units whose output is 0 on every training input."
    )
    saturated_units: list[list[int]] | None = Field(
        description=f"Per hidden layer, the units with |f'(z)| < {spelled(SATURATION_SLOPE)} on "
        "every training input "
        "that are not dead: dead_units and saturated_units are disjoint, so a unit is counted "
        "once (a dead ReLU unit also has f' = 0)."
    )
    grid: GridAxes | None = Field(description="The snapshots' grid; null with snapshots 0.")
    thumbnail_grid: GridAxes | None = Field(
        description="The coarser grid of the hidden-unit thumbnails: ceil(grid / 5) per axis."
    )
    snapshots: list[SnapshotOut]
    affine_map: AffineMapOut | None = Field(
        description="For identity activation (or no hidden layers); null otherwise."
    )


class QuartilesOut(BaseModel):
    q25: float
    median: float
    q75: float


class LossBands(BaseModel):
    """Over the seeds still live at each recorded epoch; null where none is."""

    p10: list[float | None]
    median: list[float | None]
    p90: list[float | None]


class PerSeed(BaseModel):
    """Seed s's numbers, equal to those of a single /api/train run with seed s."""

    converged: list[bool]
    epochs_to_converge: list[int | None]
    diverged_epoch: list[int | None]
    final_loss: list[float | None] = Field(description="null for a diverged seed.")
    final_accuracy: list[float | None] = Field(description="null for a regression set.")
    final_r2: list[float | None] | None = Field(
        None, description=f"{R2_ONLY} null for a diverged seed."
    )
    dead_fraction: list[float | None] = Field(description="null without hidden units.")


class ActivationSweep(BaseModel):
    activation: str
    activation_params: dict[str, float | str]
    success_rate: float = Field(
        description=f"Share of seeds that converged (regression: reached R^2 {R2_TARGET:g})."
    )
    converged: int
    diverged: int
    epochs_to_converge: QuartilesOut | None = Field(description="Over converged seeds.")
    final_loss: QuartilesOut | None = Field(description="Over seeds that did not diverge.")
    loss_curve: LossBands
    r2_curve: LossBands | None = Field(
        None, description=f"{R2_ONLY} the training R^2 curve's bands, as loss_curve's."
    )
    final_r2: QuartilesOut | None = Field(
        None, description=f"{R2_ONLY} over seeds that did not diverge."
    )
    mean_dead_fraction: float | None = Field(
        description="Mean over non-diverged seeds of the share of dead hidden units."
    )
    per_seed: PerSeed


class SweepResponse(BaseModel):
    setup: Setup
    seeds: int = Field(description="Seeds 0..seeds-1 for every activation.")
    epochs: list[int] = Field(description="Recorded epochs the loss curves are aligned with.")
    results: list[ActivationSweep]


# --- payloads --------------------------------------------------------------------------------


def contiguous(value: dict[str, Any]) -> dict[str, Any]:
    """The payload with every array C-contiguous, as orjson requires."""
    return {k: contiguous_value(v) for k, v in value.items()}


def contiguous_value(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value)
    if isinstance(value, dict):
        return {k: contiguous_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [contiguous_value(v) for v in value]
    return value


def setup_fields(config: TrainConfig) -> dict[str, Any]:
    """The values of Setup's fields (TrainSetup adds the activation)."""
    layout, data = config.layout, config.dataset
    batch = config.effective_batch
    return {
        "features": list(config.features),
        "output": config.output,
        "loss": config.loss,
        "layer_sizes": list(layout.sizes),
        "n_parameters": layout.n_params,
        "n_classes": data.n_classes,
        "n_train": config.n_train,
        "n_test": 0 if data.y_test is None else len(data.y_test),
        "batch_size": batch,
        "updates_per_epoch": math.ceil(config.n_train / batch),
        "epochs": config.epochs,
    }


def data_payload(data: Dataset) -> dict[str, Any]:
    test = None
    if data.x_test is not None and data.y_test is not None:
        test = payload(Points, x=data.x_test, y=data.y_test)
    return payload(Data, train=payload(Points, x=data.x_train, y=data.y_train), test=test)


def weights_payload(layers: list[Layer]) -> list[dict[str, Any]]:
    return [payload(Weights, W=w, b=b) for w, b in layers]


def units(masks: list[np.ndarray[Any, Any]]) -> list[list[int]]:
    return [np.flatnonzero(mask[0]).tolist() for mask in masks]


def rounded(values: Any) -> Any:
    return None if values is None else np.round(values, HIDDEN_DECIMALS) + 0.0  # no -0.0


def hidden_space_payload(space: HiddenSpace | None) -> dict[str, Any] | None:
    if space is None:
        return None
    boundary = None
    if space.boundaries is not None:
        boundary = [
            payload(
                BoundaryOut,
                classes=list(b.classes),
                coefficients=b.coefficients,
                offset=b.offset,
            )
            for b in space.boundaries
        ]
    return payload(
        HiddenSpaceOut,
        layer=space.layer,
        width=space.width,
        projection=space.projection,
        axes=list(space.axes),
        explained_variance=space.explained_variance,
        train=rounded(space.train),
        test=rounded(space.test),
        boundary=boundary,
        values=space.values,
        test_values=space.test_values,
    )


def train_payload(
    config: TrainConfig,
    result: TrainResult,
    hidden_spaces: list[list[HiddenSpace | None]] | None = None,
) -> dict[str, Any]:
    """The JSON body of /api/train, as numpy arrays and plain values; `hidden_spaces`, when
    asked for, holds each snapshot's views ([snapshot][layer])."""
    run = result.run
    live = result.diverged_epoch is None
    fit = fit_of(run, config.dataset)
    # regression: no accuracy (null) and the R^2 keys, which classification answers never carry
    r2: dict[str, Any] = {}
    final_r2: dict[str, Any] = {}
    keep = np.isfinite(run.loss[0])
    if fit is not None:
        r2["r2"] = fit.r2[0][keep]
        r2["test_r2"] = None if fit.test_r2 is None else fit.test_r2[0][keep]
        final_r2["r2"] = fit.final_r2[0]
        final_r2["test_r2"] = None if fit.final_test_r2 is None else fit.final_test_r2[0]
    final = predictions = None
    if live and result.output is not None:
        final = payload(
            Final,
            epoch=config.epochs,
            loss=run.final_loss[0],
            accuracy=None if fit is not None else run.final_accuracy[0],
            test_loss=None if run.final_test_loss is None else run.final_test_loss[0],
            test_accuracy=None
            if run.final_test_accuracy is None or fit is not None
            else run.final_test_accuracy[0],
            **final_r2,
        )
        predictions = payload(
            Predictions,
            output=result.output,
            predicted=result.predicted,
            correct=None
            if result.predicted is None
            else result.predicted == config.dataset.y_train,
        )
    affine = None
    if result.affine is not None:
        w, b = result.affine.weights
        affine = payload(
            AffineMapOut,
            W=w,
            b=b,
            output=result.affine.output,
            max_abs_difference=result.affine.max_abs_difference,
        )
    grid = thumbs = None
    snapshots = []
    if run.grid is not None and run.thumbnails is not None:
        grid = payload(GridAxes, x1=run.grid.x1, x2=run.grid.x2)
        thumbs = payload(GridAxes, x1=run.thumbnails.x1, x2=run.thumbnails.x2)
        snapshots = [
            payload(
                SnapshotOut,
                epoch=s.epoch,
                loss=s.loss,
                output=np.round(s.output, GRID_DECIMALS) + 0.0,  # no -0.0
                hidden=[np.round(h, GRID_DECIMALS) + 0.0 for h in s.hidden],
            )
            for s in run.snapshots
        ]
        if hidden_spaces is not None:
            for snapshot, spaces in zip(snapshots, hidden_spaces, strict=True):
                snapshot["hidden_space"] = [hidden_space_payload(v) for v in spaces]
    setup = payload(
        TrainSetup,
        **setup_fields(config),
        activation=config.activation.name,
        activation_params=config.activation_params,
    )
    return contiguous(
        payload(
            TrainResponse,
            setup=setup,
            data=data_payload(config.dataset),
            epochs=result.epochs,
            loss=result.loss,
            accuracy=None if fit is not None else result.accuracy,
            test_loss=result.test_loss,
            test_accuracy=None if fit is not None else result.test_accuracy,
            **r2,
            grad_norms=result.grad_norms,
            converged=result.converged_epoch is not None,
            epochs_to_converge=result.converged_epoch,
            diverged=not live,
            diverged_epoch=result.diverged_epoch,
            final=final,
            predictions=predictions,
            initial_weights=weights_payload(result.initial_weights),
            weights=None if result.weights is None else weights_payload(result.weights),
            dead_units=units(run.dead) if live else None,
            saturated_units=units(run.saturated) if live else None,
            grid=grid,
            thumbnail_grid=thumbs,
            snapshots=snapshots,
            affine_map=affine,
        )
    )


def quartiles_payload(q: Quartiles | None) -> dict[str, float] | None:
    return None if q is None else payload(QuartilesOut, q25=q.q25, median=q.median, q75=q.q75)


def optional_ints(values: np.ndarray[Any, Any]) -> list[int | None]:
    return [int(v) if v >= 0 else None for v in values]


def sweep_payload(
    config: TrainConfig, n_seeds: int, summaries: list[ActivationSummary]
) -> dict[str, Any]:
    """The JSON body of /api/train/sweep."""
    results = []
    for s in summaries:
        run = s.run
        converged = run.converged_epoch >= 0
        # regression: the R^2 keys, which classification answers never carry
        r2: dict[str, Any] = {}
        per_seed_r2: dict[str, Any] = {}
        if s.fit is not None and s.r2_bands is not None:
            p10, median, p90 = s.r2_bands
            r2["r2_curve"] = payload(LossBands, p10=p10, median=median, p90=p90)
            r2["final_r2"] = quartiles_payload(s.final_r2)
            per_seed_r2["final_r2"] = s.fit.final_r2
        results.append(
            payload(
                ActivationSweep,
                activation=s.name,
                activation_params=s.params,
                success_rate=s.success_rate,
                converged=int(converged.sum()),
                diverged=int((run.diverged_epoch >= 0).sum()),
                epochs_to_converge=quartiles_payload(s.epochs_to_converge),
                final_loss=quartiles_payload(s.final_loss),
                loss_curve=payload(LossBands, p10=s.loss_p10, median=s.loss_median, p90=s.loss_p90),
                **r2,
                mean_dead_fraction=s.mean_dead_fraction,
                per_seed=payload(
                    PerSeed,
                    converged=converged,
                    epochs_to_converge=optional_ints(run.converged_epoch),
                    diverged_epoch=optional_ints(run.diverged_epoch),
                    final_loss=run.final_loss,
                    final_accuracy=run.final_accuracy,
                    **per_seed_r2,
                    dead_fraction=run.dead_fraction,
                ),
            )
        )
    epochs = summaries[0].run.epochs if summaries else np.zeros(0, dtype=np.int64)
    body = payload(
        SweepResponse,
        setup=payload(Setup, **setup_fields(config)),
        seeds=n_seeds,
        epochs=epochs,
        results=results,
    )
    return contiguous(body)
