"""Lookups shared by routes: unknown names become one 404 here, not in each handler, and an
activation's parameters are resolved (or refused with a 422 naming the parameter) in one place.

Every dependency is `async def` although none awaits: FastAPI runs a plain `def` dependency in
its thread pool, and that hand-off (a thread woken per dependency per request) was a tenth of the
cost of a refused training request and grew with the machine's load; these are all microseconds
of pure Python, so the event loop runs them itself."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError

from app.config import Settings
from app.lab.activations import (
    Activation,
    ParamError,
    ParamValue,
    UnknownActivation,
    get_activation,
)
from app.web.cache import ResultCache
from app.web.curves import CurveRequest, CurveStore
from app.web.errors import error_item
from app.web.schemas.activations import CurveQuery
from app.web.workers import WorkerPool


async def activation_from_path(
    name: Annotated[str, Path(description="Catalogue key, e.g. `gelu`.", examples=["gelu"])],
) -> Activation:
    """The catalogue entry named in the path, or 404."""
    try:
        return get_activation(name)
    except UnknownActivation:
        raise HTTPException(
            status_code=404,
            detail=[
                error_item(
                    ["path", "name"],
                    f"unknown activation {name!r}; GET /api/activations lists them",
                    "not_found",
                )
            ],
        ) from None


ActivationDep = Annotated[Activation, Depends(activation_from_path)]


def resolve_params(
    act: Activation, given: Mapping[str, object] | None, loc: Sequence[str]
) -> dict[str, ParamValue]:
    """act's parameters from `given`, defaults for the rest, or a 422 at (*loc, parameter)."""
    try:
        return act.resolve(given)
    except ParamError as err:
        item = error_item((*loc, err.param), str(err), "value_error")
        raise RequestValidationError([item]) from None


@dataclass(frozen=True)
class ResolvedActivation:
    act: Activation
    params: dict[str, ParamValue]


async def activation_with_query_params(act: ActivationDep, request: Request) -> ResolvedActivation:
    """The path's entry with every query parameter taken as one of its parameters."""
    given = dict(request.query_params.items())
    return ResolvedActivation(act, resolve_params(act, given, ("query",)))


CURVE_SAMPLING = frozenset(CurveQuery.model_fields)  # read once: model_fields is slow to access


async def curve_request(
    act: ActivationDep, query: Annotated[CurveQuery, Query()], request: Request
) -> CurveRequest:
    """The path's entry sampled where CurveQuery says, its parameters from the other query keys.

    CurveQuery is validated first (a bad x range is reported before a bad parameter)."""
    given = {k: v for k, v in request.query_params.items() if k not in CURVE_SAMPLING}
    params = resolve_params(act, given, ("query",))
    return CurveRequest(act, params, query.x_min, query.x_max, query.points)


ActivationParamsDep = Annotated[ResolvedActivation, Depends(activation_with_query_params)]
CurveRequestDep = Annotated[CurveRequest, Depends(curve_request)]


async def settings_from_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def curve_store_from_app(request: Request) -> CurveStore:
    store: CurveStore = request.app.state.curve_store
    return store


async def result_cache_from_app(request: Request) -> ResultCache:
    cache: ResultCache = request.app.state.result_cache
    return cache


async def worker_pool_from_app(request: Request) -> WorkerPool:
    pool: WorkerPool = request.app.state.worker_pool
    return pool


SettingsDep = Annotated[Settings, Depends(settings_from_app)]
CurveStoreDep = Annotated[CurveStore, Depends(curve_store_from_app)]
ResultCacheDep = Annotated[ResultCache, Depends(result_cache_from_app)]
WorkerPoolDep = Annotated[WorkerPool, Depends(worker_pool_from_app)]
