"""Curve responses: computed once per canonical request and kept as JSON bytes.

Both the validating route and the fast path in app.web.curve_fast_path go through `CurveStore`, so a
curve has exactly one set of bytes however it was asked for.
"""

import gzip
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from app.lab.activations import Activation, ParamValue
from app.lab.activations.base import Array
from app.lab.activations.sampling import sample_x
from app.web.cache import BytesLRU
from app.web.responses import dumps
from app.web.schemas.activations import CurveResult
from app.web.schemas.payload import payload

# Up to this many points a curve costs ~0.2 ms, less than a hop to the thread pool; larger ones
# are computed off the event loop so they never stall other requests.
INLINE_POINTS = 2001


def sample(act: Activation, x: Array, params: dict[str, ParamValue]) -> dict[str, object]:
    """The curve payload (CurveResult): f, f' and f'' at x, with the resolved parameters."""
    return payload(
        CurveResult,
        name=act.name,
        params=params,
        x=x,
        y=act.f(x, **params),
        dydx=act.df(x, **params),
        d2ydx2=act.d2f(x, **params),
    )


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
        return dumps(sample(self.act, sample_x(self.x_min, self.x_max, self.points), self.params))


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
