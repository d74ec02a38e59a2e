"""/docs (Swagger UI) and /redoc (ReDoc), served from this origin under the strict CSP.

FastAPI's own docs pages start the viewer with an inline script, which the Content-Security-
Policy refuses. These pages load the fastapi-offline package's bundles (mounted at
/static-offline-docs) and start them from static/js/api-docs.js, with the schema's URL handed
over in a data attribute; static/css/api-docs.css gives Swagger UI the OS's dark mode.
"""

import importlib.resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.assets import link
from app.web.templating import templates

OFFLINE_DOCS_DIR = Path(str(importlib.resources.files("fastapi_offline") / "static"))
OFFLINE_DOCS = "static-offline-docs"  # the mount's name, and its path under /

router = APIRouter(include_in_schema=False)


def _render(request: Request, ui: str, title: str, bundle: str) -> HTMLResponse:
    app = request.app
    return templates.TemplateResponse(
        request,
        "api_docs.html",
        {
            "ui": ui,
            "title": f"{app.title} · {title}",
            "openapi_url": link(app, "openapi"),
            "bundle": link(app, OFFLINE_DOCS, path=bundle),
        },
    )


@router.get("/docs", response_class=HTMLResponse, name="swagger_ui")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI schema."""
    return _render(request, "swagger", "API docs (Swagger UI)", "swagger-ui-bundle.js")


@router.get("/redoc", response_class=HTMLResponse, name="redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc for the OpenAPI schema."""
    return _render(request, "redoc", "API docs (ReDoc)", "redoc.standalone.js")
