"""Time f + f' of the 25 PyTorch-family entries: this catalogue (numpy) against PyTorch (autograd).

Informative only, no goal. PyTorch is not a project dependency; install the pinned CPU wheel:

    .venv/bin/pip install torch==2.13.0
    .venv/bin/python bench/bench_activations_torch.py [--points 100000] [--threads 1]

Catalogue: act.f(x) and act.df(x) at the default parameters. PyTorch: the same function from
torch.nn.functional in float64, forward plus autograd backward (torch.autograd.grad with ones),
which is how a network gets f'. Each figure is the best of --repeat timings of a loop sized to
take about 0.1 s. binary_step: PyTorch's heaviside has no derivative, so its torch column times
the forward alone.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import timeit
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch

from app.lab.activations import ACTIVATIONS, Activation, Array

ROOT = Path(__file__).resolve().parent.parent


def load_reference_script() -> ModuleType:
    """scripts/make_torch_reference.py, which maps each catalogue entry to its PyTorch call."""
    path = ROOT / "scripts" / "make_torch_reference.py"
    spec = importlib.util.spec_from_file_location("make_torch_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def best_seconds(run: Callable[[], object], repeat: int) -> float:
    """Best per-call time over `repeat` loops of about 0.1 s each."""
    timer = timeit.Timer(run)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def catalogue_f_and_df(act: Activation, x: Array) -> tuple[Array, Array]:
    """The catalogue's f and f' at the default parameters."""
    params = act.defaults
    return act.f(x, **params), act.df(x, **params)


def torch_f_and_df(
    fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, differentiable: bool
) -> torch.Tensor:
    """PyTorch's forward and, where it has one, its autograd backward (f' of each point)."""
    y = fn(x)
    if not differentiable:
        return y.detach()
    return torch.autograd.grad(y, x, torch.ones_like(y))[0]


def main() -> None:
    """Time every entry both ways and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    x = np.linspace(-12.0, 12.0, args.points)
    torch_x = torch.from_numpy(x.copy()).requires_grad_(True)
    defaults: dict[str, Any] = {}
    for case in load_reference_script().reference_cases():
        act = ACTIVATIONS[case.name]
        if case.name not in defaults and act.resolve(case.params) == act.defaults:
            defaults[case.name] = case

    print(
        f"f + f' on {args.points} float64 points; torch {torch.__version__}, "
        f"{torch.get_num_threads()} thread(s); best of {args.repeat}"
    )
    print(f"{'function':<12} {'catalogue ms':>12} {'torch ms':>10} {'torch / catalogue':>18}")
    ratios = []
    for name, case in defaults.items():
        ours = partial(catalogue_f_and_df, ACTIVATIONS[name], x)
        theirs = partial(torch_f_and_df, case.fn, torch_x, name != "binary_step")
        ours_s, theirs_s = best_seconds(ours, args.repeat), best_seconds(theirs, args.repeat)
        ratios.append(theirs_s / ours_s)
        note = "  (torch: f only)" if name == "binary_step" else ""
        print(
            f"{name:<12} {ours_s * 1e3:12.3f} {theirs_s * 1e3:10.3f} "
            f"{theirs_s / ours_s:18.2f}{note}"
        )
    geo = float(np.exp(np.mean(np.log(ratios))))
    print(
        f"{len(ratios)} functions; geometric mean of torch / catalogue: {geo:.2f} "
        "(above 1: the catalogue is faster)"
    )


if __name__ == "__main__":
    main()
