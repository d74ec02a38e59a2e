"""Pure ASGI middleware: body-size limit, and curves answered before routing.

Both are plain ASGI callables rather than BaseHTTPMiddleware, which would add a task and a
stream copy to every request.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.curves import CurveStore, parse_plain_request
from app.responses import dumps


def _json_headers(length: int) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"), (b"content-length", str(length).encode())]


class CurveFastPath:
    """Answer GET .../curve before routing: from the cache by exact URL, else, when the request
    is plainly well-formed, compute it here. Everything else goes on to the validating route,
    which answers errors in the documented shape; both share one CurveStore, so the bytes are
    the same either way."""

    def __init__(self, app: ASGIApp, store: CurveStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            query_string: bytes = scope["query_string"]
            body = self.store.by_url(path, query_string)
            if body is None:
                request = parse_plain_request(path, query_string)
                if request is not None:
                    body = await self.store.get(request, path, query_string)
            if body is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": _json_headers(len(body)),
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse bodies over `max_bytes` with 413: from Content-Length before reading a byte, and
    while streaming for chunked uploads that declare no length."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        body = dumps(
            {
                "detail": [
                    {
                        "loc": ["body"],
                        "msg": f"request body larger than {self.max_bytes} bytes",
                        "type": "too_large",
                    }
                ]
            }
        )
        await send(
            {"type": "http.response.start", "status": 413, "headers": _json_headers(len(body))}
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    await self._reject(send)
                    return
                break

        received = 0
        rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not rejected:
                    rejected = True
                    await self._reject(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:  # the app's own reply is dropped once we have answered 413
                await send(message)

        await self.app(scope, limited_receive, guarded_send)
