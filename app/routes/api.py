"""JSON endpoints under /api for the activation catalogue and softmax."""

from fastapi import APIRouter

from app import __version__

router = APIRouter()


@router.get("/healthz", tags=["meta"])
def healthz() -> dict[str, str]:
    """Liveness probe: the app is up and answering."""
    return {"status": "ok", "version": __version__}
