"""Entries from the wider literature (Keras 3, the classic activation tables).

PyTorch has none of these, so there is no autograd convention to follow at kinks: the derivative
at a kink is the value of the branch that holds the point, as each formula's cases are written.
"""

import math

import numpy as np
from scipy.special import ndtr

from app.lab.activations.base import Activation, Array, Param, ParamError, Params, Traits, fixed
from app.lab.activations.numerics import sech2, stationary_value
from app.lab.activations.pytorch import SILU_MIN, d2_silu, d_silu, silu

LECUN_SCALE = 1.7159
LECUN_RATE = 2.0 / 3.0
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
ALPHA = Param("alpha", 1.0, 0.0, 5.0, min_exclusive=True, description="1/sqrt(alpha) is the bound")


def _zeros(x: Array) -> Array:
    return np.zeros_like(x, dtype=np.float64)


# --- swish, squareplus, sparse_plus, exponential ----------------------------------------------


def swish(x: Array, beta: float) -> Array:
    return silu(beta * x) / beta


def d_swish(x: Array, beta: float) -> Array:
    return d_silu(beta * x)


def d2_swish(x: Array, beta: float) -> Array:
    return beta * d2_silu(beta * x)


def _squareplus_root(x: Array, b: float) -> Array:
    return np.sqrt(x * x + b)


def squareplus(x: Array, b: float) -> Array:
    r = _squareplus_root(x, b)
    # x + r cancels for x << 0; (x + r) = b / (r - x) there, with no cancellation.
    return np.where(x < 0.0, b / (2.0 * (r - x)), (x + r) / 2.0)


def d_squareplus(x: Array, b: float) -> Array:
    r = _squareplus_root(x, b)
    return np.where(x < 0.0, b / (2.0 * r * (r - x)), (1.0 + x / r) / 2.0)


def d2_squareplus(x: Array, b: float) -> Array:
    return b / (2.0 * _squareplus_root(x, b) ** 3)


def sparse_plus(x: Array) -> Array:
    return np.where(x <= -1.0, 0.0, np.where(x >= 1.0, x, (x + 1.0) ** 2 / 4.0))


def d_sparse_plus(x: Array) -> Array:
    return np.where(x <= -1.0, 0.0, np.where(x >= 1.0, 1.0, (x + 1.0) / 2.0))


def d2_sparse_plus(x: Array) -> Array:
    return np.where((x > -1.0) & (x < 1.0), 0.5, 0.0)


def exponential(x: Array) -> Array:
    # e^x genuinely exceeds float64 above x = 709.78: inf there is the honest answer (the API
    # returns null for it), so the overflow is expected rather than a warning.
    with np.errstate(over="ignore"):
        return np.exp(x)


# --- S-shaped ReLU -----------------------------------------------------------------------------


def srelu(x: Array, t_left: float, a_left: float, t_right: float, a_right: float) -> Array:
    return np.where(
        x <= t_left,
        t_left + a_left * (x - t_left),
        np.where(x >= t_right, t_right + a_right * (x - t_right), x),
    )


def d_srelu(x: Array, t_left: float, a_left: float, t_right: float, a_right: float) -> Array:
    return np.where(x <= t_left, a_left, np.where(x >= t_right, a_right, 1.0))


def d2_srelu(x: Array, t_left: float, a_left: float, t_right: float, a_right: float) -> Array:
    return _zeros(x)


def check_srelu(params: Params) -> None:
    if float(params["t_left"]) > float(params["t_right"]):
        raise ParamError("t_right", "must be >= t_left")


def srelu_traits(params: Params) -> Traits:
    tl, al = float(params["t_left"]), float(params["a_left"])
    tr, ar = float(params["t_right"]), float(params["a_right"])
    has_middle = tl < tr
    # Each outer piece either runs off to +-inf or stays at its threshold.
    lo = None if (al > 0.0 or ar < 0.0) else tl
    hi = None if (al < 0.0 or ar > 0.0) else tr
    slopes = [al, ar] + ([1.0] if has_middle else [])
    monotonic = all(s >= 0.0 for s in slopes) or all(s <= 0.0 for s in slopes)
    kinks = (al != 1.0 or ar != 1.0) if has_middle else al != ar
    if not kinks:  # one straight line: odd exactly when it passes through the origin
        offset = tl * (1.0 - al) if has_middle or al != 1.0 else 0.0
        parity = "odd" if offset == 0.0 else "none"
    elif has_middle and tl == -tr and al == ar:
        parity = "odd"
    elif not has_middle and tl == 0.0 and al == -ar:
        parity = "even"
    else:
        parity = "none"
    return Traits(
        (lo, hi),
        monotonic,
        "C0" if kinks else "Cinf",
        parity,  # type: ignore[arg-type]
        al == 0.0 or ar == 0.0,
        (lo is not None, hi is not None),  # a finite end is the knee's own value, f(t) = t
    )


# --- tanh relatives ----------------------------------------------------------------------------


def lecun_tanh(x: Array) -> Array:
    return LECUN_SCALE * np.tanh(LECUN_RATE * x)


def d_lecun_tanh(x: Array) -> Array:
    return LECUN_SCALE * LECUN_RATE * sech2(LECUN_RATE * x)


def d2_lecun_tanh(x: Array) -> Array:
    u = LECUN_RATE * x
    return -2.0 * LECUN_SCALE * LECUN_RATE**2 * np.tanh(u) * sech2(u)


def arctan(x: Array) -> Array:
    return np.arctan(x)


def d_arctan(x: Array) -> Array:
    return 1.0 / (1.0 + x * x)


def d2_arctan(x: Array) -> Array:
    return -2.0 * x / (1.0 + x * x) ** 2


def bent_identity(x: Array) -> Array:
    # (sqrt(x^2 + 1) - 1) / 2 rewritten so that it does not cancel near 0.
    return x * x / (2.0 * (np.hypot(x, 1.0) + 1.0)) + x


def d_bent_identity(x: Array) -> Array:
    return x / (2.0 * np.hypot(x, 1.0)) + 1.0


def d2_bent_identity(x: Array) -> Array:
    return 1.0 / (2.0 * np.hypot(x, 1.0) ** 3)


def symmetrical_sigmoid(x: Array) -> Array:
    # 2 sigma(x) - 1 is exactly tanh(x / 2), which keeps full precision near 0.
    return np.tanh(x / 2.0)


def d_symmetrical_sigmoid(x: Array) -> Array:
    return 0.5 * sech2(x / 2.0)


def d2_symmetrical_sigmoid(x: Array) -> Array:
    return -0.5 * np.tanh(x / 2.0) * sech2(x / 2.0)


def loglog(x: Array) -> Array:
    # e^x only matters below x ~ 4 (1 - exp(-e^x) is 1 to the last bit beyond); capping the
    # exponent at 700 keeps e^x finite without changing any result.
    return -np.expm1(-np.exp(np.minimum(x, 700.0)))


def d_loglog(x: Array) -> Array:
    return np.exp(x - np.exp(np.minimum(x, 700.0)))


def d2_loglog(x: Array) -> Array:
    e = np.exp(np.minimum(x, 700.0))
    return np.exp(x - e) * (1.0 - e)


def isru(x: Array, alpha: float) -> Array:
    # In the tails x / sqrt(1 + a x^2) is the ratio of two rounded growing numbers and wobbles
    # by an ulp, so the computed curve would not be monotonic. sign(x) / sqrt(a + 1/x^2) is a
    # chain of monotone, correctly rounded steps, so it is monotonic to the last bit.
    big = np.abs(x) >= 1.0
    safe = np.where(big, x, 1.0)
    return np.where(
        big, np.sign(x) / np.sqrt(alpha + 1.0 / (safe * safe)), x / np.sqrt(1.0 + alpha * x * x)
    )


def d_isru(x: Array, alpha: float) -> Array:
    return (1.0 + alpha * x * x) ** -1.5


def d2_isru(x: Array, alpha: float) -> Array:
    return -3.0 * alpha * x * (1.0 + alpha * x * x) ** -2.5


def isrlu(x: Array, alpha: float) -> Array:
    return np.where(x >= 0.0, x, isru(x, alpha))


def d_isrlu(x: Array, alpha: float) -> Array:
    return np.where(x >= 0.0, 1.0, d_isru(x, alpha))


def d2_isrlu(x: Array, alpha: float) -> Array:
    return np.where(x >= 0.0, 0.0, d2_isru(x, alpha))


def sqnl(x: Array) -> Array:
    return np.where(
        x > 2.0,
        1.0,
        np.where(x >= 0.0, x - x * x / 4.0, np.where(x >= -2.0, x + x * x / 4.0, -1.0)),
    )


def d_sqnl(x: Array) -> Array:
    return np.where(np.abs(x) > 2.0, 0.0, 1.0 - np.abs(x) / 2.0)


def d2_sqnl(x: Array) -> Array:
    return np.where(x > 2.0, 0.0, np.where(x >= 0.0, -0.5, np.where(x >= -2.0, 0.5, 0.0)))


# --- Soboleva's modified tanh ------------------------------------------------------------------
# f = (e^{ax} - e^{-bx}) / (e^{cx} + e^{-dx}). Dividing through by the larger denominator term
# gives f = (e^{px} - e^{qx}) / (1 + u), u = e^{rx} <= 1, on each side of 0. Only e^{px} (x > 0,
# a > c) or e^{qx} (x < 0, b > d) can exceed float64, and only where f itself does.


def _soboleva_parts(
    x: Array, a: float, b: float, c: float, d: float
) -> tuple[Array, Array, Array, Array, Array, Array]:
    right = x >= 0.0
    p = np.where(right, a - c, a + d)
    q = np.where(right, -(b + c), d - b)
    r = np.where(right, -(c + d), c + d)
    with np.errstate(over="ignore"):
        e1, e2 = np.exp(p * x), np.exp(q * x)
    return p, q, r, e1, e2, np.exp(r * x)


def soboleva_tanh(x: Array, a: float, b: float, c: float, d: float) -> Array:
    _, _, _, e1, e2, u = _soboleva_parts(x, a, b, c, d)
    return (e1 - e2) / (1.0 + u)


def _soboleva_weights(rate: Array, r: Array, u: Array) -> tuple[Array, Array]:
    """For g = e^{rate x} / (1 + u): g' = e^{rate x} w1 and g'' = e^{rate x} w2."""
    h = 1.0 + u
    w1 = rate / h - r * u / h**2
    dw1 = -rate * r * u / h**2 - r * r * u / h**2 + 2.0 * r * r * u * u / h**3
    return w1, rate * w1 + dw1


def d_soboleva_tanh(x: Array, a: float, b: float, c: float, d: float) -> Array:
    p, q, r, e1, e2, u = _soboleva_parts(x, a, b, c, d)
    with np.errstate(over="ignore"):
        return e1 * _soboleva_weights(p, r, u)[0] - e2 * _soboleva_weights(q, r, u)[0]


def d2_soboleva_tanh(x: Array, a: float, b: float, c: float, d: float) -> Array:
    p, q, r, e1, e2, u = _soboleva_parts(x, a, b, c, d)
    with np.errstate(over="ignore"):
        return e1 * _soboleva_weights(p, r, u)[1] - e2 * _soboleva_weights(q, r, u)[1]


def soboleva_traits(params: Params) -> Traits:
    """Limits at +-inf are exact; interior extremes are found on a grid and refined by Newton."""
    a, b, c, d = (float(params[k]) for k in "abcd")

    def f(x: Array) -> Array:
        return soboleva_tanh(x, a, b, c, d)

    def df(x: Array) -> Array:
        return d_soboleva_tanh(x, a, b, c, d)

    def d2f(x: Array) -> Array:
        return d2_soboleva_tanh(x, a, b, c, d)

    # f -> +inf, 1 or 0 as x -> +inf (a >, =, < c); -> -inf, -1 or 0 as x -> -inf (b >, =, < d).
    limit_right = math.inf if a > c else (1.0 if a == c else 0.0)
    limit_left = -math.inf if b > d else (-1.0 if b == d else 0.0)
    span = 60.0 / min(a, b, c, d)
    x = np.linspace(-span, span, 24001)
    with np.errstate(over="ignore"):
        y, slope = f(x), df(x)
    finite = np.isfinite(y)
    inner = np.flatnonzero(finite)

    def refine(index: int) -> tuple[float, bool]:
        """The extreme near grid point `index`, and whether it is a stationary point (attained)."""
        if index in (inner[0], inner[-1]):
            return float(y[index]), False
        return stationary_value(f, df, d2f, float(x[index])), True

    low, low_inside = refine(int(inner[np.argmin(y[finite])]))
    high, high_inside = refine(int(inner[np.argmax(y[finite])]))
    lo = min(limit_left, limit_right, low)
    hi = max(limit_left, limit_right, high)
    # an interior extreme beyond both limits is reached at its stationary point
    attained = (
        (low_inside and low < min(limit_left, limit_right)),
        (high_inside and high > max(limit_left, limit_right)),
    )
    slope = slope[np.isfinite(slope)]
    monotonic = bool(np.all(slope >= 0.0) or np.all(slope <= 0.0))
    return Traits(
        (None if math.isinf(lo) else lo, None if math.isinf(hi) else hi),
        monotonic,
        "Cinf",
        "odd" if (a == b and c == d) else "none",
        a <= c or b <= d,
        attained,
    )


# --- the rest of the classic table -------------------------------------------------------------


def absolute(x: Array) -> Array:
    return np.abs(x)


def d_absolute(x: Array) -> Array:
    return np.sign(x)


def signum(x: Array) -> Array:
    return np.sign(x)


def gaussian(x: Array) -> Array:
    return np.exp(-x * x)


def d_gaussian(x: Array) -> Array:
    return -2.0 * x * np.exp(-x * x)


def d2_gaussian(x: Array) -> Array:
    return (4.0 * x * x - 2.0) * np.exp(-x * x)


def sinusoid(x: Array) -> Array:
    return np.sin(x)


def d_sinusoid(x: Array) -> Array:
    return np.cos(x)


def d2_sinusoid(x: Array) -> Array:
    return -np.sin(x)


def cosine(x: Array) -> Array:
    return np.cos(x)


def d_cosine(x: Array) -> Array:
    return -np.sin(x)


def d2_cosine(x: Array) -> Array:
    return -np.cos(x)


# Near 0 the closed forms of sinc' and sinc'' cancel badly, so there we sum their Taylor series
# (terms up to x^15 leave an error below 1e-17 for |x| < 0.5).
_SINC_SERIES_LIMIT = 0.5
_SINC_D1 = np.array([(-1) ** k * 2 * k / math.factorial(2 * k + 1) for k in range(1, 9)])
_SINC_D2 = np.array(
    [(-1) ** k * 2 * k * (2 * k - 1) / math.factorial(2 * k + 1) for k in range(1, 9)]
)


def sinc(x: Array) -> Array:
    return np.sinc(x / np.pi)


def d_sinc(x: Array) -> Array:
    small = np.abs(x) < _SINC_SERIES_LIMIT
    safe = np.where(small, 1.0, x)
    powers = np.power.outer(x, np.arange(1, 17, 2))  # x^1, x^3, ..., x^15
    series: Array = powers @ _SINC_D1
    return np.where(small, series, (safe * np.cos(safe) - np.sin(safe)) / safe**2)


def d2_sinc(x: Array) -> Array:
    small = np.abs(x) < _SINC_SERIES_LIMIT
    safe = np.where(small, 1.0, x)
    powers = np.power.outer(x, np.arange(0, 16, 2))  # x^0, x^2, ..., x^14
    series: Array = powers @ _SINC_D2
    closed = ((2.0 - safe**2) * np.sin(safe) - 2.0 * safe * np.cos(safe)) / safe**3
    return np.where(small, series, closed)


def probit(x: Array) -> Array:
    return ndtr(x)


def d_probit(x: Array) -> Array:
    return INV_SQRT_2PI * np.exp(-0.5 * x * x)


def d2_probit(x: Array) -> Array:
    return -x * INV_SQRT_2PI * np.exp(-0.5 * x * x)


SINC_MIN = stationary_value(sinc, d_sinc, d2_sinc, 4.49)

_SOBOLEVA_PARAMS = tuple(
    Param(name, 1.0, 0.0, 5.0, min_exclusive=True, description=text)
    for name, text in (
        ("a", "rate of the rising numerator term"),
        ("b", "rate of the falling numerator term"),
        ("c", "rate of the rising denominator term"),
        ("d", "rate of the falling denominator term"),
    )
)

LITERATURE: tuple[Activation, ...] = (
    Activation(
        name="swish",
        label="Swish",
        f=swish,
        df=d_swish,
        d2f=d2_swish,
        formula=r"f(x) = x\,\sigma(\beta x) = \frac{x}{1 + e^{-\beta x}}",
        derivative=r"f'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)\bigl(1 - \sigma(\beta "
        r"x)\bigr)",
        traits=lambda p: Traits(
            (SILU_MIN / float(p["beta"]), None), False, "Cinf", "none", True, (True, False)
        ),
        params=(Param("beta", 1.0, 0.0, 10.0, min_exclusive=True, description="sharpness"),),
        use="The searched-for activation of Ramachandran et al. (2017); beta interpolates "
        "between x/2 (beta -> 0) and ReLU (beta -> inf). beta = 1 is SiLU.",
        caveats="Not monotonic: its minimum is about -0.278/beta; a learned beta adds a "
        "parameter per layer.",
    ),
    Activation(
        name="squareplus",
        label="Squareplus",
        f=squareplus,
        df=d_squareplus,
        d2f=d2_squareplus,
        formula=r"f(x) = \frac{x + \sqrt{x^2 + b}}{2}",
        derivative=r"f'(x) = \frac{1}{2}\left(1 + \frac{x}{\sqrt{x^2 + b}}\right)",
        traits=fixed((0.0, None), True, "Cinf", "none", True),
        params=(Param("b", 4.0, 0.0, 100.0, min_exclusive=True, description="curvature at 0"),),
        use="A softplus look-alike (Barron, 2021) that needs only a square root, no "
        "exponentials or logarithms: cheap on any hardware.",
        caveats="It approaches 0 only polynomially (like b/(4|x|)), so negative inputs leak "
        "more than with softplus; f(0) = sqrt(b)/2, not 0.",
    ),
    Activation(
        name="sparse_plus",
        label="SparsePlus",
        f=sparse_plus,
        df=d_sparse_plus,
        d2f=d2_sparse_plus,
        formula=r"f(x) = \begin{cases} 0 & x \le -1 \\ \frac{(x + 1)^2}{4} & -1 < x < 1 \\ x "
        r"& x \ge 1 \end{cases}",
        derivative=r"f'(x) = \begin{cases} 0 & x \le -1 \\ \frac{x + 1}{2} & -1 < x < 1 \\ 1 "
        r"& x \ge 1 \end{cases}",
        traits=fixed((0.0, None), True, "C1", "none", True, attained=(True, False)),
        use="Keras 3's sparse_plus: a softplus-shaped curve that is exactly zero below -1, "
        "giving sparse activations with a smooth slope.",
        caveats="Inputs below -1 get zero gradient, as with a dead ReLU; the curvature jumps "
        "at +-1.",
    ),
    Activation(
        name="exponential",
        label="Exponential",
        f=exponential,
        df=exponential,
        d2f=exponential,
        formula=r"f(x) = e^{x}",
        derivative=r"f'(x) = e^{x}",
        traits=fixed((0.0, None), True, "Cinf", "none", True),
        use="Outputs that must be positive and multiplicative (rates, scales, Poisson means), "
        "as Keras' exponential activation.",
        caveats="Overflows float64 above x = 709.78 (the API returns null there) and explodes "
        "gradients well before that; never use it in hidden layers.",
    ),
    Activation(
        name="srelu",
        label="S-shaped ReLU",
        f=srelu,
        df=d_srelu,
        d2f=d2_srelu,
        formula=r"f(x) = \begin{cases} t_l + a_l (x - t_l) & x \le t_l \\ x & t_l < x < t_r "
        r"\\ t_r + a_r (x - t_r) & x \ge t_r \end{cases}",
        derivative=r"f'(x) = \begin{cases} a_l & x \le t_l \\ 1 & t_l < x < t_r \\ a_r & x "
        r"\ge t_r \end{cases}",
        traits=srelu_traits,
        params=(
            Param("t_left", -1.0, -10.0, 10.0, description="left knee"),
            Param("a_left", 0.2, -2.0, 2.0, description="slope left of the left knee"),
            Param("t_right", 1.0, -10.0, 10.0, description="right knee"),
            Param("a_right", 0.2, -2.0, 2.0, description="slope right of the right knee"),
        ),
        check=check_srelu,
        use="Jin et al. (2016): three linear pieces whose knees and outer slopes are learned, "
        "able to mimic both convex and non-convex responses.",
        caveats="Four parameters per unit when learned; with small outer slopes the tails "
        "learn slowly.",
    ),
    Activation(
        name="lecun_tanh",
        label="LeCun tanh",
        f=lecun_tanh,
        df=d_lecun_tanh,
        d2f=d2_lecun_tanh,
        formula=r"f(x) = 1.7159 \tanh\left(\tfrac{2}{3} x\right)",
        derivative=r"f'(x) = 1.7159 \cdot \tfrac{2}{3}\,\operatorname{sech}^2\left(\tfrac{2}{3} "
        r"x\right)",
        traits=fixed((-LECUN_SCALE, LECUN_SCALE), True, "Cinf", "odd", True),
        use="LeCun et al.'s 'Efficient BackProp' (1998) scaled tanh: f(+-1) = +-1 and unit "
        "variance outputs for unit variance inputs.",
        caveats="Still saturates like tanh; its slope at 0 is 1.14, not 1.",
    ),
    Activation(
        name="arctan",
        label="Arctan",
        f=arctan,
        df=d_arctan,
        d2f=d2_arctan,
        formula=r"f(x) = \arctan x",
        derivative=r"f'(x) = \frac{1}{1 + x^2}",
        traits=fixed((-math.pi / 2.0, math.pi / 2.0), True, "Cinf", "odd", True),
        use="A zero-centred squashing function whose tails flatten polynomially (slope ~ "
        "1/x^2), slower than tanh's exponential saturation.",
        caveats="Bounded by +-pi/2 rather than +-1, and its gradient still decays for large |x|.",
    ),
    Activation(
        name="bent_identity",
        label="Bent identity",
        f=bent_identity,
        df=d_bent_identity,
        d2f=d2_bent_identity,
        formula=r"f(x) = \frac{\sqrt{x^2 + 1} - 1}{2} + x",
        derivative=r"f'(x) = \frac{x}{2\sqrt{x^2 + 1}} + 1",
        traits=fixed((None, None), True, "Cinf", "none", False),
        use="A smooth, never-saturating bend of the identity: slope 1/2 far left and 3/2 far "
        "right, so gradients neither vanish nor die.",
        caveats="Unbounded on both sides; it is only mildly non-linear, so it needs more units "
        "to carve sharp boundaries.",
    ),
    Activation(
        name="symmetrical_sigmoid",
        label="Symmetrical sigmoid",
        f=symmetrical_sigmoid,
        df=d_symmetrical_sigmoid,
        d2f=d2_symmetrical_sigmoid,
        formula=r"f(x) = 2\sigma(x) - 1 = \tanh\frac{x}{2}",
        derivative=r"f'(x) = 2\sigma(x)\bigl(1 - \sigma(x)\bigr) = \tfrac{1}{2}\operatorname{sech}"
        r"^2\frac{x}{2}",
        traits=fixed((-1.0, 1.0), True, "Cinf", "odd", True),
        use="A zero-centred logistic curve (the bipolar sigmoid of classic texts), equal to "
        "tanh(x/2).",
        caveats="Its slope at 0 is only 0.5, and it saturates like tanh.",
    ),
    Activation(
        name="loglog",
        label="LogLog (complementary log-log)",
        f=loglog,
        df=d_loglog,
        d2f=d2_loglog,
        formula=r"f(x) = 1 - e^{-e^{x}}",
        derivative=r"f'(x) = e^{x - e^{x}}",
        traits=fixed((0.0, 1.0), True, "Cinf", "none", True),
        use="Probability outputs for asymmetric binary events (the inverse complementary "
        "log-log link): it rises slowly from 0 and snaps to 1.",
        caveats="Strongly asymmetric: it saturates at 1 by x ~ 4 but approaches 0 only like "
        "e^x, so its gradient vanishes fast on the right.",
    ),
    Activation(
        name="absolute",
        label="Absolute value",
        f=absolute,
        df=d_absolute,
        d2f=_zeros,
        formula=r"f(x) = |x|",
        derivative=r"f'(x) = \operatorname{sign} x",
        traits=fixed((0.0, None), False, "C0", "even", False, attained=(True, False)),
        use="Rectification that keeps magnitude regardless of sign, as in early vision models "
        "and scattering networks.",
        caveats="Even: it cannot tell x from -x, so sign information is lost; f'(0) = 0 as in "
        "PyTorch's abs.",
    ),
    Activation(
        name="signum",
        label="Signum",
        f=signum,
        df=_zeros,
        d2f=_zeros,
        formula=r"f(x) = \operatorname{sign} x",
        derivative=r"f'(x) = 0",
        traits=fixed((-1.0, 1.0), True, "discontinuous", "odd", True, attained=(True, True)),
        use="Binarised networks (with a straight-through estimator for the backward pass) and "
        "as a teaching contrast to differentiable activations.",
        caveats="Zero derivative everywhere it exists: plain backpropagation cannot train "
        "through it. sign(0) = 0.",
    ),
    Activation(
        name="gaussian",
        label="Gaussian",
        f=gaussian,
        df=d_gaussian,
        d2f=d2_gaussian,
        formula=r"f(x) = e^{-x^2}",
        derivative=r"f'(x) = -2x\,e^{-x^2}",
        traits=fixed((0.0, 1.0), False, "Cinf", "even", True, attained=(False, True)),
        use="Radial-basis-function networks and implicit neural representations, where a unit "
        "should respond to inputs near a centre.",
        caveats="Not monotonic and even; its gradient vanishes quickly away from 0.",
    ),
    Activation(
        name="sinusoid",
        label="Sinusoid",
        f=sinusoid,
        df=d_sinusoid,
        d2f=d2_sinusoid,
        formula=r"f(x) = \sin x",
        derivative=r"f'(x) = \cos x",
        traits=fixed((-1.0, 1.0), False, "Cinf", "odd", False, attained=(True, True)),
        use="Implicit neural representations (SIREN) that fit signals, images and shapes with "
        "fine detail; periodic data.",
        caveats="Periodic: many inputs map to the same output, giving a rugged loss surface; "
        "SIREN needs its special initialisation.",
    ),
    Activation(
        name="cosine",
        label="Cosine",
        f=cosine,
        df=d_cosine,
        d2f=d2_cosine,
        formula=r"f(x) = \cos x",
        derivative=r"f'(x) = -\sin x",
        traits=fixed((-1.0, 1.0), False, "Cinf", "even", False, attained=(True, True)),
        use="Random Fourier features and periodic encodings.",
        caveats="Even and periodic, with f(0) = 1: outputs are not centred and the loss surface "
        "is full of equivalent minima.",
    ),
    Activation(
        name="sinc",
        label="Sinc",
        f=sinc,
        df=d_sinc,
        d2f=d2_sinc,
        formula=r"f(x) = \begin{cases} \frac{\sin x}{x} & x \ne 0 \\ 1 & x = 0 \end{cases}",
        derivative=r"f'(x) = \begin{cases} \frac{\cos x}{x} - \frac{\sin x}{x^2} & x \ne 0 \\ "
        r"0 & x = 0 \end{cases}",
        traits=fixed((SINC_MIN, 1.0), False, "Cinf", "even", True, attained=(True, True)),
        use="Band-limited signal models and as an oscillating alternative to the Gaussian.",
        caveats="Even, not monotonic, with decaying ripples (minimum about -0.217 at x = "
        "4.493); the gradient is weak away from 0.",
    ),
    Activation(
        name="isru",
        label="ISRU",
        f=isru,
        df=d_isru,
        d2f=d2_isru,
        formula=r"f(x) = \frac{x}{\sqrt{1 + \alpha x^2}}",
        derivative=r"f'(x) = \left(\frac{1}{\sqrt{1 + \alpha x^2}}\right)^{3}",
        traits=lambda p: Traits(
            (-1.0 / math.sqrt(float(p["alpha"])), 1.0 / math.sqrt(float(p["alpha"]))),
            True,
            "Cinf",
            "odd",
            True,
        ),
        params=(ALPHA,),
        use="Inverse square root unit (Carlile et al., 2017): a tanh-like curve that needs no "
        "exponential, for recurrent nets on cheap hardware.",
        caveats="Saturates like tanh (only polynomially), bounded by +-1/sqrt(alpha).",
    ),
    Activation(
        name="isrlu",
        label="ISRLU",
        f=isrlu,
        df=d_isrlu,
        d2f=d2_isrlu,
        formula=r"f(x) = \begin{cases} x & x \ge 0 \\ \frac{x}{\sqrt{1 + \alpha x^2}} & x < 0 "
        r"\end{cases}",
        derivative=r"f'(x) = \begin{cases} 1 & x \ge 0 \\ \left(\frac{1}{\sqrt{1 + \alpha "
        r"x^2}}\right)^{3} & x < 0 \end{cases}",
        traits=lambda p: Traits(
            (-1.0 / math.sqrt(float(p["alpha"])), None), True, "C2", "none", True
        ),
        params=(ALPHA,),
        use="An ELU look-alike without exponentials (Carlile et al., 2017): smooth up to the "
        "second derivative at 0 and cheap to compute.",
        caveats="The negative side saturates at -1/sqrt(alpha); the third derivative jumps at 0.",
    ),
    Activation(
        name="sqnl",
        label="SQNL",
        f=sqnl,
        df=d_sqnl,
        d2f=d2_sqnl,
        formula=r"f(x) = \begin{cases} 1 & x > 2 \\ x - \frac{x^2}{4} & 0 \le x \le 2 \\ x + "
        r"\frac{x^2}{4} & -2 \le x < 0 \\ -1 & x < -2 \end{cases}",
        derivative=r"f'(x) = \begin{cases} 1 - \frac{|x|}{2} & |x| \le 2 \\ 0 & |x| > 2 "
        r"\end{cases}",
        traits=fixed((-1.0, 1.0), True, "C1", "odd", True, attained=(True, True)),
        use="Square nonlinearity (Wuraola and Patel, 2018): a piecewise-quadratic tanh for "
        "hardware without exponentials.",
        caveats="Exactly flat beyond |x| = 2 (zero gradient), and its curvature jumps at 0.",
    ),
    Activation(
        name="soboleva_tanh",
        label="Soboleva modified tanh",
        f=soboleva_tanh,
        df=d_soboleva_tanh,
        d2f=d2_soboleva_tanh,
        formula=r"f(x) = \frac{e^{a x} - e^{-b x}}{e^{c x} + e^{-d x}}",
        derivative=r"f'(x) = \frac{(a e^{a x} + b e^{-b x})(e^{c x} + e^{-d x}) - (e^{a x} - "
        r"e^{-b x})(c e^{c x} - d e^{-d x})}{(e^{c x} + e^{-d x})^2}",
        traits=soboleva_traits,
        params=_SOBOLEVA_PARAMS,
        use="A tanh with separately tunable rise and fall rates (Soboleva's modified hyperbolic "
        "tangent); a = b = c = d = 1 is exactly tanh.",
        caveats="With a > c (or b > d) it grows exponentially and overflows float64 for large "
        "|x| (null in the API); range and monotonicity are then computed numerically.",
    ),
    Activation(
        name="probit",
        label="Probit (normal CDF)",
        f=probit,
        df=d_probit,
        d2f=d2_probit,
        formula=r"f(x) = \Phi(x) = \frac{1}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt{2}}"
        r"\right)",
        derivative=r"f'(x) = \varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}",
        traits=fixed((0.0, 1.0), True, "Cinf", "none", True),
        use="Probit-link outputs (a Gaussian latent threshold) and the gate inside GELU "
        "(GELU(x) = x Phi(x)).",
        caveats="Saturates faster than the logistic sigmoid (its tails decay like e^{-x^2/2}), "
        "so gradients vanish sooner.",
    ),
)
