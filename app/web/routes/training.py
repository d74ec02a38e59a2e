"""Training endpoints: /api/train, /api/train/sweep and their Server-Sent-Events variants.

Handlers validate through app.web.schemas.training, check the settings' limits (app.web.limits),
then run one domain function (app.lab.nn.training.train or app.lab.nn.sweep.sweep) as a job in the
app's worker pool (app.web.workers): never in a request thread, so pages and curves keep their
latency; when the pool and its queue are full the answer is 503 with Retry-After. A response is a
pure function of its validated request, so it is kept in the app's ResultCache under that request
(plain and streaming endpoints share it): a repeated request is answered from memory without a
worker, and a stream then sends its single `result` event at once (app.web.sse)."""

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError

from app.config import Settings
from app.lab.datasets import REGRESSION_NAMES
from app.lab.expressions import CUSTOM_NAME
from app.lab.nn.control import Control, TimeLimitExceeded
from app.lab.nn.hidden_space import of_snapshots
from app.lab.nn.mlp import R2_TARGET
from app.lab.nn.sweep import sweep
from app.lab.nn.training import train
from app.web.cache import ResultCache
from app.web.custom import EXPRESSION_422, CheckedSweepRequest, CheckedTrainRequest
from app.web.dependencies import ResultCacheDep, SettingsDep, WorkerPoolDep
from app.web.limits import check_limits, time_limit_error
from app.web.responses import OrjsonRoute, dumps, json_bytes
from app.web.schemas.errors import ERROR_RESPONSES
from app.web.schemas.training import (
    SEMANTICS,  # the domain's account of a run, and the limits
    SweepRequest,
    TrainRequest,
)
from app.web.schemas.training_results import (
    SweepResponse,
    TrainResponse,
    sweep_payload,
    train_payload,
)
from app.web.sse import SSE_RESPONSES, cached_stream
from app.web.workers import Busy, Job, WorkerPool

router = APIRouter(prefix="/api", tags=["training"], route_class=OrjsonRoute)


TRAIN_DOC = (
    """Train one MLP on a toy data set and return its curves, final state and snapshots.

Snapshots: `snapshots` evenly spaced states over 0..epochs (one snapshot: the final state), each
with the training loss, the output probability over a grid x grid lattice covering the data
(20 % margin; output[unit][i][j] at (grid.x1[j], grid.x2[i])) and every hidden unit's output
over a ceil(grid / 5) lattice (the Playground's neuron thumbnails), rounded to 0.01.

Hidden space (opt-in, `hidden_space`: a hidden layer's index, "last" or "all"): every snapshot
also carries, per chosen layer, the training and test points in that layer's coordinates
(post-activation; the units themselves for 1 to 3 units, a PCA projection onto two components
for wider layers, one basis for the whole run) and the output's decision boundary there, a
straight line or plane in the last hidden layer's coordinates (none in earlier layers, where
the rest of the network is still non-linear, nor for a linear output, whose values are given).

With activation "identity" (or no hidden layers) the network is one affine map: `affine_map`
gives W = W_1 @ ... @ W_L and b, and its outputs, which equal the network's to rounding.
"""
    + SEMANTICS
)

SWEEP_DOC = (
    """Train the same configuration from seeds 0..seeds-1 for each activation and summarise.

For each activation the networks of all seeds train together in one vectorised computation;
seed s gives exactly the numbers of POST /api/train with seed s (per_seed lists them). Per
activation: success_rate (share of seeds that converged), quartiles of epochs_to_converge (over
converged seeds) and of the final loss (over seeds that did not diverge), the median loss curve
with 10 % / 90 % bands over the seeds still live at each recorded epoch (null where none is), and
the mean share of dead hidden units. For a regression set (REGRESSION_NAMES) success means
a training R^2 of R2_TARGET, and each activation also has r2_curve (the R^2 bands, as loss_curve's),
final_r2 quartiles and per_seed.final_r2. `snapshots` and `grid` are accepted and unused.
""".replace("R2_TARGET", f"{R2_TARGET:g}").replace("REGRESSION_NAMES", ", ".join(REGRESSION_NAMES))
    + SEMANTICS
)

STREAM_DOC = """Server-Sent Events: `event: progress` frames with data {"epoch", "epochs",
"fraction", "loss"} (for sweeps also "activation") at least every 200 ms while training runs;
`loss` is the latest recorded training loss (median over seeds), null before the first. Then one
`event: result` whose data is exactly the body the non-streaming endpoint returns, or one
`event: error` with {"detail": [...]} (the app's error shape) when the run hits the time limit
or the server fails unexpectedly (type "internal_error"; logged on the server with its
traceback): a stream always ends with `result` or `error`, never cut off. A client that
disconnects stops the training. The body is validated first: a bad body is a plain 422. A
request the server has answered recently (it keeps results, ACTLAB_RESULT_CACHE_ENTRIES) gets
its `result` event at once, with no progress events."""


def train_key(req: TrainRequest) -> Hashable:
    """The result cache's key: the canonical validated request (defaults filled in)."""
    return ("train", req.model_dump_json())


def sweep_key(req: SweepRequest) -> Hashable:
    return ("sweep", req.model_dump_json())


# The jobs, run in a worker process (app.web.workers pickles them by name).
def train_bytes(control: Control, req: TrainRequest) -> bytes:
    config = req.to_config()
    result = train(config, req.seed, control)
    spaces = None
    if req.hidden_space is not None:
        spaces = of_snapshots(config, result.run.snapshots, req.hidden_space)
    return dumps(train_payload(config, result, spaces))


def sweep_bytes(control: Control, req: SweepRequest) -> bytes:
    first = req.activations[0]
    config = req.config(first.name, dict(first.params), first.expression)
    pairs = [(choice.activation(), dict(choice.params)) for choice in req.activations]
    return dumps(sweep_payload(config, req.seeds, sweep(config, pairs, req.seeds, control)))


async def cached_job(
    results: ResultCache,
    pool: WorkerPool,
    key: Hashable,
    job: Job,
    req: TrainRequest | SweepRequest,
) -> bytes:
    """The job's bytes from the result cache, else from a worker (503 when none is free); past
    the time limit a 422."""
    try:
        return await results.get_or_compute_async(key, lambda: pool.admit().run(job, req))
    except TimeLimitExceeded as err:
        raise time_limit_error(err) from None


@router.post(
    "/train",
    response_model=TrainResponse,
    responses={**ERROR_RESPONSES, **EXPRESSION_422},
    summary="Train one network",
    description=TRAIN_DOC,
)
async def train_network(
    req: CheckedTrainRequest, settings: SettingsDep, results: ResultCacheDep, pool: WorkerPoolDep
) -> Response:
    """Train one network (in a worker process) and return its whole run as JSON."""
    check_limits(req, settings, req.networks)
    return json_bytes(await cached_job(results, pool, train_key(req), train_bytes, req))


@router.post(
    "/train/sweep",
    response_model=SweepResponse,
    responses={**ERROR_RESPONSES, **EXPRESSION_422},
    summary="Train from many seeds per activation",
    description=SWEEP_DOC,
)
async def sweep_networks(
    req: CheckedSweepRequest, settings: SettingsDep, results: ResultCacheDep, pool: WorkerPoolDep
) -> Response:
    """Train seeds 0..n-1 for each activation, stacked, and return the summaries as JSON."""
    check_limits(req, settings, req.networks)
    return json_bytes(await cached_job(results, pool, sweep_key(req), sweep_bytes, req))


@router.post(
    "/train/stream",
    response_class=StreamingResponse,
    responses={**SSE_RESPONSES, **EXPRESSION_422},
    summary="Train one network, streaming progress",
    description=STREAM_DOC + "\n\nThe body is that of POST /api/train.",
)
async def train_network_stream(
    req: CheckedTrainRequest, settings: SettingsDep, results: ResultCacheDep, pool: WorkerPoolDep
) -> StreamingResponse:
    """/api/train as Server-Sent Events: progress while it trains, then the result."""
    check_limits(req, settings, req.networks)
    return cached_stream(results, pool, train_key(req), train_bytes, (req,), req.epochs)


@router.post(
    "/train/sweep/stream",
    response_class=StreamingResponse,
    responses={**SSE_RESPONSES, **EXPRESSION_422},
    summary="Sweep seeds, streaming progress",
    description=STREAM_DOC + "\n\nThe body is that of POST /api/train/sweep.",
)
async def sweep_networks_stream(
    req: CheckedSweepRequest, settings: SettingsDep, results: ResultCacheDep, pool: WorkerPoolDep
) -> StreamingResponse:
    """/api/train/sweep as Server-Sent Events: progress while it trains, then the result."""
    check_limits(req, settings, req.networks)
    names = [choice.name for choice in req.activations]
    return cached_stream(results, pool, sweep_key(req), sweep_bytes, (req,), req.epochs, names)


@dataclass(frozen=True)
class WaitingRoute:
    """What a training route does before it waits for a worker, as the admission fast path
    (app.web.admission) predicts it: the body's model, the result cache's key, and whether an
    equal request being computed is joined (the plain routes) or only a stored result is used
    (the streams)."""

    route: APIRoute
    model: type[TrainRequest] | type[SweepRequest]
    key: Callable[[Any], Hashable]
    joins_pending: bool

    def refusal(
        self, data: Any, settings: Settings, results: ResultCache, pool: WorkerPool
    ) -> Busy | None:
        """The 503 this route answers now for the parsed JSON body `data`, or None when it
        answers anything else (a 422, a stored or pending result, a place in the pool)."""
        busy = pool.refusal()
        if busy is None or pool.closing:
            return None
        try:
            req = self.model.model_validate(data)
            if uses_expression(req):
                # compiled and checked (sympy, seconds) in the route's thread-pool dependency,
                # before its limits: never here, on the event loop
                return None
            check_limits(req, settings, req.networks)
        except (ValidationError, RequestValidationError, HTTPException):
            return None  # the route answers with its 422
        key = self.key(req)
        if results.get(key) is not None or (self.joins_pending and results.is_pending(key)):
            return None
        return busy


def uses_expression(req: TrainRequest | SweepRequest) -> bool:
    """Whether a custom expression is among the request's activations."""
    if isinstance(req, SweepRequest):
        return any(choice.name == CUSTOM_NAME for choice in req.activations)
    return req.activation == CUSTOM_NAME


def waiting_routes() -> Mapping[str, WaitingRoute]:
    """The training routes by path, read from this router (the endpoints above are the facts)."""
    how: dict[Callable[..., Any], tuple[type[TrainRequest] | type[SweepRequest], Any, bool]] = {
        train_network: (TrainRequest, train_key, True),
        sweep_networks: (SweepRequest, sweep_key, True),
        train_network_stream: (TrainRequest, train_key, False),
        sweep_networks_stream: (SweepRequest, sweep_key, False),
    }
    found = {}
    for route in router.routes:
        if isinstance(route, APIRoute) and route.endpoint in how:
            model, key, joins = how[route.endpoint]
            found[route.path] = WaitingRoute(route, model, key, joins)
    return found
