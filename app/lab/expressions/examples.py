"""The one-click examples of the "Add your own" editor, declared once: the pages get them in
their initial state, the README lists them, and a test keeps the two in agreement."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    """An expression a learner can start from, with its parameters' values."""

    name: str  # stable key: the button's id on the page
    label: str  # what the button says
    expression: str
    params: tuple[tuple[str, float], ...] = ()


EXAMPLES: tuple[Example, ...] = (
    Example("swish", "Swish (β = 1.7)", "x * sigmoid(beta * x)", (("beta", 1.7),)),
    Example("mish", "Mish", "x * tanh(softplus(x))"),
    Example("sine", "Sine unit", "sin(x)"),
    Example("gaussian", "Gaussian bump", "exp(-x**2)"),
    # ReLU6 with its ceiling as a parameter, so the slider moves the clip
    Example("clipped_relu", "Clipped ReLU (cap = 6)", "min(max(0, x), cap)", (("cap", 6.0),)),
)
