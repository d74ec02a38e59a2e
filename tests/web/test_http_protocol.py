"""The request-head cap against a real server, with either parser: httptools (the default, capped
by app.web.http_protocol) refuses an oversized head with 400 as h11 does, whether it comes in
one read or many, first or on a kept-alive connection, and lets everything else through."""

import re
import select
import socket
import time
from collections.abc import Iterator

import pytest

from app.config import Settings
from tests.server_support import VENV_BIN, app_env, free_port, start, stop, wait_until_up

# Starts processes or trains whole runs: left out of the fast subset (make test-fast).
pytestmark = pytest.mark.slow

CAP = Settings().max_header_bytes


@pytest.fixture(scope="module", params=["httptools", "h11"])
def port(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    log = tmp_path_factory.mktemp("http") / "server.log"
    proc = start([str(VENV_BIN / "activation-lab")], app_env(port, ACTLAB_HTTP=request.param), log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", proc, log)
        yield port
    finally:
        stop(proc)


def request(path: str = "/healthz", header_bytes: int = 0) -> bytes:
    filler = f"X-Filler: {'a' * header_bytes}\r\n" if header_bytes else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{filler}\r\n".encode()


def exchange(port: int, pieces: list[bytes], pause_s: float = 0.0) -> bytes:
    """Send the pieces (pausing between them) while reading what comes back, and stop sending
    once a 400 is in (more bytes to a closed socket would reset it and lose the answer); then
    read until the server closes or 5 s pass."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for piece in pieces:
            if select.select([sock], [], [], 0)[0]:
                answer += sock.recv(65536)
            if b" 400 " in answer:
                break
            try:
                sock.sendall(piece)
            except OSError:
                break  # refused midway: the answer is already there
            time.sleep(pause_s)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and b" 400 " not in answer:  # bounded
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
            if (
                statuses(answer)
                and b"connection: close" not in answer
                and len(statuses(answer)) >= pieces_requests(pieces)
            ):
                break
    return answer


def pieces_requests(pieces: list[bytes]) -> int:
    """How many requests the pieces hold (answers to wait for on a kept-alive connection)."""
    return b"".join(pieces).count(b" HTTP/1.1\r\n")


def statuses(answer: bytes) -> list[int]:
    """The status of each response in the bytes (a body is followed directly by the next)."""
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)]


def test_a_head_under_the_cap_is_served(port: int) -> None:
    assert statuses(exchange(port, [request(header_bytes=CAP // 2)])) == [200]


def test_a_head_over_the_cap_in_one_read_is_refused_with_400(port: int) -> None:
    assert statuses(exchange(port, [request(header_bytes=2 * CAP)])) == [400]


def test_a_head_over_the_cap_in_many_reads_is_refused_with_400(port: int) -> None:
    head = request(header_bytes=3 * CAP)
    pieces = [head[i : i + 8192] for i in range(0, len(head), 8192)]
    assert statuses(exchange(port, pieces, pause_s=0.005)) == [400]


def test_a_kept_alive_connections_second_head_is_capped_too(port: int) -> None:
    first = request()
    second = request(header_bytes=3 * CAP)
    pieces = [first, *(second[i : i + 8192] for i in range(0, len(second), 8192))]
    assert statuses(exchange(port, pieces, pause_s=0.05)) == [200, 400]


def test_a_large_body_is_not_counted_as_head(port: int) -> None:
    body = b'{"activation": "relu", "x_min": -1, "x_max": 1, "points": 101}' + b" " * (CAP * 2)
    head = (
        "POST /api/activations/curve HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    answer = exchange(port, [head + body])
    assert statuses(answer) and statuses(answer)[0] != 400, answer[:300]
