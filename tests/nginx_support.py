"""Run Debian's nginx with the repo's deploy/nginx config in front of app processes on loopback.

Only the listen port, the access log path and the upstream servers of deploy/nginx/
activation-lab.conf are replaced; every limit, timeout and location is the file's own. The main
config around it (pid, temp paths, daemon off) is what the nginx image's nginx.conf provides.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.server_support import VENV_BIN, app_env, free_port, start, stop, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
SITE_CONF = ROOT / "deploy" / "nginx" / "activation-lab.conf"
TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
UPSTREAM_SERVER = re.compile(r"^(\s*)server app:8000( [^;]*)?;$", re.MULTILINE)


def _replace_once(pattern: str, replacement: str, text: str) -> str:
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} should occur once in {SITE_CONF.name}"
    return new


def render_site(listen_port: int, upstream_ports: list[int], access_log: Path) -> str:
    """The repo's site config with loopback ports and paths put in."""
    text = SITE_CONF.read_text()
    text = _replace_once(r"^(\s*)listen 8080;$", rf"\1listen 127.0.0.1:{listen_port};", text)
    log = r"^(\s*)access_log /dev/stdout actlab_json;$"
    text = _replace_once(log, rf"\1access_log {access_log} actlab_json;", text)
    match = UPSTREAM_SERVER.search(text)
    assert match and len(UPSTREAM_SERVER.findall(text)) == 1
    indent, params = match.group(1), match.group(2) or ""
    servers = "\n".join(f"{indent}server 127.0.0.1:{port}{params};" for port in upstream_ports)
    return text[: match.start()] + servers + text[match.end() :]


def render_main(workdir: Path, site: Path) -> str:
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must reach workdir
    temp = "".join(f"    {kind}_temp_path {workdir / kind};\n" for kind in TEMP_KINDS)
    return (
        f"daemon off;\nworker_processes 1;\npid {workdir / 'nginx.pid'};\n{user}"
        f"error_log {workdir / 'error.log'} info;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        f"{temp}"
        f"    include {site};\n}}\n"
    )


@dataclass
class Deployment:
    """nginx on `port` in front of app processes on `app_ports` (all on 127.0.0.1)."""

    port: int
    app_ports: list[int]
    workdir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.app_ports[i]}"

    def app_log(self, i: int) -> Path:
        return self.workdir / f"app{i}.log"

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"


def start_deployment(
    workdir: Path, replicas: int = 2
) -> tuple[Deployment, list[subprocess.Popen[bytes]]]:
    """Start `replicas` app processes, as deploy/compose.yaml runs them, and nginx before them."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "scripts/test.sh installs Debian's nginx"
    deployment = Deployment(free_port(), [free_port() for _ in range(replicas)], workdir)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for i, port in enumerate(deployment.app_ports):
            env = app_env(port, ACTLAB_LOG_FORMAT="json", ACTLAB_HTTP="httptools")
            log = deployment.app_log(i)
            procs.append(start([str(VENV_BIN / "activation-lab")], env, log))
        for i, proc in enumerate(procs):
            wait_until_up(deployment.app_url(i) + "/healthz", proc, deployment.app_log(i))
        site = workdir / "activation-lab.conf"
        site.write_text(render_site(deployment.port, deployment.app_ports, deployment.access_log))
        main = workdir / "nginx.conf"
        main.write_text(render_main(workdir, site))
        for kind in TEMP_KINDS:
            (workdir / kind).mkdir(exist_ok=True)
        log = workdir / "nginx.out"
        cmd = [nginx, "-p", str(workdir), "-c", str(main), "-e", str(workdir / "error.log")]
        procs.append(start(cmd, os.environ, log))
        wait_until_up(deployment.url + "/healthz", procs[-1], log)
    except BaseException:
        for proc in reversed(procs):
            stop(proc)
        raise
    return deployment, procs


def stop_deployment(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs):  # nginx first
        stop(proc)
