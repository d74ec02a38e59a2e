"""The console script's flags and their environment defaults, and how it serves by itself."""

import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.cli import parse_args, prepare_multiprocess_metrics, uvicorn_options
from app.config import Settings
from app.web.http_protocol import CappedHttpToolsProtocol
from app.web.observability import MULTIPROC_ENV, TEXT_FORMAT
from tests.server_support import VENV_BIN, app_env, free_port, start, stop, wait_until_up

# Starts processes or trains whole runs: left out of the fast subset (make test-fast).
pytestmark = pytest.mark.slow


def test_defaults_answer_on_loopback_port_8000(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACTLAB_HOST", "ACTLAB_PORT", "ACTLAB_WORKERS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    args = parse_args([], Settings())
    assert (args.host, args.port, args.workers, args.log_level) == ("127.0.0.1", 8000, 1, "info")


def test_environment_sets_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTLAB_PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("ACTLAB_LOG_LEVEL", "warning")
    args = parse_args([], Settings())
    assert (args.port, args.workers, args.log_level) == (9123, 3, "warning")


def test_actlab_workers_wins_over_web_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("ACTLAB_WORKERS", "5")
    assert Settings().workers == 5


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTLAB_PORT", "9123")
    args = parse_args(["--port", "8100", "--host", "0.0.0.0", "--workers", "2"], Settings())
    assert (args.port, args.host, args.workers) == (8100, "0.0.0.0", 2)


def test_a_bad_port_in_the_environment_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTLAB_PORT", "70000")
    with pytest.raises(ValueError, match="port"):
        Settings()


def test_uvicorn_gets_the_header_cap_keep_alive_and_parser_from_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACTLAB_MAX_HEADER_BYTES", "32768")
    monkeypatch.setenv("ACTLAB_KEEP_ALIVE_S", "7")
    options = uvicorn_options(Settings())
    assert options["h11_max_incomplete_event_size"] == 32768
    assert options["timeout_keep_alive"] == 7
    # the fast parser, capped like h11 (tests/web/test_http_protocol.py against a real server)
    assert options["http"] is CappedHttpToolsProtocol
    assert options["access_log"] is False  # the app writes access lines with the request id
    assert options["log_config"]["formatters"]["default"] == {"format": TEXT_FORMAT}


def test_one_worker_needs_no_multiprocess_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    assert prepare_multiprocess_metrics(1) is None
    assert MULTIPROC_ENV not in os.environ


def test_a_configured_multiprocess_directory_is_emptied(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "counter_123.db").write_bytes(b"stale")
    (tmp_path / "keep.txt").write_text("not ours")
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    assert prepare_multiprocess_metrics(2) == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def _exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        return sock.recv(64)


def test_served_directly_with_two_workers(tmp_path: Path) -> None:
    """The console script facing clients itself: a huge header is refused by uvicorn, logs are
    JSON lines with request ids, and /metrics sums both workers' counts."""
    port = free_port()
    env = app_env(port, ACTLAB_WORKERS="2", ACTLAB_LOG_FORMAT="json", TMPDIR=str(tmp_path))
    log = tmp_path / "server.log"
    proc = start([str(VENV_BIN / "activation-lab")], env, log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", proc, log)
        huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 160 * 1024 + b"\r\n\r\n"
        assert _exchange(port, huge).startswith(b"HTTP/1.1 400 ")
        for i in range(20):  # a new connection each: both workers take some
            r = httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": f"t-{i}"})
            assert r.headers["x-request-id"] == f"t-{i}"
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    finally:
        stop(proc)
    families = {f.name: f for f in text_string_to_metric_families(metrics)}
    healthz = [
        s.value
        for s in families["actlab_http_requests"].samples
        if s.name.endswith("_total") and s.labels["route"] == "/healthz"
    ]
    # wait_until_up's polls count too; the 20 above and the huge header (never reached the app)
    assert sum(healthz) - _polls(log) == 20
    pids = {s.labels["pid"] for s in families["actlab_worker_resident_memory_bytes"].samples}
    assert len(pids) == 2
    assert [p.name for p in tmp_path.glob("actlab-metrics-*")]  # the directory is under TMPDIR
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    access = [line for line in lines if line["logger"] == "actlab.access"]
    assert [line["request_id"] for line in access if line["request_id"].startswith("t-")] == [
        f"t-{i}" for i in range(20)
    ]
    assert {(line["method"], line["path"], line["status"]) for line in access[-21:-1]} == {
        ("GET", "/healthz", 200)
    }
    assert all(line["duration_ms"] >= 0 for line in access)


def _polls(log: Path) -> int:
    """Requests wait_until_up made before the server answered: the access lines before t-0."""
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    access = [line for line in lines if line["logger"] == "actlab.access"]
    return next(i for i, line in enumerate(access) if line["request_id"] == "t-0")


def test_uvicorn_gets_the_graceful_timeout_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTLAB_GRACEFUL_TIMEOUT_S", "4")
    assert uvicorn_options(Settings())["timeout_graceful_shutdown"] == 4


# Seconds of training (20000 epochs on 250 points); SIGTERM comes while it runs.
LONG_TRAINING = {"epochs": 20000, "hidden_layers": [16, 16], "dataset": {"name": "circle"}}


def test_sigterm_during_training_answers_503_and_exits_within_10_s(tmp_path: Path) -> None:
    """The console script under SIGTERM: a running plain training gets 503 (shutting down), a
    running stream an `error` event with the same detail, and the process is gone in 10 s."""
    port = free_port()
    env = app_env(port, ACTLAB_TRAIN_WORKERS="2")
    log = tmp_path / "server.log"
    proc = start([str(VENV_BIN / "activation-lab")], env, log)
    base = f"http://127.0.0.1:{port}"
    answers: dict[str, httpx.Response] = {}
    try:
        wait_until_up(f"{base}/healthz", proc, log)

        def plain() -> None:
            answers["plain"] = httpx.post(f"{base}/api/train", json=LONG_TRAINING, timeout=60)

        thread = threading.Thread(target=plain)
        thread.start()
        with httpx.stream(
            "POST", f"{base}/api/train/stream", json={**LONG_TRAINING, "seed": 1}, timeout=60
        ) as stream:
            lines = stream.iter_lines()
            for line in lines:
                if line.startswith("data:") and '"epoch":0,' not in line:
                    break  # the worker reports progress: the training runs
            time.sleep(0.3)  # and the plain one has reached the other worker
            proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            rest = list(lines)
        thread.join(15)
        proc.wait(timeout=10)
        exited_s = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            stop(proc)
    assert exited_s < 10, log.read_text()
    assert answers["plain"].status_code == 503, answers["plain"].text
    assert answers["plain"].headers["retry-after"] == "1"
    [error] = answers["plain"].json()["detail"]
    assert error["type"] == "shutting_down"
    events = [line for line in rest if line.startswith(("event:", "data:"))]
    assert events[-2] == "event: error"
    assert json.loads(events[-1][len("data: ") :]) == {"detail": [error]}


def test_training_workers_share_the_cores_among_uvicorn_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("app.config.usable_cores", lambda: 4)
    for name in ("ACTLAB_WORKERS", "WEB_CONCURRENCY", "ACTLAB_TRAIN_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().train_workers == 4
    assert Settings(workers=2).train_workers == 2
    assert Settings(workers=8).train_workers == 1
    monkeypatch.setenv("ACTLAB_TRAIN_WORKERS", "3")
    assert Settings(workers=2).train_workers == 3
