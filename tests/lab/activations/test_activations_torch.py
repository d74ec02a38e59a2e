"""The PyTorch-family entries agree with PyTorch 2.13 (float64, autograd), number for number.

tests/data/torch_reference.json holds PyTorch's own f, f' (autograd) and f'' (double backward)
at the grid -12..12 step 0.25, the far tails up to |x| = 1000 and every kink, for the default
and several other parameter settings; scripts/make_torch_reference.py wrote it. PyTorch itself
is not needed to run these tests.
"""

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.lab.activations import ACTIVATIONS, Activation, get_activation

REFERENCE_PATH = Path(__file__).resolve().parents[2] / "data" / "torch_reference.json"
REFERENCE: dict[str, Any] = json.loads(REFERENCE_PATH.read_text())
CASES: list[dict[str, Any]] = REFERENCE["cases"]

# Ordinary agreement: 1e-12 relative, and a few ulp of 1 absolute for values near zero.
RTOL = 1e-12
ATOL = 1e-15

# Where the catalogue's formula differs from PyTorch's, (case, quantity) -> (rtol, atol).
LOOSER: dict[tuple[str, str], tuple[float, float]] = {
    # PyTorch computes 0.5 (1 + tanh u): in the left tail 1 + tanh u cancels. The catalogue's
    # sigma(2u) is the same function without the cancellation; against 60-digit mpmath the
    # catalogue's error at x = -6.75 is 2e-27 and PyTorch's 1.9e-15.
    ("gelu(approximate='tanh')", "df"): (RTOL, 3e-15),
    ("gelu(approximate='tanh')", "d2f"): (RTOL, 3e-15),
    # PyTorch's double backward forms 1 - sigma(x) (silu) and 1 - tanh^2(softplus x) (mish),
    # which cancel for large x; the catalogue uses sigma(-x) and sech^2. mpmath: at x = 12 the
    # catalogue's mish'' is off by 1e-24, PyTorch's by 2.1e-15 (silu'' at 20: 7e-24 vs 1.3e-15).
    ("silu()", "d2f"): (RTOL, 3e-15),
    ("mish()", "d2f"): (RTOL, 3e-15),
    # PyTorch's CPU hardsigmoid_backward returns 0.1666666716337204 = float32(1/6) even for
    # float64 input (a float literal for 1/6); the catalogue keeps the exact slope 1/6.
    ("hardsigmoid()", "df"): (3e-8, ATOL),
}

# At a kink the branch must be PyTorch's, so values there must be equal, not just close. One
# exception: at beta x = threshold softplus' is sigma(threshold) on the smooth branch, which
# PyTorch computes as z / (z + 1), z = e^(beta x), and the catalogue as scipy's stable expit;
# the two roundings can differ in the last bit. (name, quantity) -> ulps allowed.
KINK_ULPS: dict[tuple[str, str], int] = {("softplus", "df"): 1}


def case_id(case: dict[str, Any]) -> str:
    """'leaky_relu(negative_slope=0.2)': the name and parameters of a reference case."""
    args = ", ".join(f"{name}={value!r}" for name, value in case["params"].items())
    return f"{case['name']}({args})"


def evaluate(case: dict[str, Any], quantity: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, the catalogue's f, df or d2f at the case's x, and PyTorch's (nan where it is null)."""
    act = get_activation(case["name"])
    x = np.array(case["x"], dtype=np.float64)
    ours = getattr(act, quantity)(x, **act.resolve(case["params"]))
    theirs = np.array([math.nan if v is None else v for v in case[quantity]], dtype=np.float64)
    return x, ours, theirs


def assert_matches_pytorch(case: dict[str, Any], quantity: str) -> None:
    rtol, atol = LOOSER.get((case_id(case), quantity), (RTOL, ATOL))
    x, ours, theirs = evaluate(case, quantity)
    known = ~np.isnan(theirs)
    off = known & ~(np.abs(ours - theirs) <= atol + rtol * np.abs(theirs))
    detail = [
        (float(a), float(b), float(c))
        for a, b, c in zip(x[off], ours[off], theirs[off], strict=True)
    ]
    assert not off.any(), f"{case_id(case)} {quantity} (x, catalogue, torch): {detail[:10]}"


def cases_with(quantity: str) -> list[Any]:
    """The cases where PyTorch gave this quantity (its notes say why where it did not)."""
    return [pytest.param(c, id=case_id(c)) for c in CASES if c[quantity] is not None]


@pytest.mark.parametrize("case", cases_with("f"))
def test_values_match_pytorch(case: dict[str, Any]) -> None:
    assert_matches_pytorch(case, "f")


@pytest.mark.parametrize("case", cases_with("df"))
def test_first_derivatives_match_pytorch_autograd(case: dict[str, Any]) -> None:
    assert_matches_pytorch(case, "df")


@pytest.mark.parametrize("case", cases_with("d2f"))
def test_second_derivatives_match_pytorch_double_backward(case: dict[str, Any]) -> None:
    assert_matches_pytorch(case, "d2f")


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in CASES if c["kinks"]])
def test_values_and_derivatives_at_kinks_equal_pytorch_exactly(case: dict[str, Any]) -> None:
    kinks = np.array(case["kinks"], dtype=np.float64)
    for quantity in ("f", "df", "d2f"):
        if case[quantity] is None:
            continue
        x, ours, theirs = evaluate(case, quantity)
        at_kink = np.isin(x, kinks) & ~np.isnan(theirs)
        ulps = KINK_ULPS.get((case["name"], quantity), 0)
        allowed = ulps * np.spacing(np.abs(theirs[at_kink]))
        off = np.abs(ours[at_kink] - theirs[at_kink]) > allowed
        detail = list(zip(x[at_kink][off], ours[at_kink][off], theirs[at_kink][off], strict=True))
        assert not off.any(), f"{case_id(case)} {quantity} (x, catalogue, torch): {detail}"


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in CASES if c["notes"]])
def test_catalogue_is_finite_where_pytorch_gives_no_number(case: dict[str, Any]) -> None:
    act = get_activation(case["name"])
    params = act.resolve(case["params"])
    x = np.array(case["x"], dtype=np.float64)
    for quantity in ("f", "df", "d2f"):
        assert np.isfinite(getattr(act, quantity)(x, **params)).all(), quantity


def pytorch_entries() -> list[Activation]:
    return [act for act in ACTIVATIONS.values() if act.source == "pytorch"]


def test_every_pytorch_entry_has_a_reference_case() -> None:
    assert {act.name for act in pytorch_entries()} == {case["name"] for case in CASES}


def test_every_parameter_is_compared_away_from_its_default() -> None:
    for act in pytorch_entries():
        settings = [act.resolve(c["params"]) for c in CASES if c["name"] == act.name]
        assert act.defaults in settings, act.name
        for param in act.params:
            varied = {setting[param.name] for setting in settings}
            expected = set(param.choices) if param.choices else None
            assert len(varied) >= 2 and (expected is None or varied == expected), param.name


def test_every_case_covers_the_grid_and_the_far_tails() -> None:
    far = {sign * x for x in (40.0, 100.0, 710.0, 1000.0) for sign in (-1, 1)}
    far |= {-20.0000001, 20.0, 20.0000001}  # both sides of softplus' default switch at 20
    grid = {i / 4 for i in range(-48, 49)}
    assert REFERENCE["torch"].startswith("2.13.0") and REFERENCE["dtype"] == "float64"
    for case in CASES:
        x = set(case["x"])
        assert far | grid | set(case["kinks"]) <= x, case_id(case)
        assert all(len(case[q]) == len(case["x"]) for q in ("f", "df", "d2f") if case[q])
