"""Error responses: one shape for every error, and validation errors that never echo input.

FastAPI's default 422 handler echoes the offending input; when that input is NaN or Infinity the
error response itself cannot be encoded and becomes a 500. This handler keeps the documented
shape ({"detail": [{"loc", "msg", "type"}]}) and leaves the input out. An unexpected exception
(a bug) is logged with its traceback and answered in the same shape with status 500: never a
traceback or plain text; a stream ends with an `error` event carrying that body.
"""

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.web.responses import json_response
from app.web.schemas.errors import ErrorItem, ErrorResponse
from app.web.schemas.payload import payload

logger = logging.getLogger("app.web.errors")

INTERNAL_ERROR_MESSAGE = "internal server error: the server logged it; please report it"


def error_item(
    loc: Sequence[str | int], msg: str, type_: str, ctx: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One {loc, msg, type} entry of the error shape (schemas.errors.ErrorItem); loc always a
    list from the request's part ("path", "query", "body") down to the field. `ctx` only for a
    refusal inside a text field (app.web.schemas.expressions.ExpressionErrorItem)."""
    item = payload(ErrorItem, loc=list(loc), msg=msg, type=type_)
    if ctx is not None:
        item["ctx"] = ctx
    return item


def _position_context(error: dict[str, Any]) -> dict[str, Any] | None:
    """The ctx of a refusal inside a text field (a custom expression): where, and the part
    refused. Pydantic's own ctx can hold exception objects and is left out, as before."""
    ctx = error.get("ctx") or {}
    if "position" not in ctx:
        return None
    return {"position": int(ctx["position"]), "text": str(ctx.get("text", ""))}


def internal_error(exc: BaseException, where: str) -> dict[str, Any]:
    """Log an unexpected exception with its traceback; the body to send in its place."""
    logger.error("unexpected error in %s", where, exc_info=exc)
    return payload(ErrorResponse, detail=[error_item([], INTERNAL_ERROR_MESSAGE, "internal_error")])


def _message(error: dict[str, Any]) -> str:
    """Pydantic's message, plus the parser's reason for malformed JSON (e.g. a bare NaN)."""
    reason = (error.get("ctx") or {}).get("error") if error["type"] == "json_invalid" else None
    return f"{error['msg']}: {reason}" if reason else str(error["msg"])


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    items = [
        error_item(e["loc"], _message(e), str(e["type"]), _position_context(e))
        for e in exc.errors()
    ]
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and "json" not in content_type:
        # FastAPI ignores a body that is not declared JSON and reports the model as missing;
        # say what is actually wrong.
        items = [
            error_item(
                ["body"],
                f"request body must be JSON sent with Content-Type: application/json "
                f"(got {content_type or 'no Content-Type'})",
                "content_type",
            )
        ]
    return json_response({"detail": items}, status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return http_error_response(exc)


def http_error_response(exc: StarletteHTTPException) -> Response:
    """The app's answer to an HTTPException: {"detail": [...]} with its status and headers."""
    detail: object = exc.detail
    if isinstance(detail, str):  # Starlette's own 404/405 for unknown routes and methods
        detail = [error_item([], detail, "http_error")]
    response = json_response({"detail": detail}, status_code=exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Starlette's ServerErrorMiddleware calls this for any exception nothing else handled.
    body = internal_error(exc, f"{request.method} {request.url.path}")
    return json_response(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
