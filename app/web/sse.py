"""Server-Sent Events for the training streams: frames, progress heartbeats, outcomes, cancelling.

A stream runs its job as a task on the event loop (the job itself runs in a worker process,
app.web.workers) and forwards the job's progress reports; when the job reports nothing for
HEARTBEAT_S it repeats the latest, so proxies and the page see the stream alive. Closing the
stream (the client went away) cancels the task, which kills the worker. A stream always ends
with one `result` or one `error` event in the app's error shape, never cut off.
"""

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any

from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException

from app.lab.nn.control import Progress, TimeLimitExceeded
from app.web.cache import ResultCache
from app.web.errors import internal_error
from app.web.limits import time_limit_error
from app.web.responses import dumps
from app.web.schemas.errors import ERROR_RESPONSES
from app.web.workers import Job, WorkerPool

HEARTBEAT_S = 0.2  # a progress event at least this often while a stream trains

# A job: given where to report progress, the bytes of the result (raising what the pool raises).
Run = Callable[[Callable[[Progress], None]], Awaitable[bytes]]

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


def outcome(task: "asyncio.Task[bytes]") -> bytes:
    """The last frame of a stream: the job's result, or its failure in the error shape."""
    err = task.exception()
    if err is None:
        return sse("result", task.result())
    if isinstance(err, TimeLimitExceeded):
        return sse("error", dumps({"detail": time_limit_error(err).errors()}))
    if isinstance(err, HTTPException):  # 503: shutting down, or the queue wait ran out
        return sse("error", dumps({"detail": err.detail}))
    return sse("error", dumps(internal_error(err, "a training stream")))


async def event_stream(
    run: Run, epochs: int, names: list[str] | None = None
) -> AsyncIterator[bytes]:
    """Run the job and stream its progress (heartbeats in between), then its outcome."""
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    task = asyncio.ensure_future(run(lambda p: queue.put_nowait(("progress", p))))
    task.add_done_callback(lambda t: queue.put_nowait(("done", t)))
    latest = Progress(0, epochs, None, 0, len(names) if names else 1)
    try:
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
                yield outcome(payload)
                return
    except Exception as err:  # noqa: BLE001 - a bug in the streaming itself: same error shape
        yield sse("error", dumps(internal_error(err, "a training stream")))
    finally:
        task.cancel()  # the client went away (or the stream failed): stop the worker


async def cached_event(body: bytes) -> AsyncIterator[bytes]:
    yield sse("result", body)


def stream_response(
    stream: AsyncIterator[bytes], background: BackgroundTask | None = None
) -> StreamingResponse:
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        background=background,
    )


def cached_stream(
    results: ResultCache,
    pool: WorkerPool,
    key: Hashable,
    job: Job,
    args: tuple[Any, ...],
    epochs: int,
    names: list[str] | None = None,
) -> StreamingResponse:
    """A stored result as one `result` event; otherwise a place in the pool now (503 when
    there is none, before the stream starts) and the job's event_stream, storing its result."""
    body = results.get(key)
    if body is not None:
        return stream_response(cached_event(body))
    ticket = pool.admit()

    async def run(on_progress: Callable[[Progress], None]) -> bytes:
        body = await ticket.run(job, *args, on_progress=on_progress, interval=HEARTBEAT_S / 2)
        results.put(key, body)
        return body

    # A client gone before the stream started never runs it: the place is given back anyway.
    return stream_response(event_stream(run, epochs, names), BackgroundTask(ticket.release))
