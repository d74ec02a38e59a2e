"""Security headers on every response, links that no request header can rewrite, trusted hosts."""

import re
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import cli
from app.config import Settings
from app.main import create_app
from app.web.assets import plotly_bundle
from app.web.security import (
    PIXELATED,
    PLOTLY_PIXELATED_STYLE,
    PLOTLY_TAG_STYLES,
    csp_hash,
    origin_allowed,
)

PAGES = ["/", "/compare", "/train", "/sweep", "/gradients", "/softmax"]
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def import_map_of(html: str) -> str:
    [text] = re.findall(r'<script type="importmap">(.*?)</script>', html, re.S)
    return str(text)


def assert_secure(r: Any, import_map_hash: str) -> None:
    for name, value in HEADERS.items():
        assert r.headers[name] == value, (r.url, name)
    directives = dict(d.split(" ", 1) for d in r.headers["content-security-policy"].split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == f"'self' {import_map_hash}"
    assert directives["style-src"].startswith("'self' 'unsafe-hashes' 'sha256-")
    assert directives["img-src"] == "'self' data: blob:"
    assert directives["connect-src"] == "'self'"
    assert directives["worker-src"] == "'self' blob:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    policy = r.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "http" not in policy  # no origin but this one


def requests_for(app: FastAPI) -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document, path parameters filled in."""
    schema = app.openapi()
    return [
        (method.upper(), path.replace("{name}", "relu"))
        for path, item in schema["paths"].items()
        for method in item
    ]


def test_every_route_in_the_openapi_document_carries_the_headers(
    app: FastAPI, client: TestClient
) -> None:
    expected = csp_hash(import_map_of(client.get("/").text))
    operations = requests_for(app)
    assert len(operations) >= 12
    for method, path in operations:
        # POSTs get a body every one of them refuses: a 422 in the error shape, quickly
        r = client.request(method, path, json={"no such field": 1} if method == "POST" else None)
        assert r.status_code in (200, 422), (method, path, r.text)
        assert_secure(r, expected)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        *(("GET", page, 200) for page in PAGES),
        ("GET", "/docs", 200),
        ("GET", "/redoc", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/static/css/app.css", 200),
        ("GET", "/static-offline-docs/swagger-ui.css", 200),
        ("GET", "/favicon.ico", 200),
        ("GET", "/api/activations/elu/curve?points=11", 200),  # the fast path, before routing
        ("GET", "/api/activations/elu/curve?points=1", 422),
        ("GET", "/no/such/page", 404),
        ("GET", "/static/no-such-file.js", 404),
        ("HEAD", "/", 200),
        ("POST", "/api/softmax", 200),
        ("POST", "/api/softmax?big", 413),
    ],
)
def test_pages_static_docs_and_errors_carry_the_headers(
    client: TestClient, method: str, path: str, status: int
) -> None:
    expected = csp_hash(import_map_of(client.get("/").text))
    body: dict[str, Any] | None = {"logits": [1, 2]} if method == "POST" else None
    headers = {"content-length": str(10**8)} if status == 413 else {}
    r = client.request(method, path, json=body, headers=headers)
    assert r.status_code == status, r.text
    assert_secure(r, expected)


def test_the_import_map_hash_is_computed_once_and_the_same_on_every_page(
    app: FastAPI, client: TestClient
) -> None:
    texts = {import_map_of(client.get(page).text) for page in PAGES}
    assert len(texts) == 1
    assert app.state.import_map.csp_hash == csp_hash(texts.pop())
    assert '"/static/js/api.js": "/static/js/api.js?v=' in app.state.import_map.text


@pytest.mark.parametrize("page", [*PAGES, "/docs", "/redoc"])
def test_no_request_header_changes_a_url_on_any_page(app: FastAPI, page: str) -> None:
    # Behind a TLS proxy uvicorn trusts X-Forwarded-*; wrapped the same way, the scheme and the
    # Host the app sees are the forged ones, and url_for would have followed them.
    plain = TestClient(app).get(page)
    proxied = ProxyHeadersMiddleware(app, trusted_hosts="*")  # type: ignore[arg-type]
    forged = TestClient(proxied).get(  # type: ignore[arg-type]
        page,
        headers={
            "Host": "evil.example",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
        },
    )
    assert plain.status_code == forged.status_code == 200
    assert forged.text == plain.text
    assert "evil.example" not in forged.text and "testserver" not in forged.text
    links = re.findall(r'(?:src|href)="([^"]*)"', forged.text)
    assert links and not [url for url in links if "//" in url]


def test_links_start_with_the_public_base_url_when_one_is_set() -> None:
    app = create_app(Settings(public_base_url="https://lab.example.org/lab/"))
    html = TestClient(app).get("/train").text
    urls = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert urls and all(url.startswith("https://lab.example.org/lab/") for url in urls), urls
    assert '"https://lab.example.org/lab/static/js/api.js": ' in import_map_of(html)
    docs = TestClient(app).get("/docs").text
    assert 'data-openapi-url="https://lab.example.org/lab/openapi.json"' in docs


def test_a_public_base_url_must_be_a_url_or_a_path() -> None:
    assert Settings(public_base_url="/lab/").public_base_url == "/lab"
    with pytest.raises(ValueError, match="http"):
        Settings(public_base_url="lab.example.org")


def test_hosts_outside_allowed_hosts_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTLAB_ALLOWED_HOSTS", "lab.example.org, *.lab.example.org")
    settings = Settings()
    assert settings.allowed_hosts == ["lab.example.org", "*.lab.example.org"]
    app = create_app(settings)
    expected = app.state.import_map.csp_hash
    client = TestClient(app, base_url="http://lab.example.org")
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz", headers={"Host": "eu.lab.example.org"}).status_code == 200
    refused = client.get("/healthz", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert_secure(refused, expected)


def test_any_host_is_answered_by_default(client: TestClient) -> None:
    assert Settings().allowed_hosts == ["*"]
    assert client.get("/healthz", headers={"Host": "anything.example"}).status_code == 200


def test_forwarded_allow_ips_reads_uvicorns_variable_and_ours_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().forwarded_allow_ips == "127.0.0.1"
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8")
    assert Settings().forwarded_allow_ips == "10.0.0.0/8"
    monkeypatch.setenv("ACTLAB_FORWARDED_ALLOW_IPS", "172.16.0.1")
    assert Settings().forwarded_allow_ips == "172.16.0.1"


@pytest.mark.parametrize(
    ("path", "bundle"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")]
)
def test_the_docs_pages_start_their_viewer_from_a_same_origin_file(
    client: TestClient, path: str, bundle: str
) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
    assert len(scripts) == 2
    assert all(' src="/static' in attrs and body == "" for attrs, body in scripts), scripts
    assert f'src="/static-offline-docs/{bundle}' in r.text
    assert 'src="/static/js/api-docs.js?v=' in r.text
    assert 'data-openapi-url="/openapi.json"' in r.text
    assert 'href="/static/css/api-docs.css?v=' in r.text
    assert "cdn" not in r.text.lower()


def test_docs_follow_the_os_dark_mode(client: TestClient) -> None:
    css = client.get("/static/css/api-docs.css").text
    assert "@media (prefers-color-scheme: dark)" in css
    assert '[data-ui="swagger"] .swagger-ui' in css.split("prefers-color-scheme: dark")[1]


def test_plotlys_own_inline_styles_are_the_ones_the_policy_admits() -> None:
    source = plotly_bundle().identity.decode()
    for style in PLOTLY_TAG_STYLES:
        assert f'"{style}"' in source, style
    declarations = ",".join(f'["image-rendering","{value}"]' for value in PIXELATED)
    assert f"[{declarations}]" in source
    assert PLOTLY_PIXELATED_STYLE.endswith("image-rendering: pixelated; ")
    [maplibre] = plotly_bundle().inline_styles
    assert maplibre.startswith(".maplibregl-map{") and len(maplibre) > 10_000
    assert plotly_bundle().style_hashes == (csp_hash(maplibre),)


def test_the_console_script_hands_forwarded_allow_ips_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.update(kwargs))
    monkeypatch.setenv("ACTLAB_FORWARDED_ALLOW_IPS", "10.1.2.3")
    cli.main([])
    assert calls["proxy_headers"] is True and calls["forwarded_allow_ips"] == "10.1.2.3"


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "ok"),
    [
        (None, "lab.example.org", ["*"], True),  # not a browser: nothing to hijack
        ("http://127.0.0.1:8080", "127.0.0.1", ["*"], True),  # nginx passes Host without port
        ("https://lab.example.org", "lab.example.org", ["lab.example.org"], True),
        ("https://a.lab.example.org", "a.lab.example.org", ["*.lab.example.org"], True),
        ("http://[::1]:8000", "[::1]:8000", ["*"], True),
        ("https://evil.example", "lab.example.org", ["*"], False),  # another site's page
        ("https://evil.example", "evil.example", ["lab.example.org"], False),  # DNS rebinding
        ("https://lab.example.org.evil.example", "lab.example.org", ["*"], False),
        ("null", "lab.example.org", ["*"], False),  # sandboxed frames, file: pages
        ("file://", "lab.example.org", ["*"], False),
    ],
)
def test_a_live_socket_is_admitted_from_this_sites_pages_only(
    origin: str | None, host: str, allowed: list[str], ok: bool
) -> None:
    assert origin_allowed(origin, host, allowed) is ok
