"""The entries torch.nn.functional has, under its names, parameters and defaults.

Values, and derivatives at kinks, follow PyTorch (float64, autograd) exactly:
tests/data/torch_reference.json holds PyTorch's own numbers and tests/test_activations_torch.py
compares against them.
"""

import math
from collections.abc import Callable

import numpy as np
from scipy.special import expit, log_expit, ndtr

from app.lab.activations.base import (
    Activation,
    Array,
    Continuity,
    Param,
    ParamError,
    Params,
    Traits,
    fixed,
)
from app.lab.activations.numerics import sech2, sigmoid_pair, stationary_value

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
GELU_TANH_CUBIC = 0.044715
# SELU's constants as PyTorch (and Klambauer et al., 2017) define them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

ALPHA = Param("alpha", 1.0, 0.0, 5.0, min_exclusive=True, description="scale of the negative side")


def _ones(x: Array) -> Array:
    return np.ones_like(x, dtype=np.float64)


def _zeros(x: Array) -> Array:
    return np.zeros_like(x, dtype=np.float64)


def _piecewise_linear_traits(slope: float) -> Traits:
    """x for x > 0 and slope * x below: leaky_relu, prelu and eval-mode rrelu."""
    if slope == 1.0:
        return Traits((None, None), True, "Cinf", "odd", False)
    if slope == 0.0:
        return Traits((0.0, None), True, "C0", "none", True, attained=(True, False))
    return Traits((None, None), True, "C0", "none", False)


# --- identity, step, sigmoid, tanh -----------------------------------------------------------


def identity(x: Array) -> Array:
    return np.array(x, dtype=np.float64, copy=True)


def binary_step(x: Array) -> Array:
    return np.where(x >= 0.0, 1.0, 0.0)


def sigmoid(x: Array) -> Array:
    return expit(x)


def d_sigmoid(x: Array) -> Array:
    s, s_neg = sigmoid_pair(x)
    return s * s_neg


def d2_sigmoid(x: Array) -> Array:
    s, s_neg = sigmoid_pair(x)
    return s * s_neg * (s_neg - s)


def tanh(x: Array) -> Array:
    return np.tanh(x)


def d_tanh(x: Array) -> Array:
    return sech2(x)


def d2_tanh(x: Array) -> Array:
    return -2.0 * np.tanh(x) * sech2(x)


# --- the ReLU family ---------------------------------------------------------------------------


def relu(x: Array) -> Array:
    return np.where(x > 0.0, x, 0.0)


def d_relu(x: Array) -> Array:
    return np.where(x > 0.0, 1.0, 0.0)


def leaky_relu(x: Array, negative_slope: float) -> Array:
    return np.where(x > 0.0, x, negative_slope * x)


def d_leaky_relu(x: Array, negative_slope: float) -> Array:
    return np.where(x > 0.0, 1.0, negative_slope)


def d2_leaky_relu(x: Array, negative_slope: float) -> Array:
    return _zeros(x)


def prelu(x: Array, weight: float) -> Array:
    return leaky_relu(x, weight)


def d_prelu(x: Array, weight: float) -> Array:
    return d_leaky_relu(x, weight)


def d2_prelu(x: Array, weight: float) -> Array:
    return _zeros(x)


def rrelu(x: Array, lower: float, upper: float) -> Array:
    return leaky_relu(x, (lower + upper) / 2.0)


def d_rrelu(x: Array, lower: float, upper: float) -> Array:
    return d_leaky_relu(x, (lower + upper) / 2.0)


def d2_rrelu(x: Array, lower: float, upper: float) -> Array:
    return _zeros(x)


def check_rrelu(params: Params) -> None:
    if float(params["lower"]) > float(params["upper"]):
        raise ParamError("upper", "must be >= lower")


# --- exponential linear units ------------------------------------------------------------------
# np.where evaluates both branches, so the exponentials see min(x, 0) and never overflow.


def elu(x: Array, alpha: float) -> Array:
    return np.where(x > 0.0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def d_elu(x: Array, alpha: float) -> Array:
    return np.where(x > 0.0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def d2_elu(x: Array, alpha: float) -> Array:
    # PyTorch's elu double backward masks with x < 0 while elu_backward uses x <= 0:
    # at 0, f' = alpha (the left branch) but f'' = 0 (the right one). So do we.
    return np.where(x < 0.0, alpha * np.exp(np.minimum(x, 0.0)), 0.0)


def selu(x: Array) -> Array:
    return SELU_SCALE * elu(x, SELU_ALPHA)


def d_selu(x: Array) -> Array:
    return SELU_SCALE * d_elu(x, SELU_ALPHA)


def d2_selu(x: Array) -> Array:
    return SELU_SCALE * d2_elu(x, SELU_ALPHA)


def celu(x: Array, alpha: float) -> Array:
    return np.where(x > 0.0, x, alpha * np.expm1(np.minimum(x, 0.0) / alpha))


def d_celu(x: Array, alpha: float) -> Array:
    return np.where(x > 0.0, 1.0, np.exp(np.minimum(x, 0.0) / alpha))


def d2_celu(x: Array, alpha: float) -> Array:
    # PyTorch's celu is elu with input_scale 1/alpha: the same x < 0 mask, so f''(0) = 0.
    return np.where(x < 0.0, np.exp(np.minimum(x, 0.0) / alpha) / alpha, 0.0)


# --- smooth gates: GELU, SiLU, Mish, softplus --------------------------------------------------


def _gelu_tanh_u(x: Array) -> tuple[Array, Array, Array]:
    """u = sqrt(2/pi) (x + 0.044715 x^3) and its first two derivatives."""
    u = SQRT_2_OVER_PI * (x + GELU_TANH_CUBIC * x**3)
    du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_CUBIC * x**2)
    d2u = SQRT_2_OVER_PI * 6.0 * GELU_TANH_CUBIC * x
    return u, du, d2u


def gelu(x: Array, approximate: str) -> Array:
    if approximate == "tanh":
        # 0.5 (1 + tanh u) = sigma(2u): the same number, without 1 + (-1) in the left tail.
        return x * expit(2.0 * _gelu_tanh_u(x)[0])
    return x * ndtr(x)


def d_gelu(x: Array, approximate: str) -> Array:
    if approximate == "tanh":
        u, du, _ = _gelu_tanh_u(x)
        g, g_neg = sigmoid_pair(2.0 * u)
        return g + x * 2.0 * g * g_neg * du
    return ndtr(x) + x * INV_SQRT_2PI * np.exp(-0.5 * x * x)


def d2_gelu(x: Array, approximate: str) -> Array:
    if approximate == "tanh":
        u, du, d2u = _gelu_tanh_u(x)
        g, g_neg = sigmoid_pair(2.0 * u)
        s = g * g_neg
        dg = 2.0 * s * du
        d2g = 2.0 * s * (2.0 * du * du * (g_neg - g) + d2u)
        return 2.0 * dg + x * d2g
    return INV_SQRT_2PI * np.exp(-0.5 * x * x) * (2.0 - x * x)


def silu(x: Array) -> Array:
    return x * expit(x)


def d_silu(x: Array) -> Array:
    s, s_neg = sigmoid_pair(x)
    return s * (1.0 + x * s_neg)


def d2_silu(x: Array) -> Array:
    s, s_neg = sigmoid_pair(x)
    return s * s_neg * (2.0 + x * (s_neg - s))


def _mish_parts(x: Array) -> tuple[Array, Array, Array, Array]:
    """tanh(softplus x), sech^2(softplus x), sigma(x), sigma(-x)."""
    softplus_x = np.logaddexp(0.0, x)
    s, s_neg = sigmoid_pair(x)
    return np.tanh(softplus_x), sech2(softplus_x), s, s_neg


def mish(x: Array) -> Array:
    return x * np.tanh(np.logaddexp(0.0, x))


def d_mish(x: Array) -> Array:
    t, sech2_sp, s, _ = _mish_parts(x)
    return t + x * sech2_sp * s


def d2_mish(x: Array) -> Array:
    t, sech2_sp, s, s_neg = _mish_parts(x)
    return sech2_sp * s * (2.0 + x * (s_neg - 2.0 * t * s))


def softplus(x: Array, beta: float, threshold: float) -> Array:
    # PyTorch switches to the identity where beta * x > threshold; so do we, to the bit.
    return np.where(beta * x > threshold, x, np.logaddexp(0.0, beta * x) / beta)


def d_softplus(x: Array, beta: float, threshold: float) -> Array:
    return np.where(beta * x > threshold, 1.0, expit(beta * x))


def d2_softplus(x: Array, beta: float, threshold: float) -> Array:
    # PyTorch's softplus double backward masks with beta * x < threshold, while f and f' switch
    # at beta * x > threshold: exactly at beta * x = threshold, f'' is already 0.
    s, s_neg = sigmoid_pair(beta * x)
    return np.where(beta * x < threshold, beta * s * s_neg, 0.0)


def softplus_switch_window(params: Params) -> tuple[float, float]:
    """Where PyTorch's switch to x departs from ln(1 + e^(beta x)) / beta: around threshold / beta.

    The computed curve steps down by ln(1 + e^-threshold) / beta there (2.1e-9 at the defaults),
    so, strictly, it is neither continuous nor monotonic at that one point; the mathematical
    softplus the traits describe is both, and C-infinity. The window is twice the step wide each
    side (plus 1e-6 relative), enough for a sampled check on either side to see a rising curve.
    """
    beta, threshold = float(params["beta"]), float(params["threshold"])
    switch = threshold / beta
    half_width = 2.0 * math.log1p(math.exp(-threshold)) / beta + 1e-6 * max(1.0, abs(switch))
    return switch - half_width, switch + half_width


# --- rational and clipped functions ------------------------------------------------------------


def softsign(x: Array) -> Array:
    return x / (1.0 + np.abs(x))


def d_softsign(x: Array) -> Array:
    return 1.0 / (1.0 + np.abs(x)) ** 2


def d2_softsign(x: Array) -> Array:
    return -2.0 * np.sign(x) / (1.0 + np.abs(x)) ** 3


def hardtanh(x: Array, min_val: float, max_val: float) -> Array:
    return np.clip(x, min_val, max_val)


def d_hardtanh(x: Array, min_val: float, max_val: float) -> Array:
    # PyTorch's hardtanh_backward: 0 at and beyond both bounds.
    return np.where((x > min_val) & (x < max_val), 1.0, 0.0)


def d2_hardtanh(x: Array, min_val: float, max_val: float) -> Array:
    return _zeros(x)


def check_hardtanh(params: Params) -> None:
    if float(params["min_val"]) >= float(params["max_val"]):
        raise ParamError("max_val", "must be greater than min_val")


def hardtanh_traits(params: Params) -> Traits:
    lo, hi = float(params["min_val"]), float(params["max_val"])
    return Traits((lo, hi), True, "C0", "odd" if lo == -hi else "none", True, (True, True))


def relu6(x: Array) -> Array:
    return np.clip(x, 0.0, 6.0)


def d_relu6(x: Array) -> Array:
    return d_hardtanh(x, 0.0, 6.0)


def hardsigmoid(x: Array) -> Array:
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


def d_hardsigmoid(x: Array) -> Array:
    return np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0)


def hardswish(x: Array) -> Array:
    return x * np.clip(x + 3.0, 0.0, 6.0) / 6.0


def d_hardswish(x: Array) -> Array:
    # PyTorch's hardswish_backward: 0 at and below -3, x/3 + 1/2 strictly between, 1 at and
    # above 3 (the one-sided slopes 0 and 1 at the kinks, not the middle piece's -1/2 and 3/2).
    return np.where(x <= -3.0, 0.0, np.where(x < 3.0, x / 3.0 + 0.5, 1.0))


def d2_hardswish(x: Array) -> Array:
    return np.where((x > -3.0) & (x < 3.0), 1.0 / 3.0, 0.0)


# --- log-sigmoid and the shrink family ---------------------------------------------------------


def logsigmoid(x: Array) -> Array:
    return log_expit(x)


def d_logsigmoid(x: Array) -> Array:
    return expit(-x)


def d2_logsigmoid(x: Array) -> Array:
    s, s_neg = sigmoid_pair(x)
    return -s * s_neg


def tanhshrink(x: Array) -> Array:
    return x - np.tanh(x)


def d_tanhshrink(x: Array) -> Array:
    return np.tanh(x) ** 2


def d2_tanhshrink(x: Array) -> Array:
    return 2.0 * np.tanh(x) * sech2(x)


def softshrink(x: Array, lambd: float) -> Array:
    return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0))


def d_softshrink(x: Array, lambd: float) -> Array:
    return np.where((x >= -lambd) & (x <= lambd), 0.0, 1.0)


def d2_softshrink(x: Array, lambd: float) -> Array:
    return _zeros(x)


def shrink_traits(continuity_when_lambd_positive: Continuity) -> Callable[[Params], Traits]:
    def traits(params: Params) -> Traits:
        if float(params["lambd"]) == 0.0:  # both shrinks are the identity at lambd = 0
            return Traits((None, None), True, "Cinf", "odd", False)
        return Traits((None, None), True, continuity_when_lambd_positive, "odd", False)

    return traits


def hardshrink(x: Array, lambd: float) -> Array:
    return np.where((x >= -lambd) & (x <= lambd), 0.0, x)


def d_hardshrink(x: Array, lambd: float) -> Array:
    return np.where((x >= -lambd) & (x <= lambd), 0.0, 1.0)


def d2_hardshrink(x: Array, lambd: float) -> Array:
    return _zeros(x)


def threshold(x: Array, threshold: float, value: float) -> Array:
    return np.where(x > threshold, x, value)


def d_threshold(x: Array, threshold: float, value: float) -> Array:
    return np.where(x > threshold, 1.0, 0.0)


def d2_threshold(x: Array, threshold: float, value: float) -> Array:
    return _zeros(x)


def threshold_traits(params: Params) -> Traits:
    th, value = float(params["threshold"]), float(params["value"])
    return Traits(
        (min(th, value), None),
        value <= th,
        "C0" if value == th else "discontinuous",
        "none",
        True,
        # value <= threshold: f = value on x <= threshold; otherwise x only approaches it
        (value <= th, False),
    )


def _gelu_min(approximate: str) -> float:
    return stationary_value(
        lambda x: gelu(x, approximate),
        lambda x: d_gelu(x, approximate),
        lambda x: d2_gelu(x, approximate),
        -0.75,
    )


GELU_MIN = {"none": _gelu_min("none"), "tanh": _gelu_min("tanh")}
SILU_MIN = stationary_value(silu, d_silu, d2_silu, -1.28)
MISH_MIN = stationary_value(mish, d_mish, d2_mish, -1.19)


def _alpha_traits(
    continuity_at_alpha_one: Continuity, always: Continuity
) -> Callable[[Params], Traits]:
    def traits(params: Params) -> Traits:
        alpha = float(params["alpha"])
        continuity = continuity_at_alpha_one if alpha == 1.0 else always
        return Traits((-alpha, None), True, continuity, "none", True)

    return traits


PYTORCH: tuple[Activation, ...] = (
    Activation(
        name="identity",
        label="Identity (linear)",
        f=identity,
        df=_ones,
        d2f=_zeros,
        formula=r"f(x) = x",
        derivative=r"f'(x) = 1",
        traits=fixed((None, None), True, "Cinf", "odd", False),
        use="Output layers of regression models, and as the baseline that shows why depth alone "
        "adds nothing: any stack of linear layers is one affine map.",
        caveats="Hidden layers with it collapse into a single linear layer, which cannot learn "
        "XOR or any other non-linearly separable problem.",
        source="pytorch",
    ),
    Activation(
        name="binary_step",
        label="Binary step (Heaviside)",
        f=binary_step,
        df=_zeros,
        d2f=_zeros,
        formula=r"f(x) = \begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}",
        derivative=r"f'(x) = 0",
        traits=fixed((0.0, 1.0), True, "discontinuous", "none", True, attained=(True, True)),
        use="The perceptron's original threshold unit; useful to show what gradient descent "
        "needs and this function lacks.",
        caveats="Its derivative is zero everywhere it exists, so backpropagation passes no "
        "gradient and the layers below it never learn.",
        source="pytorch",
    ),
    Activation(
        name="sigmoid",
        label="Sigmoid (logistic)",
        f=sigmoid,
        df=d_sigmoid,
        d2f=d2_sigmoid,
        formula=r"f(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
        derivative=r"f'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
        traits=fixed((0.0, 1.0), True, "Cinf", "none", True),
        use="Output units that give a probability for one class, and gates in LSTMs and GRUs.",
        caveats="Its slope is at most 0.25 and vanishes for |x| > 5, so deep stacks of it "
        "starve the early layers of gradient; outputs are not zero-centred.",
        source="pytorch",
    ),
    Activation(
        name="tanh",
        label="Tanh",
        f=tanh,
        df=d_tanh,
        d2f=d2_tanh,
        formula=r"f(x) = \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        derivative=r"f'(x) = 1 - \tanh^2 x",
        traits=fixed((-1.0, 1.0), True, "Cinf", "odd", True),
        use="Small networks and recurrent cells where zero-centred, bounded outputs help; it "
        "solves XOR with two hidden units.",
        caveats="It saturates for |x| > 3, so gradients vanish in deep stacks unless inputs "
        "and initial weights are kept small.",
        source="pytorch",
    ),
    Activation(
        name="relu",
        label="ReLU",
        f=relu,
        df=d_relu,
        d2f=_zeros,
        formula=r"f(x) = \max(0, x)",
        derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        traits=fixed((0.0, None), True, "C0", "none", True, attained=(True, False)),
        use="The default for hidden layers of deep feed-forward and convolutional networks: "
        "cheap, and its unit slope for x > 0 keeps gradients from vanishing.",
        caveats="A unit whose input stays negative outputs 0 with zero gradient and never "
        "recovers (a dead ReLU); large learning rates make that common.",
        source="pytorch",
    ),
    Activation(
        name="leaky_relu",
        label="Leaky ReLU",
        f=leaky_relu,
        df=d_leaky_relu,
        d2f=d2_leaky_relu,
        formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}"
        r",\quad \alpha = \text{negative\_slope}",
        derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}",
        traits=lambda p: _piecewise_linear_traits(float(p["negative_slope"])),
        params=(Param("negative_slope", 0.01, 0.0, 1.0, description="slope for x <= 0"),),
        use="A drop-in for ReLU when dead units are a problem: the small negative slope keeps "
        "a gradient flowing for x < 0.",
        caveats="With the default slope of 0.01 the negative side learns slowly; at slope 1 it "
        "is the identity and the network is linear again.",
        source="pytorch",
    ),
    Activation(
        name="prelu",
        label="PReLU",
        f=prelu,
        df=d_prelu,
        d2f=d2_prelu,
        formula=r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}"
        r",\quad a = \text{weight}",
        derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        traits=lambda p: _piecewise_linear_traits(float(p["weight"])),
        params=(Param("weight", 0.25, 0.0, 1.0, description="learned slope for x <= 0"),),
        use="Deep convolutional networks (He et al., 2015) where the negative slope is learned "
        "per channel; here it is shown at a fixed value.",
        caveats="The learned slope adds parameters that can overfit small data, and should "
        "not get weight decay.",
        source="pytorch",
    ),
    Activation(
        name="elu",
        label="ELU",
        f=elu,
        df=d_elu,
        d2f=d2_elu,
        formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
        traits=_alpha_traits("C1", "C0"),
        params=(ALPHA,),
        use="Hidden layers where mean activations near zero speed up learning; its negative "
        "side saturates smoothly at -alpha instead of dying.",
        caveats="The exponential costs more than ReLU; for alpha other than 1 the slope jumps "
        "at 0 (the curve is only C0).",
        source="pytorch",
    ),
    Activation(
        name="selu",
        label="SELU",
        f=selu,
        df=d_selu,
        d2f=d2_selu,
        formula=r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 "
        r"\end{cases},\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
        derivative=r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 "
        r"\end{cases}",
        traits=fixed((-SELU_SCALE * SELU_ALPHA, None), True, "C0", "none", True),
        use="Self-normalising fully connected networks (Klambauer et al., 2017): with LeCun-"
        "normal init, activations keep mean 0 and variance 1 through depth.",
        caveats="The self-normalising property needs LeCun-normal init, no batch norm and "
        "alpha-dropout; with other layers it is just a scaled ELU.",
        source="pytorch",
    ),
    Activation(
        name="celu",
        label="CELU",
        f=celu,
        df=d_celu,
        d2f=d2_celu,
        formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x/\alpha} - 1) & x \le 0 "
        r"\end{cases}",
        derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
        traits=_alpha_traits("C1", "C1"),
        params=(ALPHA,),
        use="An ELU whose slope is continuous at 0 for every alpha (Barron, 2017), so alpha "
        "can be tuned without introducing a kink.",
        caveats="Small alpha makes the negative side saturate very fast, behaving like a "
        "ReLU with a floor at -alpha.",
        source="pytorch",
    ),
    Activation(
        name="gelu",
        label="GELU",
        f=gelu,
        df=d_gelu,
        d2f=d2_gelu,
        formula=r"f(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt{2}}"
        r"\right)",
        derivative=r"f'(x) = \Phi(x) + x\,\varphi(x),\quad \varphi(x) = "
        r"\frac{e^{-x^2/2}}{\sqrt{2\pi}}",
        traits=lambda p: Traits(
            (GELU_MIN[str(p["approximate"])], None), False, "Cinf", "none", True, (True, False)
        ),
        params=(
            Param(
                "approximate",
                "none",
                choices=("none", "tanh"),
                description="'tanh' uses 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))",
            ),
        ),
        use="Transformers (BERT, GPT) and most modern language and vision models: a smooth "
        "ReLU that weights inputs by how likely they are to be positive.",
        caveats="Not monotonic: it dips to about -0.17 near x = -0.75; the tanh approximation "
        "differs from the exact curve by up to about 5e-4.",
        source="pytorch",
    ),
    Activation(
        name="silu",
        label="SiLU (Swish-1)",
        f=silu,
        df=d_silu,
        d2f=d2_silu,
        formula=r"f(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
        derivative=r"f'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)",
        traits=fixed((SILU_MIN, None), False, "Cinf", "none", True, attained=(True, False)),
        use="Deep convolutional and mobile networks (EfficientNet) and LLM feed-forward "
        "blocks (SwiGLU): smooth, unbounded above, with a small negative dip.",
        caveats="Not monotonic (minimum about -0.278 at x = -1.278), and dearer to compute than "
        "ReLU.",
        source="pytorch",
    ),
    Activation(
        name="mish",
        label="Mish",
        f=mish,
        df=d_mish,
        d2f=d2_mish,
        formula=r"f(x) = x \tanh\bigl(\ln(1 + e^{x})\bigr)",
        derivative=r"f'(x) = \tanh\bigl(\operatorname{sp}(x)\bigr) + x\,\sigma(x)\,"
        r"\operatorname{sech}^2\bigl(\operatorname{sp}(x)\bigr),\ \operatorname{sp}(x) = "
        r"\ln(1 + e^{x})",
        traits=fixed((MISH_MIN, None), False, "Cinf", "none", True, attained=(True, False)),
        use="Object detectors (YOLOv4) and other vision models where it edges out SiLU.",
        caveats="Not monotonic (minimum about -0.309), and the most expensive of the smooth "
        "ReLUs to evaluate.",
        source="pytorch",
    ),
    Activation(
        name="softplus",
        label="Softplus",
        f=softplus,
        df=d_softplus,
        d2f=d2_softplus,
        formula=r"f(x) = \begin{cases} \frac{1}{\beta}\ln(1 + e^{\beta x}) & \beta x \le t \\ "
        r"x & \beta x > t \end{cases},\quad t = \text{threshold}",
        derivative=r"f'(x) = \begin{cases} \sigma(\beta x) & \beta x \le t \\ 1 & \beta x > t "
        r"\end{cases}",
        traits=fixed((0.0, None), True, "Cinf", "none", True),
        compat_window=softplus_switch_window,
        params=(
            Param("beta", 1.0, 0.0, 10.0, min_exclusive=True, description="sharpness"),
            Param(
                "threshold",
                20.0,
                0.0,
                50.0,
                min_exclusive=True,
                description="above beta*x > threshold the output is x",
            ),
        ),
        use="Keeping an output positive (variances, rates, scales) and as a smooth ReLU whose "
        "sharpness beta is adjustable.",
        caveats="Softplus itself is smooth and increasing; the numbers here are PyTorch's, which "
        "switch to x where beta*x > threshold, leaving a downward step of "
        "ln(1 + e^-threshold)/beta (2.1e-9 at the defaults) at x = threshold/beta.",
        source="pytorch",
    ),
    Activation(
        name="softsign",
        label="Softsign",
        f=softsign,
        df=d_softsign,
        d2f=d2_softsign,
        formula=r"f(x) = \frac{x}{1 + |x|}",
        derivative=r"f'(x) = \frac{1}{(1 + |x|)^2}",
        traits=fixed((-1.0, 1.0), True, "C1", "odd", True),
        use="A tanh-like squashing function whose tails approach +-1 polynomially, not "
        "exponentially, so it saturates more gently.",
        caveats="Its curvature jumps at 0 (the curve is only C1), and it still saturates, just "
        "slowly.",
        source="pytorch",
    ),
    Activation(
        name="relu6",
        label="ReLU6",
        f=relu6,
        df=d_relu6,
        d2f=_zeros,
        formula=r"f(x) = \min\bigl(\max(0, x), 6\bigr)",
        derivative=r"f'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
        traits=fixed((0.0, 6.0), True, "C0", "none", True, attained=(True, True)),
        use="Mobile networks (MobileNet) quantised to low precision, where a bounded range "
        "keeps fixed-point arithmetic exact.",
        caveats="Units stuck above 6 get zero gradient just like dead units below 0.",
        source="pytorch",
    ),
    Activation(
        name="hardtanh",
        label="Hardtanh",
        f=hardtanh,
        df=d_hardtanh,
        d2f=d2_hardtanh,
        formula=r"f(x) = \min\bigl(\max(x, \text{min\_val}), \text{max\_val}\bigr)",
        derivative=r"f'(x) = \begin{cases} 1 & \text{min\_val} < x < \text{max\_val} \\ 0 & "
        r"\text{otherwise} \end{cases}",
        traits=hardtanh_traits,
        params=(
            Param("min_val", -1.0, -10.0, 10.0, description="lower clip"),
            Param("max_val", 1.0, -10.0, 10.0, description="upper clip"),
        ),
        check=check_hardtanh,
        use="A cheap piecewise-linear tanh for low-power and quantised models.",
        caveats="Zero gradient outside [min_val, max_val]: units driven there stop learning.",
        source="pytorch",
    ),
    Activation(
        name="hardsigmoid",
        label="Hardsigmoid",
        f=hardsigmoid,
        df=d_hardsigmoid,
        d2f=_zeros,
        formula=r"f(x) = \frac{\min\bigl(\max(x + 3, 0), 6\bigr)}{6}",
        derivative=r"f'(x) = \begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} "
        r"\end{cases}",
        traits=fixed((0.0, 1.0), True, "C0", "none", True, attained=(True, True)),
        use="Gates in mobile networks (squeeze-and-excitation in MobileNetV3) where a cheap "
        "sigmoid is enough.",
        caveats="Its slope 1/6 is flatter than the sigmoid's 1/4 at 0, and exactly zero beyond "
        "|x| = 3.",
        source="pytorch",
    ),
    Activation(
        name="hardswish",
        label="Hardswish",
        f=hardswish,
        df=d_hardswish,
        d2f=d2_hardswish,
        formula=r"f(x) = x\,\frac{\min\bigl(\max(x + 3, 0), 6\bigr)}{6}",
        derivative=r"f'(x) = \begin{cases} 0 & x \le -3 \\ \frac{x}{3} + \frac{1}{2} & -3 < x "
        r"< 3 \\ 1 & x \ge 3 \end{cases}",
        traits=fixed((-0.375, None), False, "C0", "none", True, attained=(True, False)),
        use="MobileNetV3's cheap, piecewise-quadratic stand-in for SiLU.",
        caveats="Not monotonic (minimum -0.375 at x = -1.5), and its slope jumps at x = -3 "
        "and x = 3.",
        source="pytorch",
    ),
    Activation(
        name="logsigmoid",
        label="Log-sigmoid",
        f=logsigmoid,
        df=d_logsigmoid,
        d2f=d2_logsigmoid,
        formula=r"f(x) = \ln \sigma(x) = -\ln(1 + e^{-x})",
        derivative=r"f'(x) = 1 - \sigma(x) = \sigma(-x)",
        traits=fixed((None, 0.0), True, "Cinf", "none", True),
        use="Log-likelihoods of binary outcomes computed stably, as inside BCE-with-logits "
        "losses and word2vec's negative sampling.",
        caveats="Unbounded below and never positive; as a hidden activation it behaves like "
        "a shifted, mirrored softplus.",
        source="pytorch",
    ),
    Activation(
        name="tanhshrink",
        label="Tanhshrink",
        f=tanhshrink,
        df=d_tanhshrink,
        d2f=d2_tanhshrink,
        formula=r"f(x) = x - \tanh x",
        derivative=r"f'(x) = \tanh^2 x",
        traits=fixed((None, None), True, "Cinf", "odd", False),
        use="Sparse coding and denoising, where small inputs should be suppressed smoothly "
        "(it is flat, of order x^3/3, near 0).",
        caveats="Its gradient is near zero around the origin, so units that start small learn "
        "very slowly.",
        source="pytorch",
    ),
    Activation(
        name="softshrink",
        label="Softshrink",
        f=softshrink,
        df=d_softshrink,
        d2f=d2_softshrink,
        formula=r"f(x) = \begin{cases} x - \lambda & x > \lambda \\ x + \lambda & x < -\lambda "
        r"\\ 0 & \text{otherwise} \end{cases}",
        derivative=r"f'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & |x| \le \lambda "
        r"\end{cases}",
        traits=shrink_traits("C0"),
        params=(Param("lambd", 0.5, 0.0, 5.0, description="half-width of the dead zone"),),
        use="Soft thresholding, the proximal step of L1 regularisation: sparse codes and "
        "wavelet denoising (ISTA, LISTA).",
        caveats="Inputs inside [-lambd, lambd] get zero gradient.",
        source="pytorch",
    ),
    Activation(
        name="hardshrink",
        label="Hardshrink",
        f=hardshrink,
        df=d_hardshrink,
        d2f=d2_hardshrink,
        formula=r"f(x) = \begin{cases} x & |x| > \lambda \\ 0 & |x| \le \lambda \end{cases}",
        derivative=r"f'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & |x| \le \lambda "
        r"\end{cases}",
        traits=shrink_traits("discontinuous"),
        params=(Param("lambd", 0.5, 0.0, 5.0, description="half-width of the dead zone"),),
        use="Hard thresholding of coefficients: keep large values unchanged, zero the small.",
        caveats="It jumps at +-lambd, and inputs inside [-lambd, lambd] get zero gradient.",
        source="pytorch",
    ),
    Activation(
        name="threshold",
        label="Threshold",
        f=threshold,
        df=d_threshold,
        d2f=d2_threshold,
        formula=r"f(x) = \begin{cases} x & x > \text{threshold} \\ \text{value} & x \le "
        r"\text{threshold} \end{cases}",
        derivative=r"f'(x) = \begin{cases} 1 & x > \text{threshold} \\ 0 & x \le "
        r"\text{threshold} \end{cases}",
        traits=threshold_traits,
        params=(
            Param("threshold", 0.0, -10.0, 10.0, description="inputs at or below are replaced"),
            Param("value", 0.0, -10.0, 10.0, description="what they are replaced with"),
        ),
        use="A generalised ReLU (threshold = value = 0 is exactly ReLU) for experiments with "
        "where and to what a unit is cut off.",
        caveats="Unless value equals threshold the curve jumps, and it is not monotonic when "
        "value > threshold.",
        source="pytorch",
    ),
    Activation(
        name="rrelu",
        label="RReLU (eval mode)",
        f=rrelu,
        df=d_rrelu,
        d2f=d2_rrelu,
        formula=r"f(x) = \begin{cases} x & x > 0 \\ \frac{l + u}{2}\,x & x \le 0 \end{cases}",
        derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ \frac{l + u}{2} & x \le 0 \end{cases}",
        traits=lambda p: _piecewise_linear_traits((float(p["lower"]) + float(p["upper"])) / 2),
        params=(
            Param("lower", 1.0 / 8.0, 0.0, 1.0, description="lower bound of the random slope"),
            Param("upper", 1.0 / 3.0, 0.0, 1.0, description="upper bound of the random slope"),
        ),
        check=check_rrelu,
        use="Regularising small-data models: in training the negative slope is drawn from "
        "U(lower, upper); this is the deterministic evaluation-mode curve.",
        caveats="Training-mode randomness is not shown here: the curve uses the mean slope "
        "(lower + upper) / 2, exactly as PyTorch does in eval mode.",
        source="pytorch",
    ),
)
