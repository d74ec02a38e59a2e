"""Lookups shared by routes: unknown names become one 404 here, not in each handler."""

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request

from app.config import Settings
from app.lab.activations import Activation, UnknownActivation, get_activation
from app.web.cache import ResultCache
from app.web.curves import CurveStore
from app.web.workers import WorkerPool


def activation_from_path(
    name: Annotated[str, Path(description="Catalogue key, e.g. `gelu`.", examples=["gelu"])],
) -> Activation:
    """The catalogue entry named in the path, or 404."""
    try:
        return get_activation(name)
    except UnknownActivation:
        raise HTTPException(
            status_code=404,
            detail=[
                {
                    "loc": ["path", "name"],
                    "msg": f"unknown activation {name!r}; GET /api/activations lists them",
                    "type": "not_found",
                }
            ],
        ) from None


def settings_from_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def curve_store_from_app(request: Request) -> CurveStore:
    store: CurveStore = request.app.state.curve_store
    return store


def result_cache_from_app(request: Request) -> ResultCache:
    cache: ResultCache = request.app.state.result_cache
    return cache


def worker_pool_from_app(request: Request) -> WorkerPool:
    pool: WorkerPool = request.app.state.worker_pool
    return pool


ActivationDep = Annotated[Activation, Depends(activation_from_path)]
SettingsDep = Annotated[Settings, Depends(settings_from_app)]
CurveStoreDep = Annotated[CurveStore, Depends(curve_store_from_app)]
ResultCacheDep = Annotated[ResultCache, Depends(result_cache_from_app)]
WorkerPoolDep = Annotated[WorkerPool, Depends(worker_pool_from_app)]
