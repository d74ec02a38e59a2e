"""Training endpoints: /api/train, /api/train/sweep and their Server-Sent-Events variants.

Handlers validate through app.web.schemas.training, check the settings' work limits, then call one
domain function (app.lab.nn.training.train or app.lab.nn.sweep.sweep). The plain ones are `def`, so
FastAPI runs them in its thread pool; the streaming ones train in a thread of their own. A response
is a pure function of its validated request, so it is kept in the app's ResultCache under that
request (plain and streaming endpoints share it): a repeated request is answered from memory, and a
stream then sends its single `result` event at once."""

import asyncio
import math
import threading
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any

from fastapi import APIRouter, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse

from app.config import Settings
from app.lab.activations import get_activation
from app.lab.nn.control import Cancelled, Control, Progress, TimeLimitExceeded
from app.lab.nn.sweep import sweep
from app.lab.nn.training import train
from app.web.cache import ResultCache
from app.web.dependencies import ResultCacheDep, SettingsDep
from app.web.errors import error_item, internal_error
from app.web.responses import OrjsonRoute, dumps
from app.web.schemas.errors import ERROR_RESPONSES
from app.web.schemas.training import (
    SEMANTICS,  # the domain's account of a run, and the limits
    SweepRequest,
    TrainingOptions,
    TrainRequest,
    describe_work,
)
from app.web.schemas.training_results import (
    SweepResponse,
    TrainResponse,
    sweep_payload,
    train_payload,
)

router = APIRouter(prefix="/api", tags=["training"], route_class=OrjsonRoute)

HEARTBEAT_S = 0.2  # a progress event at least this often while a stream trains


TRAIN_DOC = (
    """Train one MLP on a toy data set and return its curves, final state and snapshots.

Snapshots: `snapshots` evenly spaced states over 0..epochs (one snapshot: the final state), each
with the training loss, the output probability over a grid x grid lattice covering the data
(20 % margin; output[unit][i][j] at (grid.x1[j], grid.x2[i])) and every hidden unit's output
over a ceil(grid / 5) lattice (the Playground's neuron thumbnails), rounded to 0.01.

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
the mean share of dead hidden units. `snapshots` and `grid` are accepted and unused.
"""
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


def over_limit(field: str, message: str) -> RequestValidationError:
    """A 422 in the app's error shape, located at the body field it concerns."""
    return RequestValidationError([error_item(["body", field], message, "value_error.limit")])


def check_limits(options: TrainingOptions, settings: Settings, n_networks: int) -> None:
    """422 when the request asks for more epochs or work than the settings allow."""
    if options.epochs > settings.train_max_epochs:
        raise over_limit(
            "epochs",
            f"epochs = {options.epochs} exceeds this server's cap of {settings.train_max_epochs}",
        )
    n_params = options.layout().n_params
    if options.epochs * options.n_train * n_params * n_networks > settings.train_max_work:
        spelled = describe_work(options.epochs, options.n_train, n_params, n_networks)
        raise over_limit(
            "epochs",
            f"this request needs {spelled}, over this server's cap of "
            f"{settings.train_max_work:.3g} (epochs x training samples x parameters x networks); "
            "use fewer epochs, samples, units or seeds",
        )


def time_limit_error(err: TimeLimitExceeded) -> RequestValidationError:
    return over_limit(
        "epochs",
        f"{err}; this server stops a training request after {err.limit_s:g} s: "
        "ask for fewer epochs, samples, units or seeds",
    )


def train_key(req: TrainRequest) -> Hashable:
    """The result cache's key: the canonical validated request (defaults filled in)."""
    return ("train", req.model_dump_json())


def sweep_key(req: SweepRequest) -> Hashable:
    return ("sweep", req.model_dump_json())


def train_bytes(req: TrainRequest, control: Control) -> bytes:
    config = req.to_config()
    return dumps(train_payload(config, train(config, req.seed, control)))


def sweep_bytes(req: SweepRequest, control: Control) -> bytes:
    choices = [(choice.name, dict(choice.params)) for choice in req.activations]
    config = req.config(*choices[0])
    pairs = [(get_activation(name), params) for name, params in choices]
    return dumps(sweep_payload(config, req.seeds, sweep(config, pairs, req.seeds, control)))


@router.post(
    "/train",
    response_model=TrainResponse,
    responses=ERROR_RESPONSES,
    summary="Train one network",
    description=TRAIN_DOC,
)
def train_network(req: TrainRequest, settings: SettingsDep, results: ResultCacheDep) -> Response:
    """Train one network (in FastAPI's thread pool) and return its whole run as JSON."""
    check_limits(req, settings, 1)
    control = Control(time_limit_s=settings.train_time_limit_s)
    try:
        body = results.get_or_compute(train_key(req), lambda: train_bytes(req, control))
    except TimeLimitExceeded as err:
        raise time_limit_error(err) from None
    return Response(content=body, media_type="application/json")


@router.post(
    "/train/sweep",
    response_model=SweepResponse,
    responses=ERROR_RESPONSES,
    summary="Train from many seeds per activation",
    description=SWEEP_DOC,
)
def sweep_networks(req: SweepRequest, settings: SettingsDep, results: ResultCacheDep) -> Response:
    """Train seeds 0..n-1 for each activation, stacked, and return the summaries as JSON."""
    check_limits(req, settings, req.seeds * len(req.activations))
    control = Control(time_limit_s=settings.train_time_limit_s)
    try:
        body = results.get_or_compute(sweep_key(req), lambda: sweep_bytes(req, control))
    except TimeLimitExceeded as err:
        raise time_limit_error(err) from None
    return Response(content=body, media_type="application/json")


SSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A text/event-stream of progress events and one result (or error).",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    **ERROR_RESPONSES,
}


def sse(event: str, data: bytes) -> bytes:
    """One Server-Sent-Events frame (orjson writes no newlines, so data is one line)."""
    return b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


def progress_data(progress: Progress, names: list[str] | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "epoch": progress.epoch,
        "epochs": progress.epochs,
        "fraction": progress.fraction,
        "loss": progress.loss if progress.loss is None or math.isfinite(progress.loss) else None,
    }
    if names is not None:
        data["activation"] = names[progress.stage]
    return data


async def event_stream(
    work: Callable[[Control], bytes],
    time_limit_s: float,
    epochs: int,
    names: list[str] | None = None,
) -> AsyncIterator[bytes]:
    """Run work(control) in a thread and stream its progress, then its result.

    Closing this generator (the client went away) sets the flag the training loop polls, so the
    thread stops within one epoch.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    stop = threading.Event()

    def post(kind: str, payload: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, payload))
        except RuntimeError:  # the event loop is gone: nobody is listening any more
            stop.set()

    control = Control(
        on_progress=lambda p: post("progress", p),
        should_stop=stop.is_set,
        time_limit_s=time_limit_s,
        interval=HEARTBEAT_S / 2,
    )

    def run() -> None:
        try:
            post("result", work(control))
        except Cancelled:
            pass
        except TimeLimitExceeded as err:
            detail = time_limit_error(err).errors()
            post("error", dumps({"detail": detail}))
        except Exception as err:  # noqa: BLE001 - logged, and ends the stream in the error shape
            post("error", dumps(internal_error(err, "a training stream")))

    thread = threading.Thread(target=run, name="train-stream", daemon=True)
    latest = Progress(0, epochs, None, 0, len(names) if names else 1)
    try:
        thread.start()
        while True:
            try:
                kind, payload = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
            except TimeoutError:
                yield sse("progress", dumps(progress_data(latest, names)))
                continue
            if kind == "progress":
                latest = payload
                yield sse("progress", dumps(progress_data(latest, names)))
            else:
                yield sse(kind, payload)
                return
    except Exception as err:  # noqa: BLE001 - a bug in the streaming itself: same error shape
        yield sse("error", dumps(internal_error(err, "a training stream")))
    finally:
        stop.set()


async def cached_event(body: bytes) -> AsyncIterator[bytes]:
    yield sse("result", body)


def cached_stream(
    results: ResultCache,
    key: Hashable,
    work: Callable[[Control], bytes],
    time_limit_s: float,
    epochs: int,
    names: list[str] | None = None,
) -> StreamingResponse:
    """A stored result as one `result` event; otherwise event_stream, storing what it computes."""
    body = results.get(key)
    if body is not None:
        return stream_response(cached_event(body))
    stream = event_stream(
        lambda control: results.get_or_compute(key, lambda: work(control)),
        time_limit_s,
        epochs,
        names,
    )
    return stream_response(stream)


def stream_response(stream: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/train/stream",
    response_class=StreamingResponse,
    responses=SSE_RESPONSES,
    summary="Train one network, streaming progress",
    description=STREAM_DOC + "\n\nThe body is that of POST /api/train.",
)
async def train_network_stream(
    req: TrainRequest, settings: SettingsDep, results: ResultCacheDep
) -> StreamingResponse:
    """/api/train as Server-Sent Events: progress while it trains, then the result."""
    check_limits(req, settings, 1)
    return cached_stream(
        results,
        train_key(req),
        lambda control: train_bytes(req, control),
        settings.train_time_limit_s,
        req.epochs,
    )


@router.post(
    "/train/sweep/stream",
    response_class=StreamingResponse,
    responses=SSE_RESPONSES,
    summary="Sweep seeds, streaming progress",
    description=STREAM_DOC + "\n\nThe body is that of POST /api/train/sweep.",
)
async def sweep_networks_stream(
    req: SweepRequest, settings: SettingsDep, results: ResultCacheDep
) -> StreamingResponse:
    """/api/train/sweep as Server-Sent Events: progress while it trains, then the result."""
    check_limits(req, settings, req.seeds * len(req.activations))
    return cached_stream(
        results,
        sweep_key(req),
        lambda control: sweep_bytes(req, control),
        settings.train_time_limit_s,
        req.epochs,
        [choice.name for choice in req.activations],
    )
