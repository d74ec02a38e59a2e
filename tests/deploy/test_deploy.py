"""deploy/: the Kubernetes manifests against their schemas (offline, kubernetes-validate ships
them), and the compose file against the nginx config and the Dockerfile it runs."""

import copy
import json
import re
from typing import Any

import kubernetes_validate
import pytest
import yaml

from app.config import BASE_DIR, Settings

DEPLOY = BASE_DIR / "deploy"
K8S_VERSION = "1.37.0"  # the newest schemas kubernetes-validate 1.37 ships
NGINX_CONF = DEPLOY / "nginx" / "activation-lab.conf"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))


def documents() -> list[dict[str, Any]]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, Any]:
    (doc,) = [doc for doc in documents() if doc["kind"] == kind]
    return doc


def container() -> dict[str, Any]:
    (c,) = by_kind("Deployment")["spec"]["template"]["spec"]["containers"]
    return dict(c)


def env(c: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in c["env"]}


def quantity_bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Ki|Mi|Gi)?", value).groups()  # type: ignore[union-attr]
    return int(number) * {None: 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}[unit]


@pytest.mark.parametrize("doc", documents(), ids=lambda d: d["kind"])
def test_manifest_matches_its_kubernetes_schema(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_schema_check_rejects_an_unknown_field() -> None:
    broken = copy.deepcopy(by_kind("Deployment"))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}  # a typo
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_the_folder_holds_a_deployment_service_autoscaler_and_disruption_budget() -> None:
    assert sorted(doc["kind"] for doc in documents()) == [
        "Deployment",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Service",
    ]


def test_pods_run_as_non_root_on_a_read_only_root_with_tmp_in_memory() -> None:
    pod = by_kind("Deployment")["spec"]["template"]["spec"]
    c = container()
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the Dockerfile's USER
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    (volume,) = pod["volumes"]
    assert volume["name"] == "tmp" and "emptyDir" in volume


def test_probes_ask_healthz_on_the_port_the_app_listens_on() -> None:
    c = container()
    (port,) = c["ports"]
    assert port["containerPort"] == int(env(c)["ACTLAB_PORT"])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": "/healthz", "port": port["name"]}
    # liveness is the patient one: a pod busy training is not restarted
    live, ready = c["livenessProbe"], c["readinessProbe"]
    assert live["periodSeconds"] * live["failureThreshold"] >= 60
    assert live["periodSeconds"] * live["failureThreshold"] > (
        ready["periodSeconds"] * ready["failureThreshold"]
    )


def test_resources_follow_the_worker_count_and_the_apps_memory_bounds() -> None:
    c = container()
    workers = int(env(c)["WEB_CONCURRENCY"])
    limits, requests = c["resources"]["limits"], c["resources"]["requests"]
    assert int(limits["cpu"]) == workers  # one CPU-bound training per worker at full speed
    assert int(requests["cpu"]) <= int(limits["cpu"])
    assert requests["memory"] == limits["memory"]
    defaults = Settings()
    caches = defaults.curve_cache_bytes + defaults.result_cache_bytes
    # every worker's full caches and idle footprint, plus one sweep at the work cap (1.9 GiB)
    assert quantity_bytes(limits["memory"]) >= workers * (caches + 100 * 2**20) + 1.9 * 2**30


def test_service_autoscaler_and_budget_point_at_the_deployment() -> None:
    deployment = by_kind("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    service = by_kind("Service")
    assert service["spec"]["selector"] == labels
    assert service["spec"]["ports"][0]["targetPort"] == container()["ports"][0]["name"]
    hpa = by_kind("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    pdb = by_kind("PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"] == labels
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"]  # drains can proceed


# --- compose ---------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def dockerfile_healthcheck() -> list[str]:
    joined = (BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    (line,) = [line for line in joined.splitlines() if line.startswith("HEALTHCHECK ")]
    cmd: list[str] = json.loads(line[line.index("CMD ") + 4 :])
    return cmd


def test_every_compose_service_has_image_command_healthcheck_and_ports() -> None:
    services = compose()["services"]
    assert set(services) == {"app", "nginx"}
    for name, service in services.items():
        assert re.fullmatch(r"[\w./-]+:\d[\w.-]*", service["image"]), name  # pinned tag
        assert isinstance(service["command"], list) and service["command"], name
        assert service["healthcheck"]["test"][0] == "CMD", name
        assert service.get("ports") or service.get("expose"), name
    assert services["app"]["command"] == ["activation-lab"]  # the Dockerfile's CMD
    assert services["app"]["build"]["context"] == ".."


def test_the_app_service_is_read_only_with_tmp_and_probed_as_the_image_is() -> None:
    app = compose()["services"]["app"]
    assert app["read_only"] is True
    assert [mount.split(":")[0] for mount in app["tmpfs"]] == ["/tmp"]
    assert app["expose"] == [app["environment"]["ACTLAB_PORT"]]
    # compose needs $$ for a literal $; otherwise the probe is the Dockerfile's, word for word
    probe = [word.replace("$$", "$") for word in app["healthcheck"]["test"]]
    assert probe[0] == "CMD" and probe[1:] == dockerfile_healthcheck()
    assert app["deploy"]["replicas"] >= 2


def test_nginx_proxies_to_the_compose_app_service_on_its_port() -> None:
    services = compose()["services"]
    conf = NGINX_CONF.read_text()
    upstreams = re.findall(r"^\s*server ([\w.-]+):(\d+)\b", conf, flags=re.MULTILINE)
    assert upstreams, "the upstream lists the app servers"
    for host, port in upstreams:
        assert host in services, f"nginx upstream {host} is not a compose service"
        assert port == services[host]["environment"]["ACTLAB_PORT"]
    (listen,) = re.findall(r"^\s*listen (\d+);", conf, flags=re.MULTILINE)
    nginx = services["nginx"]
    assert [p.split(":")[-1] for p in nginx["ports"]] == [listen]
    (volume,) = nginx["volumes"]
    source, target, mode = volume.split(":")
    assert (DEPLOY / source).resolve() == NGINX_CONF
    assert target == "/etc/nginx/conf.d/default.conf" and mode == "ro"
    assert nginx["depends_on"] == {"app": {"condition": "service_healthy"}}
    assert f":{listen}/" in " ".join(nginx["healthcheck"]["test"])


def test_only_nginx_is_reachable_from_outside() -> None:
    data = compose()
    assert data["networks"]["backend"]["internal"] is True
    assert data["services"]["app"]["networks"] == ["backend"]
    assert "ports" not in data["services"]["app"]
    assert set(data["services"]["nginx"]["networks"]) == {"backend", "frontend"}


def nginx_location(pattern: str) -> str:
    """The body of the location block whose pattern is given."""
    conf = NGINX_CONF.read_text()
    start = conf.index(f"location {pattern} {{")
    return conf[start : conf.index("}", start)]


def test_nginx_limits_agree_with_the_apps() -> None:
    conf = NGINX_CONF.read_text()
    defaults = Settings()
    (size,) = re.findall(r"client_max_body_size (\d+)m;", conf)
    assert int(size) * 2**20 == defaults.max_body_bytes
    (read_timeout,) = re.findall(r"^    proxy_read_timeout (\d+)s;", conf, re.MULTILINE)
    assert int(read_timeout) > defaults.train_time_limit_s  # a long training is not cut off
    (count, size_k) = re.findall(r"large_client_header_buffers (\d+) (\d+)k;", conf)[0]
    assert int(count) * int(size_k) * 1024 < defaults.max_header_bytes  # nginx refuses first
    (upstream_idle,) = re.findall(r"keepalive_timeout (\d+)s;\n}", conf)
    assert int(upstream_idle) < defaults.keep_alive_s  # nginx lets go of idle ones first


def test_nginx_streams_unbuffered_and_upgrades_the_live_endpoint() -> None:
    stream = nginx_location("~ ^/api/train(/sweep)?/stream$")
    assert "proxy_buffering off;" in stream
    live = nginx_location("= /api/train/live")
    assert "proxy_read_timeout 1h;" in live
    conf = NGINX_CONF.read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
