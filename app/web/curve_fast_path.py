"""Curves answered before routing: the common, well-formed GET .../curve, without the framework.

Everything the fast path knows of a curve request it reads from the validating route at start-up
(`CurveRoute.of`): the path around `{name}` and the query model (CurveQuery) whose defaults,
limits and cross-field checks it applies by validating through that model. So the two cannot
drift: a request is either declined (the route answers, with its documented 404 or 422) or
answered with exactly the route's bytes, from the one CurveStore both share.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.lab.activations import ACTIVATIONS, ParamError
from app.web.assets import accepts_gzip
from app.web.curves import CurveRequest, CurveStore
from app.web.middleware import GZIP_LEVEL, GZIP_MIN_BYTES, json_headers
from app.web.schemas.activations import CurveQuery


def _query_models(dependant: Dependant) -> Iterator[type[BaseModel]]:
    for param in dependant.query_params:
        annotation = param.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield annotation
    for sub in dependant.dependencies:
        yield from _query_models(sub)


@dataclass(frozen=True)
class CurveRoute:
    """The validating curve route as the fast path sees it: its path and its query model."""

    prefix: str
    suffix: str
    query: type[CurveQuery]
    # The model's field names, read once: pydantic's model_fields costs ~14 us per access.
    sampling: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sampling", tuple(self.query.model_fields))

    @classmethod
    def of(cls, route: APIRoute) -> "CurveRoute":
        """Read the path (one `{name}` in it) and the one query model from the route itself."""
        prefix, suffix = route.path.split("{name}")
        (query,) = set(_query_models(route.dependant))
        if not issubclass(query, CurveQuery):
            raise TypeError(f"{route.path} samples with {query.__name__}, not a CurveQuery")
        return cls(prefix, suffix, query)

    def parse(self, path: str, query_string: bytes) -> CurveRequest | None:
        """The curve this request asks for, or None when the validating route should answer.

        Deliberately strict: anything unusual (a repeated key, an unknown name, a value the query
        model refuses, a bad parameter) returns None, and the route answers with its error.
        """
        if not (path.startswith(self.prefix) and path.endswith(self.suffix)):
            return None
        act = ACTIVATIONS.get(path[len(self.prefix) : len(path) - len(self.suffix)])
        if act is None:
            return None
        try:
            # Blank values kept, as Starlette keeps them for the route: x_min= is the route's 422,
            # not a default.
            pairs = parse_qsl(
                query_string.decode("ascii"),
                keep_blank_values=True,
                strict_parsing=bool(query_string),
            )
        except (UnicodeDecodeError, ValueError):
            return None
        given = dict(pairs)
        if len(given) != len(pairs):
            return None
        sampling = {k: given.pop(k) for k in self.sampling if k in given}
        try:
            query = self.query.model_validate(sampling)
            params = act.resolve(given)
        except (ValidationError, ParamError):
            return None
        return CurveRequest(act, params, query.x_min, query.x_max, query.points)


class CurveFastPath:
    """Answer GET .../curve before routing: from the cache by exact URL, else, when the request
    is plainly well-formed, compute it here. Everything else goes on to the validating route,
    which answers errors in the documented shape; both share one CurveStore, so the bytes are
    the same either way. A client that accepts gzip gets the curve's gzipped bytes, compressed
    once and cached beside it."""

    def __init__(self, app: ASGIApp, store: CurveStore, route: CurveRoute) -> None:
        self.app = app
        self.store = store
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            query_string: bytes = scope["query_string"]
            body = self.store.by_url(path, query_string)
            if body is None:
                request = self.route.parse(path, query_string)
                if request is not None:
                    body = await self.store.get(request, path, query_string)
            if body is not None:
                gzipped = len(body) >= GZIP_MIN_BYTES and accepts_gzip(
                    Headers(scope=scope).get("accept-encoding", "")
                )
                if gzipped:
                    body = self.store.gzipped(path, query_string, body, GZIP_LEVEL)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": json_headers(len(body), gzipped),
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
