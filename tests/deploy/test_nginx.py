"""deploy/nginx in front of two app processes, as in production: Debian's nginx on a free loopback
port with the repo's config (only ports, paths and upstreams replaced), two `activation-lab`
processes behind it. Each check is bounded in requests and time; all traffic stays on 127.0.0.1.

The tests run in file order and share one deployment; the rate-limit check, which spends the
training budget, comes last.
"""

import json
import select
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.exceptions import ConnectionClosed

from tests.live_support import live_connect, recv_frame, recv_json
from tests.nginx_support import SITE_CONF, Deployment, start_deployment, stop_deployment

pytestmark = pytest.mark.nginx


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    deployment, procs = start_deployment(tmp_path_factory.mktemp("nginx"))
    try:
        yield deployment
    finally:
        stop_deployment(procs)


def app_requests(deployment: Deployment, i: int) -> dict[str, float]:
    """Requests app i has answered, by route template (its own /metrics, scraped directly)."""
    text = httpx.get(deployment.app_url(i) + "/metrics", timeout=10).text
    counts: dict[str, float] = defaultdict(float)
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "actlab_http_requests_total" and s.labels["route"] != "/metrics":
                counts[s.labels["route"]] += s.value
    return dict(counts)


def trainings_running(deployment: Deployment) -> float:
    total = 0.0
    for i in range(len(deployment.app_ports)):
        text = httpx.get(deployment.app_url(i) + "/metrics", timeout=10).text
        for family in text_string_to_metric_families(text):
            total += sum(s.value for s in family.samples if s.name == "actlab_trainings_running")
    return total


def app_log_lines(deployment: Deployment) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for i in range(len(deployment.app_ports))
        for line in deployment.app_log(i).read_text().splitlines()
    ]


def test_requests_carry_one_id_through_nginx_and_the_client_address_is_nginxs(
    deployment: Deployment,
) -> None:
    r = httpx.get(
        deployment.url + "/healthz",
        headers={"X-Request-ID": "through-nginx-1", "X-Forwarded-For": "203.0.113.9"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["x-request-id"] == "through-nginx-1"
    generated = httpx.get(deployment.url + "/healthz").headers["x-request-id"]
    assert len(generated) == 32 and int(generated, 16) >= 0  # nginx's $request_id, kept by the app
    time.sleep(0.2)  # let the app's log line reach the file
    line = next(x for x in app_log_lines(deployment) if x["request_id"] == "through-nginx-1")
    # uvicorn trusted nginx's X-Forwarded-For (port 0 marks a forwarded address), and nginx set
    # it from the connection, dropping the client's forged value
    assert line["client"] == "127.0.0.1:0"
    listing = httpx.get(deployment.url + "/api/activations", headers={"X-Request-ID": "nx-2"})
    assert listing.headers["x-request-id"] == "nx-2"
    access = [json.loads(x) for x in deployment.access_log.read_text().splitlines()]
    entry = next(e for e in access if e["request_id"] == "nx-2")
    assert (entry["method"], entry["uri"], entry["status"]) == ("GET", "/api/activations", 200)
    assert entry["upstream"] in {f"127.0.0.1:{port}" for port in deployment.app_ports}


def test_metrics_are_not_served_to_the_public(deployment: Deployment) -> None:
    assert httpx.get(deployment.url + "/metrics").status_code == 403
    assert httpx.get(deployment.app_url(0) + "/metrics").status_code == 200


def test_mixed_load_has_no_errors_and_spreads_over_both_replicas(deployment: Deployment) -> None:
    pages = ["/", "/compare", "/train", "/sweep", "/gradients", "/softmax"]
    jobs: list[tuple[str, str, object]] = []
    for k in range(200):
        kind = k % 10
        if kind < 3:
            jobs.append(("GET", pages[k % len(pages)], None))
        elif kind < 7:  # distinct ranges: most are computed, not served from the cache
            curve = f"/api/activations/gelu/curve?points=201&x_max={1 + k / 100}"
            jobs.append(("GET", curve, None))
        elif kind < 9:
            jobs.append(("POST", "/api/softmax", {"logits": [k % 7, 1, -1]}))
        else:
            body = {"epochs": 30 + k, "snapshots": 0, "hidden_layers": [3]}
            jobs.append(("POST", "/api/train", body))
    before = [app_requests(deployment, i) for i in range(2)]

    def run(job: tuple[str, str, object]) -> int:
        method, path, body = job
        r = client.request(method, path, json=body)
        return r.status_code

    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    with (
        httpx.Client(base_url=deployment.url, limits=limits, timeout=60) as client,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        statuses = list(pool.map(run, jobs))
    after = [app_requests(deployment, i) for i in range(2)]
    assert Counter(statuses) == {200: 200}
    served = [sum(after[i].values()) - sum(before[i].values()) for i in range(2)]
    assert sum(served) == 200  # each request reached exactly one replica, once
    assert min(served) > 0, served
    trained = sum(after[i].get("/api/train", 0) - before[i].get("/api/train", 0) for i in range(2))
    assert trained == 20


def test_a_huge_header_is_refused_by_nginx_and_never_reaches_the_app(
    deployment: Deployment,
) -> None:
    before = [app_requests(deployment, i) for i in range(2)]
    r = httpx.get(deployment.url + "/healthz", headers={"X-Big": "a" * 160 * 1024})
    assert r.status_code in (400, 431, 494), r.text
    assert "nginx" in r.text  # nginx's own error page
    assert httpx.get(deployment.url + "/healthz", headers={"X-Big": "a" * 4096}).status_code == 200
    after = [app_requests(deployment, i) for i in range(2)]
    assert sum(sum(a.values()) - sum(b.values()) for a, b in zip(after, before, strict=True)) == 1


def test_progress_events_pass_through_unbuffered(deployment: Deployment) -> None:
    body = {
        "epochs": 1500,
        "snapshots": 0,
        "hidden_layers": [16, 16],
        "dataset": {"name": "spiral", "n_samples": 400, "seed": 7},
    }
    events: list[str] = []
    running_at_first_progress = None
    with httpx.stream(
        "POST", deployment.url + "/api/train/stream", json=body, timeout=60
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event: "):
                events.append(line.removeprefix("event: "))
                if events == ["progress"]:
                    # had nginx buffered the stream, nothing would arrive until the run ended
                    running_at_first_progress = trainings_running(deployment)
            if len(events) > 2000:
                break
    assert running_at_first_progress == 1
    assert events[-1] == "result"
    assert events.count("progress") >= 2 and set(events[:-1]) == {"progress"}


def test_websocket_upgrade_reaches_the_app_on_the_live_endpoint(deployment: Deployment) -> None:
    handshake = (
        b"GET /api/train/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", deployment.port), timeout=10) as sock:
        sock.sendall(handshake)
        status_line = sock.recv(256).split(b"\r\n", 1)[0]
    # only when nginx passed the Upgrade on does the app switch protocols
    assert status_line == b"HTTP/1.1 101 Switching Protocols"


def test_a_live_session_runs_through_nginx(deployment: Deployment) -> None:
    """A browser-like client (Origin of the nginx site; nginx sends Host without the port)
    starts, steps and plays a session through the proxy; another site's Origin is refused."""
    url = f"ws://127.0.0.1:{deployment.port}/api/train/live"
    origin = f"http://127.0.0.1:{deployment.port}"
    with live_connect(url, origin) as ws:
        ws.send(json.dumps({"type": "start", "body": {"hidden_layers": [4]}}))
        assert recv_json(ws)["type"] == "started"
        assert recv_frame(ws)[0]["epoch"] == 0
        ws.send('{"type": "step", "n": 30}')
        assert recv_frame(ws)[0]["epoch"] == 30
        ws.send('{"type": "play"}')
        frames = [recv_frame(ws)[0]["epoch"] for _ in range(10)]
        assert frames == list(range(31, 41))
    with live_connect(url, "https://evil.example") as ws:
        assert recv_json(ws)["detail"][0]["type"] == "origin_refused"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_a_slow_header_client_is_cut_off_while_a_normal_client_is_served(
    deployment: Deployment,
) -> None:
    interval_s, header_timeout_s = 0.5, 10  # client_header_timeout in the config
    assert f"client_header_timeout {header_timeout_s}s;" in SITE_CONF.read_text()
    before = [app_requests(deployment, i) for i in range(2)]
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 200 + b"\r\n\r\n"
    sent = 0
    closed = False
    normal_status = None
    with socket.create_connection(("127.0.0.1", deployment.port), timeout=10) as sock:
        while sent < len(head):  # at most len(head) * interval_s = 100 s, cut off long before
            try:
                sock.sendall(head[sent : sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            sent += 1
            readable, _, _ = select.select([sock], [], [], interval_s)
            if readable:
                try:
                    data = sock.recv(4096)
                except ConnectionResetError:
                    data = b""
                assert data == b"", data  # nginx closes without answering (408 in its log)
                closed = True
                break
            if sent == 4:
                normal_status = httpx.get(deployment.url + "/healthz", timeout=10).status_code
    assert closed and sent < len(head)
    # cut off within the header timeout (plus slack for a loaded machine), not after the whole head
    assert sent <= 2 * header_timeout_s / interval_s, sent
    assert normal_status == 200
    after = [app_requests(deployment, i) for i in range(2)]
    assert sum(sum(a.values()) - sum(b.values()) for a, b in zip(after, before, strict=True)) == 1


def test_trainings_over_the_burst_get_429_from_nginx(deployment: Deployment) -> None:
    over_cap = {"epochs": 10**6}  # the app answers 422 at once: only nginx's limit is measured

    def run(_: int) -> int:
        return client.post("/api/train", json=over_cap).status_code

    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    with (
        httpx.Client(base_url=deployment.url, limits=limits, timeout=30) as client,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        statuses = Counter(pool.map(run, range(250)))
    assert set(statuses) == {422, 429}, statuses
    assert statuses[422] >= 101  # burst 100, plus the request that opens it
    assert statuses[429] >= 1
    # the general budget is separate: pages and curves still answer
    assert httpx.get(deployment.url + "/").status_code == 200
