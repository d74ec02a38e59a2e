"""plotly.min.js served from the installed plotly package, and static/ behind content-hashed URLs.

The bundle is never copied into the repository. At start-up it is read once, hashed and gzipped
(level 9, so the cost is paid once and never per request); it is served behind a URL that holds
its hash, with a strong ETag per encoding, `Cache-Control: immutable`, and 304 on If-None-Match.
Brotli would save a little more, but no brotli package is a dependency and this does not add one.

Files under static/ are hashed once at start-up too: templates link them as
`static_url('js/train.js')` (`/static/js/train.js?v=<hash>`: root-relative, like every link),
and a URL naming the file's current hash is cached for a year without revalidation, so a
returning visitor's browser asks for none of the page's modules again; any other URL of a
static file must be revalidated (`no-cache`). ES modules import each other by plain relative
paths; the import map in base.html (`import_map()`) points each of those at its versioned URL.
It is serialised once per app, so its CSP hash is computed once too.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import pass_context
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.types import Scope

from app.config import STATIC_DIR
from app.web.security import csp_hash

IMMUTABLE = "public, max-age=31536000, immutable"
_VERSION = re.compile(rb"plotly\.js v(\d+\.\d+\.\d+)")
# A stylesheet the bundle injects as a <style> with fixed text (maplibre's, at load): the text
# is a plain JS string literal, so its bytes, and the CSP hash that admits them, are read here.
_INLINE_STYLE = re.compile(
    rb'createElement\("style"\);\w+\.id="[0-9a-f]+",\w+\.textContent=\'([^\'\\]*)\''
)


@dataclass(frozen=True)
class Bundle:
    """One JavaScript file held in memory in its identity and gzip encodings."""

    identity: bytes
    gzipped: bytes
    digest: str  # first 16 hex digits of the sha256 of the identity bytes
    version: str  # plotly.js version read from the banner, "unknown" if absent
    inline_styles: tuple[str, ...] = ()  # the texts of <style> elements it injects

    @property
    def style_hashes(self) -> tuple[str, ...]:
        """CSP sources admitting exactly those <style> elements."""
        return tuple(csp_hash(text) for text in self.inline_styles)

    @classmethod
    def from_bytes(cls, data: bytes) -> Bundle:
        """Hash and compress `data` once."""
        match = _VERSION.search(data[:400])
        return cls(
            identity=data,
            gzipped=gzip.compress(data, compresslevel=9, mtime=0),
            digest=hashlib.sha256(data).hexdigest()[:16],
            version=match.group(1).decode() if match else "unknown",
            inline_styles=tuple(m.group(1).decode() for m in _INLINE_STYLE.finditer(data)),
        )

    @property
    def filename(self) -> str:
        """The versioned file name the pages link to."""
        return f"plotly-{self.digest}.min.js"

    def etag(self, encoding: str) -> str:
        """A strong validator, distinct per encoding (the bytes differ)."""
        return f'"{self.digest}-{encoding}"'


@lru_cache(maxsize=1)
def plotly_bundle() -> Bundle:
    """The installed plotly package's plotly.min.js, loaded and compressed on first use."""
    source = importlib.resources.files("plotly") / "package_data" / "plotly.min.js"
    return Bundle.from_bytes(source.read_bytes())


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header admits gzip (a q of 0 refuses it)."""
    for item in accept_encoding.split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        if coding.lower() not in ("gzip", "*"):
            continue
        q = next((p[2:] for p in params if p.lower().startswith("q=")), "1")
        try:
            return float(q) > 0
        except ValueError:
            return False
    return False


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match list against one ETag."""
    if if_none_match.strip() == "*":
        return True
    tags = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return etag in tags


def serve_bundle(bundle: Bundle, request: Request) -> Response:
    """The bundle in the best encoding the client accepts, or 304 if it already has it."""
    gzip_ok = accepts_gzip(request.headers.get("accept-encoding", ""))
    encoding = "gzip" if gzip_ok else "identity"
    etag = bundle.etag(encoding)
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding"}
    if etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    if gzip_ok:
        headers["Content-Encoding"] = "gzip"
    body = bundle.gzipped if gzip_ok else bundle.identity
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)


@lru_cache(maxsize=1)
def static_digests() -> dict[str, str]:
    """Every file under static/ (path relative to it, "/"-separated) -> 12 hex digits of sha256."""
    return {
        path.relative_to(STATIC_DIR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(STATIC_DIR.rglob("*"))
        if path.is_file()
    }


def link(app: Starlette, name: str, **path_params: str) -> str:
    """The URL of a named route or mount: root-relative, or under ACTLAB_PUBLIC_BASE_URL.

    Never built from the request's Host header or scheme, so a forged Host cannot rewrite a
    page's links and a TLS proxy never gets http:// links (Starlette's url_for does both)."""
    base: str = app.state.settings.public_base_url
    return base + app.url_path_for(name, **path_params)


def versioned(app: Starlette, path: str) -> str:
    """The versioned URL of a file under static/: .../static/<path>?v=<hash>."""
    return f"{link(app, 'static', path=path)}?v={static_digests()[path]}"


@pass_context
def url_for(context: dict[str, Any], name: str, /, **path_params: str) -> str:
    """Templates' url_for: `link` for the page's app."""
    return link(context["request"].app, name, **path_params)


@pass_context
def static_url(context: dict[str, Any], path: str) -> str:
    """The versioned URL of a file under static/, for templates."""
    return versioned(context["request"].app, path)


@dataclass(frozen=True)
class ImportMap:
    """The import map of base.html, serialised once: its bytes and their CSP hash.

    It sends each module's plain URL (what relative imports resolve to) to its versioned one, so
    modules importing each other hit the long-lived cache entries too."""

    text: Markup  # exactly what goes between <script type="importmap"> and </script>
    csp_hash: str

    @classmethod
    def build(cls, app: Starlette) -> ImportMap:
        imports = {}
        for path in static_digests():
            if path.endswith(".js"):
                url = versioned(app, path)
                imports[url.split("?")[0]] = url
        text = htmlsafe_json_dumps({"imports": imports})
        return cls(text, csp_hash(str(text)))


@pass_context
def import_map(context: dict[str, Any]) -> Markup:
    """The app's import map (built in create_app), for base.html."""
    built: ImportMap = context["request"].app.state.import_map
    return built.text


class VersionedStaticFiles(StaticFiles):
    """StaticFiles whose responses say how long to keep them: a year when the URL's `v` is the
    file's hash from start-up, otherwise revalidate every time (an old link gets no stale file)."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        path = Path(full_path).resolve()
        name = path.relative_to(STATIC_DIR).as_posix() if path.is_relative_to(STATIC_DIR) else ""
        version = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[-1]
        current = bool(version) and version == static_digests().get(name)
        response.headers["Cache-Control"] = IMMUTABLE if current else "no-cache"
        return response
