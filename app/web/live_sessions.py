"""The server side of WS /api/train/live: admission, one worker process per session, limits.

On the event loop only I/O happens: a connection is admitted (at most ACTLAB_LIVE_MAX_SESSIONS;
beyond, an `error` message with `retry_after` and close code 1013), its Origin checked (a page
of another site may not drive a session: close code 1008), and a worker process started from
the worker pool's forkserver (app.web.workers) running app.web.live.serve_live. Commands are
validated here (app.web.schemas.live; a bad one gets an `error` message naming the field, the
socket stays open) and passed down the pipe; a thread reads the worker's messages and frames
back. Frames the client has not taken yet are replaced by newer ones (a slow client gets the
latest state, not a growing queue); text messages are never dropped. A client that sends `ack`
messages (app.web.schemas.live.AckCommand) has at most FRAMES_IN_FLIGHT frames unacknowledged:
the socket's own buffers would otherwise hold seconds of frames a slow page has yet to draw.

A session ends when the client leaves, after ACTLAB_LIVE_IDLE_S without a command, after
ACTLAB_LIVE_LIFETIME_S, or on SIGTERM (a `closing` message, then close code 1000, or 1012 for
a restart); in every case the worker process is killed at once, so nothing of it stays.
"""

import asyncio
import threading
import time
from collections import deque
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.config import Settings
from app.web.errors import error_item
from app.web.live import serve_live
from app.web.observability import Metrics
from app.web.schemas.live import COMMANDS, FRAMES_IN_FLIGHT, AckCommand
from app.web.security import origin_allowed
from app.web.workers import WorkerPool

# A refused session is told to come back after this long: sessions last minutes, so a shorter
# wait would only add load; the page shows the figure.
RETRY_AFTER_S = 30
CLOSE_NORMAL, CLOSE_POLICY, CLOSE_ERROR, CLOSE_RESTART, CLOSE_TRY_LATER = (
    1000,
    1008,
    1011,
    1012,
    1013,
)


def message_error(err: ValidationError) -> dict[str, Any]:
    """A command's validation errors in the app's shape, located under ["message", ...]."""
    items = []
    for e in err.errors(include_url=False):
        loc = list(e["loc"])
        if e["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = ["type"]
        elif loc and isinstance(loc[0], str) and e["type"] != "json_invalid":
            loc = loc[1:]  # the union's tag: the command's type, not a field
        msg = str(e["msg"])
        if e["type"] == "json_invalid":
            msg = f"{msg}: a command is one JSON object"
        items.append(error_item(["message", *loc], msg, str(e["type"])))
    return {"type": "error", "detail": items}


class LiveConnection:
    """One admitted WebSocket and its worker process."""

    def __init__(self, sessions: "LiveSessions", websocket: WebSocket) -> None:
        self.sessions = sessions
        self.websocket = websocket
        self.settings = sessions.settings
        self.outbox: deque[tuple[str, Any]] = deque()
        self.ready = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self.ending: asyncio.Future[tuple[int, dict[str, Any] | None]] = self.loop.create_future()
        self.last_command = time.monotonic()
        self.opened = self.last_command
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.acknowledging = False  # the client sends acks: frames in flight are bounded
        self.in_flight = 0  # frames sent and not yet acknowledged

    # --- the worker process ---------------------------------------------------------------------

    def start_worker(self) -> None:
        ctx = self.sessions.pool.context()
        parent, child = ctx.Pipe()
        process: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=serve_live, args=(child, self.settings), daemon=True, name="actlab-live"
        )
        process.start()
        child.close()
        self.process, self.conn = process, parent
        threading.Thread(target=self.pump, name="actlab-live-pipe", daemon=True).start()

    def pump(self) -> None:
        """Read the worker's output in a thread and hand it to the loop."""
        assert self.conn is not None
        while True:
            try:
                item = self.conn.recv()
            except (EOFError, OSError):
                self.post(("exit", None))
                return
            self.post(item)

    def post(self, item: tuple[str, Any]) -> None:
        try:
            self.loop.call_soon_threadsafe(self.queue, item)
        except RuntimeError:  # the loop is gone
            pass

    def queue(self, item: tuple[str, Any]) -> None:
        if item[0] == "exit":
            msg = "the session's worker process ended unexpectedly; start a new session"
            detail = [error_item([], msg, "worker_died")]
            self.end(CLOSE_ERROR, {"type": "error", "detail": detail})
            return
        if item[0] == "frame" and self.outbox and self.outbox[-1][0] == "frame":
            self.outbox[-1] = item  # the client has not taken the last one yet: send the newest
        else:
            self.outbox.append(item)
        self.ready.set()

    def stop_worker(self) -> None:
        """Kill the process at once (SIGKILL: even inside a numpy call) and reap it."""
        if self.process is not None:
            self.process.kill()
            self.process.join(5)
        if self.conn is not None:
            self.conn.close()

    # --- the connection -------------------------------------------------------------------------

    def end(self, code: int, message: dict[str, Any] | None) -> None:
        if not self.ending.done():
            self.ending.set_result((code, message))

    async def run(self) -> None:
        await asyncio.to_thread(self.start_worker)
        tasks: list[asyncio.Future[Any]] = [
            asyncio.create_task(self.receive()),
            asyncio.create_task(self.send()),
            asyncio.create_task(self.watch()),
        ]
        try:
            await asyncio.wait([*tasks, self.ending], return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
            if self.ending.done():  # the server ends it: say why before anything else
                await self.goodbye(*self.ending.result())
        finally:
            for task in tasks:
                task.cancel()
            if self.process is not None:
                self.process.kill()  # at once; reaping it may wait, off the loop
            await asyncio.to_thread(self.stop_worker)

    async def goodbye(self, code: int, message: dict[str, Any] | None) -> None:
        try:
            if message is not None:
                await self.websocket.send_text(orjson.dumps(message).decode())
            await self.websocket.close(code)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the client has gone already

    async def receive(self) -> None:
        ws = self.websocket
        while True:
            event = await ws.receive()
            if event["type"] == "websocket.disconnect":
                return
            raw = event.get("text")
            if raw is None:
                self.last_command = time.monotonic()
                self.queue(("text", orjson.dumps(self.binary_refused())))
                continue
            try:
                command = COMMANDS.validate_json(raw)
            except ValidationError as err:
                self.last_command = time.monotonic()
                self.queue(("text", orjson.dumps(message_error(err))))
                continue
            if isinstance(command, AckCommand):
                self.acknowledge(command.frames)
                continue
            self.last_command = time.monotonic()
            assert self.conn is not None
            # in a thread: while the worker trains a long step, a large start body could fill
            # the pipe, and a blocking send on the loop would stall every other request
            await asyncio.to_thread(self.conn.send, command)

    @staticmethod
    def binary_refused() -> dict[str, Any]:
        msg = "commands are JSON text messages; binary messages are the server's frames"
        return {"type": "error", "detail": [error_item(["message"], msg, "message_type")]}

    def acknowledge(self, frames: int) -> None:
        self.acknowledging = True
        self.in_flight = max(self.in_flight - frames, 0)
        self.ready.set()

    def frame_held(self) -> bool:
        """The next message is a frame the client has no room for yet."""
        return (
            self.acknowledging
            and self.in_flight >= FRAMES_IN_FLIGHT
            and self.outbox[0][0] == "frame"
        )

    async def send(self) -> None:
        ws = self.websocket
        while True:
            await self.ready.wait()
            self.ready.clear()
            # In order: a held frame holds back the texts after it too (an ack comes soon).
            while self.outbox and not self.frame_held():
                kind, data = self.outbox.popleft()
                if kind == "frame":
                    self.in_flight += 1
                    await ws.send_bytes(data)
                else:
                    await ws.send_text(data.decode())

    async def watch(self) -> None:
        """Close the session when it has been idle, or open, too long."""
        settings = self.settings
        while True:
            now = time.monotonic()
            idle_at = self.last_command + settings.live_idle_s
            over_at = self.opened + settings.live_lifetime_s
            if now >= over_at:
                msg = f"this session reached the {settings.live_lifetime_s:g} s a session may last"
                self.end(CLOSE_NORMAL, closing("lifetime", msg, 0))
                return
            if now >= idle_at:
                msg = f"no command for {settings.live_idle_s:g} s: the session was closed"
                self.end(CLOSE_NORMAL, closing("idle", msg, 0))
                return
            await asyncio.sleep(min(idle_at, over_at) - now)


def closing(reason: str, msg: str, retry_after: int | None) -> dict[str, Any]:
    return {"type": "closing", "reason": reason, "msg": msg, "retry_after": retry_after}


class LiveSessions:
    """Every live session of this process: admission, the count for /metrics, shutdown."""

    def __init__(self, settings: Settings, pool: WorkerPool, metrics: Metrics) -> None:
        self.settings = settings
        self.pool = pool
        self.metrics = metrics
        self.active: set[LiveConnection] = set()
        self.closing = False
        pool.on_close.append(self.close)

    def pids(self) -> list[int]:
        """The live sessions' worker processes (for tests)."""
        return [c.process.pid for c in self.active if c.process is not None and c.process.pid]

    def refusal(self, websocket: WebSocket) -> tuple[int, dict[str, Any]] | None:
        """Why this connection may not have a session (close code and message), or None."""
        origin = websocket.headers.get("origin")
        host = websocket.headers.get("host", "")
        if not origin_allowed(origin, host, self.settings.allowed_hosts):
            msg = f"a live session may only be opened from this site's pages, not from {origin}"
            item = error_item(["header", "origin"], msg, "origin_refused")
            return CLOSE_POLICY, {"type": "error", "detail": [item]}
        if self.closing:
            msg = "the server is shutting down; retry in a moment"
            return CLOSE_RESTART, closing("shutting_down", msg, 1)
        if len(self.active) >= self.settings.live_max_sessions:
            msg = (
                f"the server is busy: {len(self.active)} live sessions, the most it runs; "
                f"retry in {RETRY_AFTER_S} s"
            )
            item = error_item([], msg, "busy")
            return CLOSE_TRY_LATER, {
                "type": "error",
                "detail": [item],
                "retry_after": RETRY_AFTER_S,
            }
        return None

    async def serve(self, websocket: WebSocket) -> None:
        """The whole life of one connection."""
        await websocket.accept()
        refused = self.refusal(websocket)
        if refused is not None:
            code, message = refused
            reason = message["detail"][0]["type"] if "detail" in message else message["reason"]
            self.metrics.live_refused.labels(reason).inc()
            await websocket.send_text(orjson.dumps(message).decode())
            short = orjson.dumps({"type": reason, "retry_after": message.get("retry_after")})
            await websocket.close(code, short.decode())
            return
        connection = LiveConnection(self, websocket)
        self.active.add(connection)
        self.metrics.live_sessions.inc()
        try:
            await connection.run()
        finally:
            self.active.discard(connection)
            self.metrics.live_sessions.dec()

    def close(self) -> None:
        """SIGTERM: tell every session and close it (1012); refuse new ones. Any thread."""
        self.closing = True
        msg = "the server is shutting down: this session has ended; reconnect in a moment"
        for connection in list(self.active):
            message = closing("shutting_down", msg, 1)
            try:
                connection.loop.call_soon_threadsafe(connection.end, CLOSE_RESTART, message)
            except RuntimeError:  # its loop is gone
                pass
