"""plotly.min.js from the installed package, gzipped once; static/ behind content-hashed URLs."""

import gzip
import hashlib
import importlib.resources
import json
import posixpath
import re

import pytest
from fastapi.testclient import TestClient

from app.config import STATIC_DIR
from app.main import create_app
from app.web.assets import (
    IMMUTABLE,
    Bundle,
    accepts_gzip,
    etag_matches,
    plotly_bundle,
    static_digests,
)

PLOTLY = (importlib.resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()


@pytest.fixture
def url() -> str:
    return f"/assets/{plotly_bundle().filename}"


def test_the_bundle_is_the_installed_plotly_min_js() -> None:
    bundle = plotly_bundle()
    assert bundle.identity == PLOTLY
    assert gzip.decompress(bundle.gzipped) == PLOTLY
    assert len(bundle.gzipped) < len(PLOTLY) / 2
    assert bundle.version.count(".") == 2


def test_the_bundle_is_compressed_once_at_app_creation() -> None:
    plotly_bundle.cache_clear()
    create_app()
    assert plotly_bundle.cache_info().currsize == 1
    create_app()
    assert plotly_bundle.cache_info().misses == 1


def test_gzip_is_served_when_accepted(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200, r.text
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) == len(plotly_bundle().gzipped)
    assert r.content == PLOTLY  # httpx decodes the gzip body
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert r.headers["vary"] == "Accept-Encoding"


def test_identity_is_served_otherwise(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert "content-encoding" not in r.headers
    assert int(r.headers["content-length"]) == len(PLOTLY)
    assert r.content == PLOTLY


def test_etags_are_strong_and_differ_per_encoding(client: TestClient, url: str) -> None:
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"}).headers["etag"]
    plain = client.get(url, headers={"Accept-Encoding": "identity"}).headers["etag"]
    assert zipped != plain
    for tag in (zipped, plain):
        assert tag.startswith('"') and tag.endswith('"')  # strong: no W/ prefix


def test_if_none_match_gives_304_without_a_body(client: TestClient, url: str) -> None:
    etag = client.get(url, headers={"Accept-Encoding": "gzip"}).headers["etag"]
    r = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": f'"x", {etag}'})
    assert r.status_code == 304
    assert r.content == b""
    assert r.headers["etag"] == etag
    assert r.headers["cache-control"] == IMMUTABLE


def test_a_stale_etag_gets_the_full_body(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": '"stale"'})
    assert r.status_code == 200
    assert r.content == PLOTLY


def test_the_url_holds_the_content_hash(client: TestClient) -> None:
    name = plotly_bundle().filename
    assert name == f"plotly-{plotly_bundle().digest}.min.js"
    assert client.get("/assets/plotly-0000000000000000.min.js").status_code == 404


def test_pages_link_the_versioned_bundle(client: TestClient, url: str) -> None:
    html = client.get("/").text
    assert f'<link rel="preload" id="plotly-js-preload" as="script" href="{url}">' in html


def test_static_digests_are_the_files_hashes() -> None:
    digests = static_digests()
    assert (
        digests["js/train.js"]
        == hashlib.sha256((STATIC_DIR / "js" / "train.js").read_bytes()).hexdigest()[:12]
    )
    assert set(digests) == {
        p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("page", ["/", "/compare", "/train", "/sweep", "/gradients", "/softmax"])
def test_pages_link_static_files_by_content_hash(client: TestClient, page: str) -> None:
    html = client.get(page).text
    linked = re.findall(r'(?:src|href)="(/static/[^"]*)"', html)
    assert linked
    for url in linked:
        path, _, version = url.removeprefix("/static/").partition("?v=")
        assert version == static_digests()[path], url
    [importmap] = re.findall(r'<script type="importmap">(.*?)</script>', html)
    imports = json.loads(importmap)["imports"]
    modules = sorted(p for p in static_digests() if p.endswith(".js"))
    base = "/static/"
    assert imports == {f"{base}{p}": f"{base}{p}?v={static_digests()[p]}" for p in modules}
    assert html.index('type="importmap"') < html.index('rel="modulepreload"')
    # every module a page's script imports is preloaded under the URL the import map gives it
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]*)">', html)
    [entry] = re.findall(r'<script type="module" async src="([^"]*)">', html)
    graph, todo = set(), [entry.split("?")[0]]
    while todo:
        path = todo.pop()
        if path not in graph:
            graph.add(path)
            source = (STATIC_DIR / path.removeprefix("/static/")).read_text()
            here = posixpath.dirname(path)  # page entries in js/pages/ import "../ui.js"
            todo += [
                posixpath.normpath(posixpath.join(here, name))
                for name in re.findall(r'from "(\.\.?/[\w/-]+\.js)"', source)
            ]
    assert sorted(preloaded) == sorted(imports[path] for path in graph)


def test_a_versioned_static_url_is_cached_for_a_year_and_others_revalidate(
    client: TestClient,
) -> None:
    versioned = f"/static/js/ui.js?v={static_digests()['js/ui.js']}"
    r = client.get(versioned)
    assert r.status_code == 200 and r.headers["cache-control"] == IMMUTABLE
    assert r.content == (STATIC_DIR / "js" / "ui.js").read_bytes()
    for stale in ("/static/js/ui.js", "/static/js/ui.js?v=000000000000"):
        r = client.get(stale)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
    etag = client.get(versioned).headers["etag"]
    r = client.get(versioned, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.headers["cache-control"] == IMMUTABLE


def test_favicon_is_served_where_browsers_look(client: TestClient) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml"
    assert r.content == (STATIC_DIR / "favicon.svg").read_bytes()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("GZIP", True),
        ("*", True),
        ("gzip;q=0", False),
        ("deflate, br", False),
        ("", False),
        ("gzip;q=x", False),
    ],
)
def test_accept_encoding_parsing(header: str, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_etag_matching_is_weak_comparison() -> None:
    assert etag_matches('"a"', '"a"')
    assert etag_matches('W/"a"', '"a"')
    assert etag_matches('"b", "a"', '"a"')
    assert etag_matches("*", '"a"')
    assert not etag_matches('"b"', '"a"')
    assert not etag_matches("", '"a"')


def test_bundle_reads_the_version_banner() -> None:
    bundle = Bundle.from_bytes(b"/**\n* plotly.js v9.8.7\n*/ var x;")
    assert bundle.version == "9.8.7"
    assert Bundle.from_bytes(b"var x;").version == "unknown"
    assert bundle.etag("gzip") == f'"{bundle.digest}-gzip"'
