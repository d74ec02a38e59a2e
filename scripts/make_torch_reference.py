"""Write tests/data/torch_reference.json: PyTorch's own f, f' and f'' for the catalogue entries.

PyTorch is never a runtime or test dependency; this script is how its numbers get into the repo.
Regenerate with (the pin is the CPU wheel; an unpinned torch pulls a multi-GB CUDA build):

    .venv/bin/pip install torch==2.13.0
    .venv/bin/python scripts/make_torch_reference.py

Everything is float64 on the CPU. f' comes from torch.autograd.grad with create_graph=True and
f'' from a second (double) backward through that graph. Where PyTorch cannot differentiate
(no derivative formula, or its double backward overflows to nan/inf) the file holds null and a
note saying so; tests/test_activations_torch.py compares every non-null number.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - PyTorch's own idiom

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_reference.json"
TORCH_PIN = "2.13.0"

# A grid that lands exactly on 0, +-0.5, +-1, +-3, 6, ..., plus the far tails where naive
# exponentials overflow (|x| = 710 is just past log(DBL_MAX)) and both sides of softplus's switch.
GRID = [i / 4 for i in range(-48, 49)]
FAR = [-1000.0, -710.0, -100.0, -40.0, -20.0000001, 20.0, 20.0000001, 40.0, 100.0, 710.0, 1000.0]

Tensor = torch.Tensor
Fn = Callable[[Tensor], Tensor]


@dataclass(frozen=True)
class Case:
    """One catalogue entry at one parameter setting, with PyTorch's function and its kinks."""

    name: str
    params: dict[str, float | str]
    fn: Fn
    kinks: tuple[float, ...] = ()


def _t(value: float) -> Tensor:
    return torch.tensor(value, dtype=torch.float64)


def _case(
    name: str, fn: Callable[..., Tensor], params: dict[str, float | str], kinks: tuple[float, ...]
) -> Case:
    """The catalogue's parameter names are PyTorch's keywords, so they pass straight through."""
    return Case(name, params, partial(fn, **params), kinks)


def reference_cases() -> list[Case]:
    """Every case in the file: each PyTorch-family entry at its defaults first, then others."""
    cases = [
        Case("identity", {}, torch.nn.Identity()),
        # heaviside(x, 1.0): the value at 0 is 1, matching binary_step(0) = 1.
        Case("binary_step", {}, lambda x: torch.heaviside(x, _t(1.0)), (0.0,)),
        Case("sigmoid", {}, F.sigmoid),
        Case("tanh", {}, F.tanh),
        Case("relu", {}, F.relu, (0.0,)),
        Case("selu", {}, F.selu, (0.0,)),
        Case("silu", {}, F.silu),
        Case("mish", {}, F.mish),
        Case("softsign", {}, F.softsign, (0.0,)),
        Case("relu6", {}, F.relu6, (0.0, 6.0)),
        Case("hardsigmoid", {}, F.hardsigmoid, (-3.0, 3.0)),
        Case("hardswish", {}, F.hardswish, (-3.0, 3.0)),
        Case("logsigmoid", {}, F.logsigmoid),
        Case("tanhshrink", {}, F.tanhshrink),
    ]
    cases += [_case("gelu", F.gelu, {"approximate": a}, ()) for a in ("none", "tanh")]
    cases += [
        _case("leaky_relu", F.leaky_relu, {"negative_slope": slope}, (0.0,))
        for slope in (0.01, 0.0, 0.2, 1.0)
    ]
    cases += [
        Case("prelu", {"weight": w}, partial(F.prelu, weight=_t(w).reshape(1)), (0.0,))
        for w in (0.25, 0.0, 1.0)
    ]
    cases += [_case("elu", F.elu, {"alpha": alpha}, (0.0,)) for alpha in (1.0, 0.5, 2.0)]
    cases += [_case("celu", F.celu, {"alpha": alpha}, (0.0,)) for alpha in (1.0, 0.5, 3.0)]
    cases += [
        _case("softplus", F.softplus, {"beta": beta, "threshold": th}, (th / beta,))
        for beta, th in ((1.0, 20.0), (2.0, 10.0), (0.5, 5.0), (3.0, 10.0))
    ]
    cases += [
        _case("hardtanh", F.hardtanh, {"min_val": lo, "max_val": hi}, (lo, hi))
        for lo, hi in ((-1.0, 1.0), (-2.0, 3.0), (0.5, 0.75))
    ]
    for lambd in (0.5, 0.0, 1.5):
        cases.append(_case("softshrink", F.softshrink, {"lambd": lambd}, (-lambd, lambd)))
        cases.append(_case("hardshrink", F.hardshrink, {"lambd": lambd}, (-lambd, lambd)))
    cases += [
        _case("threshold", F.threshold, {"threshold": th, "value": value}, (th,))
        for th, value in ((0.0, 0.0), (1.0, 2.0), (-1.0, -1.0), (0.3, -0.7))
    ]
    cases += [
        _case("rrelu", partial(F.rrelu, training=False), {"lower": lo, "upper": hi}, (0.0,))
        for lo, hi in ((1.0 / 8.0, 1.0 / 3.0), (0.1, 0.3), (0.0, 1.0))
    ]
    return cases


def points(kinks: tuple[float, ...]) -> list[float]:
    """The shared grid and far points, each kink and the doubles either side of it."""
    near = [float(np.nextafter(k, d)) for k in kinks for d in (-math.inf, math.inf)]
    return sorted({*GRID, *FAR, *kinks, *near})


def _finite_or_none(
    values: Tensor, what: str, xs: list[float], notes: list[str]
) -> list[float | None]:
    out: list[float | None] = []
    bad: list[float] = []
    for x, v in zip(xs, values.tolist(), strict=True):
        if math.isfinite(v):
            out.append(v)
        else:
            out.append(None)
            bad.append(x)
    if bad:
        notes.append(f"{what}: PyTorch returns nan/inf at x = {bad}; recorded as null")
    return out


def evaluate(case: Case) -> dict[str, object]:
    """f, f' and f'' by PyTorch autograd at the case's points, nulls where it cannot."""
    xs = points(case.kinks)
    x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    y = case.fn(x)
    notes: list[str] = []
    record: dict[str, object] = {
        "name": case.name,
        "params": case.params,
        "kinks": list(case.kinks),
        "x": xs,
        "f": _finite_or_none(y.detach(), "f", xs, notes),
    }
    try:
        (dy,) = torch.autograd.grad(y, x, torch.ones_like(y), create_graph=True)
    except RuntimeError as error:
        notes.append(f"df, d2f: null, autograd raises RuntimeError: {error}")
        return {**record, "df": None, "d2f": None, "notes": notes}
    record["df"] = _finite_or_none(dy.detach(), "df", xs, notes)
    if not dy.requires_grad:
        # The graph holds no path from x to f': autograd's own answer for that
        # (torch.autograd.grad(..., allow_unused=True, materialize_grads=True)) is 0.
        notes.append("d2f: f' does not depend on x in the autograd graph; recorded as 0")
        d2y = torch.zeros_like(x)
    else:
        try:
            (d2y,) = torch.autograd.grad(dy, x, torch.ones_like(dy), materialize_grads=True)
        except RuntimeError as error:
            notes.append(f"d2f: null, double backward raises RuntimeError: {error}")
            return {**record, "d2f": None, "notes": notes}
    record["d2f"] = _finite_or_none(d2y, "d2f", xs, notes)
    return {**record, "notes": notes}


def main() -> None:
    """Compute every case and write the JSON file."""
    if not torch.__version__.startswith(TORCH_PIN):
        raise SystemExit(f"expected torch {TORCH_PIN}, found {torch.__version__}")
    torch.set_grad_enabled(True)
    reference = {
        "generated_by": "scripts/make_torch_reference.py",
        "how": "float64 on the CPU; f by the torch.nn.functional call in the script, f' by "
        "torch.autograd.grad(create_graph=True), f'' by a second autograd.grad (double backward) "
        "with grad_outputs of ones; null where PyTorch cannot give a finite number (see notes)",
        "torch": torch.__version__,
        "dtype": "float64",
        "cases": [evaluate(case) for case in reference_cases()],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(reference, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"wrote {len(reference['cases'])} cases, {OUT.stat().st_size} bytes to {OUT}")


if __name__ == "__main__":
    main()
