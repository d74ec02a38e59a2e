"""The console script's flags and their environment defaults."""

import pytest

from app.cli import parse_args
from app.config import Settings


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
