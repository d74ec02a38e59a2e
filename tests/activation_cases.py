"""Parameter settings the catalogue tests run every entry at: defaults plus the interesting ones."""

from app.lab.activations import ACTIVATIONS, Activation, ParamValue

EXTRA_PARAMS: dict[str, list[dict[str, ParamValue]]] = {
    "leaky_relu": [{"negative_slope": 0.2}, {"negative_slope": 1.0}, {"negative_slope": 0.0}],
    "prelu": [{"weight": 0.0}, {"weight": 0.7}],
    "elu": [{"alpha": 0.5}, {"alpha": 2.0}],
    "celu": [{"alpha": 0.5}, {"alpha": 3.0}],
    "gelu": [{"approximate": "tanh"}],
    "softplus": [{"beta": 2.0, "threshold": 10.0}, {"beta": 0.5}],
    "hardtanh": [{"min_val": -2.0, "max_val": 3.0}],
    "softshrink": [{"lambd": 0.0}, {"lambd": 1.5}],
    "hardshrink": [{"lambd": 0.0}, {"lambd": 1.5}],
    "threshold": [{"threshold": 1.0, "value": 2.0}, {"threshold": -1.0, "value": -1.0}],
    "rrelu": [{"lower": 0.1, "upper": 0.3}],
    "swish": [{"beta": 2.5}],
    "squareplus": [{"b": 0.5}],
    "srelu": [
        {"t_left": -2.0, "a_left": 0.0, "t_right": 2.0, "a_right": 0.0},
        {"t_left": -1.0, "a_left": 1.0, "t_right": 1.0, "a_right": 1.0},
        {"t_left": -0.5, "a_left": -0.5, "t_right": 1.5, "a_right": 2.0},
    ],
    "isru": [{"alpha": 4.0}],
    "isrlu": [{"alpha": 0.25}],
    "soboleva_tanh": [
        {"a": 2.0, "b": 1.0, "c": 1.0, "d": 1.0},
        {"a": 0.5, "b": 1.5, "c": 2.0, "d": 1.0},
        {"a": 1.5, "b": 1.5, "c": 2.0, "d": 2.0},
    ],
}


def cases() -> list[tuple[Activation, dict[str, ParamValue]]]:
    """Every entry at its defaults and at each extra setting, parameters resolved."""
    out = []
    for act in ACTIVATIONS.values():
        for given in [{}, *EXTRA_PARAMS.get(act.name, [])]:
            out.append((act, act.resolve(given)))
    return out


def case_id(case: tuple[Activation, dict[str, ParamValue]]) -> str:
    act, params = case
    changed = {k: v for k, v in params.items() if v != act.defaults[k]}
    return act.name + "".join(f"-{k}={v}" for k, v in changed.items())


def kinks(params: dict[str, ParamValue]) -> list[float]:
    """Points where some entry may have a kink or jump: fixed knees plus every parameter value."""
    points = {0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 6.0}
    numbers = [float(v) for v in params.values() if not isinstance(v, str)]
    points.update(numbers)
    points.update(-v for v in numbers)
    if "beta" in params and "threshold" in params:  # softplus switches to x at threshold / beta
        points.add(float(params["threshold"]) / float(params["beta"]))
    return sorted(points)


ALL_CASES = cases()


def non_default(act: Activation) -> dict[str, ParamValue]:
    """One setting of every parameter away from its default, read from the declared metadata.

    A choice parameter takes the next choice; a number moves halfway from its default towards
    its upper bound (its lower bound when the default sits at the top, or when the entry's own
    cross-parameter check rejects the first try), so it stays strictly inside the bounds.
    """
    for towards_max in (True, False):
        given: dict[str, ParamValue] = {}
        for p in act.params:
            if p.choices is not None:
                given[p.name] = p.choices[(p.choices.index(str(p.default)) + 1) % len(p.choices)]
                continue
            default = float(p.default)
            end = p.max if towards_max and p.max != default else p.min
            given[p.name] = default + 1.0 if end is None else (default + end) / 2.0
        try:
            return act.resolve(given)
        except ValueError:
            continue
    raise AssertionError(f"no non-default setting of {act.name} passes its checks")
