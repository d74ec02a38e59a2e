"""A live session's history (app.web.schemas.live.History) read for app.lab.nn.replay.

`plan_history` turns the history's commands into the domain's changes, resolving what the
commands leave to the session (a reset's default seed, a regenerate's default data seed) in the
order the session did, and checks them (app.lab.nn.replay.check): a refusal is a `BadHistory`
located inside the history, which the live `replay` command and POST /api/train/replay each
report in their own shape. `recorded_request` adds what POST /api/train/replay checks before it
takes a worker: the recorded run is a /api/train run of the history's epochs, so it is held to
/api/train's caps (ACTLAB_TRAIN_MAX_EPOCHS, work, memory, time), its refusals located in the
history (["body", "epoch"] for its length, ["body", "start", <field>] for the start body's).
"""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.config import Settings
from app.lab.datasets import DEFAULT_SEED, MAX_SEED, Dataset
from app.lab.nn.replay import Change, Edit, Entry, HistoryError, Regenerate, Reset, Set, check
from app.web.errors import error_item
from app.web.limits import LIMIT_ERROR, check_limits
from app.web.schemas.datasets import GeneratedDataset, OwnPoints
from app.web.schemas.live import (
    EditCommand,
    History,
    HistoryEntry,
    RegenerateCommand,
    ResetCommand,
    SetCommand,
)
from app.web.schemas.training import TrainRequest

Loc = tuple[str | int, ...]


def next_seed(seed: int) -> int:
    return (seed + 1) % (MAX_SEED + 1)


def data_seed_of(req: TrainRequest) -> int | None:
    """The seed of the request's generated data, None for a client's own points."""
    if isinstance(req.dataset, OwnPoints):
        return None
    if isinstance(req.dataset, str) or req.dataset.seed is None:
        return DEFAULT_SEED
    return req.dataset.seed


def with_data_seed(req: TrainRequest, seed: int) -> TrainRequest:
    """The request with its generated data drawn from `seed` (not for own points)."""
    spec = req.dataset
    if isinstance(spec, str):
        spec = GeneratedDataset(name=spec)
    assert isinstance(spec, GeneratedDataset)
    return req.model_copy(update={"dataset": spec.model_copy(update={"seed": seed})})


def data_of(req: TrainRequest) -> Callable[[int], Dataset]:
    """A data seed's data set, generated as the request's own (app.lab.nn.replay's DataOf)."""
    return lambda seed: with_data_seed(req, seed).build_dataset()


class BadHistory(Exception):
    """A history no session could have made: `loc` inside the history, message and type."""

    def __init__(self, loc: Loc, msg: str, type_: str = "value_error") -> None:
        super().__init__(msg)
        self.loc, self.msg, self.type = loc, msg, type_


@dataclass(frozen=True)
class HistoryPlan:
    """A checked history: the domain's entries (record-only commands dropped), the commands
    with their defaults resolved (as an export lists them), and the request at the end (its
    data seed the last regenerate's)."""

    start: TrainRequest
    entries: tuple[Entry, ...]
    commands: list[HistoryEntry]
    final: TrainRequest
    epoch: int


def plan_history(history: History) -> HistoryPlan:
    """The history's changes, resolved in order and checked; else BadHistory."""
    start = history.start
    seed, data_seed, final = start.seed, data_seed_of(start), start
    checked: list[tuple[int, Change | None]] = []
    commands: list[HistoryEntry] = []
    for i, entry in enumerate(history.commands):
        command = entry.command
        change: Change | None = None
        if isinstance(command, SetCommand):
            full_batch = "batch_size" in command.model_fields_set and command.batch_size is None
            change = Set(
                command.learning_rate,
                command.regularization,
                command.reg_rate,
                command.batch_size,
                full_batch,
            )
        elif isinstance(command, EditCommand):
            change = Edit(
                command.layer, command.kind, command.to_unit, command.value, command.from_unit
            )
        elif isinstance(command, ResetCommand):
            seed = next_seed(seed) if command.seed is None else command.seed
            command = command.model_copy(update={"seed": seed})
            change = Reset(seed)
        elif isinstance(command, RegenerateCommand):
            if data_seed is None:
                raise BadHistory(
                    ("commands", i, "command", "type"),
                    "a session on your own points has no data seed to change",
                )
            data_seed = next_seed(data_seed) if command.data_seed is None else command.data_seed
            command = command.model_copy(update={"data_seed": data_seed})
            change = Regenerate(data_seed)
            final = with_data_seed(start, data_seed)
        checked.append((entry.epoch, change))
        commands.append(HistoryEntry(epoch=entry.epoch, command=command))
    try:
        check(start.layout().sizes, checked, history.epoch)
    except HistoryError as err:
        if err.index is None:
            raise BadHistory(("epoch",), str(err)) from None
        where: Loc = ("commands", err.index)
        field: Loc = ("epoch",) if err.field == "epoch" else ("command", err.field)
        raise BadHistory((*where, *field), str(err)) from None
    entries = tuple((at, change) for at, change in checked if change is not None)
    return HistoryPlan(start, entries, commands, final, history.epoch)


@dataclass(frozen=True)
class Replay:
    """What POST /api/train/replay runs: the start body as a /api/train body of the history's
    epochs (its limits checked), and the history's changes."""

    request: TrainRequest
    entries: tuple[Entry, ...]

    @property
    def epochs(self) -> int:
        return self.request.epochs


def refused(loc: Loc, msg: str, type_: str = "value_error") -> RequestValidationError:
    return RequestValidationError([error_item(["body", *loc], msg, type_)])


def recorded_request(history: History, settings: Settings) -> Replay:
    """The recorded run a history asks for, checked as POST /api/train checks its body; else a
    422 located in the history."""
    try:
        plan = plan_history(history)
    except BadHistory as err:
        raise refused(err.loc, err.msg, err.type) from None
    epochs = history.epoch
    if epochs < 1:
        raise refused(
            ("epoch",),
            "a recorded run needs at least one epoch after the last reset; got epoch 0",
        )
    cap = settings.train_max_epochs
    if epochs > cap:
        raise refused(
            ("epoch",),
            f"epoch = {epochs} exceeds this server's cap of {cap} for a recorded run, that of "
            "/api/train (ACTLAB_TRAIN_MAX_EPOCHS): a recorded run is one",
            LIMIT_ERROR,
        )
    try:
        request = TrainRequest.model_validate({**history.start.model_dump(), "epochs": epochs})
    except ValidationError as err:
        # the start body was valid at its own epochs; at the history's, its snapshots may not be
        raise RequestValidationError(
            [error_item(["body", "start", *e["loc"]], e["msg"], e["type"]) for e in err.errors()]
        ) from None
    try:
        check_limits(request, settings, request.networks)
    except RequestValidationError as err:
        raise relocated(err) from None
    return Replay(request, plan.entries)


def relocated(err: RequestValidationError) -> RequestValidationError:
    """A limit's 422 of the start body as a /api/train body, located in the history: its
    `epochs` is the history's `epoch`, the rest the start body's fields."""
    items = []
    for e in err.errors():
        field = e["loc"][1:]
        loc = ["body", "epoch"] if list(field) == ["epochs"] else ["body", "start", *field]
        items.append(error_item(loc, e["msg"], e["type"]))
    return RequestValidationError(items)
