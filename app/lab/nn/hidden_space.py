"""The hidden space: the training points in the coordinates of one hidden layer, and the output
unit's decision boundary there.

A network with hidden layers a_l = f(a_(l-1) @ W_l + b_l) ends in z = a_L @ W_out + b_out: in
the coordinates of the LAST hidden layer the output is affine, so its decision boundary is
exactly a straight line (a plane in 3-D, a point on a line in 1-D). This is what "the hidden
units do": they move the points until one straight cut separates the classes (XOR with two tanh
units: four points that no line separates in the input plane, and one line does in the hidden
plane).

Coordinates are post-activation values a_l of every training (and test) point. The view:

- width 1: the points on a line (1-D, `identity`); the boundary is the point h = -b / w;
- width 2, 3: the units themselves (`identity`), a 2-D or 3-D view;
- width > 3: a PCA projection onto two components (`pca`): c = (h - mean) @ P, P (width, 2)
  orthonormal, with the share of the points' variance each component holds. The boundary is the
  hyperplane's intersection with the PCA plane through the mean, (P^T w) . c + (w . mean + b) = 0:
  exact for points on that plane, a projection for the others (so a point may sit on the "wrong"
  side of the drawn line while the network classifies it right).

The boundary, for the last hidden layer only: sigmoid output, z = h . w + b = 0 (class 1 where
z > 0); softmax, one line per class pair (i, j), z_i - z_j = h . (w_i - w_j) + (b_i - b_j) = 0,
which is the decision boundary only where i and j are the two leading classes; linear output
(regression): none, the points carry the network's output value instead. In an earlier layer the
rest of the network is still non-linear, so no straight boundary exists: none is given.

Animation: a PCA basis that changed between frames would make the picture jump. A recorded run
uses one basis for all its snapshots (PCA of every snapshot's training points pooled, from
streamed sums, so no snapshot's points need to be held), and a live session computes each
frame's own basis and aligns its signs (`align`) to the basis of the session's first state.
Signs are fixed as scikit-learn's svd_flip does: each component's largest |entry| is positive.

Every number is finite: a state whose coordinates are not (a diverging network) has no hidden
space (None).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

from app.lab.activations import Activation, ParamValue
from app.lab.datasets import features
from app.lab.nn.initializers import Layer
from app.lab.nn.mlp import OutputName
from app.lab.nn.training import Snapshot, TrainConfig

Array = NDArray[np.float64]
Projection = Literal["identity", "pca"]
PROJECTIONS: tuple[Projection, ...] = get_args(Projection)
LayerKeyword = Literal["last", "all"]
LAYER_KEYWORDS: tuple[LayerKeyword, ...] = get_args(LayerKeyword)
LayerChoice = int | LayerKeyword
MAX_IDENTITY_WIDTH = 3  # up to 3 units are drawn as they are; wider layers are projected
PCA_COMPONENTS = 2


class HiddenSpaceError(ValueError):
    """A layer choice the network does not have (no hidden layer, an index too large)."""


def resolve_layers(choice: LayerChoice, n_hidden: int) -> list[int]:
    """The hidden layers (0-based) a choice names: one index, the last one, or all of them."""
    if n_hidden == 0:
        raise HiddenSpaceError("this network has no hidden layer: add one to see a hidden space")
    if choice == "last":
        return [n_hidden - 1]
    if choice == "all":
        return list(range(n_hidden))
    if not 0 <= choice < n_hidden:
        raise HiddenSpaceError(
            f"hidden layer {choice} does not exist: this network's hidden layers are 0 to "
            f"{n_hidden - 1} (or 'last', 'all')"
        )
    return [choice]


@dataclass(frozen=True)
class Boundary:
    """coefficients . c + offset = 0 in the view's coordinates c; the positive side is class
    `classes[0]`, the negative side `classes[1]`."""

    classes: tuple[int, int]
    coefficients: Array  # (dims,)
    offset: float


@dataclass(frozen=True)
class HiddenSpace:
    """One hidden layer's view of the points at one state of the network."""

    layer: int  # 0-based hidden layer
    width: int  # its units
    projection: Projection
    axes: tuple[str, ...]  # one label per coordinate
    train: Array  # (n_train, dims)
    test: Array | None  # (n_test, dims)
    explained_variance: Array | None  # pca: (2,) share of the points' variance per component
    boundaries: list[Boundary] | None  # None: not the last hidden layer, or a linear output
    values: Array | None  # linear output: the network's value at each training point
    test_values: Array | None

    @property
    def dims(self) -> int:
        return int(self.train.shape[1])


@dataclass(frozen=True)
class Basis:
    """A PCA plane: c = (h - mean) @ vectors, vectors (width, 2) orthonormal."""

    mean: Array
    vectors: Array


def layer_outputs(
    weights: Sequence[Layer], act: Activation, params: dict[str, ParamValue], x: Array, layer: int
) -> Array:
    """a_(layer+1) = f(... f(x @ W_0 + b_0) ...): hidden layer `layer`'s outputs, (n, width)."""
    a = x
    for w, b in weights[: layer + 1]:
        z = a @ w
        z += b
        a = act.f(z, **params)
    return np.asarray(a, dtype=np.float64)


def flip_signs(vectors: Array) -> Array:
    """Each column's largest |entry| made positive: one sign for the same plane, every time."""
    rows = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[rows, np.arange(vectors.shape[1])])
    signs[signs == 0] = 1.0
    return np.asarray(vectors * signs, dtype=np.float64)


def pca_of_moments(total: Array, outer: Array, count: int) -> Basis:
    """The PCA plane of points given by their sum (width,), sum of outer products (width,
    width) and count: the top two eigenvectors of the covariance."""
    mean = total / count
    cov = outer / count - np.outer(mean, mean)
    cov = (cov + cov.T) / 2.0  # exactly symmetric, for eigh
    values, vectors = np.linalg.eigh(cov)
    top = vectors[:, np.argsort(values)[::-1][:PCA_COMPONENTS]]
    return Basis(mean, flip_signs(top))


def pca_basis(points: Array) -> Basis:
    """The PCA plane of these points (n, width), through their mean, from their SVD."""
    mean = points.mean(axis=0)
    _, _, vt = np.linalg.svd(points - mean, full_matrices=False)
    vectors = np.zeros((points.shape[1], PCA_COMPONENTS))
    k = min(PCA_COMPONENTS, vt.shape[0])
    vectors[:, :k] = vt[:k].T
    return Basis(mean, flip_signs(vectors))


def align(basis: Basis, previous: Basis | None) -> Basis:
    """basis with each component's sign turned to agree with the previous frame's: the same
    plane, no mirror jump between frames."""
    if previous is None:
        return basis
    dots = np.einsum("ij,ij->j", basis.vectors, previous.vectors)
    signs = np.where(dots < 0.0, -1.0, 1.0)
    return Basis(basis.mean, basis.vectors * signs)


def explained_variance(points: Array, vectors: Array) -> Array:
    """(2,): the share of the points' variance (around their own mean) along each direction;
    zeros when the points do not vary at all."""
    centred = points - points.mean(axis=0)
    total = float(np.sum(centred * centred))
    if total == 0.0:
        return np.zeros(vectors.shape[1])
    along = centred @ vectors
    return np.asarray(np.sum(along * along, axis=0) / total, dtype=np.float64)


def output_boundaries(
    w: Array, b: Array, output: OutputName, basis: Basis | None
) -> list[Boundary] | None:
    """The output layer's boundaries in the view: sigmoid one, softmax one per class pair,
    linear none. In a PCA view each is the hyperplane cut by the plane through the mean."""
    if output == "linear":
        return None
    pairs: list[tuple[tuple[int, int], Array, float]]
    if output == "sigmoid":
        pairs = [((1, 0), w[:, 0], float(b[0]))]
    else:
        k = w.shape[1]
        pairs = [
            ((i, j), w[:, i] - w[:, j], float(b[i] - b[j]))
            for i in range(k)
            for j in range(i + 1, k)
        ]
    out = []
    for classes, normal, offset in pairs:
        if basis is None:
            out.append(Boundary(classes, np.array(normal, dtype=np.float64), offset))
        else:
            out.append(
                Boundary(classes, basis.vectors.T @ normal, float(normal @ basis.mean) + offset)
            )
    return out


def axes_of(width: int, projection: Projection) -> tuple[str, ...]:
    if projection == "pca":
        return tuple(f"PC{k + 1}" for k in range(PCA_COMPONENTS))
    return tuple(f"unit {u + 1}" for u in range(width))


def view(
    weights: Sequence[Layer],
    act: Activation,
    params: dict[str, ParamValue],
    output: OutputName,
    x_train: Array,
    x_test: Array | None,
    layer: int,
    basis: Basis | None = None,
) -> HiddenSpace | None:
    """Hidden layer `layer`'s view of the points (see the module docstring); a PCA view uses
    `basis` when given, else the training points' own. None when a number is not finite."""
    with np.errstate(all="ignore"):
        h = layer_outputs(weights, act, params, x_train, layer)
        h_test = None if x_test is None else layer_outputs(weights, act, params, x_test, layer)
    if not np.isfinite(h).all() or (h_test is not None and not np.isfinite(h_test).all()):
        return None
    width = h.shape[1]
    last = layer == len(weights) - 2
    projection: Projection = "identity" if width <= MAX_IDENTITY_WIDTH else "pca"
    ratio = None
    if projection == "pca":
        basis = basis if basis is not None else pca_basis(h)
        coords = (h - basis.mean) @ basis.vectors
        test = None if h_test is None else (h_test - basis.mean) @ basis.vectors
        ratio = explained_variance(h, basis.vectors)
    else:
        basis, coords, test = None, h, h_test
    boundaries = values = test_values = None
    w_out, b_out = weights[-1]
    if last:
        boundaries = output_boundaries(w_out, b_out, output, basis)
        if output == "linear":
            values = (h @ w_out + b_out)[:, 0]
            test_values = None if h_test is None else (h_test @ w_out + b_out)[:, 0]
    space = HiddenSpace(
        layer=layer,
        width=width,
        projection=projection,
        axes=axes_of(width, projection),
        train=np.asarray(coords, dtype=np.float64),
        test=None if test is None else np.asarray(test, dtype=np.float64),
        explained_variance=ratio,
        boundaries=boundaries,
        values=values,
        test_values=test_values,
    )
    return space if all_finite(space) else None


def all_finite(space: HiddenSpace) -> bool:
    arrays = [space.train, space.test, space.explained_variance, space.values, space.test_values]
    for boundary in space.boundaries or []:
        arrays += [boundary.coefficients, np.array([boundary.offset])]
    return all(a is None or bool(np.isfinite(a).all()) for a in arrays)


def pooled_basis(
    states: Sequence[Sequence[Layer]],
    act: Activation,
    params: dict[str, ParamValue],
    x_train: Array,
    layer: int,
) -> Basis | None:
    """One PCA plane for every state of a run: the training points of all states pooled, from
    running sums (one state's points in memory at a time). None when no state is finite."""
    total: Array | None = None
    outer: Array | None = None
    count = 0
    for weights in states:
        with np.errstate(all="ignore"):
            h = layer_outputs(weights, act, params, x_train, layer)
        if not np.isfinite(h).all():
            continue
        total = h.sum(axis=0) if total is None else total + h.sum(axis=0)
        outer = h.T @ h if outer is None else outer + h.T @ h
        count += len(h)
    if total is None or outer is None:
        return None
    basis = pca_of_moments(total, outer, count)
    return basis if np.isfinite(basis.vectors).all() and np.isfinite(basis.mean).all() else None


def recorded(
    states: Sequence[Sequence[Layer]],
    act: Activation,
    params: dict[str, ParamValue],
    output: OutputName,
    x_train: Array,
    x_test: Array | None,
    layers: Sequence[int],
) -> list[list[HiddenSpace | None]]:
    """[state][k]: layers[k]'s view at each recorded state, a PCA view on one pooled basis."""
    bases: dict[int, Basis | None] = {}
    for layer in layers:
        width = states[0][layer][0].shape[1] if states else 0
        if width > MAX_IDENTITY_WIDTH:
            bases[layer] = pooled_basis(states, act, params, x_train, layer)
    return [
        [
            None
            if layer in bases and bases[layer] is None
            else view(weights, act, params, output, x_train, x_test, layer, bases.get(layer))
            for layer in layers
        ]
        for weights in states
    ]


class LiveProjector:
    """A live session's views, frame after frame: each PCA basis sign-aligned to the session's
    first state's (its anchor, set once from the start body's weights). Aligning to the frame
    before would make a frame depend on which frames were sent before it; with the anchor, a
    replayed session draws the same bytes, and a plane that turns smoothly never mirrors."""

    def __init__(self, layers: Sequence[int]) -> None:
        self.layers = list(layers)
        self.anchors: dict[int, Basis] = {}

    def basis(
        self,
        weights: Sequence[Layer],
        act: Activation,
        params: dict[str, ParamValue],
        x_train: Array,
        layer: int,
    ) -> Basis | None:
        """The PCA plane of this state in a wide layer, aligned to the anchor (None: narrow
        layer, or not finite)."""
        if weights[layer][0].shape[1] <= MAX_IDENTITY_WIDTH:
            return None
        with np.errstate(all="ignore"):
            h = layer_outputs(weights, act, params, x_train, layer)
        if not np.isfinite(h).all():
            return None
        return align(pca_basis(h), self.anchors.get(layer))

    def anchor(
        self,
        weights: Sequence[Layer],
        act: Activation,
        params: dict[str, ParamValue],
        x_train: Array,
    ) -> None:
        """Take this state's PCA planes as the signs every later frame is aligned to."""
        for layer in self.layers:
            basis = self.basis(weights, act, params, x_train, layer)
            if basis is not None:
                self.anchors[layer] = basis

    def views(
        self,
        weights: Sequence[Layer],
        act: Activation,
        params: dict[str, ParamValue],
        output: OutputName,
        x_train: Array,
        x_test: Array | None,
    ) -> list[HiddenSpace | None]:
        return [
            view(
                weights,
                act,
                params,
                output,
                x_train,
                x_test,
                layer,
                self.basis(weights, act, params, x_train, layer),
            )
            for layer in self.layers
        ]


def inputs_of(config: TrainConfig) -> tuple[Array, Array | None]:
    """The network inputs (features) of the configuration's training and test points."""
    data, names = config.dataset, config.features
    x_test = None if data.x_test is None else features(data.x_test, names)
    return features(data.x_train, names), x_test


def of_snapshots(
    config: TrainConfig, snapshots: Sequence[Snapshot], choice: LayerChoice
) -> list[list[HiddenSpace | None]]:
    """[snapshot][k]: the chosen layers' views at each snapshot of a recorded run."""
    layers = resolve_layers(choice, len(config.hidden_layers))
    x_train, x_test = inputs_of(config)
    return recorded(
        [s.weights for s in snapshots],
        config.activation,
        config.activation_params,
        config.output,
        x_train,
        x_test,
        layers,
    )
