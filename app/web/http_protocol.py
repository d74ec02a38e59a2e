"""uvicorn's httptools protocol with h11's cap on the request head.

uvicorn parses HTTP with h11 (pure Python, and it caps a request's line and headers at
`h11_max_incomplete_event_size`) or httptools (C, about 1.7x the requests a second, but it
accepts a head of any size: one 160 MiB header once slowed every other client). This class
gives httptools the same cap from the same uvicorn option, so the app can face clients directly
with the fast parser: a head still incomplete past the cap is answered 400 and the connection
closed, as h11 does. The bytes counted are those received while a head is incomplete (one read
may also carry the start of a body: it is fed first, and only a head still incomplete after it
is refused); a kept-alive connection's next head is counted from the read after the previous
request ended, so a pipelined head may exceed the cap by at most one read (256 KiB).
"""

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

# uvicorn's own default for h11_max_incomplete_event_size.
DEFAULT_MAX_HEAD_BYTES = 16 * 1024
HEAD_TOO_LARGE = "Request line and headers too large."


class CappedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol refusing a request head over config.h11_max_incomplete_event_size."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.max_head_bytes = config.h11_max_incomplete_event_size or DEFAULT_MAX_HEAD_BYTES
        self.in_head = True  # the bytes coming are (still) a request's line and headers
        self.head_bytes = 0

    def data_received(self, data: bytes) -> None:
        if not self.in_head:
            super().data_received(data)
            return
        self.head_bytes += len(data)
        super().data_received(data)
        if self.in_head and self.head_bytes > self.max_head_bytes:
            if not self.transport.is_closing():
                self.logger.warning(HEAD_TOO_LARGE)
                self.send_400_response(HEAD_TOO_LARGE)

    def on_headers_complete(self) -> None:
        self.in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_head = True  # what comes next on a kept-alive connection is the next head
        self.head_bytes = 0
