"""Security headers on every response, and the Content-Security-Policy they carry.

The policy admits scripts, styles, fonts and connections from this origin only, and no inline
script except the import map in base.html, by its hash (computed once at start-up: the map holds
root-relative URLs, so its bytes never depend on the request). No 'unsafe-inline' for styles
either: Plotly's inline styles are admitted one by one, by the hashes of their exact texts:

- an empty <style> that it fills through CSSOM (insertRule, which CSP does not govern);
- maplibre's stylesheet, injected at load with fixed text (its hash is read from the bundle,
  `assets.Bundle.style_hashes`);
- the style attributes it writes itself (`PLOTLY_STYLE_ATTRIBUTES`, with 'unsafe-hashes', which
  lets a hash admit an attribute): "" on colour-bar rectangles, its rich-text tags' styles
  (superscripts in log-axis ticks) and the pixelated heat-map image's.

Our own scripts set styles through CSSOM (`node.style`), never as an attribute.
"""

import base64
import hashlib
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def csp_hash(text: str) -> str:
    """A CSP source expression admitting an inline element whose content is exactly `text`."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


EMPTY = csp_hash("")  # 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='

# plotly.js's src/lib/svg_text_utils.js TAG_STYLES, and src/constants/pixelated_image.js STYLE.
PLOTLY_TAG_STYLES = (
    "font-size:70%",
    "text-decoration:line-through",
    "text-decoration:underline",
    "font-weight:bold",
    "font-style:italic",
    "cursor:pointer",
    "font-style:italic;font-weight:bold",
)
PIXELATED: tuple[str, ...] = ("optimizeSpeed", "-moz-crisp-edges", "-o-crisp-edges")
PIXELATED += ("-webkit-optimize-contrast", "optimize-contrast", "crisp-edges", "pixelated")
PLOTLY_PIXELATED_STYLE = "".join(f"image-rendering: {value}; " for value in PIXELATED)
PLOTLY_STYLE_ATTRIBUTES = ("", *PLOTLY_TAG_STYLES, PLOTLY_PIXELATED_STYLE)


def content_security_policy(script_hashes: Iterable[str], style_hashes: Iterable[str]) -> str:
    """The policy of every response: same origin only, inline scripts and styles by hash."""
    attributes = (csp_hash(text) for text in PLOTLY_STYLE_ATTRIBUTES)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-hashes'", *attributes, *style_hashes],
        # PNG/SVG export draws the chart through data: and blob: images; heat maps are data: PNGs.
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        # ReDoc's search runs in a worker it builds from a blob: URL; only our own scripts
        # can make one, so this admits no code from elsewhere.
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def security_headers(csp: str) -> list[tuple[bytes, bytes]]:
    """The headers every response carries, as raw ASGI pairs."""
    headers = {
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
    }
    return [(name.encode(), value.encode()) for name, value in headers.items()]


class SecurityHeadersMiddleware:
    """Add `headers` to every HTTP response that does not set them itself (pure ASGI)."""

    def __init__(self, app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.headers if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def host_name(netloc: str) -> str:
    """The host of a Host header or URL authority, without the port, lower case."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):  # IPv6: [::1]:8000
        return netloc.split("]", 1)[0] + "]"
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def origin_allowed(origin: str | None, host: str, allowed_hosts: Sequence[str]) -> bool:
    """May a WebSocket with this Origin header open a live session (cross-site WebSocket
    hijacking: browsers send cookies to any site's socket, so the server must check)?

    No Origin: not a browser, nothing to hijack. Otherwise the Origin's host must be the host the
    client connected to (the Host header, which TrustedHostMiddleware has already checked against
    ACTLAB_ALLOWED_HOSTS) and itself be one of the allowed hosts. Ports are not compared: behind
    nginx the Host header carries none (`proxy_set_header Host $host`).
    """
    if origin is None:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    name = host_name(parts.netloc)
    if name != host_name(host):
        return False
    for pattern in allowed_hosts:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False
