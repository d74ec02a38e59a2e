"""JSON endpoints for gradient flow at initialisation and for why XOR needs a hidden layer."""

from functools import cache
from typing import Any

import numpy as np
from fastapi import APIRouter, Response
from fastapi.exceptions import RequestValidationError
from numpy.typing import NDArray

from app.lab import xor
from app.lab.activations import SATURATION_SLOPE, Activation, ParamValue
from app.lab.nn import gradient_flow
from app.lab.nn.control import Control, TimeLimitExceeded
from app.lab.text import spelled
from app.web.custom import EXPRESSION_422, CheckedGradientFlowRequest
from app.web.dependencies import ResultCacheDep, SettingsDep, WorkerPoolDep, resolve_params
from app.web.errors import error_item
from app.web.limits import over_limit
from app.web.responses import OrjsonRoute, dumps, json_bytes
from app.web.schemas.analysis import (
    ActivationFlow,
    AffineFitInfo,
    GradientFlowRequest,
    GradientFlowResult,
    InequalityInfo,
    SeparationProofInfo,
    XorLinearResult,
    XorSolutionResult,
)
from app.web.schemas.errors import ERROR_RESPONSES
from app.web.schemas.payload import payload
from app.web.schemas.training import build_activation

router = APIRouter(prefix="/api", route_class=OrjsonRoute)


def _resolve(req: GradientFlowRequest) -> list[tuple[Activation, dict[str, ParamValue]]]:
    """Each requested entry with its parameters validated; a 422 naming the parameter if not."""
    resolved = []
    for name in req.names:
        given = req.activation_params.get(name)
        act = build_activation(name, req.expression, given or {})
        resolved.append((act, resolve_params(act, given, ("body", "activation_params", name))))
    return resolved


_SLOPE = spelled(SATURATION_SLOPE)
GRADIENT_FLOW_DOC = (
    "Per-layer gradient norms and activation statistics of a deep MLP at "
    + f"""\
initialisation.

The network and loss, all drawn from `seed` in this order: inputs X of shape
(batch_size, width) with N(0, 1) entries; `depth` layers z_l = a_{{l-1}} @ W_l + b_l,
a_l = f(z_l), a_0 = X, W_l of shape (width, width) drawn by `init` (the same X and weights
for every activation in the request); a fixed linear readout y = a_depth @ v with
v_i ~ N(0, 1/width); targets t_b ~ N(0, 1); loss L = mean_b (y_b - t_b)^2 (no 1/2).

For each layer l: Frobenius norms of dL/dW_l, dL/db_l, dL/dz_l (pre-activation) and dL/da_l
(post-activation), and over the batch and units of a_l: mean, std, the fraction exactly 0 and
the fraction saturated (|f'(z_l)| < {_SLOPE} where a_l != 0: disjoint from the zeros, so a ReLU's
zeros are not counted twice). With sigmoid the first layers' gradients are orders
of magnitude below the last's; with relu and `he` they stay of one order. Values that
overflow float64 (e.g. `exponential` deep down) are null and that entry has `finite: false`.
Requests above the work cap (activations x depth x width^2 x batch_size) get a 422. The
response is a pure function of the request, so a repeated request is answered from memory.
It runs in the training worker pool: 503 with Retry-After when every worker is busy and the
queue is full, a 422 past ACTLAB_TRAIN_TIME_LIMIT_S.
"""
)


@router.post(
    "/gradient-flow",
    response_model=GradientFlowResult,
    responses={**ERROR_RESPONSES, **EXPRESSION_422},
    tags=["gradient flow"],
    description=GRADIENT_FLOW_DOC,
)
async def measure_gradient_flow(
    req: CheckedGradientFlowRequest,
    settings: SettingsDep,
    results: ResultCacheDep,
    pool: WorkerPoolDep,
) -> Response:
    """Per-layer gradient norms and activation statistics of a deep MLP at initialisation."""
    if req.work > settings.gradient_flow_max_work:
        msg = (
            f"activations x depth x width^2 x batch_size = {req.work} exceeds the cap of "
            f"{settings.gradient_flow_max_work}; use fewer activations or a smaller network"
        )
        raise RequestValidationError([error_item(("body",), msg, "value_error")])
    _resolve(req)  # a bad parameter is a 422 here, before a worker is taken
    key = ("gradient-flow", req.model_dump_json())
    try:
        body = await results.get_or_compute_async(
            key, lambda: pool.admit().run(gradient_flow_bytes, req)
        )
    except TimeLimitExceeded as err:
        raise over_limit(
            "depth",
            f"gradient flow stopped after the wall-time limit of {err.limit_s:g} s; ask for "
            "fewer activations or a smaller network",
        ) from None
    return json_bytes(body)


def gradient_flow_bytes(control: Control, req: GradientFlowRequest) -> bytes:
    """The job, run in a worker process (the time limit is enforced there by the pool)."""
    flows = gradient_flow.gradient_flow(
        _resolve(req), req.depth, req.width, req.init, req.seed, req.batch_size
    )
    layer = np.arange(1, req.depth + 1)
    return dumps(
        payload(
            GradientFlowResult,
            depth=req.depth,
            width=req.width,
            init=req.init,
            seed=req.seed,
            batch_size=req.batch_size,
            loss_definition=gradient_flow.LOSS_DEFINITION,
            results=[flow_payload(flow, layer) for flow in flows],
        )
    )


def flow_payload(flow: gradient_flow.GradientFlow, layer: NDArray[np.int64]) -> dict[str, Any]:
    """ActivationFlow's values, "layer" last as it has always been sent."""
    return payload(
        ActivationFlow,
        activation=flow.activation,
        params=flow.params,
        loss=flow.loss,
        finite=flow.finite,
        weight_grad_norm=flow.weight_grad_norm,
        bias_grad_norm=flow.bias_grad_norm,
        preactivation_grad_norm=flow.preactivation_grad_norm,
        activation_grad_norm=flow.activation_grad_norm,
        mean=flow.mean,
        std=flow.std,
        zero_fraction=flow.zero_fraction,
        saturated_fraction=flow.saturated_fraction,
        layer=layer,
    )


def inequality_payload(inequality: xor.Inequality) -> dict[str, Any]:
    return payload(
        InequalityInfo,
        inputs=inequality.inputs,
        target=inequality.target,
        coefficients=inequality.coefficients,
        relation=inequality.relation,
        text=inequality.text,
    )


@cache
def _xor_linear_bytes() -> bytes:
    fit, proof = xor.best_affine_fit(), xor.separation_proof()
    return dumps(
        payload(
            XorLinearResult,
            inputs=xor.XOR_INPUTS,
            targets=xor.XOR_TARGETS,
            fit=payload(
                AffineFitInfo,
                weights=fit.weights,
                bias=fit.bias,
                predictions=fit.predictions,
                mse=fit.mse,
            ),
            proof=payload(
                SeparationProofInfo,
                rule=proof.rule,
                inequalities=[inequality_payload(i) for i in proof.inequalities],
                sums=[inequality_payload(i) for i in proof.sums],
                contradiction=proof.contradiction,
                statement=proof.statement,
            ),
        )
    )


@router.get("/xor/linear", response_model=XorLinearResult, tags=["xor"])
def xor_linear() -> Response:
    """The best affine fit to XOR by least squares, and the proof that no line separates it.

    The fit minimises mean((x @ w + b - y)^2) over the four points (0,0)->0, (0,1)->1,
    (1,0)->1, (1,1)->0, solved exactly: w = [0, 0], b = 0.5, so it predicts 0.5 everywhere with
    mean squared error 0.25. The proof: a line classifies x as 1 when w . x + b > 0; each point
    gives one linear inequality on (w1, w2, b), and the two labelled 1 sum to w1 + w2 + 2b > 0
    while the two labelled 0 sum to w1 + w2 + 2b <= 0.
    """
    return json_bytes(_xor_linear_bytes())


@cache
def _xor_solution_bytes() -> bytes:
    net = xor.hand_set_solution()
    return dumps(
        payload(
            XorSolutionResult,
            inputs=xor.XOR_INPUTS,
            targets=xor.XOR_TARGETS,
            hidden_weights=net.hidden_weights,
            hidden_biases=net.hidden_biases,
            output_weights=net.output_weights,
            output_bias=net.output_bias,
            hidden_preactivations=net.hidden_preactivations,
            hidden_activations=net.hidden_activations,
            outputs=net.outputs,
        )
    )


@router.get("/xor/solution", response_model=XorSolutionResult, tags=["xor"])
def xor_solution() -> Response:
    """The hand-set ReLU network that computes XOR exactly, with its hidden values and outputs.

    a = relu(x @ W + c), y = a @ w + b with W = [[1, 1], [1, 1]], c = [0, -1], w = [1, -2],
    b = 0 (Goodfellow, Bengio and Courville, Deep Learning, section 6.1): y = [0, 1, 1, 0].
    """
    return json_bytes(_xor_solution_bytes())
