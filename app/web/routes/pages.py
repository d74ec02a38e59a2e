"""HTML pages rendered with Jinja2; each hands its data to its script as initial-state JSON."""

import inspect
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.routing import NoMatchFound

from app import __version__
from app.config import Settings
from app.lab.activations import (
    ACTIVATIONS,
    Activation,
    ParamError,
    UnknownActivation,
    get_activation,
)
from app.lab.activations.base import SATURATION_SLOPE
from app.lab.datasets import (
    DATASET_NAMES,
    FEATURE_FORMULAS,
    MAX_CLASSES,
    N_CLASSES,
    generate,
)
from app.lab.expressions import (
    CUSTOM_NAME,
    EXAMPLES,
    GRAMMAR_FUNCTIONS,
    MAX_LENGTH,
    MAX_PARAM_NAME,
    MAX_PARAMS,
    PROBE_LIMIT,
    available_functions,
)
from app.lab.nn.hidden_space import LayerKeyword
from app.lab.nn.initializers import InitName
from app.lab.nn.mlp import R2_TARGET, Head, OptimizerName, RegularizationName
from app.web.assets import link, plotly_bundle
from app.web.errors import error_item
from app.web.formulas import to_mathml
from app.web.schemas.activations import ActivationInfo, CurveQuery, PropertiesInfo, SoftmaxRequest
from app.web.schemas.analysis import GradientFlowRequest
from app.web.schemas.datasets import GeneratedDataset, OwnPoints
from app.web.schemas.live import EditCommand, SpeedCommand, StepCommand
from app.web.schemas.training import SweepRequest, TrainRequest
from app.web.schemas.training_results import GRID_DECIMALS
from app.web.templating import templates

# The properties a formula card (Explore) and the side-by-side table (Compare) show, in order.
PROPERTY_LABELS = {
    "range": "Range",
    "monotonic": "Monotonic",
    "continuity": "Continuity",
    "parity": "Parity",
    "zero_centered": "Zero-centred",
    "saturating": "Saturating",
    "bounded": "Bounded",
    "identity_near_origin": "f(x) ≈ x near 0",
}

router = APIRouter(include_in_schema=False)
templates.env.globals["property_labels"] = PROPERTY_LABELS


@dataclass(frozen=True)
class Page:
    """One page: its template, heading, one-line introduction and the modules its script uses.

    `modules` starts with the page's entry module (static/js/pages/); the rest are the modules
    it imports beyond SHARED_MODULES, preloaded so the browser fetches them in parallel."""

    template: str
    nav: str
    title: str
    lede: str
    modules: tuple[str, ...]


PAGES = {
    "explore_page": Page(
        "explore.html",
        "Explore",
        "Explore an activation",
        "Pick a function and move its parameters: the curve, its first and second derivatives "
        f"and the vanishing-gradient zone (|f′| < {SATURATION_SLOPE:g}) follow live.",
        ("pages/explore.js", "page.js", "controls.js", "expression-editor.js"),
    ),
    "compare_page": Page(
        "compare.html",
        "Compare",
        "Compare activations",
        "Overlay any number of functions, each with its own parameters; switch between f, f′ "
        "and f″; read their properties side by side.",
        ("pages/compare.js", "page.js", "controls.js", "expression-editor.js"),
    ),
    "train_page": Page(
        "train.html",
        "Train",
        "Train a network",
        "Stack linear layers and you get one affine map, which cannot learn XOR; add a "
        "non-linear activation and two hidden units can. Train, watch the boundary form, "
        "and share the link: it reproduces the exact run.",
        (
            "pages/train.js",
            "page.js",
            "controls.js",
            "expression-editor.js",
            "train.js",
            "player.js",
            "points.js",
            "network.js",
            "training-plots.js",
            "xor-compare.js",
            "train-live.js",
            "live.js",
            "live-view.js",
            "network-edit.js",
            "boundary-raster.js",
            "hidden-space.js",
        ),
    ),
    "sweep_page": Page(
        "sweep.html",
        "Sweep",
        "Seed sweep",
        "One run can be lucky. Train the same network from many seeds per activation and "
        "compare how often each one solves the task, how fast, and how the loss spreads.",
        ("pages/sweep.js", "page.js", "controls.js", "expression-editor.js"),
    ),
    "gradients_page": Page(
        "gradients.html",
        "Gradient flow",
        "Gradient flow",
        "How the gradient reaching each layer of a deep, untrained network depends on the "
        "activation and the initialisation: sigmoid's shrinks layer by layer, ReLU with He init "
        "keeps it level.",
        ("pages/gradients.js", "page.js", "controls.js", "expression-editor.js"),
    ),
    "softmax_page": Page(
        "softmax.html",
        "Softmax",
        "Softmax",
        "Edit the logits and the temperature: probabilities, the Jacobian "
        "∂pᵢ/∂zⱼ, and why exp matters (dividing by the sum breaks on negative logits).",
        ("pages/softmax.js", "page.js", "controls.js"),
    ),
}
NAV = tuple((route, page.nav) for route, page in PAGES.items())
# Modules every page imports; preloading them lets the browser fetch them in parallel.
SHARED_MODULES = (
    "api.js",
    "state.js",
    "expressions.js",
    "plots.js",
    "ui.js",
)  # state.js: expressions.js
DEFAULT_FUNCTION = "gelu"

INIT_LABELS = {
    "xavier": "Xavier (Glorot uniform)",
    "he": "He (normal)",
    "lecun": "LeCun (normal)",
    "uniform": "Uniform ±0.5 (Playground)",
}
STAT_LABELS = {
    "std": "standard deviation of the activations",
    "mean": "mean of the activations",
    "zero_fraction": "fraction of activations exactly 0",
    "saturated_fraction": f"fraction of units with |f′| < {SATURATION_SLOPE:g}",
    "activation_grad_norm": "gradient norm w.r.t. the activations",
}
# The dataset choice that means "the points you clicked or uploaded", not a generator.
OWN_POINTS = "points"
# Data sets without knobs (GeneratedDataset.xor_is_fixed): sent by name alone.
FIXED_DATASETS = ("xor",)
DATASET_LABELS = {
    "xor": "XOR truth table (4 points)",
    "quadrants": "Quadrants (noisy XOR)",
    "circle": "Circle",
    "gaussians": "Two Gaussians",
    "spiral": "Spiral",
    "moons": "Moons",
    "spiral3": "Spiral, 3 classes (softmax)",
    "reg-plane": "Plane (regression)",
    "reg-gauss": "Multi Gaussian (regression)",
    OWN_POINTS: "Your points",
}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum (0.9)", "adam": "Adam"}
LOSS_LABELS = {"bce": "BCE", "mse": "MSE"}
REG_LABELS = {"none": "none", "l1": "L1", "l2": "L2"}


@lru_cache(maxsize=1)
def catalogue() -> list[dict[str, Any]]:
    """Every entry as the API lists it, less the TeX: pages show formulas as MathML cards."""
    return [
        ActivationInfo.from_domain(act).model_dump(exclude={"formula", "derivative"})
        for act in ACTIVATIONS.values()
    ]


def _properties(act: Activation, params: dict[str, str]) -> dict[str, Any]:
    return PropertiesInfo.model_validate(act.properties(params)).model_dump()


def activation_card(act: Activation, params: dict[str, str]) -> dict[str, Any]:
    """The formula card's content: MathML, properties at these parameters, advice."""
    return {
        "name": act.name,
        "label": act.label,
        "params": bool(act.params),
        "formula": to_mathml(act.formula),
        "derivative": to_mathml(act.derivative),
        "properties": _properties(act, params),
        "use": act.use,
        "caveats": act.caveats,
    }


def _render(request: Request, route: str, state: dict[str, Any], **context: Any) -> HTMLResponse:
    page = PAGES[route]
    return templates.TemplateResponse(
        request,
        page.template,
        {
            "page": route,
            "nav": NAV,
            "title": page.title,
            "lede": page.lede,
            "state": state,
            "fields": state.get("fields", {}),
            "version": __version__,
            "plotly_filename": plotly_bundle().filename,
            "docs_url": _docs_url(request),
            "entry": page.modules[0],
            "preload": (*SHARED_MODULES, *page.modules),
            **context,
        },
    )


def _docs_url(request: Request) -> str | None:
    """Where the interactive API docs are (app.web.routes.docs), when this app serves them."""
    try:
        return link(request.app, "swagger_ui")
    except NoMatchFound:
        return None


def _options(values: tuple[str, ...], labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(v, labels.get(v, v)) for v in values]


def _activation_options() -> list[tuple[str, str]]:
    return [(a.name, a.label) for a in ACTIVATIONS.values()]


# The choice that opens the "Add your own" editor where an activation is picked.
CUSTOM_LABEL = "Your own (type a formula)"


def _activation_options_with_custom() -> list[tuple[str, str]]:
    return [*_activation_options(), (CUSTOM_NAME, CUSTOM_LABEL)]


def expression_facts() -> dict[str, Any]:
    """What the "Add your own" editor needs (static/js/expression-editor.js): its one-click
    examples, the grammar's limits and functions, and the reserved name, all from the domain."""
    return {
        "name": CUSTOM_NAME,
        "label": CUSTOM_LABEL,
        "examples": [
            {
                "name": e.name,
                "label": e.label,
                "expression": e.expression,
                "params": [[name, value] for name, value in e.params],
            }
            for e in EXAMPLES
        ],
        "max_length": MAX_LENGTH,
        "max_params": MAX_PARAMS,
        "max_param_name": MAX_PARAM_NAME,
        "probe_interval": [-PROBE_LIMIT, PROBE_LIMIT],
        "functions": list(available_functions()),
        "grammar_functions": list(GRAMMAR_FUNCTIONS),
        "properties": list(PROPERTY_LABELS.items()),
    }


def _query_params(request: Request, act: Activation) -> dict[str, str]:
    """This entry's parameters as given in the query string, the rest left to defaults.

    Like the page script (state.js), it reads only the keys the entry declares, and the first
    value of a repeated key: a link's tracking keys (utm_source, fbclid, ...) are not parameters.
    """
    query = request.query_params
    return {p.name: query.getlist(p.name)[0] for p in act.params if p.name in query}


@router.get("/", response_class=HTMLResponse, name="explore_page")
def explore_page(request: Request) -> HTMLResponse:
    """Explore one function: f, f', f'', parameters, formula card (or your own expression)."""
    chosen = request.query_params.get("fn", DEFAULT_FUNCTION)
    card: dict[str, Any] | None = None
    if chosen != CUSTOM_NAME:  # your own: the editor shows its formulas once the server agrees
        try:
            act = get_activation(chosen)
        except UnknownActivation:
            act = get_activation(DEFAULT_FUNCTION)  # the script reports the bad name inline
        try:
            card = activation_card(act, _query_params(request, act))
        except ParamError:
            card = activation_card(act, {})  # the script reports the bad value at its control
    state = {
        "catalogue": catalogue(),
        "default_function": DEFAULT_FUNCTION,
        "fields": _x_range_fields(),
        "expressions": expression_facts(),
        **_curve_facts(),
    }
    return _render(
        request,
        "explore_page",
        state,
        card=card,
        options=_activation_options_with_custom(),
        selected=CUSTOM_NAME if card is None else card["name"],
    )


@router.get("/explore/card/{name}", response_class=HTMLResponse, name="explore_card")
def explore_card(name: str, request: Request) -> Response:
    """The formula card for one entry at the parameters in the query string (HTML fragment)."""
    try:
        act = get_activation(name)
    except UnknownActivation:
        return _error(404, ["path", "name"], f"unknown activation {name!r}", "not_found")
    try:
        card = activation_card(act, _query_params(request, act))
    except ParamError as exc:
        return _error(422, ["query", exc.param], exc.message, "value_error")
    macros = templates.get_template("_macros.html").module
    return HTMLResponse(str(macros.activation_card(card)))  # type: ignore[attr-defined]


def _error(status: int, loc: list[str], msg: str, kind: str) -> JSONResponse:
    """The API's error shape, so the page script reports it like any other."""
    return JSONResponse({"detail": [error_item(loc, msg, kind)]}, status_code=status)


@router.get("/compare", response_class=HTMLResponse, name="compare_page")
def compare_page(request: Request) -> HTMLResponse:
    """Compare several functions on one chart, as small multiples and in a table."""
    state = {
        "catalogue": catalogue(),
        "default_functions": ["relu", "tanh", "sigmoid", "gelu"],
        "fields": _x_range_fields(),
        "properties": list(PROPERTY_LABELS.items()),
        "expressions": expression_facts(),
        **_curve_facts(),
    }
    return _render(request, "compare_page", state, options=_activation_options_with_custom())


@router.get("/softmax", response_class=HTMLResponse, name="softmax_page")
def softmax_page(request: Request) -> HTMLResponse:
    """Softmax with a temperature, its Jacobian, and the naive normalisation beside it."""
    fields = {
        "logits": field_rule(SoftmaxRequest, "logits", "Logits"),
        "temperature": field_rule(SoftmaxRequest, "temperature", "Temperature"),
    }
    state = {
        "default_logits": [2.0, 1.0, 0.1, -1.0],
        "default_temperature": fields["temperature"]["default"],
        "fields": fields,
    }
    return _render(request, "softmax_page", state)


# Where the Gradient flow page starts: a quick look, not the API's 128 x 256 network.
GRADIENT_DEFAULTS = {
    "activations": ["sigmoid", "tanh", "relu"],
    "inits": ["xavier", "he"],
    "depth": 20,
    "width": 64,
    "batch_size": 128,
}


@router.get("/gradients", response_class=HTMLResponse, name="gradients_page")
def gradients_page(request: Request) -> HTMLResponse:
    """Gradient norms and activation statistics per layer of a deep net at initialisation."""
    model, d = GradientFlowRequest, GRADIENT_DEFAULTS
    options = {
        "inits": _options(get_args(InitName), INIT_LABELS),
        "stats": _options(tuple(STAT_LABELS), STAT_LABELS),
    }
    fields = {
        "depth": field_rule(model, "depth", "Depth", default=d["depth"]),
        "width": field_rule(model, "width", "Width", default=d["width"]),
        "batch_size": field_rule(model, "batch_size", "Batch size", default=d["batch_size"]),
        "seed": field_rule(model, "seed", "Seed"),
    }
    defaults = {"activations": d["activations"], "inits": d["inits"]}
    state = {
        "catalogue": catalogue(),
        "defaults": defaults,
        "fields": fields,
        "expressions": expression_facts(),
        **options,
    }
    return _render(request, "gradients_page", state, **options)


_UNSET: Any = object()


@lru_cache
def _properties_schema(model: type[BaseModel]) -> dict[str, Any]:
    properties: dict[str, Any] = model.model_json_schema()["properties"]
    return properties


def _scaled(value: float | None, scale: float) -> float | None:
    if value is None:
        return None
    # 0.1 * 100 is 10.000000000000002: the control shows what the API means, 10.
    number = float(f"{value * scale:.12g}")
    return int(number) if number.is_integer() else number


def field_rule(
    model: type[BaseModel],
    field: str,
    label: str,
    *,
    scale: float = 1.0,
    unit: str = "",
    default: Any = _UNSET,
    maximum: float | None = None,
) -> dict[str, Any]:
    """What a page's control accepts, read from the request model's own Field constraints.

    Bounds and default are in the control's units (control = API value x `scale`: Noise % is
    the API's fraction x 100), so the page checks and words a value as the person typed it. A
    list field (hidden layers, features, logits) gives its length bounds and its items' bounds.
    `default` replaces the model's where the page starts elsewhere; `maximum` tightens the upper
    bound where the server's settings cap a field the model leaves open.
    """
    prop = _properties_schema(model)[field]
    branches = prop.get("anyOf", [prop])
    spec = next(b for b in branches if b.get("type") != "null")
    number = spec.get("items", {}) if spec.get("type") == "array" else spec
    low = number.get("minimum", number.get("exclusiveMinimum"))
    high = number.get("maximum", number.get("exclusiveMaximum"))
    if maximum is not None:
        high = maximum if high is None else min(high, maximum)
    value = prop.get("default") if default is _UNSET else default
    rule: dict[str, Any] = {
        "label": label,
        "unit": unit,
        "scale": scale,
        "integer": number.get("type") == "integer",
        "min": _scaled(low, scale),
        "max": _scaled(high, scale),
        "min_exclusive": "exclusiveMinimum" in number,
        "max_exclusive": "exclusiveMaximum" in number,
        # An empty box means the API's null (batch size: full batch).
        "optional": value is None and spec.get("type") != "array",
        "default": _scaled(value, scale) if isinstance(value, int | float) else value,
    }
    if spec.get("type") == "array":
        rule |= {"min_items": spec.get("minItems", 0), "max_items": spec.get("maxItems")}
    return rule


def _x_range_fields() -> dict[str, dict[str, Any]]:
    return {
        "xmin": field_rule(CurveQuery, "x_min", "From"),
        "xmax": field_rule(CurveQuery, "x_max", "To"),
    }


def _curve_facts() -> dict[str, Any]:
    """What Explore and Compare ask for and shade: the curve query's own default sampling (the
    same requests, so the same cache entries) and the saturation threshold."""
    return {
        "curve_points": CurveQuery.model_fields["points"].default,
        "vanishing": SATURATION_SLOPE,
    }


def choice_rule(
    model: type[BaseModel],
    field: str,
    label: str,
    choices: list[tuple[str, str]],
    *,
    default: Any = _UNSET,
) -> dict[str, Any]:
    """What a page's select offers, (value, label) pairs, and where it starts: the request
    model's default (a null default, such as the loss's, is the first choice), or `default`
    where the page starts elsewhere."""
    value = model.model_fields[field].default if default is _UNSET else default
    values = [v for v, _ in choices]
    value = values[0] if value is None else value
    if value not in values:
        raise ValueError(f"{field}: default {value!r} is not one of its choices {values}")
    return {"label": label, "choices": [list(c) for c in choices], "default": value}


# What a bare generated data set is: the generator's own defaults (the API's null).
DATA_DEFAULTS = {
    name: p.default for name, p in inspect.signature(generate).parameters.items() if name != "name"
}


def _data_fields() -> dict[str, dict[str, Any]]:
    model = GeneratedDataset
    return {
        "n_samples": field_rule(model, "n_samples", "Points", default=DATA_DEFAULTS["n_samples"]),
        "noise": field_rule(
            model, "noise", "Noise", scale=100, unit="%", default=DATA_DEFAULTS["noise"]
        ),
        "train_fraction": field_rule(
            model,
            "train_fraction",
            "Train",
            scale=100,
            unit="%",
            default=DATA_DEFAULTS["train_fraction"],
        ),
        "data_seed": field_rule(model, "seed", "Data seed", default=DATA_DEFAULTS["seed"]),
    }


def _train_fields(settings: Settings) -> dict[str, dict[str, Any]]:
    model = TrainRequest
    epochs = settings.train_max_epochs
    return {
        "dataset": choice_rule(model, "dataset", "Dataset", _dataset_options(own_points=True)),
        **_data_fields(),
        "points": field_rule(OwnPoints, "points", DATASET_LABELS[OWN_POINTS]),
        "features": field_rule(model, "features", "Input features"),
        "activation": choice_rule(
            model, "activation", "Hidden activation", _activation_options_with_custom()
        ),
        "hidden_layers": field_rule(model, "hidden_layers", "Hidden layers"),
        "init": choice_rule(
            model, "init", "Initialisation", _options(get_args(InitName), INIT_LABELS)
        ),
        "optimizer": choice_rule(model, "optimizer", "Optimizer", _optimizer_options()),
        "learning_rate": field_rule(model, "learning_rate", "Learning rate"),
        "loss": choice_rule(model, "loss", "Loss", _options(tuple(LOSS_LABELS), LOSS_LABELS)),
        "batch_size": field_rule(model, "batch_size", "Batch size"),
        "regularization": choice_rule(
            model,
            "regularization",
            "Regularisation",
            _options(get_args(RegularizationName), REG_LABELS),
        ),
        "reg_rate": field_rule(model, "reg_rate", "Regularisation rate"),
        "epochs": field_rule(model, "epochs", "Epochs", maximum=epochs),
        "seed": field_rule(model, "seed", "Seed"),
    }


# The controls that change a page's view rather than its request: a lesson link can hide them
# as it hides fields (`<id>_hide=1`), which pins the view the link shows (the snapshot, the open
# section, the bands' layout). Keyed by the id the template marks (data-field), with a label.
TRAIN_VIEWS = {
    "frame": {"label": "Snapshot player"},
    "live": {"label": "Live training"},
    "show_test": {"label": "Show test data"},
    "discretize": {"label": "Discretize output"},
    "xor": {"label": "Linear vs non-linear on XOR"},
    "hidden_space": {"label": "Hidden space"},
}
# What the Train page asks `hidden_space` for: every layer, so its picker needs no new run.
EVERY_LAYER: LayerKeyword = "all"
SWEEP_VIEWS = {"bands": {"label": "Loss bands layout"}}


# Where the Sweep page starts: a quick sweep, not the API's 100 seeds x 2000 epochs.
SWEEP_DEFAULTS = {
    "activations": ["identity", "sigmoid", "tanh", "relu"],
    "seeds": 20,
    "epochs": 300,
    "hidden_layers": [2],
    "optimizer": "adam",
    "learning_rate": 0.1,
}


def _sweep_fields(settings: Settings) -> dict[str, dict[str, Any]]:
    model, d = SweepRequest, SWEEP_DEFAULTS
    epochs = settings.train_max_epochs
    return {
        "seeds": field_rule(model, "seeds", "Seeds", default=d["seeds"]),
        "epochs": field_rule(model, "epochs", "Epochs", default=d["epochs"], maximum=epochs),
        # Own points are the Train page's: a sweep trains a named data set.
        "dataset": choice_rule(model, "dataset", "Dataset", _dataset_options(own_points=False)),
        "hidden_layers": field_rule(
            model, "hidden_layers", "Hidden layers", default=d["hidden_layers"]
        ),
        "learning_rate": field_rule(
            model, "learning_rate", "Learning rate", default=d["learning_rate"]
        ),
        "optimizer": choice_rule(
            model, "optimizer", "Optimizer", _optimizer_options(), default=d["optimizer"]
        ),
        "init": choice_rule(
            model, "init", "Initialisation", _options(get_args(InitName), INIT_LABELS)
        ),
    }


def _dataset_options(*, own_points: bool) -> list[tuple[str, str]]:
    return _options((*DATASET_NAMES, *([OWN_POINTS] if own_points else [])), DATASET_LABELS)


def _optimizer_options() -> list[tuple[str, str]]:
    return _options(get_args(OptimizerName), OPTIMIZER_LABELS)


def _training_state(settings: Settings, fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the Train and Sweep pages share: the domain's own names and class counts."""
    return {
        "catalogue": catalogue(),
        "fields": fields,
        "features": list(FEATURE_FORMULAS.items()),
        "n_classes": N_CLASSES,
        "max_classes": MAX_CLASSES,
        "own_points": OWN_POINTS,
        "fixed_datasets": list(FIXED_DATASETS),
        "saturated": SATURATION_SLOPE,
        "grid_step": 10.0**-GRID_DECIMALS,  # what snapshot surfaces are rounded to
        "expressions": expression_facts(),
        # what a regression set (N_CLASSES 0) is trained with, and when it counts as learned
        "regression": {**_regression_head(), "r2_target": R2_TARGET},
    }


def _regression_head() -> dict[str, str]:
    head = Head.for_classes(0)
    return {"output": head.output, "loss": head.loss}


@router.get("/train", response_class=HTMLResponse, name="train_page")
def train_page(request: Request) -> HTMLResponse:
    """The playground: data, network, training, animated decision boundary."""
    state = _training_state(request.app.state.settings, _train_fields(request.app.state.settings))
    state["views"] = TRAIN_VIEWS
    state["live"] = _live_rules()
    state["hidden_space"] = {"every_layer": EVERY_LAYER}
    return _render(request, "train_page", state)


def _live_rules() -> dict[str, dict[str, Any]]:
    """The live panel's boxes and the diagram's edit box: the live commands' own bounds."""
    return {
        "step": field_rule(StepCommand, "n", "Step size"),
        "speed": field_rule(SpeedCommand, "epochs_per_frame", "Speed", default=1),
        "value": field_rule(EditCommand, "value", "Value"),
    }


@router.get("/sweep", response_class=HTMLResponse, name="sweep_page")
def sweep_page(request: Request) -> HTMLResponse:
    """Many seeds per activation: success rate, epochs to converge, loss bands."""
    settings = request.app.state.settings
    state = _training_state(settings, _sweep_fields(settings))
    state["default_activations"] = SWEEP_DEFAULTS["activations"]
    state["views"] = SWEEP_VIEWS
    return _render(request, "sweep_page", state)
