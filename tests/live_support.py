"""A live-session client over a real socket (the `websockets` package), for the tests that run
WS /api/train/live against uvicorn and through nginx."""

from typing import Any

import numpy as np
import orjson
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from app.web.live_frames import decode_frame


def live_connect(url: str, origin: str) -> ClientConnection:
    """Open the socket as a browser page of `origin` would."""
    return connect(url, origin=Origin(origin), open_timeout=10)


def recv_json(ws: ClientConnection) -> dict[str, Any]:
    message = ws.recv(10)
    assert isinstance(message, str), message[:64]
    body: dict[str, Any] = orjson.loads(message)
    return body


def recv_frame(ws: ClientConnection) -> tuple[dict[str, Any], dict[str, np.ndarray[Any, Any]]]:
    message = ws.recv(10)
    assert isinstance(message, bytes), message
    return decode_frame(message)
