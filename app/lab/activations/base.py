"""The shape of a catalogue entry: parameters, derivatives, LaTeX and declared traits.

Plain numpy (and scipy.special in the entries): nothing here knows about HTTP.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
ParamValue = float | str
Params = Mapping[str, ParamValue]
Continuity = Literal["discontinuous", "C0", "C1", "C2", "Cinf"]
Parity = Literal["odd", "even", "none"]
Source = Literal["pytorch", "literature"]  # pytorch: torch.nn.functional's name and defaults


class ParamError(ValueError):
    """A parameter is unknown, of the wrong type or outside what the function accepts."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Param:
    """One named parameter, with PyTorch's name and default where PyTorch has the function."""

    name: str
    default: ParamValue
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False  # True for bounds like alpha in (0, 5]
    max_exclusive: bool = False
    choices: tuple[str, ...] | None = None
    description: str = ""

    def check(self, value: object) -> ParamValue:
        """Return the value as the parameter's type, or raise ParamError saying why not."""
        if self.choices is not None:
            if not isinstance(value, str) or value not in self.choices:
                raise ParamError(self.name, f"must be one of {list(self.choices)}, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ParamError(self.name, f"must be a number, got {type(value).__name__}")
        try:
            number = float(value)
        except ValueError:
            raise ParamError(self.name, "must be a number") from None
        if not math.isfinite(number):
            raise ParamError(self.name, "must be a finite number")
        if self.min is not None and (
            number < self.min or (self.min_exclusive and number == self.min)
        ):
            raise ParamError(self.name, f"must be {self.bounds_text()}, got {number:g}")
        if self.max is not None and (
            number > self.max or (self.max_exclusive and number == self.max)
        ):
            raise ParamError(self.name, f"must be {self.bounds_text()}, got {number:g}")
        return number

    def bounds_text(self) -> str:
        """The accepted interval in maths notation, e.g. 'in (0, 5]'."""
        lo = "(" if self.min_exclusive or self.min is None else "["
        hi = ")" if self.max_exclusive or self.max is None else "]"
        lo_value = "-inf" if self.min is None else f"{self.min:g}"
        hi_value = "inf" if self.max is None else f"{self.max:g}"
        return f"in {lo}{lo_value}, {hi_value}{hi}"


@dataclass(frozen=True)
class Traits:
    """What the entry declares about its curve for given parameters; tests check each one.

    They describe the mathematical function a learner studies; where the PyTorch-compatible
    numbers depart from it (softplus's threshold switch), the entry says so in its caveats and
    declares the window in `Activation.compat_window`.
    """

    range: tuple[float | None, float | None]  # [infimum, supremum]; None = unbounded side
    monotonic: bool  # non-decreasing or non-increasing, not necessarily strictly
    continuity: Continuity
    parity: Parity
    saturating: bool  # f'(x) -> 0 as x -> +inf or as x -> -inf (soft or hard saturation)
    # Whether some finite x gives exactly the infimum / the supremum (ReLU's 0: yes; the
    # sigmoid's 0 and 1: no, only approached). Ignored on an unbounded side.
    attained: tuple[bool, bool] = (False, False)


@dataclass(frozen=True)
class Properties:
    """Traits plus what follows from evaluating the function itself."""

    range: tuple[float | None, float | None]
    range_attained: tuple[bool, bool]  # each side: some finite x gives it; False when unbounded
    monotonic: bool
    continuity: Continuity
    parity: Parity
    # |E f(Z)| <= 0.1 sd f(Z) for Z ~ N(0, 1): outputs centred on 0 for unit-normal inputs
    zero_centered: bool
    bounded: bool  # both ends of the range are finite
    saturating: bool
    identity_near_origin: bool  # f(0) = 0 and f'(0) = 1


# E f(Z) and sd f(Z) for Z ~ N(0, 1), by a fixed quadrature: the normal density on a fine grid
# over [-12, 12] (the tails beyond hold 4e-33 of the mass), normalised to sum to 1. Fixed nodes
# make the answer deterministic; the fine spacing (0.001) keeps kinks and jumps (ReLU, the step
# functions) accurate to about 1e-4, where Gauss-Hermite nodes would converge slowly.
NORMAL_NODES = np.linspace(-12.0, 12.0, 24001)
NORMAL_WEIGHTS = np.exp(-0.5 * NORMAL_NODES**2) / np.exp(-0.5 * NORMAL_NODES**2).sum()
ZERO_CENTRED_SDS = 0.1  # |mean| within this many standard deviations of 0 counts as centred
# |f'(x)| below this is the vanishing-gradient zone: a unit there (on every input) is saturated.
SATURATION_SLOPE = 0.01


def normal_mean_and_std(f: Callable[[Array], Array]) -> tuple[float, float]:
    """Mean and standard deviation of f(Z), Z ~ N(0, 1), by the fixed quadrature above."""
    y = f(NORMAL_NODES)
    # plain sums, not `@`: with the BLAS dot product, mish.properties() took 30.9 ms on the
    # shared development machine (threads handing off under load), with these 0.62 ms
    mean = float(np.sum(NORMAL_WEIGHTS * y))
    return mean, math.sqrt(float(np.sum(NORMAL_WEIGHTS * (y - mean) ** 2)))


Elementwise = Callable[..., Array]


@dataclass(frozen=True)
class Activation:
    """One catalogue entry: f, f' and f'' written analytically, with its documentation."""

    name: str  # stable snake_case key, used in URLs
    label: str  # shown in the UI
    f: Elementwise
    df: Elementwise
    d2f: Elementwise
    formula: str  # TeX for f
    derivative: str  # TeX for f'
    traits: Callable[[Params], Traits]
    use: str  # "use it for": one or two sentences
    caveats: str  # "watch out for": one or two sentences
    params: tuple[Param, ...] = ()
    # Checks that involve several parameters at once (hardtanh min_val < max_val, ...).
    check: Callable[[Params], None] | None = None
    # The closed x interval where the PyTorch-compatible values depart from the mathematical
    # function the traits describe by more than rounding (softplus's switch to x at
    # threshold / beta); the caveats say so, and the property tests skip only this window.
    compat_window: Callable[[Params], tuple[float, float]] | None = None
    source: Source = "literature"  # "pytorch" when torch.nn.functional has it under this name
    _param_index: dict[str, Param] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_param_index", {p.name: p for p in self.params})

    @property
    def defaults(self) -> dict[str, ParamValue]:
        """Every parameter at its default."""
        return {p.name: p.default for p in self.params}

    def resolve(self, given: Mapping[str, object] | None = None) -> dict[str, ParamValue]:
        """Validate the given parameters and fill in defaults; raise ParamError otherwise."""
        given = given or {}
        for name in given:
            if name not in self._param_index:
                known = ", ".join(self._param_index) or "none"
                raise ParamError(name, f"unknown parameter for {self.name} (known: {known})")
        resolved = {
            p.name: p.check(given[p.name]) if p.name in given else p.default for p in self.params
        }
        if self.check is not None:
            self.check(resolved)
        return resolved

    def __call__(self, x: Array, **params: ParamValue) -> Array:
        return self.f(x, **params)

    def properties(self, params: Params | None = None) -> Properties:
        """The declared traits for these parameters plus the ones that follow from f itself."""
        resolved = self.resolve(params)
        traits = self.traits(resolved)
        origin = np.zeros(1)
        f0 = float(self.f(origin, **resolved)[0])
        df0 = float(self.df(origin, **resolved)[0])
        lo, hi = traits.range
        mean, std = normal_mean_and_std(lambda x: self.f(x, **resolved))
        return Properties(
            range=traits.range,
            range_attained=(
                lo is not None and traits.attained[0],
                hi is not None and traits.attained[1],
            ),
            monotonic=traits.monotonic,
            continuity=traits.continuity,
            parity=traits.parity,
            zero_centered=abs(mean) <= ZERO_CENTRED_SDS * std,
            bounded=lo is not None and hi is not None,
            saturating=traits.saturating,
            identity_near_origin=f0 == 0.0 and math.isclose(df0, 1.0, rel_tol=1e-12),
        )


def fixed(
    range: tuple[float | None, float | None],  # noqa: A002 - the field is called range
    monotonic: bool,
    continuity: Continuity,
    parity: Parity,
    saturating: bool,
    attained: tuple[bool, bool] = (False, False),
) -> Callable[[Params], Traits]:
    """Traits that do not depend on the parameters."""
    traits = Traits(range, monotonic, continuity, parity, saturating, attained)
    return lambda _params: traits
