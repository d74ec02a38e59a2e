"""The numerically stable building blocks: sech2's in-place form is its formula to the bit."""

import numpy as np
import pytest

from app.lab.activations.numerics import sech2


def sech2_formula(x: np.ndarray) -> np.ndarray:
    """The formula sech2 computes, as one expression: 4 e / (1 + e)^2 with e = exp(-2 |x|)."""
    e = np.exp(-2.0 * np.abs(x))
    result: np.ndarray = 4.0 * e / (1.0 + e) ** 2
    return result


SPECIAL = [
    0.0,
    -0.0,
    1e-310,
    -5e-324,
    1e-8,
    0.5,
    1.0,
    18.0,
    19.1,
    354.0,
    355.0,
    1e300,
    np.inf,
    -np.inf,
    np.nan,
]


def test_sech2_is_its_formula_to_the_bit_on_every_kind_of_value() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 3, 20_000), rng.uniform(-400, 400, 4_985), SPECIAL])
    with np.errstate(invalid="ignore"):
        assert sech2(x).tobytes() == sech2_formula(x).tobytes()
        assert sech2(x.reshape(25, -1, 1)).tobytes() == sech2_formula(x).tobytes()  # any shape


def test_sech2_leaves_its_argument_alone_and_takes_0_d_and_integer_arrays() -> None:
    x = np.array([-2.0, 0.0, 3.0])
    kept = x.copy()
    sech2(x)
    assert x.tobytes() == kept.tobytes()
    assert sech2(np.array(0.0)) == 1.0  # 0-d: ufuncs answer with a number
    assert sech2(np.array(2.0)) == sech2_formula(np.array([2.0]))[0]
    assert sech2(np.array([1, -3])).tobytes() == sech2_formula(np.array([1.0, -3.0])).tobytes()


@pytest.mark.parametrize("x", [0.0, 0.7, -2.5])
def test_sech2_is_one_minus_tanh_squared(x: float) -> None:
    assert sech2(np.array([x]))[0] == pytest.approx(1.0 - np.tanh(x) ** 2, rel=1e-14)


def test_sech2_keeps_its_digits_where_one_minus_tanh_squared_is_zero() -> None:
    assert 1.0 - np.tanh(30.0) ** 2 == 0.0
    assert sech2(np.array([30.0]))[0] == pytest.approx(4.0 * np.exp(-60.0), rel=1e-14)
