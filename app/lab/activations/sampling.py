"""Where a curve is sampled: x = linspace(x_min, x_max, points), both ends included.

The defaults show every catalogue entry's interesting part; the limits keep a request's work and
its numbers bounded (|x| <= 1000 keeps every f, f' and f'' but `exponential`'s finite).
"""

import numpy as np

from app.lab.activations.base import Array

X_MIN = -6.0
X_MAX = 6.0
POINTS = 601
X_LIMIT = 1000.0  # |x| of a curve's ends and of every evaluated point
MIN_POINTS = 2
MAX_CURVE_POINTS = 20001
MAX_EVALUATE_POINTS = 100_000


def sample_x(x_min: float = X_MIN, x_max: float = X_MAX, points: int = POINTS) -> Array:
    """The curve's x: `points` evenly spaced values from x_min to x_max, both included."""
    return np.linspace(x_min, x_max, points)
