"""WS /api/train/live against a real uvicorn process (the console script), with the
`websockets` client: a session end to end, and SIGTERM closing it with a message."""

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from subprocess import Popen

import orjson
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from tests.live_support import live_connect, recv_frame, recv_json
from tests.server_support import VENV_BIN, app_env, free_port, start, stop, wait_until_up

# Starts processes or trains whole runs: left out of the fast subset (make test-fast).
pytestmark = pytest.mark.slow

BODY = {"dataset": "xor", "hidden_layers": [4], "learning_rate": 0.5}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Popen[bytes], Path]]:
    port = free_port()
    log = tmp_path / "server.log"
    proc = start([str(VENV_BIN / "activation-lab")], app_env(port), log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", proc, log)
        yield port, proc, log
    finally:
        if proc.poll() is None:
            stop(proc)


def session(port: int) -> ClientConnection:
    url = f"ws://127.0.0.1:{port}/api/train/live"
    return live_connect(url, f"http://127.0.0.1:{port}")


def test_a_session_over_a_real_socket_starts_steps_and_plays(
    server: tuple[int, Popen[bytes], Path],
) -> None:
    port, _, _ = server
    with session(port) as ws:
        ws.send(orjson.dumps({"type": "start", "body": BODY}).decode())
        assert recv_json(ws)["type"] == "started"
        header, _ = recv_frame(ws)
        assert header["epoch"] == 0
        ws.send('{"type": "step", "n": 40}')
        header, arrays = recv_frame(ws)
        assert header["epoch"] == 40 and arrays["output"].shape == (1, 50, 50)
        ws.send('{"type": "play"}')
        epochs = [recv_frame(ws)[0]["epoch"] for _ in range(5)]
        assert epochs == [41, 42, 43, 44, 45]
        ws.send('{"type": "speed", "epochs_per_frame": 0}')
        while isinstance(message := ws.recv(10), bytes):
            pass  # frames still playing, then the error
        assert orjson.loads(message)["detail"][0]["loc"] == ["message", "epochs_per_frame"]


def test_sigterm_closes_a_playing_session_with_a_message_and_exits(
    server: tuple[int, Popen[bytes], Path],
) -> None:
    port, proc, log = server
    with session(port) as ws:
        ws.send(orjson.dumps({"type": "start", "body": BODY}).decode())
        ws.send('{"type": "play"}')
        ws.recv(10)
        proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        closing = None
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                message = ws.recv(10)
                if isinstance(message, str):
                    closing = orjson.loads(message)
    proc.wait(timeout=10)
    assert time.monotonic() - signalled < 10, log.read_text()
    assert closing is not None and closing["reason"] == "shutting_down", closing
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012


def test_an_acknowledging_client_has_at_most_two_frames_in_flight_and_sees_a_pause_at_once(
    server: tuple[int, Popen[bytes], Path],
) -> None:
    """Without acks a slow page drew frames for seconds after Pause (they sat in the sockets'
    buffers); with them the server holds back all but FRAMES_IN_FLIGHT, sending the newest."""
    port, _, _ = server
    with session(port) as ws:
        ws.send(orjson.dumps({"type": "start", "body": BODY}).decode())
        assert recv_json(ws)["type"] == "started"
        recv_frame(ws)
        ws.send('{"type": "ack"}')  # from now on every frame must be acknowledged
        ws.send('{"type": "play"}')
        first, second = recv_frame(ws)[0], recv_frame(ws)[0]
        assert (first["epoch"], second["epoch"]) == (1, 2)
        with pytest.raises(TimeoutError):
            ws.recv(0.5)  # two in flight: nothing more until an ack, though it plays on
        ws.send('{"type": "ack"}')
        newest = recv_frame(ws)[0]
        assert newest["epoch"] > 5  # the frames made meanwhile were replaced, not queued
        with pytest.raises(TimeoutError):
            ws.recv(0.3)
        ws.send('{"type": "ack", "frames": 2}')
        ws.send('{"type": "pause"}')
        drawn = 0
        while True:  # the page acknowledges what it draws; the paused frame comes at once
            header = recv_frame(ws)[0]
            drawn += 1
            ws.send('{"type": "ack"}')
            if not header["playing"]:
                break
        assert drawn <= 3
