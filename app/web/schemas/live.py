"""Messages of the live training WebSocket, WS /api/train/live: one pydantic model per command.

A client sends JSON text messages, each one of the commands below, told apart by `type` (a
discriminated union, `LiveCommand`). The server answers with JSON text messages (`LiveMessage`
types: started, error, history, closing) and binary frames (app.web.live_frames). GET
/api/train/live/schema serves the JSON schema of all of them, generated from these models.
"""

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from app.lab.datasets import MAX_SEED
from app.lab.nn.live import EDIT_KINDS
from app.lab.nn.mlp import RegularizationName
from app.web.schemas.errors import ErrorItem
from app.web.schemas.training import WEIGHT_LIMIT, TrainingOptions, TrainRequest, WeightValue

MAX_STEP = 10_000  # epochs one `step` may ask for
MAX_SPEED = 1_000  # epochs per frame while playing
# A client that acknowledges frames has at most this many sent and not yet acknowledged.
FRAMES_IN_FLIGHT = 2

_options = TrainingOptions.model_fields
# The bounds of the fields `set` changes are /api/train's, declared once there.
LearningRate = Annotated[float, *_options["learning_rate"].metadata]
RegRate = Annotated[float, *_options["reg_rate"].metadata]
BatchSize = Annotated[int, *_options["batch_size"].metadata]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]

EditKind = Literal["weight", "bias"]
assert EDIT_KINDS == ("weight", "bias")


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartCommand(Command):
    """Start a session (or start again): `body` is exactly a POST /api/train body. Its `epochs`
    and `snapshots` are not used (a live session trains until paused, up to the session's epoch
    cap, and streams frames instead of snapshots); `grid` is the frames' grid."""

    type: Literal["start"]
    body: TrainRequest


class PlayCommand(Command):
    """Train continuously: `speed` epochs per frame, at most ACTLAB_LIVE_MAX_FPS frames a
    second."""

    type: Literal["play"]


class PauseCommand(Command):
    """Stop training; the server answers with a frame of the paused state."""

    type: Literal["pause"]


class StepCommand(Command):
    """Train n epochs (pausing first), then send one frame."""

    type: Literal["step"]
    n: int = Field(1, ge=1, le=MAX_STEP, description="Epochs to train.")


class SpeedCommand(Command):
    """Epochs trained per frame while playing."""

    type: Literal["speed"]
    epochs_per_frame: int = Field(ge=1, le=MAX_SPEED)


class SetCommand(Command):
    """Change the optimiser from the next epoch on, weights and optimiser state kept; only the
    fields given change (`batch_size: null` means full batch)."""

    type: Literal["set"]
    learning_rate: LearningRate | None = None
    regularization: RegularizationName | None = None
    reg_rate: RegRate | None = None
    batch_size: BatchSize | None = None

    @model_validator(mode="after")
    def changes_something(self) -> Self:
        if not self.model_fields_set - {"type"}:
            raise ValueError(
                "set needs at least one of learning_rate, regularization, reg_rate, batch_size"
            )
        return self


class EditCommand(Command):
    """Set one weight or bias. Layers count from 0 (the first hidden layer) to the output layer;
    a weight goes from unit `from_unit` of the layer's input (the features for layer 0) to unit
    `to_unit` of the layer: W_layer[from_unit][to_unit]; a bias is b_layer[to_unit]."""

    type: Literal["edit"]
    layer: int = Field(ge=0, description="0 = first hidden layer; the last is the output layer.")
    kind: EditKind
    to_unit: int = Field(ge=0, description="The unit of `layer` the weight leads to, or biases.")
    from_unit: int | None = Field(
        None, ge=0, description="For a weight: the input unit it comes from; absent for a bias."
    )
    value: WeightValue = Field(description=f"-{WEIGHT_LIMIT:g} to {WEIGHT_LIMIT:g}.")

    @model_validator(mode="after")
    def from_unit_for_weights_only(self) -> Self:
        if self.kind == "weight" and self.from_unit is None:
            raise ValueError("a weight needs from_unit (the input unit it comes from)")
        if self.kind == "bias" and self.from_unit is not None:
            raise ValueError("a bias has no from_unit")
        return self


class ResetCommand(Command):
    """New initial weights (and shuffles) from a new seed; the epoch restarts at 0."""

    type: Literal["reset"]
    seed: Seed | None = Field(None, description="Default: the current seed + 1.")


class RegenerateCommand(Command):
    """New data from a new data seed (generated data sets only); weights and epoch kept."""

    type: Literal["regenerate"]
    data_seed: Seed | None = Field(None, description="Default: the current data seed + 1.")


class ExportCommand(Command):
    """Ask for the session's history: the server answers with a `history` message."""

    type: Literal["export"]


class AckCommand(Command):
    """Flow control: the client is done with (drew or dropped) `frames` more frames. Once a
    client has sent one, the server keeps at most FRAMES_IN_FLIGHT frames sent and not yet
    acknowledged; a newer frame replaces one still waiting, so a page that draws slower than
    the frames come shows the newest state, a frame or two behind, and a pause shows at once
    (without acks, frames piled up for seconds in the sockets' buffers). A client that never
    acknowledges is sent every frame the server makes. Not a session command: it is neither
    recorded in the history nor counted as activity against ACTLAB_LIVE_IDLE_S."""

    type: Literal["ack"]
    frames: int = Field(1, ge=1, le=1000)


RecordedCommand = Annotated[
    PlayCommand
    | PauseCommand
    | StepCommand
    | SpeedCommand
    | SetCommand
    | EditCommand
    | ResetCommand
    | RegenerateCommand,
    Field(discriminator="type"),
]


class HistoryEntry(BaseModel):
    """One command and the epoch at which it took effect (before that epoch's update)."""

    model_config = ConfigDict(extra="forbid")

    epoch: int = Field(ge=0)
    command: RecordedCommand


class History(BaseModel):
    """A session as data: its start body and every command since, each at its epoch, and the
    epoch it had reached. Replaying it trains to each entry's epoch, applies set, edit, reset
    and regenerate (play, pause, step and speed change no number and are kept as a record),
    and trains to `epoch`: the same numbers as the session had."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    start: TrainRequest
    commands: list[HistoryEntry]
    epoch: int = Field(ge=0)


class ReplayCommand(Command):
    """Start a session from an exported history; it ends paused at the history's epoch."""

    type: Literal["replay"]
    history: History


LiveCommand = Annotated[
    StartCommand
    | PlayCommand
    | PauseCommand
    | StepCommand
    | SpeedCommand
    | SetCommand
    | EditCommand
    | ResetCommand
    | RegenerateCommand
    | ExportCommand
    | ReplayCommand
    | AckCommand,
    Field(discriminator="type"),
]
COMMANDS: TypeAdapter[Any] = TypeAdapter(LiveCommand)


class LiveLimitsOut(BaseModel):
    """The session's bounds (from the server's settings)."""

    max_epochs: int
    max_fps: float
    lifetime_s: float
    idle_s: float
    max_step: int
    max_speed: int


class StartedMessage(BaseModel):
    """Sent after start and replay, before the first frame."""

    type: Literal["started"]
    sizes: list[int] = Field(description="Layer sizes: inputs, hidden units..., output units.")
    seed: int
    data_seed: int | None
    limits: LiveLimitsOut


class ErrorMessage(BaseModel):
    """A command was refused (the socket stays open), or the session is refused or ended (then
    `retry_after` says when to try again and the socket closes)."""

    type: Literal["error"]
    detail: list[ErrorItem]
    retry_after: int | None = None


class HistoryMessage(BaseModel):
    """The answer to `export`."""

    type: Literal["history"]
    history: History


class ClosingMessage(BaseModel):
    """The server is ending the session: reason idle, lifetime or shutting_down; then it closes
    the socket (1000 for idle and lifetime, 1012 when the server restarts)."""

    type: Literal["closing"]
    reason: Literal["idle", "lifetime", "shutting_down"]
    msg: str
    retry_after: int | None = None


LiveMessage = Annotated[
    StartedMessage | ErrorMessage | HistoryMessage | ClosingMessage,
    Field(discriminator="type"),
]
MESSAGES: TypeAdapter[Any] = TypeAdapter(LiveMessage)


class LiveSchema(BaseModel):
    """GET /api/train/live/schema: JSON schemas generated from the models of this module."""

    commands: dict[str, Any] = Field(description="Client to server: one of these per message.")
    messages: dict[str, Any] = Field(description="Server to client text messages.")


def live_schema() -> dict[str, Any]:
    """The JSON schema of the commands (client to server) and text messages (server to client)."""
    return {
        "commands": COMMANDS.json_schema(),
        "messages": MESSAGES.json_schema(),
    }
