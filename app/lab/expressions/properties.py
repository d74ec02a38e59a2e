"""Properties of a compiled expression, estimated numerically for given parameter values.

Nothing here is proved: each trait is read off f, f' and f'' sampled on a fixed grid, refined
where that is cheap (Newton's method at an interior extreme, bisection at a branch switch).
The API labels them as estimates.
"""

import math
from collections.abc import Callable

import numpy as np

from app.lab.activations.base import Array, Continuity, Params, Parity, Traits
from app.lab.expressions.compiled import CompiledExpression
from app.lab.expressions.limits import PROBE_LIMIT

INNER_LIMIT = 100.0  # where a reached extreme, a jump or a pole is looked for
# The inner part at a step of 0.01 (0 and every integer and half on it), then the tails.
_INNER = np.linspace(0.0, INNER_LIMIT, 10001)
_OUTER = np.geomspace(INNER_LIMIT, PROBE_LIMIT, 201)[1:]
_HALF = np.concatenate([_INNER, _OUTER])
GRID = np.concatenate([-_HALF[:0:-1], _HALF])  # symmetric: GRID[::-1] == -GRID
_INNER_MASK = np.abs(GRID) <= INNER_LIMIT
# A flat piece (f' exactly 0) reaching here reaches the extreme; farther out, tanh and the
# sigmoid round to their limits and 1 - tanh^2 to 0, which is not reaching them.
_FLAT_MASK = np.abs(GRID) <= 15.0
JUMP_TOL = 1e-6  # relative size of a jump between the two sides of a switch
SYMMETRY_RTOL = 1e-9
TAIL_SLOPE = 1e-3  # |f'| below this over a whole far tail counts as saturating there


def estimate_traits(compiled: CompiledExpression, params: Params) -> Traits:
    """Range, monotonicity, continuity, parity and saturation of f at these parameters."""
    f, df, d2f = (_bind(p, params) for p in compiled.programs)
    y, dy = f(GRID), df(GRID)
    lo, lo_reached = _extreme(f, df, d2f, y, dy, lowest=True)
    hi, hi_reached = _extreme(f, df, d2f, y, dy, lowest=False)
    return Traits(
        range=(lo, hi),
        monotonic=_monotonic(y),
        continuity=_continuity(compiled, params, f, df, d2f),
        parity=_parity(y),
        saturating=_saturating(dy),
        attained=(lo_reached, hi_reached),
    )


def _bind(program: Callable[..., Array], params: Params) -> Callable[[Array], Array]:
    return lambda x: program(np.asarray(x, dtype=np.float64), **params)


def _extreme(
    f: Callable[[Array], Array],
    df: Callable[[Array], Array],
    d2f: Callable[[Array], Array],
    y: Array,
    dy: Array,
    lowest: bool,
) -> tuple[float | None, bool]:
    """The infimum (or supremum) of f, None when unbounded; whether some x reaches it."""
    sign = 1.0 if lowest else -1.0
    s = np.where(np.isfinite(y), sign * y, np.inf)
    if not np.isfinite(s).any():
        return None, False
    if np.isneginf(sign * y).any() or _still_moving(s, 0) or _still_moving(s, -1):
        return None, False
    i = int(np.argmin(s))
    best = float(s[i])
    # reached: taken on a flat piece (f' exactly 0) or at an interior grid minimum, inside the
    # inner part (beyond it, tanh and the sigmoid round to their limits)
    flat = (s == best) & (dy == 0.0) & _FLAT_MASK
    if flat.any():
        return sign * best, True
    if np.isinf(y[max(i - 1, 0) : i + 2]).any():  # next to a pole hit exactly (1/x at 0)
        return None, False
    if _INNER_MASK[i] and 0 < i < len(s) - 1 and s[i - 1] > best and s[i + 1] > best:
        refined = _newton(f, df, d2f, float(GRID[i]))
        if refined is not None and sign * refined <= best:
            best = sign * refined
        return sign * best, True
    return sign * best, False


def _still_moving(s: Array, end: int) -> bool:
    """Whether the extreme sits at a grid end and f still moves there: an unbounded side."""
    if float(s[end]) != float(np.min(s)):
        return False
    half = (
        int(np.searchsorted(GRID, GRID[end] / 2))
        if end == -1
        else len(GRID) - 1 - int(np.searchsorted(GRID, -GRID[end] / 2))
    )
    a, b = float(s[end]), float(s[half])
    return abs(a - b) > 1e-9 * max(1.0, abs(a))


def _newton(
    f: Callable[[Array], Array],
    df: Callable[[Array], Array],
    d2f: Callable[[Array], Array],
    x0: float,
) -> float | None:
    x = np.array([x0])
    for _ in range(50):
        curvature = float(d2f(x)[0])
        if curvature == 0.0 or not math.isfinite(curvature):
            return None
        step = float(df(x)[0]) / curvature
        x = x - step
        if abs(x[0] - x0) > 0.1:  # wandered off the grid cell: keep the grid value
            return None
        if abs(step) < 1e-15 * max(1.0, abs(float(x[0]))):
            break
    value = float(f(x)[0])
    return value if math.isfinite(value) else None


def _monotonic(y: Array) -> bool:
    finite = y[np.isfinite(y)]
    steps = np.diff(finite)
    tol = 1e-12 * np.maximum(1.0, np.abs(finite[1:]))
    return bool(np.all(steps >= -tol) or np.all(steps <= tol))


def _parity(y: Array) -> Parity:
    inner, mirror = y[_INNER_MASK], y[_INNER_MASK][::-1]
    both = np.isfinite(inner) & np.isfinite(mirror)
    if both.sum() < len(inner) // 2:  # defined on one side only (sqrt x): no symmetry to see
        return "none"
    a, b = inner[both], mirror[both]
    if np.allclose(b, -a, rtol=SYMMETRY_RTOL, atol=1e-12):
        return "odd"
    if np.allclose(b, a, rtol=SYMMETRY_RTOL, atol=1e-12):
        return "even"
    return "none"


def _saturating(dy: Array) -> bool:
    tails = (GRID <= -PROBE_LIMIT / 2, GRID >= PROBE_LIMIT / 2)
    return any(bool(np.all(np.abs(dy[tail]) < TAIL_SLOPE)) for tail in tails)


def _continuity(
    compiled: CompiledExpression,
    params: Params,
    f: Callable[[Array], Array],
    df: Callable[[Array], Array],
    d2f: Callable[[Array], Array],
) -> Continuity:
    """The lowest of: what the jumps at branch switches show, and what non-finite values show.

    A pole or a gap in the domain (1/x, log x, sqrt x) inside [-100, 100] is "discontinuous";
    an infinite slope (x**(1/3) at 0) C0; an infinite f'' C1. Without switches or such points
    the expression is a composition of analytic functions: Cinf. With switches and no jump in f,
    f' or f'', C2 (higher derivatives are not looked at).
    """
    x = GRID[_INNER_MASK]
    levels: list[Continuity] = ["Cinf"]
    for level, g in (("discontinuous", f), ("C0", df), ("C1", d2f)):
        if not np.isfinite(g(x)).all():
            levels.append(level)  # type: ignore[arg-type]
            break
    points = [p for s in compiled.switches for p in _roots(_bind(s, params), x)]
    if points:
        levels.append("C2")
    for point in points:
        # A jump keeps its size as the two sides close in; a steep but continuous g (|x|^0.5
        # at 0) shrinks with them: compare at two distances
        scale = max(1.0, abs(point))
        near = np.array([point - 1e-9 * scale, point + 1e-9 * scale])
        far = np.array([point - 1e-6 * scale, point + 1e-6 * scale])
        for level, g in (("discontinuous", f), ("C0", df), ("C1", d2f)):
            (left, right), (far_left, far_right) = g(near), g(far)
            if not np.isfinite([left, right, far_left, far_right]).all():
                continue
            gap = abs(left - right)
            if gap > JUMP_TOL * (1.0 + abs(left) + abs(right)) and gap > 0.1 * abs(
                far_left - far_right
            ):
                levels.append(level)  # type: ignore[arg-type]
                break
    order: list[Continuity] = ["discontinuous", "C0", "C1", "C2", "Cinf"]
    return min(levels, key=order.index)


def _roots(s: Callable[[Array], Array], x: Array) -> list[float]:
    """Where s changes sign on the grid (refined by bisection) or is exactly 0."""
    v = s(x)
    if not np.isfinite(v).any():
        return []
    sign = np.sign(v)
    out = [float(p) for p in x[sign == 0.0]]
    for i in np.flatnonzero(sign[:-1] * sign[1:] < 0):
        a, b = float(x[i]), float(x[i + 1])
        sa = float(sign[i])
        for _ in range(60):
            m = 0.5 * (a + b)
            sm = float(np.sign(s(np.array([m]))[0]))
            if sm == 0.0:
                a = b = m
                break
            if sm == sa:
                a = m
            else:
                b = m
        out.append(0.5 * (a + b))
    # a switch that holds on a whole interval (x - x) has no single point to look at
    return out[:64]
