"""The worker side of a live session: commands in, frames and messages out, history kept.

`serve_live(conn, settings)` is the whole life of a session's worker process (one process per
WebSocket connection, started by app.web.live_sessions from the worker pool's forkserver). It
reads validated commands (app.web.schemas.live) from its pipe and hands them to a `LiveRunner`,
which applies them to an app.lab.nn.live.LiveSession and answers with JSON text messages and
binary frames (app.web.live_frames). Paused, the process blocks in `conn.recv()`: it uses no
CPU. Playing, it trains `speed` epochs, sends a frame, and waits for the next frame slot (at
most ACTLAB_LIVE_MAX_FPS a second) while watching its pipe, so a command takes effect at the
next epoch boundary.

The runner records the start body and every command with the epoch it took effect (`export`
hands the history out); `replay` rebuilds a session from one: the same numbers.
"""

import logging
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import orjson
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from app.config import Settings
from app.lab.nn.live import EditError, LiveSession
from app.lab.nn.replay import epochs_covered, replay_session
from app.web.custom import check_train_request
from app.web.errors import error_item, internal_error
from app.web.limits import check_limits
from app.web.live_frames import encode_frame
from app.web.replay import (
    BadHistory,
    data_of,
    data_seed_of,
    next_seed,
    plan_history,
    with_data_seed,
)
from app.web.schemas.live import (
    MAX_SPEED,
    MAX_STEP,
    EditCommand,
    ExportCommand,
    History,
    HistoryEntry,
    PauseCommand,
    PlayCommand,
    RegenerateCommand,
    ReplayCommand,
    ResetCommand,
    SetCommand,
    SpeedCommand,
    StartCommand,
    StepCommand,
)
from app.web.schemas.training import TrainRequest

logger = logging.getLogger("app.web.live")

# Out: ("text", JSON bytes) or ("frame", frame bytes), in the order the client gets them.
Out = tuple[str, bytes]
NICENESS = 10  # as the pool's workers: pages and curves get the CPU first


def text(message: dict[str, Any]) -> Out:
    return ("text", orjson.dumps(message))


def error(loc: list[str | int], msg: str, type_: str) -> Out:
    return text({"type": "error", "detail": [error_item(["message", *loc], msg, type_)]})


class CommandError(Exception):
    """A command that cannot apply to this session; `out` is its error message."""

    def __init__(self, out: Out) -> None:
        super().__init__()
        self.out = out


class LiveRunner:
    """One connection's session state: the LiveSession, play state, history, epoch budget."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.max_epochs = settings.live_max_epochs
        self.session: LiveSession | None = None
        self.request: TrainRequest | None = None
        self.start_body: TrainRequest | None = None
        self.history: list[HistoryEntry] = []
        self.playing = False
        self.speed = 1
        self.trained = 0  # epochs trained on this connection, every start and reset included

    # --- dispatch -------------------------------------------------------------------------------

    def handle(self, command: BaseModel) -> list[Out]:
        """Apply one validated command; the messages and frames to send back."""
        try:
            return self.apply(command)
        except CommandError as err:
            return [err.out]

    def apply(self, command: BaseModel) -> list[Out]:
        if isinstance(command, StartCommand):
            self.begin(command.body)
            return self.started()
        if isinstance(command, ReplayCommand):
            self.replay(command.history)
            return self.started()
        session = self.need_session(command)
        if isinstance(command, ExportCommand):
            return [text({"type": "history", "history": self.export()})]
        if isinstance(command, SpeedCommand):
            self.record(command)
            self.speed = command.epochs_per_frame
            return []
        if isinstance(command, PlayCommand):
            self.record(command)
            self.playing = True
            return []
        elif isinstance(command, PauseCommand):
            self.playing = False
        elif isinstance(command, StepCommand):
            self.playing = False
            self.record(command)
            self.train(command.n, "n")
        else:
            self.change(session, command)
        return [] if self.playing else [self.frame()]

    def need_session(self, command: BaseModel) -> LiveSession:
        if self.session is None:
            kind = getattr(command, "type", "?")
            raise CommandError(
                error(
                    ["type"], f"{kind!r} before 'start': send start (or replay) first", "no_session"
                )
            )
        return self.session

    def change(self, session: LiveSession, command: BaseModel) -> None:
        """set, edit, reset, regenerate: applied at the current epoch and recorded (resolved)."""
        epoch = session.epoch  # a reset starts again at 0: it took effect at this epoch
        if isinstance(command, SetCommand):
            given = command.model_fields_set
            session.set(
                learning_rate=command.learning_rate,
                regularization=command.regularization,
                reg_rate=command.reg_rate,
                batch_size=command.batch_size,
                full_batch="batch_size" in given and command.batch_size is None,
            )
        elif isinstance(command, EditCommand):
            try:
                session.edit(
                    command.layer, command.kind, command.to_unit, command.value, command.from_unit
                )
            except EditError as err:
                raise CommandError(error([err.field], str(err), "value_error")) from None
        elif isinstance(command, ResetCommand):
            seed = next_seed(session.seed) if command.seed is None else command.seed
            command = command.model_copy(update={"seed": seed})
            session.reset(seed)
        elif isinstance(command, RegenerateCommand):
            command = self.regenerate(session, command)
        self.record(command, epoch)

    def regenerate(self, session: LiveSession, command: RegenerateCommand) -> RegenerateCommand:
        req = self.request
        assert req is not None
        current = data_seed_of(req)
        if current is None:
            raise CommandError(
                error(
                    ["type"],
                    "a session on your own points has no data seed to change",
                    "value_error",
                )
            )
        seed = next_seed(current) if command.data_seed is None else command.data_seed
        self.request = with_data_seed(req, seed)
        session.regenerate(self.request.build_dataset())
        return command.model_copy(update={"data_seed": seed})

    # --- sessions -------------------------------------------------------------------------------

    def begin(self, body: TrainRequest) -> None:
        """A new session from a /api/train body, within the server's memory cap."""
        try:
            # a custom expression: compiled and checked as /api/train's dependency does it
            # (here, in the session's worker process), its refusal at ["body", "expression"]
            check_train_request(body)
            # epochs and snapshots are not used live; the cap on memory is
            check_limits(body.model_copy(update={"epochs": 1, "snapshots": 0}), self.settings, 1)
            config = body.to_config()
        except RequestValidationError as err:
            item = err.errors()[0]
            raise CommandError(
                error(["body", *item["loc"][1:]], item["msg"], item["type"])
            ) from None
        except ValueError as err:
            raise CommandError(error(["body"], str(err), "value_error")) from None
        self.session = LiveSession(
            config, body.seed, self.max_epochs, hidden_space_layers=body.hidden_space_layers
        )
        self.request = self.start_body = body
        self.history = []
        self.playing = False

    def replay(self, history: History) -> None:
        """The session the history describes (app.lab.nn.replay), paused at its epoch; its
        epochs, every segment's, count against the session's budget as they did when made."""
        self.begin(history.start)
        session = self.session
        assert session is not None
        try:
            plan = plan_history(history)
        except BadHistory as err:
            raise CommandError(error(["history", *err.loc], err.msg, err.type)) from None
        covered = epochs_covered(plan.entries, history.epoch)
        if covered > self.max_epochs - self.trained:
            raise CommandError(self.over_budget("history"))
        self.session = replay_session(
            session.config,
            session.seed,
            plan.entries,
            history.epoch,
            data_of(history.start),
            self.max_epochs,
            history.start.hidden_space_layers,
        )
        self.trained += covered
        self.request = plan.final
        self.history = plan.commands
        self.playing = False

    def train(self, n: int, field: str) -> int:
        """Train n epochs within the connection's epoch budget; an error when it is spent."""
        session = self.session
        assert session is not None
        allowed = min(n, self.max_epochs - self.trained)
        trained = session.step(allowed) if allowed > 0 else 0
        self.trained += trained
        if n > 0 and allowed < n:
            self.playing = False
            raise CommandError(self.over_budget(field))
        return trained

    def over_budget(self, field: str) -> Out:
        return error(
            [field],
            f"this session has trained {self.trained} epochs, the most this server "
            f"allows per session (ACTLAB_LIVE_MAX_EPOCHS = {self.max_epochs})",
            "live_epoch_cap",
        )

    def record(self, command: BaseModel, epoch: int | None = None) -> None:
        assert self.session is not None
        at = self.session.epoch if epoch is None else epoch
        self.history.append(HistoryEntry.model_validate({"epoch": at, "command": command}))

    def export(self) -> dict[str, Any]:
        assert self.start_body is not None and self.session is not None
        history = History(start=self.start_body, commands=self.history, epoch=self.session.epoch)
        return history.model_dump(mode="json")

    # --- output ---------------------------------------------------------------------------------

    def started(self) -> list[Out]:
        session, req = self.session, self.request
        assert session is not None and req is not None
        settings = self.settings
        message = {
            "type": "started",
            "sizes": list(session.trainer.layout.sizes),
            "seed": session.seed,
            "data_seed": data_seed_of(req),
            "limits": {
                "max_epochs": self.max_epochs,
                "max_fps": settings.live_max_fps,
                "lifetime_s": settings.live_lifetime_s,
                "idle_s": settings.live_idle_s,
                "max_step": MAX_STEP,
                "max_speed": MAX_SPEED,
            },
        }
        return [text(message), self.frame()]

    def frame(self) -> Out:
        assert self.session is not None
        return ("frame", encode_frame(self.session.state(), self.playing, self.trained))

    def play_frame(self) -> list[Out]:
        """One frame's worth of playing: `speed` epochs, then the frame."""
        session = self.session
        assert session is not None
        out: list[Out] = []
        try:
            self.train(self.speed, "type")
        except CommandError as err:
            out.append(err.out)
        frame = self.frame()  # measures, and so notices a divergence
        if session.stopped:
            self.playing = False
            frame = self.frame()
        return [frame, *out]


def serve_live(conn: Connection, settings: Settings) -> None:
    """A session's worker process: commands from conn until None or EOF (see the module doc)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a session ends
    os.nice(NICENESS)
    runner = LiveRunner(settings)
    interval = 1.0 / settings.live_max_fps
    next_frame = 0.0
    send: Callable[[Out], None] = conn.send
    while True:
        if runner.playing and not conn.poll(max(next_frame - time.monotonic(), 0.0)):
            for out in runner.play_frame():
                send(out)
            next_frame = max(next_frame + interval, time.monotonic())
            continue
        try:
            command = conn.recv()  # paused: blocks here, no CPU
        except EOFError:
            return
        if command is None:
            return
        was_playing = runner.playing
        try:
            outs = runner.handle(command)
        except Exception as err:  # noqa: BLE001 - a bug: logged, answered, the session goes on
            outs = [text({"type": "error", **internal_error(err, "live session")})]
        for out in outs:
            send(out)
        if runner.playing and not was_playing:
            next_frame = time.monotonic()
