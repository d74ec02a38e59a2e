"""Refusals before routing: when every worker and queue place is taken, a training request that
would wait for one gets its 503 here, without the framework.

Why: in a burst (48 heavy requests at once on a 2-core machine) each refusal went through
routing, dependency resolution and exception handling, ~1.2 ms of event-loop time, and the last
refusal of the burst waited for all the others. Here it costs a JSON parse and one validation.

A request the pool has room for takes its place here (WorkerPool.reserved), before it is read:
its route's admit() takes that place, and one it does not need is given back. In a burst the
places are so counted as the requests arrive, and the refusals are answered before the
admitted requests' validation and hand-off to a worker (the loop is given up once after the
reservation), instead of after them.

Nothing is decided here that the route would decide differently: the route's own WaitingRoute
(app.web.routes.training) predicts its answer from the same request model, limits, result cache
and pool, and anything that would not be a 503 Busy (a 422, a stored or pending result, a free
place, a shutdown, a body that is not JSON) is passed on to the route, its body replayed. The
answer is the exception handler's own rendering of the same Busy, and the route is put in the
scope so metrics and logs name it.
"""

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.web.cache import ResultCache
from app.web.errors import http_error_response
from app.web.routes.training import WaitingRoute
from app.web.workers import WorkerPool

JSON = b"application/json"


class AdmissionFastPath:
    """ASGI middleware: 503 Busy for training POSTs the pool would refuse; see the module doc."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Mapping[str, WaitingRoute],
        settings: Settings,
        results: ResultCache,
        pool: Callable[[], WorkerPool],
    ) -> None:
        self.app = app
        self.routes = routes
        self.settings = settings
        self.results = results
        self.pool = pool  # read per request: the app creates its pool after its middleware

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        waiting = self.routes.get(scope["path"]) if scope["type"] == "http" else None
        if waiting is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        pool = self.pool()
        if pool.refusal() is None:
            with pool.reserved():
                # The place is counted: let the requests that arrived with this one be answered
                # first, the refusals among them in a fraction of this one's time.
                await asyncio.sleep(0)
                await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before its body arrived: nobody to answer
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        busy = waiting.refusal(_json(scope, body), self.settings, self.results, self.pool())
        if busy is None:
            await self.app(scope, _replay(body, receive), send)
            return
        scope["route"] = waiting.route
        await http_error_response(busy)(scope, receive, send)


class _NotJson:
    """A body the route, not this fast path, answers (its 422 says why)."""


def _json(scope: Scope, body: bytes) -> Any:
    """The body parsed as the route parses it, or a _NotJson the request model refuses."""
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    if content_type.split(b";")[0].strip().lower() != JSON:
        return _NotJson()
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return _NotJson()  # NaN, Infinity, malformed: the route's parser and its 422 decide


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
