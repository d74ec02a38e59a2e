"""XOR: why no line separates it, the best a line can do, and a two-unit ReLU net that solves it.

A line classifies x as 1 when w . x + b > 0 and as 0 otherwise. Each of XOR's four points then
gives one linear inequality on (w1, w2, b); the two points labelled 1 add up to
w1 + w2 + 2b > 0 and the two labelled 0 add up to w1 + w2 + 2b <= 0, so no (w, b) meets all four.
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from app.lab.activations import Array, get_activation
from app.lab.datasets import XOR_INPUTS as XOR_INPUTS  # re-exported: the table the proof is about
from app.lab.datasets import XOR_LABELS

XOR_TARGETS: Array = XOR_LABELS.astype(np.float64)

# The hand-set network a = relu(x @ W + c), y = a @ w + b (Goodfellow et al., Deep Learning, 6.1).
SOLUTION_HIDDEN_WEIGHTS: Array = np.array([[1.0, 1.0], [1.0, 1.0]])
SOLUTION_HIDDEN_BIASES: Array = np.array([0.0, -1.0])
SOLUTION_OUTPUT_WEIGHTS: Array = np.array([1.0, -2.0])
SOLUTION_OUTPUT_BIAS = 0.0

UNKNOWNS = ("w1", "w2", "b")


Relation = Literal[">", "<="]


@dataclass(frozen=True)
class AffineFit:
    """The least-squares affine map y = x @ weights + bias and how well it fits."""

    weights: Array
    bias: float
    predictions: Array
    mse: float


@dataclass(frozen=True)
class Inequality:
    """coefficients . (w1, w2, b) <relation> 0, the condition one or more points impose."""

    inputs: list[list[float]]
    target: float
    coefficients: list[int]
    relation: Relation  # ">" (classified 1) or "<=" (classified 0)
    text: str


@dataclass(frozen=True)
class SeparationProof:
    """Why no line w . x + b separates the classes: per-point conditions and their two sums."""

    rule: str
    inequalities: list[Inequality]
    sums: list[Inequality]
    contradiction: str
    statement: str


@dataclass(frozen=True)
class HandSetNetwork:
    """A 2-2-1 ReLU network with integer weights and what it computes on the four inputs."""

    hidden_weights: Array
    hidden_biases: Array
    output_weights: Array
    output_bias: float
    hidden_preactivations: Array  # x @ W + c, shape (4, 2)
    hidden_activations: Array  # relu of that
    outputs: Array


def _exact_least_squares(a: list[list[Fraction]], y: list[Fraction]) -> list[Fraction]:
    """Solve the normal equations A^T A s = A^T y exactly (A must have full column rank)."""
    n = len(a[0])
    rows = [
        [sum((r[i] * r[j] for r in a), Fraction(0)) for j in range(n)]
        + [sum((r[i] * t for r, t in zip(a, y, strict=True)), Fraction(0))]
        for i in range(n)
    ]
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [v / rows[col][col] for v in rows[col]]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [v - factor * p for v, p in zip(rows[r], rows[col], strict=True)]
    return [row[n] for row in rows]


def best_affine_fit(inputs: Array = XOR_INPUTS, targets: Array = XOR_TARGETS) -> AffineFit:
    """The affine map minimising mean((x @ w + b - y)^2), solved in exact rational arithmetic."""
    design = [[Fraction(v) for v in row] + [Fraction(1)] for row in inputs.tolist()]
    solution = _exact_least_squares(design, [Fraction(t) for t in targets.tolist()])
    predictions = [
        sum((c * s for c, s in zip(row, solution, strict=True)), Fraction(0)) for row in design
    ]
    errors = [(p - Fraction(t)) ** 2 for p, t in zip(predictions, targets.tolist(), strict=True)]
    return AffineFit(
        weights=np.array([float(s) for s in solution[:-1]]),
        bias=float(solution[-1]),
        predictions=np.array([float(p) for p in predictions]),
        mse=float(sum(errors, Fraction(0)) / len(errors)),
    )


def _linear_form(coefficients: list[int]) -> str:
    """'w1 + w2 + 2b' from [1, 1, 2]."""
    terms: list[str] = []
    for c, name in zip(coefficients, UNKNOWNS, strict=True):
        if c == 0:
            continue
        term = ("" if abs(c) == 1 else str(abs(c))) + name
        if terms:
            terms.append(("- " if c < 0 else "+ ") + term)
        else:
            terms.append(("-" if c < 0 else "") + term)
    return " ".join(terms) or "0"


def _condition(points: list[list[float]], target: float) -> Inequality:
    """The condition w . x + b > 0 (target 1) or <= 0 (target 0), summed over the points."""
    coefficients = [int(sum(p[0] for p in points)), int(sum(p[1] for p in points)), len(points)]
    relation: Relation = ">" if target == 1.0 else "<="
    text = f"{_linear_form(coefficients)} {relation} 0"
    return Inequality(points, target, coefficients, relation, text)


def separation_proof() -> SeparationProof:
    """The four conditions a line separating XOR must meet and the contradiction their sums give."""
    points = XOR_INPUTS.tolist()
    labels = XOR_TARGETS.tolist()
    inequalities = [_condition([p], t) for p, t in zip(points, labels, strict=True)]
    positive, negative = (
        _condition([p for p, t in zip(points, labels, strict=True) if t == label], label)
        for label in (1.0, 0.0)
    )
    return SeparationProof(
        rule="A line w . x + b = 0 separates the classes when w . x + b > 0 for every point "
        "labelled 1 and w . x + b <= 0 for every point labelled 0.",
        inequalities=inequalities,
        sums=[positive, negative],
        contradiction=f"The points labelled 1 sum to {positive.text} and the points labelled 0 "
        f"sum to {negative.text}: {_linear_form(positive.coefficients)} cannot be both.",
        statement="No straight line separates XOR's two classes, so no single neuron and no "
        "stack of linear layers (which collapses to one affine map) can compute it; a hidden "
        "layer with a non-linear activation can.",
    )


def hand_set_solution(inputs: Array = XOR_INPUTS) -> HandSetNetwork:
    """Run the hand-set ReLU network on the inputs: y = relu(x @ W + c) @ w + b."""
    relu = get_activation("relu")
    pre = inputs @ SOLUTION_HIDDEN_WEIGHTS + SOLUTION_HIDDEN_BIASES
    hidden = relu.f(pre)
    return HandSetNetwork(
        hidden_weights=SOLUTION_HIDDEN_WEIGHTS,
        hidden_biases=SOLUTION_HIDDEN_BIASES,
        output_weights=SOLUTION_OUTPUT_WEIGHTS,
        output_bias=SOLUTION_OUTPUT_BIAS,
        hidden_preactivations=pre,
        hidden_activations=hidden,
        outputs=hidden @ SOLUTION_OUTPUT_WEIGHTS + SOLUTION_OUTPUT_BIAS,
    )
