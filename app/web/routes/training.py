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
from app.lab.nn.replay import recorded_run
from app.lab.nn.sweep import sweep
from app.lab.nn.training import train
from app.web.cache import ResultCache
from app.web.custom import (
    EXPRESSION_422,
    CheckedHistory,
    CheckedSweepRequest,
    CheckedTrainRequest,
)
from app.web.dependencies import ResultCacheDep, SettingsDep, WorkerPoolDep
from app.web.limits import check_limits, time_limit_error
from app.web.replay import Replay, data_of, recorded_request, relocated
from app.web.responses import OrjsonRoute, dumps, json_bytes
from app.web.schemas.errors import ERROR_RESPONSES
from app.web.schemas.live import History
from app.web.schemas.training import (
    SEMANTICS,  # the domain's account of a run, and the limits
    SweepRequest,
    TrainRequest,
    env_name,
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

REPLAY_DOC = f"""Turn a live session's history (the `history` of WS /api/train/live's `export`,
exactly) into a recorded run: the answer is a POST /api/train answer (the same model and bytes),
so the snapshot player scrubs it and it exports like any run.

**What is recorded.** The history is replayed as the live session ran it: train to each
entry's epoch, apply `set`, `edit` and `regenerate` there (before that epoch's update), train to
`epoch`. A `reset` starts the run over (new weights from its seed, epoch 0; the options and data
chosen before it stay), so the recorded run is the part after the last reset, epochs 0..`epoch`
as the session's epoch counter showed them. `play`, `pause`, `step` and `speed` change no number.
With no `set`, `edit`, `regenerate` or `reset` the answer is byte for byte POST /api/train of the
start body with `epochs` = `epoch`. Otherwise the curves and final weights are those the live
session reached. `snapshots` evenly spaced states over 0..`epoch` (the start body's `snapshots`
and `grid`), all drawn over the grid of the data at the end. `data` and `setup` describe the
network at the end: after a `regenerate`, the data of its data seed; after a `set`, its batch
size. `epochs_to_converge` counts from the last `regenerate` (new data, converged anew).

**Refusals** (422, `loc` inside the history): `version` other than 1; an entry's epoch before
the one before it, 0 after a reset (["body", "commands", i, "epoch"]); `epoch` before the last
entry's, or 0 (["body", "epoch"]); an edit of a unit the network does not have
(["body", "commands", i, "command", "layer" | "to_unit" | "from_unit"]); a `regenerate` on your
own points (["body", "commands", i, "command", "type"]). A recorded run is a /api/train run, so
it is held to /api/train's caps, not the live session's: `epoch` at most
{env_name("train_max_epochs")}, and its work, memory and time (["body", "epoch"] or
["body", "start", <field>]); a custom expression is checked at ["body", "start", "expression"].
Busy: 503 with Retry-After. A repeated history is answered from the result cache.
"""

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


def replay_bytes(control: Control, replay: Replay) -> bytes:
    req = replay.request
    recorded = recorded_run(
        req.to_config(), req.seed, replay.entries, req.epochs, data_of(req), control
    )
    spaces = None
    if req.hidden_space is not None:  # the start body's views, as /api/train draws them
        spaces = of_snapshots(recorded.config, recorded.result.run.snapshots, req.hidden_space)
    return dumps(train_payload(recorded.config, recorded.result, spaces))


def replay_key(replay: Replay) -> Hashable:
    """The canonical start body and the changes: play, pause, step and speed change nothing."""
    return ("replay", replay.request.model_dump_json(), replay.entries)


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
    req: TrainRequest | SweepRequest | Replay,
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
    "/train/replay",
    response_model=TrainResponse,
    responses={**ERROR_RESPONSES, **EXPRESSION_422},
    summary="Reopen a saved live session as a recorded run",
    description=REPLAY_DOC,
)
async def replay_history(
    history: CheckedHistory, settings: SettingsDep, results: ResultCacheDep, pool: WorkerPoolDep
) -> Response:
    """Replay a live session's exported history (in a worker process) as a recorded run."""
    replay = recorded_request(history, settings)
    try:
        body = await cached_job(results, pool, replay_key(replay), replay_bytes, replay)
    except RequestValidationError as err:  # the time limit, at the history's epoch
        raise relocated(err) from None
    return json_bytes(body)


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


Body = TrainRequest | SweepRequest | History


def limited(req: TrainRequest | SweepRequest, settings: Settings) -> TrainRequest | SweepRequest:
    """What /api/train and /api/train/sweep (and their streams) check before they wait."""
    check_limits(req, settings, req.networks)
    return req


@dataclass(frozen=True)
class WaitingRoute:
    """What a training route does before it waits for a worker, as the admission fast path
    (app.web.admission) predicts it: the body's model, the route's own checks (a 422 raised,
    else what the result cache's key is made from), the key, and whether an equal request
    being computed is joined (the plain routes) or only a stored result is used (the streams)."""

    route: APIRoute
    model: type[Body]
    checked: Callable[[Any, Settings], Any]
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
            key = self.key(self.checked(req, settings))
        except (ValidationError, RequestValidationError, HTTPException):
            return None  # the route answers with its 422
        if results.get(key) is not None or (self.joins_pending and results.is_pending(key)):
            return None
        return busy


def uses_expression(req: Body) -> bool:
    """Whether a custom expression is among the request's activations."""
    if isinstance(req, SweepRequest):
        return any(choice.name == CUSTOM_NAME for choice in req.activations)
    if isinstance(req, History):
        return req.start.activation == CUSTOM_NAME
    return req.activation == CUSTOM_NAME


def waiting_routes() -> Mapping[str, WaitingRoute]:
    """The training routes by path, read from this router (the endpoints above are the facts)."""
    how: dict[Callable[..., Any], tuple[type[Body], Callable[[Any, Settings], Any], Any, bool]] = {
        train_network: (TrainRequest, limited, train_key, True),
        sweep_networks: (SweepRequest, limited, sweep_key, True),
        train_network_stream: (TrainRequest, limited, train_key, False),
        sweep_networks_stream: (SweepRequest, limited, sweep_key, False),
        replay_history: (History, recorded_request, replay_key, True),
    }
    found = {}
    for route in router.routes:
        if isinstance(route, APIRoute) and route.endpoint in how:
            model, checked, key, joins = how[route.endpoint]
            found[route.path] = WaitingRoute(route, model, checked, key, joins)
    return found
