"""The plotly.js bundle under its hashed name and the favicon (the machinery is app.web.assets)."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from app.config import STATIC_DIR
from app.web.assets import plotly_bundle, serve_bundle

router = APIRouter(include_in_schema=False)


@router.get("/assets/{filename}", name="asset")
def plotly_js(filename: str, request: Request) -> Response:
    """plotly.min.js under its hashed name; any other name is a 404."""
    bundle = plotly_bundle()
    if filename != bundle.filename:
        return Response(status_code=404)
    return serve_bundle(bundle, request)


@router.get("/favicon.ico", name="favicon")
def favicon() -> FileResponse:
    """The app icon at the path browsers ask for unprompted."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")
