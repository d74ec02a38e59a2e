"""Start-up warm-up: each page, the API document and a refused training request go once through
the whole app, in-process, before the server listens.

Why: the first answer of a page compiles its template and renders (and caches) the catalogue's
formulas, the first /openapi.json builds the schema, the first request of a route makes FastAPI
read the endpoint's source for its error context. Measured on this 2-core machine: / took 214 ms
the first time and 20-25 ms afterwards, /train 102 ms. Paid in the lifespan (uvicorn listens, and
/healthz answers, only after it), the first learners of a class do not wait for it, and a burst
of trainings right after start-up is refused as fast as later ones. Warm-up requests are marked
in their scope (WARMUP_KEY) so /metrics and the access log leave them out.
"""

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Scope

WARMUP_KEY = "actlab.warmup"
# A body every training route refuses with a 422 (an array, not an object): the route's
# validation, error handler and error rendering run, and no training starts.
REFUSED_BODY = b"[]"


def host_for(allowed_hosts: Iterable[str]) -> str:
    """A Host header the trusted-host check lets through."""
    for host in allowed_hosts:
        if host == "*":
            return "localhost"
        return host.replace("*.", "warmup.", 1)
    return "localhost"


async def request(app: ASGIApp, method: str, path: str, host: str, body: bytes = b"") -> int:
    """One request through `app`, in-process; its status (the answer itself is dropped)."""
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", host.encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": None,
        "server": None,
        WARMUP_KEY: True,
    }
    sent = False
    status = 0

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def warm_up(
    app: ASGIApp, pages: Iterable[str], refused_posts: Iterable[str], host: str
) -> dict[str, int]:
    """GET every page and POST REFUSED_BODY to every training route; their statuses by path."""
    statuses = {}
    for path in pages:
        statuses[path] = await request(app, "GET", path, host)
    for path in refused_posts:
        statuses[path] = await request(app, "POST", path, host, REFUSED_BODY)
    return statuses
