"""Toy 2-D data: the XOR truth table, the TensorFlow Playground's sets (regression too) and more.

Every generator is a pure function of its arguments: `generate(name, n_samples, noise,
train_fraction, seed)` draws all points from `np.random.default_rng(seed)`, then shuffles them
with the same generator and splits off the first floor(n_samples * train_fraction) as the
training set, as the Playground does. Labels are class indices 0..K-1; where the Playground
labels a point +1 it is class 1 here and -1 is class 0. The regression sets (REGRESSION_NAMES)
carry a real-valued target per point instead, the Playground's own number (about -1 to 1), and
no classes: their N_CLASSES is 0.

Coordinates are the raw (x1, x2) plane; `features(x, names)` maps them to the network's inputs
(x1, x2, x1^2, x2^2, x1*x2, sin x1, sin x2, as in the Playground).
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Labels = NDArray[np.int64]
# Class labels, or the real-valued targets of a regression set.
Targets = NDArray[np.int64] | NDArray[np.float64]

DatasetName = Literal[
    "xor",
    "quadrants",
    "circle",
    "gaussians",
    "spiral",
    "moons",
    "spiral3",
    "reg-plane",
    "reg-gauss",
]
DATASET_NAMES: tuple[DatasetName, ...] = get_args(DatasetName)
GENERATED: tuple[DatasetName, ...] = tuple(name for name in DATASET_NAMES if name != "xor")
# The Playground's regression sets, under its own names: a number to fit per point, no classes.
REGRESSION_NAMES: tuple[DatasetName, ...] = ("reg-plane", "reg-gauss")
N_CLASSES: dict[DatasetName, int] = (
    dict.fromkeys(DATASET_NAMES, 2) | {"spiral3": 3} | dict.fromkeys(REGRESSION_NAMES, 0)
)
MAX_CLASSES = 10  # labels a user's own points may carry: 0..9

# The generators' knobs: defaults and the ranges the API admits (noise as the Playground's 0-50 %).
DEFAULT_N_SAMPLES = 500
DEFAULT_NOISE = 0.0
DEFAULT_TRAIN_FRACTION = 0.5
DEFAULT_SEED = 0
MIN_SAMPLES = 10
MAX_POINTS = 2000  # points of a generated set, and of a user's own
MAX_NOISE = 0.5
MIN_TRAIN_FRACTION = 0.1
MAX_TRAIN_FRACTION = 0.9
MAX_SEED = 2**32 - 1  # seeds of data and of networks: what the API and the pages accept
MIN_OWN_POINTS = 2
COORD_LIMIT = 1000.0  # |x1|, |x2| of a user's own points
PLAYGROUND_RADIUS = 6.0  # the regression sets' points are U(-6, 6) per axis, as the Playground's

FeatureName = Literal["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"]
FEATURE_NAMES: tuple[FeatureName, ...] = get_args(FeatureName)
FEATURES: dict[FeatureName, Callable[[Array, Array], Array]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1_squared": lambda x1, x2: x1 * x1,
    "x2_squared": lambda x1, x2: x2 * x2,
    "x1_x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}
FEATURE_FORMULAS: dict[FeatureName, str] = {
    "x1": "x1",
    "x2": "x2",
    "x1_squared": "x1^2",
    "x2_squared": "x2^2",
    "x1_x2": "x1 * x2",
    "sin_x1": "sin(x1)",
    "sin_x2": "sin(x2)",
}


@dataclass(frozen=True)
class Dataset:
    """Raw 2-D points and their labels (class indices; real targets when n_classes is 0, a
    regression set); the test set is None when there is none."""

    name: str
    x_train: Array  # (n_train, 2)
    y_train: Targets  # (n_train,)
    x_test: Array | None
    y_test: Targets | None
    n_classes: int

    @property
    def regression(self) -> bool:
        """A real-valued target per point rather than a class."""
        return self.n_classes == 0


# The XOR truth table in the project's order: (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0.
XOR_INPUTS: Array = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])


XOR_SIZE = len(XOR_LABELS)


def xor() -> Dataset:
    """The truth table (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0, in that order; no test set."""
    return Dataset("xor", XOR_INPUTS.copy(), XOR_LABELS.copy(), None, None, 2)


def from_points(points: Array, n_classes: int) -> Dataset:
    """A user's own [[x1, x2, label], ...]: every point is training data, in the order given."""
    x = np.array(points[:, :2], dtype=np.float64)
    return Dataset("points", x, points[:, 2].astype(np.int64), None, None, n_classes)


def class_sizes(n: int, k: int) -> list[int]:
    """n split into k near-equal counts, the first classes taking the remainder."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def quadrants(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Labels]:
    """The Playground's XOR: U(-5, 5) padded 0.3 away from the axes, class 1 where x1*x2 >= 0.

    Noise moves the point used for the label by U(-5, 5) * noise per axis, so points near the
    axes get the other quadrant's label (label noise, as in the Playground).
    """
    x = rng.uniform(-5.0, 5.0, size=(n, 2))
    x += np.where(x > 0.0, 0.3, -0.3)
    shift = rng.uniform(-5.0, 5.0, size=(n, 2)) * noise
    moved = x + shift
    return x, (moved[:, 0] * moved[:, 1] >= 0.0).astype(np.int64)


def circle(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Labels]:
    """The Playground's circle: class 1 at radius U(0, 2.5), class 0 at radius U(3.5, 5).

    Labels come from the point moved by U(-5, 5) * noise per axis: class 1 inside radius 2.5.
    """
    n_in, n_out = class_sizes(n, 2)
    radius = np.concatenate([rng.uniform(0.0, 2.5, n_in), rng.uniform(3.5, 5.0, n_out)])
    angle = rng.uniform(0.0, 2.0 * math.pi, n)
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    moved = x + rng.uniform(-5.0, 5.0, size=(n, 2)) * noise
    return x, (np.hypot(moved[:, 0], moved[:, 1]) < 2.5).astype(np.int64)


def gaussians(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Labels]:
    """The Playground's two Gaussians: class 1 around (2, 2), class 0 around (-2, -2).

    Variance grows linearly with noise from 0.5 (noise 0) to 4 (noise 0.5).
    """
    n1, n0 = class_sizes(n, 2)
    std = math.sqrt(0.5 + 7.0 * noise)
    centres = np.repeat(np.array([[2.0, 2.0], [-2.0, -2.0]]), [n1, n0], axis=0)
    x = centres + rng.normal(0.0, std, size=(n, 2))
    return x, np.repeat(np.array([1, 0]), [n1, n0])


def arms(rng: np.random.Generator, n: int, noise: float, k: int) -> tuple[Array, Labels]:
    """k interleaved spiral arms: arm c turns 1.75 times out to radius 5, rotated by 2*pi*c/k.

    Point i of m on an arm sits at radius r = 5 i/m and angle t = 3.5 pi i/m + 2 pi c/k, at
    (r sin t, r cos t) plus U(-1, 1) * noise per axis. For k = 2 this is the Playground's
    spiral, whose arm at angle 0 is class 1.
    """
    xs, ys = [], []
    for arm, m in enumerate(class_sizes(n, k)):
        i = np.arange(m) / m
        r = 5.0 * i
        t = 1.75 * 2.0 * math.pi * i + 2.0 * math.pi * arm / k
        points = np.column_stack([r * np.sin(t), r * np.cos(t)])
        xs.append(points + rng.uniform(-1.0, 1.0, size=(m, 2)) * noise)
        ys.append(np.full(m, (1 - arm) if k == 2 else arm, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def moons(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Labels]:
    """Two interleaved half circles (scikit-learn's make_moons), scaled by 3 and centred.

    Class 0 is the upper moon (cos t, sin t), class 1 the lower (1 - cos t, 0.5 - sin t), t in
    [0, pi] evenly; then (x - (0.5, 0.25)) * 3 plus N(0, (3 noise)^2) per axis.
    """
    n0, n1 = class_sizes(n, 2)
    t0 = np.linspace(0.0, math.pi, n0)
    t1 = np.linspace(0.0, math.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    x = (np.concatenate([upper, lower]) - np.array([0.5, 0.25])) * 3.0
    x += rng.normal(0.0, 3.0 * noise, size=(n, 2))
    return x, np.repeat(np.array([0, 1]), [n0, n1])


def reg_plane(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    """The Playground's regressPlane: x ~ U(-6, 6)^2, target (x1 + x2) / 10 (its linear scale
    from [-10, 10] to [-1, 1], unclamped) of the point moved by U(-6, 6) * noise per axis."""
    x = rng.uniform(-PLAYGROUND_RADIUS, PLAYGROUND_RADIUS, size=(n, 2))
    moved = x + rng.uniform(-PLAYGROUND_RADIUS, PLAYGROUND_RADIUS, size=(n, 2)) * noise
    return x, (moved[:, 0] + moved[:, 1]) / 10.0


# regressGaussian's bumps: (centre x1, centre x2, sign).
REG_GAUSSIANS: Array = np.array(
    [[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0], [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0],
     [4.0, -2.5, -1.0]]
)  # fmt: skip


def reg_gauss(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    """The Playground's regressGaussian: x ~ U(-6, 6)^2; each of six bumps gives sign * max(0,
    1 - d / 2) at distance d from its centre (its scale from [0, 2] to [1, 0], clamped), and the
    target is the bump value largest in |.| (the first of equals), of the point moved by
    U(-6, 6) * noise per axis."""
    x = rng.uniform(-PLAYGROUND_RADIUS, PLAYGROUND_RADIUS, size=(n, 2))
    moved = x + rng.uniform(-PLAYGROUND_RADIUS, PLAYGROUND_RADIUS, size=(n, 2)) * noise
    d = np.hypot(moved[:, None, 0] - REG_GAUSSIANS[:, 0], moved[:, None, 1] - REG_GAUSSIANS[:, 1])
    bumps = REG_GAUSSIANS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    pick = np.argmax(np.abs(bumps), axis=1)
    return x, bumps[np.arange(n), pick] + 0.0  # + 0.0: no -0.0 where every bump is 0


GENERATORS: dict[str, Callable[[np.random.Generator, int, float], tuple[Array, Targets]]] = {
    "quadrants": quadrants,
    "circle": circle,
    "gaussians": gaussians,
    "spiral": lambda rng, n, noise: arms(rng, n, noise, 2),
    "moons": moons,
    "spiral3": lambda rng, n, noise: arms(rng, n, noise, 3),
    "reg-plane": reg_plane,
    "reg-gauss": reg_gauss,
}


def generate(
    name: DatasetName,
    n_samples: int = DEFAULT_N_SAMPLES,
    noise: float = DEFAULT_NOISE,
    train_fraction: float = DEFAULT_TRAIN_FRACTION,
    seed: int = DEFAULT_SEED,
) -> Dataset:
    """A named data set, shuffled and split; `xor` ignores every argument but its name."""
    if name == "xor":
        return xor()
    rng = np.random.default_rng(seed)
    x, y = GENERATORS[name](rng, n_samples, noise)
    order = rng.permutation(n_samples)
    n_train = n_train_of(n_samples, train_fraction)
    train, test = order[:n_train], order[n_train:]
    return Dataset(name, x[train], y[train], x[test], y[test], N_CLASSES[name])


def n_train_of(n_samples: int, train_fraction: float) -> int:
    """How many of n_samples points the split puts in the training set."""
    return int(math.floor(n_samples * train_fraction))


def n_train_for(
    name: DatasetName,
    n_samples: int = DEFAULT_N_SAMPLES,
    train_fraction: float = DEFAULT_TRAIN_FRACTION,
) -> int:
    """The size of generate(name, n_samples, train_fraction=...)'s training set, without
    generating it: xor's four points, else the split's share."""
    return XOR_SIZE if name == "xor" else n_train_of(n_samples, train_fraction)


def n_classes_of_points(max_label: int, two_classes: bool) -> int:
    """Classes of a user's own points: labels 0..max_label, at least two (exactly two when the
    output is a single sigmoid unit)."""
    return 2 if two_classes else max(2, max_label + 1)


def features(x: Array, names: Sequence[FeatureName]) -> Array:
    """The network's input matrix (n, len(names)) from raw points (n, 2)."""
    x1, x2 = x[:, 0], x[:, 1]
    return np.ascontiguousarray(np.column_stack([FEATURES[name](x1, x2) for name in names]))


def bounds(x: Array, margin: float = 0.2) -> tuple[tuple[float, float], tuple[float, float]]:
    """The box around the points widened by `margin` times its size on each side (a unit box
    for a degenerate axis): the plane the decision boundary is drawn on."""
    out = []
    for axis in range(2):
        lo, hi = float(x[:, axis].min()), float(x[:, axis].max())
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        pad = margin * (hi - lo)
        out.append((lo - pad, hi + pad))
    return out[0], out[1]
