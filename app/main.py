"""Application assembly: create_app(settings) builds the ASGI app; `app` is the default one."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.config import STATIC_DIR, Settings, get_settings
from app.routes import api, pages


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for these settings (the environment's when None)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Activation Lab",
        version=__version__,
        summary="Activation functions, their exact derivatives, softmax and tiny training runs.",
    )
    app.state.settings = settings
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
