"""The catalogue's math: derivatives, known values, stability and every declared property."""

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize

from app.lab.activations import ACTIVATIONS, Activation, ParamError, ParamValue, get_activation
from app.lab.activations.pytorch import SELU_ALPHA, SELU_SCALE
from tests.activation_cases import ALL_CASES, case_id, kinks

Case = tuple[Activation, dict[str, ParamValue]]

ISSUE_NAMES = (
    "identity binary_step sigmoid tanh relu leaky_relu prelu elu selu celu gelu silu mish "
    "softplus softsign relu6 hardtanh hardsigmoid hardswish logsigmoid tanhshrink softshrink "
    "hardshrink threshold rrelu swish squareplus sparse_plus exponential srelu lecun_tanh arctan "
    "bent_identity symmetrical_sigmoid loglog absolute signum gaussian sinusoid cosine sinc isru "
    "isrlu sqnl soboleva_tanh probit"
).split()

cases = pytest.mark.parametrize("case", ALL_CASES, ids=[case_id(c) for c in ALL_CASES])


def _away_from_kinks(x: np.ndarray, params: dict[str, ParamValue], gap: float) -> np.ndarray:
    points = np.array(kinks(params))
    distance = np.min(np.abs(x[:, None] - points[None, :]), axis=1)
    return np.asarray(x[distance > gap])


def _central(g, x: np.ndarray, h: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray((g(x + h) - g(x - h)) / (2 * h))


def test_catalogue_has_exactly_the_46_functions_of_the_issue() -> None:
    assert list(ACTIVATIONS) == ISSUE_NAMES
    assert len(ACTIVATIONS) == 46


@cases
def test_first_derivative_matches_central_difference(case: Case) -> None:
    act, params = case
    x = _away_from_kinks(np.linspace(-8, 8, 1601) + 1.234567e-3, params, 1e-4)
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    numeric = _central(lambda z: act.f(z, **params), x, h)
    np.testing.assert_allclose(act.df(x, **params), numeric, rtol=1e-6, atol=1e-8)


@cases
def test_second_derivative_matches_central_difference_of_first(case: Case) -> None:
    act, params = case
    x = _away_from_kinks(np.linspace(-8, 8, 1601) + 1.234567e-3, params, 1e-4)
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    numeric = _central(lambda z: act.df(z, **params), x, h)
    np.testing.assert_allclose(act.d2f(x, **params), numeric, rtol=1e-6, atol=1e-8)


@settings(max_examples=300, deadline=None)
@given(
    case=st.sampled_from(ALL_CASES),
    x=st.floats(min_value=-60.0, max_value=60.0, allow_nan=False),
)
def test_derivatives_match_central_differences_at_random_points(case: Case, x: float) -> None:
    act, params = case
    assume(min(abs(x - k) for k in kinks(params)) > 1e-3)
    point = np.array([x])
    h = np.array([1e-6 * max(1.0, abs(x))])
    for g, dg in ((act.f, act.df), (act.df, act.d2f)):
        numeric = _central(lambda z, g=g: g(z, **params), point, h)
        exact = dg(point, **params)
        # Far out on the exponential the values are ~1e26; compare relative to the function scale.
        scale = 1.0 + float(np.abs(g(point, **params))[0]) + float(np.abs(exact)[0])
        assert abs(exact[0] - numeric[0]) <= 1e-6 * scale, (act.name, x)


def test_known_values() -> None:
    one = np.array([1.0])
    zero = np.array([0.0])
    assert get_activation("sigmoid").f(zero)[0] == 0.5
    assert get_activation("gelu").f(one, approximate="none")[0] == pytest.approx(
        0.8413447460685429, rel=1e-15
    )
    assert get_activation("tanh").df(zero)[0] == 1.0
    assert get_activation("relu").df(zero)[0] == 0.0
    assert get_activation("elu").df(zero, alpha=2.0)[0] == 2.0
    assert get_activation("leaky_relu").df(zero, negative_slope=0.01)[0] == 0.01
    assert get_activation("hardtanh").df(
        np.array([-1.0, 1.0]), min_val=-1.0, max_val=1.0
    ).tolist() == [0.0, 0.0]
    assert get_activation("binary_step").f(zero)[0] == 1.0
    assert get_activation("signum").f(zero)[0] == 0.0
    assert get_activation("sinc").f(zero)[0] == 1.0
    assert get_activation("hardshrink").f(np.array([-0.5, 0.5]), lambd=0.5).tolist() == [0.0, 0.0]
    assert get_activation("softplus").f(np.array([20.5]), beta=1.0, threshold=20.0)[0] == 20.5
    assert get_activation("lecun_tanh").f(one)[0] == pytest.approx(1.7159 * math.tanh(2 / 3))
    assert get_activation("probit").f(zero)[0] == 0.5
    assert get_activation("loglog").f(zero)[0] == pytest.approx(1 - math.exp(-1), rel=1e-15)


def test_selu_constants_are_exact() -> None:
    assert SELU_ALPHA == 1.6732632423543772848170429916717
    assert SELU_SCALE == 1.0507009873554804934193349852946
    selu = get_activation("selu")
    assert selu.f(np.array([1.0]))[0] == SELU_SCALE
    assert selu.f(np.array([-1000.0]))[0] == -SELU_SCALE * SELU_ALPHA
    assert selu.properties().range == (-1.7580993408473766, None)


def test_stationary_values_are_exact_minima() -> None:
    """GELU, SiLU, Mish and sinc minima come from Newton on f'; check f' = 0 there."""
    for name, expected in (
        ("gelu", -0.16997120747990369),
        ("silu", -0.27846454276107385),
        ("mish", -0.30884341301725043),
        ("sinc", -0.21723362821122166),
    ):
        act = get_activation(name)
        lo = act.properties().range[0]
        assert lo is not None
        assert lo == pytest.approx(expected, rel=1e-14)
        grid = np.linspace(-6, 8, 140001)
        assert np.min(act.f(grid, **act.defaults)) >= lo - 1e-15


@cases
def test_stable_at_extremes_with_warnings_as_errors(case: Case) -> None:
    act, params = case
    x = np.array([-1000.0, -709.9, -100.0, -1e-300, 0.0, 1e-300, 100.0, 709.9, 1000.0])
    for g in (act.f, act.df, act.d2f):
        values = g(x, **params)
        assert not np.isnan(values).any(), act.name
        if act.name == "exponential":
            assert np.isinf(values[x > 709.78]).all()
            assert np.isfinite(values[x <= 709.78]).all()
        elif act.name == "soboleva_tanh" and (
            float(params["a"]) > float(params["c"]) or float(params["b"]) > float(params["d"])
        ):
            continue  # grows like e^{|a-c| x}: genuinely beyond float64 far out, by design
        else:
            assert np.isfinite(values).all(), act.name


@cases
def test_elementwise_over_any_shape(case: Case) -> None:
    act, params = case
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    for g in (act.f, act.df, act.d2f):
        out = g(x, **params)
        assert out.shape == (3, 4)
        np.testing.assert_array_equal(out.ravel(), g(x.ravel(), **params))


# --- the declared properties, checked numerically ---------------------------------------------


def _dense_grid(params: dict[str, ParamValue]) -> np.ndarray:
    """A dense grid over [-1000, 1000], finest near 0, with every kink and both its sides."""
    around_kinks = [k + d for k in kinks(params) for d in (-1e-12, 0.0, 1e-12)]
    return np.unique(
        np.concatenate(
            [
                np.linspace(-1000, 1000, 20001),
                np.linspace(-20, 20, 80001),
                np.array(around_kinks),
            ]
        )
    )


def _outside_compat_window(act: Activation, params: dict[str, ParamValue], x: Any) -> Any:
    """The points outside the window where PyTorch-compatible values depart from the maths."""
    x = np.asarray(x, dtype=np.float64)
    if act.compat_window is None:
        return x
    lo, hi = act.compat_window(params)
    return x[(x < lo) | (x > hi)]


@cases
def test_monotonic_iff_values_never_turn(case: Case) -> None:
    act, params = case
    x = _outside_compat_window(act, params, _dense_grid(params))
    y = act.f(x, **params)
    finite = np.isfinite(y)
    steps = np.diff(y[finite])
    numeric = bool(np.all(steps >= 0) or np.all(steps <= 0))
    assert act.properties(params).monotonic == numeric
    if numeric:
        slope = act.df(x, **params)
        slope = slope[np.isfinite(slope)]
        assert np.all(slope >= 0) or np.all(slope <= 0)


@cases
def test_range_matches_sampled_extremes(case: Case) -> None:
    act, params = case
    lo, hi = act.properties(params).range
    y = act.f(_dense_grid(params), **params)
    y = y[np.isfinite(y)] if act.name in ("exponential", "soboleva_tanh") else y
    if lo is None:
        assert y.min() < -5
    else:
        assert y.min() >= lo - 1e-12
        assert y.min() <= lo + 2e-3  # the infimum is approached on [-1000, 1000]
    if hi is None:
        assert y.max() > 5
    else:
        assert y.max() <= hi + 1e-12
        assert y.max() >= hi - 2e-3


@cases
def test_parity_matches_reflection(case: Case) -> None:
    act, params = case
    x = np.linspace(0, 50, 5001) + 1e-3
    x = np.concatenate([x, np.array(kinks(params))])
    right, left = act.f(x, **params), act.f(-x, **params)
    odd = np.allclose(left, -right, rtol=1e-12, atol=1e-14)
    even = np.allclose(left, right, rtol=1e-12, atol=1e-14)
    parity = act.properties(params).parity
    assert (parity == "odd") == odd
    assert (parity == "even") == (even and not odd)


def _jumps(g, dg, points: list[float], delta: float, tol: float) -> bool:  # type: ignore[no-untyped-def]
    """Whether g steps anywhere in `points` by more than its own slope can explain."""
    x = np.array(points)
    ahead, behind = g(x + delta), g(x - delta)
    scale = 1.0 + np.maximum(np.abs(ahead), np.abs(behind))  # e^x at x = 10 is 2.2e4
    allowed = tol * scale + 4 * delta * np.maximum(np.abs(dg(x + delta)), np.abs(dg(x - delta)))
    return bool(np.any(np.abs(ahead - behind) > allowed))


def _third_derivative_jumps(
    act: Activation, params: dict[str, ParamValue], points: list[float]
) -> bool:
    h = 1e-5
    x = np.array(points)
    right = (act.d2f(x + 2 * h, **params) - act.d2f(x + h, **params)) / h
    left = (act.d2f(x - h, **params) - act.d2f(x - 2 * h, **params)) / h
    return bool(np.any(np.abs(right - left) > 1e-2 * (1 + np.maximum(np.abs(right), np.abs(left)))))


@cases
def test_continuity_class_matches_jumps(case: Case) -> None:
    act, params = case
    points = list(
        _outside_compat_window(act, params, kinks(params) + list(np.linspace(-10, 10, 2001) + 1e-3))
    )

    def bound(g: Callable[..., np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
        return lambda z: g(z, **params)

    f_jumps = _jumps(bound(act.f), bound(act.df), points, 1e-12, 1e-12)
    df_jumps = _jumps(bound(act.df), bound(act.d2f), points, 1e-9, 1e-6)
    d2f_jumps = _jumps(bound(act.d2f), bound(act.d2f), points, 1e-9, 1e-5)
    d3f_jumps = _third_derivative_jumps(act, params, points)
    if f_jumps:
        expected = "discontinuous"
    elif df_jumps:
        expected = "C0"
    elif d2f_jumps:
        expected = "C1"
    elif d3f_jumps:
        expected = "C2"
    else:
        expected = "Cinf"
    assert act.properties(params).continuity == expected


@cases
def test_saturating_iff_slope_vanishes_at_one_end(case: Case) -> None:
    act, params = case
    left = np.abs(act.df(np.linspace(-1000, -990, 101), **params))
    right = np.abs(act.df(np.linspace(990, 1000, 101), **params))
    numeric = bool(np.max(left) < 5e-3 or np.max(right) < 5e-3)
    assert act.properties(params).saturating == numeric


@cases
def test_derived_properties_follow_their_definitions(case: Case) -> None:
    act, params = case
    props = act.properties(params)
    origin = np.zeros(1)
    f0, df0 = act.f(origin, **params)[0], act.df(origin, **params)[0]
    lo, hi = props.range
    assert props.bounded == (lo is not None and hi is not None)
    assert props.identity_near_origin == (f0 == 0.0 and abs(df0 - 1.0) < 1e-12)
    # an unbounded side is never attained
    assert [a and b is None for a, b in zip(props.range_attained, (lo, hi), strict=True)] == [
        False,
        False,
    ]


def _normal_moments_by_quad(act: Activation, params: dict[str, ParamValue]) -> tuple[float, float]:
    """E f(Z) and sd f(Z), Z ~ N(0, 1), by adaptive quadrature split at every kink."""

    def f(z: float) -> float:
        return float(act.f(np.array([z]), **params)[0])

    def density(z: float) -> float:
        return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)

    points = [k for k in kinks(params) if -40 < k < 40]
    mean = integrate.quad(lambda z: f(z) * density(z), -40, 40, points=points, limit=400)[0]
    var = integrate.quad(
        lambda z: (f(z) - mean) ** 2 * density(z), -40, 40, points=points, limit=400
    )[0]
    return mean, math.sqrt(var)


@cases
def test_zero_centred_iff_the_mean_for_normal_inputs_is_within_a_tenth_of_a_sd(case: Case) -> None:
    act, params = case
    mean, sd = _normal_moments_by_quad(act, params)
    ratio = abs(mean) / sd
    assert abs(ratio - 0.1) > 1e-3  # far enough from the line that the answer is not a coin toss
    assert act.properties(params).zero_centered == (ratio <= 0.1)


def test_zero_centred_in_the_textbook_sense() -> None:
    yes = ["tanh", "softsign", "selu", "hardtanh", "arctan", "signum", "sinusoid", "identity"]
    no = ["sigmoid", "relu", "gelu", "silu", "mish", "leaky_relu", "elu", "softplus", "gaussian"]
    assert [get_activation(n).properties().zero_centered for n in yes] == [True] * len(yes)
    assert [get_activation(n).properties().zero_centered for n in no] == [False] * len(no)
    # ELU's negative side pulls the mean towards 0 as alpha grows: 0.204 sd at 1, 0.075 at 2
    assert get_activation("elu").properties({"alpha": 2.0}).zero_centered is True


def _reaches(act: Activation, params: dict[str, ParamValue], side: int) -> bool:
    """Whether some finite x gives exactly the declared bound on this side, seen numerically.

    Float64 rounds sigmoid(-750) or loglog(5) to the bound although the function never gets
    there, so a sampled value equal to the bound counts only where the curve really stops: f' is
    exactly 0 there (hard saturation: relu, hardtanh) or the point is a strict local extreme (a
    stationary point like GELU's minimum, or a kink like srelu's knee). Samples are kept within
    |x| <= 12, where no asymptote of the catalogue rounds onto its bound with f' = 0.
    """
    bound = act.properties(params).range[side]
    if bound is None:
        return False
    sign = 1.0 if side == 0 else -1.0  # the bound is a minimum of sign * f

    def g(x: Any) -> Any:
        return sign * act.f(np.asarray(x, dtype=np.float64), **params)

    grid = np.linspace(-12, 12, 24001)
    i = int(np.argmin(g(grid)))
    candidates = [k for k in kinks(params) if abs(k) <= 12] + [float(grid[i])]
    if 0 < i < grid.size - 1:  # refine an interior extreme to its stationary point
        found = optimize.minimize_scalar(
            lambda z: float(g(np.array([z]))[0]),
            bounds=(float(grid[i - 1]), float(grid[i + 1])),
            method="bounded",
            options={"xatol": 1e-12},
        )
        candidates.append(float(found.x))
    x = np.array(candidates)
    at_bound = np.abs(g(x) - sign * bound) <= 1e-12 * (1 + abs(bound))
    flat = act.df(x, **params) == 0.0
    strict = (g(x - 1e-4) > g(x)) & (g(x + 1e-4) > g(x))
    return bool(np.any(at_bound & (flat | strict)))


@cases
def test_range_attained_iff_some_finite_x_gives_the_bound(case: Case) -> None:
    act, params = case
    attained = act.properties(params).range_attained
    assert attained == (_reaches(act, params, 0), _reaches(act, params, 1))


def test_range_attained_for_the_functions_a_learner_meets_first() -> None:
    expected = {
        "sigmoid": (False, False),
        "tanh": (False, False),
        "elu": (False, False),
        "relu": (True, False),
        "hardtanh": (True, True),
        "gelu": (True, False),
        "gaussian": (False, True),
        "identity": (False, False),
    }
    assert {n: get_activation(n).properties().range_attained for n in expected} == expected


def test_softplus_is_smooth_and_increasing_except_in_its_documented_switch_window() -> None:
    softplus = get_activation("softplus")
    params = softplus.resolve()
    props = softplus.properties(params)
    assert (props.monotonic, props.continuity, props.range) == (True, "Cinf", (0.0, None))
    assert props.range_attained == (False, False)
    lo, hi = softplus.compat_window(params)  # type: ignore[misc]
    assert lo < 20.0 < hi and hi - lo < 1e-4
    # the PyTorch-compatible numbers step down by ln(1 + e^-20) there, as the caveats say
    switch = np.array([20.0, np.nextafter(20.0, 21.0)])
    step = np.diff(softplus.f(switch, **params))[0] - (switch[1] - switch[0])
    assert step == pytest.approx(-math.log1p(math.exp(-20.0)), rel=1e-6)
    assert "ln(1 + e^-threshold)/beta" in softplus.caveats
    # no other entry needs a window: their declared properties hold everywhere
    assert [a.name for a in ACTIVATIONS.values() if a.compat_window] == ["softplus"]


def test_properties_that_depend_on_parameters() -> None:
    elu = get_activation("elu")
    assert elu.properties({"alpha": 1.0}).continuity == "C1"
    assert elu.properties({"alpha": 2.0}).continuity == "C0"
    assert elu.properties({"alpha": 2.0}).range == (-2.0, None)
    assert get_activation("leaky_relu").properties({"negative_slope": 1.0}).continuity == "Cinf"
    assert get_activation("hardtanh").properties({"min_val": -2, "max_val": 3}).range == (-2, 3)
    assert get_activation("threshold").properties({"threshold": 1, "value": 2}).monotonic is False
    assert get_activation("swish").properties({"beta": 2.0}).range[0] == pytest.approx(
        -0.27846454276107385 / 2
    )


def test_documented_ranges_at_defaults() -> None:
    assert get_activation("selu").properties().range == (-1.7580993408473766, None)
    assert get_activation("logsigmoid").properties().range == (None, 0.0)
    assert get_activation("gaussian").properties().range == (0.0, 1.0)
    assert get_activation("hardswish").properties().range == (-0.375, None)


@pytest.mark.parametrize(
    ("name", "given", "param"),
    [
        ("elu", {"alpha": 0.0}, "alpha"),
        ("elu", {"alpha": 5.5}, "alpha"),
        ("softplus", {"beta": 0.0}, "beta"),
        ("softplus", {"threshold": 60.0}, "threshold"),
        ("hardtanh", {"min_val": 1.0, "max_val": 1.0}, "max_val"),
        ("hardshrink", {"lambd": -0.1}, "lambd"),
        ("gelu", {"approximate": "erf"}, "approximate"),
        ("rrelu", {"lower": 0.5, "upper": 0.2}, "upper"),
        ("leaky_relu", {"negative_slope": float("nan")}, "negative_slope"),
        ("leaky_relu", {"negative_slope": "steep"}, "negative_slope"),
        ("leaky_relu", {"slope": 0.1}, "slope"),
        ("relu", {"alpha": 1.0}, "alpha"),
        ("srelu", {"t_left": 2.0, "t_right": 1.0}, "t_right"),
    ],
)
def test_values_the_function_cannot_take_are_rejected(
    name: str, given: dict[str, object], param: str
) -> None:
    with pytest.raises(ParamError) as info:
        get_activation(name).resolve(given)
    assert info.value.param == param


def test_accepted_bounds_are_at_least_the_documented_ones() -> None:
    accepted: dict[str, list[dict[str, ParamValue]]] = {
        "leaky_relu": [{"negative_slope": 0.0}, {"negative_slope": 1.0}],
        "prelu": [{"weight": 0.0}, {"weight": 1.0}],
        "elu": [{"alpha": 1e-9}, {"alpha": 5.0}],
        "celu": [{"alpha": 5.0}],
        "softplus": [{"beta": 10.0, "threshold": 50.0}, {"beta": 1e-6, "threshold": 1e-6}],
        "hardtanh": [{"min_val": -10.0, "max_val": 10.0}, {"min_val": 9.0, "max_val": 9.5}],
        "softshrink": [{"lambd": 0.0}, {"lambd": 5.0}],
        "threshold": [{"threshold": -10.0, "value": 10.0}],
        "rrelu": [{"lower": 0.0, "upper": 0.0}, {"lower": 1.0, "upper": 1.0}],
    }
    for name, settings_list in accepted.items():
        for given_params in settings_list:
            get_activation(name).resolve(given_params)
