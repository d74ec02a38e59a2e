"""Curve responses: computed once per canonical request and kept as JSON bytes.

Both the validating route and the fast path in app.web.middleware go through `CurveStore`, so a
curve has exactly one set of bytes however it was asked for.
"""

import gzip
import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import numpy as np
from starlette.concurrency import run_in_threadpool

from app.lab.activations import ACTIVATIONS, Activation, ParamError, ParamValue
from app.lab.activations.base import Array
from app.lab.activations.sampling import MAX_CURVE_POINTS, X_LIMIT
from app.web.cache import BytesLRU
from app.web.responses import dumps

# Up to this many points a curve costs ~0.2 ms, less than a hop to the thread pool; larger ones
# are computed off the event loop so they never stall other requests.
INLINE_POINTS = 2001
PREFIX, SUFFIX = "/api/activations/", "/curve"
SAMPLING_FIELDS = frozenset({"x_min", "x_max", "points"})
_DECIMAL = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_COUNT = re.compile(r"\d{1,6}")


def sample(act: Activation, x: Array, params: dict[str, ParamValue]) -> dict[str, object]:
    """The curve payload: f, f' and f'' at x, with the resolved parameters."""
    return {
        "name": act.name,
        "params": params,
        "x": x,
        "y": act.f(x, **params),
        "dydx": act.df(x, **params),
        "d2ydx2": act.d2f(x, **params),
    }


@dataclass(frozen=True)
class CurveRequest:
    act: Activation
    params: dict[str, ParamValue]
    x_min: float
    x_max: float
    points: int

    @property
    def key(self) -> tuple[object, ...]:
        """The canonical cache key: the same curve however its URL was spelled."""
        params = tuple(sorted(self.params.items()))
        return ("curve", self.act.name, params, self.x_min, self.x_max, self.points)

    def render(self) -> bytes:
        x = np.linspace(self.x_min, self.x_max, self.points)
        return dumps(sample(self.act, x, self.params))


def url_key(path: str, query_string: bytes) -> tuple[str, str, bytes]:
    """The key a curve request's exact URL is cached under."""
    return ("url", path, query_string)


class CurveStore:
    """Curve bytes by canonical parameters and by exact URL, in one bounded LRU."""

    def __init__(self, cache: BytesLRU) -> None:
        self.cache = cache

    def by_url(self, path: str, query_string: bytes) -> bytes | None:
        return self.cache.get(url_key(path, query_string))

    async def get(self, request: CurveRequest, path: str, query_string: bytes) -> bytes:
        body = self.cache.get(request.key)
        if body is None:
            if request.points <= INLINE_POINTS:
                body = request.render()
            else:
                body = await run_in_threadpool(request.render)
            self.cache.put(request.key, body)
        self.cache.put(url_key(path, query_string), body)
        return body

    def gzipped(self, path: str, query_string: bytes, body: bytes, level: int) -> bytes:
        """The gzip encoding of `body`, the response to this URL, compressed once and cached."""
        key = ("gzip", *url_key(path, query_string))
        compressed = self.cache.get(key)
        if compressed is None:
            compressed = gzip.compress(body, compresslevel=level, mtime=0)
            self.cache.put(key, compressed)
        return compressed


def _finite_x(text: str) -> float | None:
    if not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) and abs(value) <= X_LIMIT else None


def parse_plain_request(path: str, query_string: bytes) -> CurveRequest | None:
    """The common, well-formed curve request, parsed without the framework.

    Deliberately strict: anything unusual (a repeated key, an unknown name, a number in an odd
    spelling, any invalid value) returns None, and the validating route answers instead, with
    its documented 404 or 422.
    """
    if not (path.startswith(PREFIX) and path.endswith(SUFFIX)):
        return None
    act = ACTIVATIONS.get(path[len(PREFIX) : -len(SUFFIX)])
    if act is None:
        return None
    try:
        pairs = parse_qsl(query_string.decode("ascii"), strict_parsing=bool(query_string))
    except (UnicodeDecodeError, ValueError):
        return None
    query = dict(pairs)
    if len(query) != len(pairs):
        return None
    x_min = _finite_x(query.pop("x_min", "-6"))
    x_max = _finite_x(query.pop("x_max", "6"))
    points_text = query.pop("points", "601")
    if x_min is None or x_max is None or x_min >= x_max or not _COUNT.fullmatch(points_text):
        return None
    points = int(points_text)
    if not 2 <= points <= MAX_CURVE_POINTS:
        return None
    try:
        params = act.resolve(query)
    except ParamError:
        return None
    return CurveRequest(act, params, x_min, x_max, points)
