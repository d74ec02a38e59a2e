"""Application assembly: create_app(settings) builds the ASGI app; `app` is the default one."""

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp

from app import __version__
from app.config import STATIC_DIR, Settings, get_settings
from app.web import assets, observability
from app.web.admission import AdmissionFastPath
from app.web.cache import BytesLRU, ResultCache
from app.web.curve_fast_path import CurveFastPath, CurveRoute
from app.web.curves import CurveStore
from app.web.errors import install_error_handlers
from app.web.middleware import BodyLimitMiddleware, GZip, HeadAsGet
from app.web.routes import activations, analysis, docs, expressions, pages, training
from app.web.routes import assets as asset_routes
from app.web.routes.pages import PAGES
from app.web.security import SecurityHeadersMiddleware, content_security_policy, security_headers
from app.web.warmup import host_for, warm_up
from app.web.workers import WorkerPool, chain_sigterm


class ActivationLab(FastAPI):
    """FastAPI with the security headers outermost: outside Starlette's error middleware too,
    so even a 500 carries them."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack(), self.state.headers)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The forkserver starts in the background (workers fork from it with their first job);
    SIGTERM ends running trainings with 503 at once; every worker stops with the app."""
    pool: WorkerPool = app.state.worker_pool
    warming = asyncio.create_task(asyncio.to_thread(pool.warm))
    await warm_up(app, *warm_up_paths(app), host_for(app.state.settings.allowed_hosts))
    # Everything made so far (numpy, scipy, sympy, pydantic's schemas, the compiled templates:
    # ~90k objects) lives as long as the process. Frozen, the collector never scans it again:
    # a full collection took ~200 ms here and, landing on the event loop in a burst of training
    # requests, delayed every 503 by as much.
    gc.freeze()
    restore_sigterm = chain_sigterm()
    yield
    restore_sigterm()
    pool.close()
    await warming


def warm_up_paths(app: FastAPI) -> tuple[list[str], list[str]]:
    """The pages and the API document to GET, and the documented POST routes (those without
    path parameters) to send a refused body, at start-up."""
    pages = [app.url_path_for(name) for name in PAGES] + [app.openapi_url or "/openapi.json"]
    paths = app.openapi()["paths"]
    posts = [path for path, operations in paths.items() if "post" in operations and "{" not in path]
    return pages, posts


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for these settings (the environment's when None)."""
    settings = settings or get_settings()
    # Our own /docs and /redoc (app.web.routes.docs) replace FastAPI's, whose inline start-up
    # scripts the Content-Security-Policy refuses.
    app = ActivationLab(
        title="Activation Lab",
        version=__version__,
        summary="Activation functions, their exact derivatives, softmax and tiny training runs.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.curve_store = CurveStore(
        BytesLRU(settings.curve_cache_entries, settings.curve_cache_bytes)
    )
    app.state.result_cache = ResultCache(
        BytesLRU(settings.result_cache_entries, settings.result_cache_bytes)
    )
    install_error_handlers(app)
    app.include_router(expressions.router)  # before activations: its custom/... routes win
    app.include_router(activations.router)
    app.include_router(analysis.router)
    app.include_router(training.router)
    app.include_router(pages.router)
    app.include_router(docs.router)
    app.include_router(asset_routes.router)
    plotly = assets.plotly_bundle()  # read, hash and gzip plotly.min.js once, at start-up
    assets.static_digests()  # and hash static/ for its versioned URLs
    app.mount("/static", assets.VersionedStaticFiles(directory=STATIC_DIR), name="static")
    # Swagger UI's and ReDoc's bundles from the fastapi-offline package: /docs works offline.
    offline_docs = StaticFiles(directory=docs.OFFLINE_DOCS_DIR)
    app.mount(f"/{docs.OFFLINE_DOCS}", offline_docs, name=docs.OFFLINE_DOCS)
    app.state.import_map = assets.ImportMap.build(app)  # its bytes, and so its hash, are fixed
    csp = content_security_policy([app.state.import_map.csp_hash], plotly.style_hashes)
    app.state.headers = security_headers(csp)
    # Each add_middleware wraps the ones before it: the last added runs first. A training
    # request the full pool would refuse is refused before routing (inside the body limit);
    # curves go out before routing and validation, gzipped on the way when the client accepts
    # it; HEAD is answered as GET without the body; a Host not allowed is refused first of all.
    app.add_middleware(
        AdmissionFastPath,
        routes=training.waiting_routes(),
        settings=settings,
        results=app.state.result_cache,
        pool=lambda: app.state.worker_pool,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        CurveFastPath, store=app.state.curve_store, route=CurveRoute.of(activations.curve_route())
    )
    app.add_middleware(GZip)
    app.add_middleware(HeadAsGet)
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts, www_redirect=False
    )
    # Observability (request ids, access logs, /metrics): keep this last, so its middleware is the
    # outermost and covers everything, the curve fast path and static files included.
    observability.install(app)
    app.state.worker_pool = WorkerPool(settings, on_queue=app.state.metrics.queue_length.set)
    return app


app = create_app()
