"""Live training: WS /api/train/live, and GET /api/train/live/schema documenting its messages.

WebSocket routes do not appear in OpenAPI, so the protocol is described on the schema route
(LIVE_DOC, shown in /docs) and its messages' JSON schema is served there, generated from the
pydantic models of app.web.schemas.live. The session itself is app.web.live_sessions' (the
event-loop side) and app.web.live's (the worker process).
"""

from fastapi import APIRouter, Response, WebSocket

from app.web.live_frames import __doc__ as FRAME_DOC
from app.web.live_sessions import LiveSessions
from app.web.responses import OrjsonRoute, json_response
from app.web.schemas.live import FRAMES_IN_FLIGHT, LiveSchema, live_schema
from app.web.schemas.training import env_name

router = APIRouter(prefix="/api", tags=["live training"], route_class=OrjsonRoute)

LIVE_DOC = f"""The JSON schema of the messages of the live training WebSocket, `WS /api/train/live`.

**The protocol.** One training session per connection, in a worker process of its own. The client
sends commands as JSON text messages, each an object with a `type` (schema: `commands`):
`start` `{{"type": "start", "body": <a POST /api/train body>}}` (its `epochs` and `snapshots` are
not used; `grid` sets the frames' grid), `play`, `pause`, `step` `{{"n": 1}}`, `speed`
`{{"epochs_per_frame": 10}}`, `set` (any of `learning_rate`, `regularization`, `reg_rate`,
`batch_size`; from the next epoch on, weights kept), `edit` `{{"layer": 0, "kind": "weight",
"from_unit": 1, "to_unit": 2, "value": 0.5}}` (layer 0 is the first hidden layer, the last the
output layer; a bias has `kind: "bias"` and no `from_unit`), `reset` `{{"seed": 7}}` (new initial
weights, epoch 0; default seed: the current + 1), `regenerate` `{{"data_seed": 3}}` (new data,
weights kept; default: the current data seed + 1), `export` (answered by a `history` message)
and `replay` `{{"history": <an exported history>}}`, which rebuilds the session to the same
numbers and leaves it paused. Flow control: `ack` `{{"frames": 1}}` says the client is done with
that many more frames; once a client has sent one, at most {FRAMES_IN_FLIGHT} frames are sent
and not yet acknowledged, a newer frame replacing one still waiting (a slow page shows the
newest state and a pause at once); a client that never acknowledges gets every frame. An `ack`
is not recorded in the history and does not count as a command for the idle limit.

The server answers with JSON text messages (schema: `messages`: `started`, `error`, `history`,
`closing`) and binary frames: after start, replay, step, pause, set, edit, reset and regenerate
while paused, and while playing every `epochs_per_frame` epochs, at most
{env_name("live_max_fps")} frames a second. A bad command (not JSON, an unknown type, a bad
field, a command before `start`) gets `{{"type": "error", "detail": [{{"loc": ["message",
<field>...], "msg", "type"}}]}}` and the socket stays open.

**Limits.** At most {env_name("live_max_sessions")} sessions at once; one more gets an `error`
message of type `busy` with `retry_after` (seconds) and close code 1013 (reason:
`{{"type": "busy", "retry_after": 30}}`). A session is closed after {env_name("live_idle_s")}
seconds without a command or {env_name("live_lifetime_s")} seconds in all (a `closing` message,
then code 1000), trains at most {env_name("live_max_epochs")} epochs, and ends on server
shutdown (`closing` with reason `shutting_down`, code 1012). A page of another site (an Origin
whose host is not the one connected to) is refused: `error` of type `origin_refused`, code 1008.

**Frames.**
{FRAME_DOC}"""


@router.websocket("/train/live")
async def live_training(websocket: WebSocket) -> None:
    """One live training session per connection (see GET /api/train/live/schema)."""
    sessions: LiveSessions = websocket.app.state.live_sessions
    await sessions.serve(websocket)


@router.get(
    "/train/live/schema",
    response_model=LiveSchema,
    summary="The live training WebSocket's messages",
    description=LIVE_DOC,
)
def live_training_schema() -> Response:
    """The JSON schema of WS /api/train/live's commands and messages."""
    return json_response(live_schema())
