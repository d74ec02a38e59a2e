"""Application assembly: create_app(settings) builds the ASGI app; `app` is the default one."""

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from app import __version__, assets, observability
from app.cache import BytesLRU, ResultCache
from app.config import STATIC_DIR, Settings, get_settings
from app.curves import CurveStore
from app.errors import install_error_handlers
from app.middleware import BodyLimitMiddleware, CurveFastPath
from app.routes import analysis, api, pages, training


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for these settings (the environment's when None)."""
    settings = settings or get_settings()
    # FastAPIOffline serves Swagger UI and ReDoc from its own package instead of a CDN, so /docs
    # works offline like the rest of the app.
    app = FastAPIOffline(
        title="Activation Lab",
        version=__version__,
        summary="Activation functions, their exact derivatives, softmax and tiny training runs.",
    )
    app.state.settings = settings
    app.state.curve_store = CurveStore(
        BytesLRU(settings.curve_cache_entries, settings.curve_cache_bytes)
    )
    app.state.result_cache = ResultCache(
        BytesLRU(settings.result_cache_entries, settings.result_cache_bytes)
    )
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(analysis.router)
    app.include_router(training.router)
    app.include_router(pages.router)
    app.include_router(assets.router)
    assets.plotly_bundle()  # read, hash and gzip plotly.min.js once, at start-up
    assets.static_digests()  # and hash static/ for its versioned URLs
    app.mount("/static", assets.VersionedStaticFiles(directory=STATIC_DIR), name="static")
    # Added last so it runs first: curves go out before routing and validation.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CurveFastPath, store=app.state.curve_store)
    # Observability (request ids, access logs, /metrics): keep this last, so its middleware is the
    # outermost and covers everything, the curve fast path and static files included.
    observability.install(app)
    return app


app = create_app()
