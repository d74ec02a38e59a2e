"""The one error shape: {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}."""

from pydantic import BaseModel, Field


class ErrorItem(BaseModel):
    """One problem with the request; `loc` names the field (e.g. ["query", "x_min"])."""

    loc: list[str | int] = Field(examples=[["query", "alpha"]])
    msg: str = Field(examples=["alpha: must be in (0, 5], got 7"])
    type: str = Field(examples=["value_error"])


class ErrorResponse(BaseModel):
    """Body of every 404, 413, 415, 422 and 500 response, and of a stream's `error` event."""

    detail: list[ErrorItem]


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorResponse, "description": "Unknown activation name."},
    422: {"model": ErrorResponse, "description": "A field is missing, malformed or out of bounds."},
    500: {
        "model": ErrorResponse,
        "description": "An unexpected server error (a bug): logged on the server with its "
        "traceback, answered in this shape with type 'internal_error', never a traceback.",
    },
}
