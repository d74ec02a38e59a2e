"""sympy functions the grammar adds: sigmoid and softplus, kept whole rather than as exponentials.

Written out as 1 / (1 + e^{-u}) and log(1 + e^u) they would overflow for large |u| and lose their
tails to cancellation; as named functions they reach numpy as scipy's expit and
np.logaddexp(0, u), which are exact across the whole float64 range. Their derivatives are given in
the forms that stay accurate in both tails: sigma' = sigma(u) sigma(-u), not sigma (1 - sigma).
"""

from typing import Any

import sympy as sp


def _power(text: str, exp: str | None) -> str:
    """sympy's printer hands a function its exponent when the function is raised to a power."""
    return text if exp is None else text + "^{" + exp + "}"


class sigmoid(sp.Function):  # noqa: N801 - sympy functions are named as they are written
    """The logistic function 1 / (1 + e^{-u})."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        u = self.args[0]
        return sigmoid(u) * sigmoid(-u)

    def _eval_is_real(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _eval_is_positive(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _power(r"\sigma\left(" + printer._print(self.args[0]) + r"\right)", exp)


class softplus(sp.Function):  # noqa: N801
    """log(1 + e^u)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_is_real(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _eval_is_positive(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        argument = printer._print(self.args[0])
        return _power(r"\operatorname{softplus}\left(" + argument + r"\right)", exp)
