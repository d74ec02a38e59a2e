"""JSON endpoints for the activation catalogue and softmax."""

from functools import cache

import numpy as np
from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from app import __version__
from app.lab.activations import ACTIVATIONS
from app.lab.activations.sampling import MAX_EVALUATE_POINTS, X_LIMIT
from app.lab.softmax import softmax
from app.web.curves import sample
from app.web.dependencies import (
    ActivationDep,
    ActivationParamsDep,
    CurveRequestDep,
    CurveStoreDep,
    resolve_params,
)
from app.web.responses import OrjsonRoute, json_bytes, json_response
from app.web.schemas.activations import (
    ActivationDetail,
    ActivationInfo,
    ActivationList,
    CurveResult,
    EvaluateRequest,
    SoftmaxOut,
    SoftmaxRequest,
)
from app.web.schemas.errors import ERROR_RESPONSES
from app.web.schemas.payload import payload

router = APIRouter(route_class=OrjsonRoute)


@router.get("/healthz", tags=["meta"])
async def healthz() -> dict[str, str]:
    """Liveness probe: the app is up and answering."""
    return {"status": "ok", "version": __version__}


@cache
def _catalogue_bytes() -> bytes:
    listing = ActivationList(
        activations=[ActivationInfo.from_domain(act) for act in ACTIVATIONS.values()]
    )
    return listing.model_dump_json().encode()


@router.get("/api/activations", response_model=ActivationList, tags=["activations"])
def list_activations() -> Response:
    """Every catalogue entry: parameters, TeX, properties at default parameters, use, caveats."""
    return json_bytes(_catalogue_bytes())


@router.get(
    "/api/activations/{name}",
    response_model=ActivationDetail,
    responses=ERROR_RESPONSES,
    tags=["activations"],
)
def read_activation(resolved: ActivationParamsDep) -> Response:
    """One entry; pass parameters as query (`?alpha=2`) to get properties for them."""
    info = ActivationInfo.from_domain(resolved.act, resolved.params)
    detail = ActivationDetail(**dict(info), param_values=resolved.params)
    return json_bytes(detail.model_dump_json().encode())


@router.get(
    "/api/activations/{name}/curve",
    response_model=CurveResult,
    responses=ERROR_RESPONSES,
    tags=["activations"],
)
async def activation_curve(
    curve: CurveRequestDep, request: Request, store: CurveStoreDep
) -> Response:
    """f, f' and f'' at x = linspace(x_min, x_max, points), ends included.

    Any parameter the entry lists can be given as a query parameter (`?negative_slope=0.2`);
    the rest take their defaults, and the response echoes them all. Values that exceed float64
    (only `exponential` above x = 709.78) are null. Repeated requests are served from a bounded
    cache of the serialised bytes.
    """
    return json_bytes(await store.get(curve, request.url.path, request.scope["query_string"]))


def curve_route() -> APIRoute:
    """The validating curve route, which the fast path (app.web.curve_fast_path) reads."""
    (route,) = [r for r in router.routes if getattr(r, "endpoint", None) is activation_curve]
    assert isinstance(route, APIRoute)
    return route


@router.post(
    "/api/activations/{name}/evaluate",
    response_model=CurveResult,
    responses=ERROR_RESPONSES,
    tags=["activations"],
    description=f"f, f' and f'' at the given x (at most {MAX_EVALUATE_POINTS} values, each "
    f"within [{-X_LIMIT:g}, {X_LIMIT:g}]).",
)
def evaluate_activation(act: ActivationDep, req: EvaluateRequest) -> Response:
    """f, f' and f'' at the given x, within the request model's limits."""
    params = resolve_params(act, req.params, ("body", "params"))
    return json_response(sample(act, np.asarray(req.x, dtype=np.float64), params))


@router.post("/api/softmax", response_model=SoftmaxOut, responses=ERROR_RESPONSES, tags=["softmax"])
def softmax_endpoint(req: SoftmaxRequest) -> Response:
    """softmax(logits / T), its logarithm, and the Jacobian dp_i/dz_j = (p_i (d_ij - p_j)) / T.

    Computed from max-shifted logits, so it is exact and finite for any finite logits (tested up
    to +-1e4); log-probabilities come from log-sum-exp, not from log of a rounded probability.
    The K x K Jacobian comes for few logits, or on request: see the request's `jacobian`.
    """
    result = softmax(np.asarray(req.logits, dtype=np.float64), req.temperature)
    return json_response(
        payload(
            SoftmaxOut,
            probabilities=result.probabilities,
            log_probabilities=result.log_probabilities,
            jacobian=result.jacobian if req.wants_jacobian else None,
        )
    )
