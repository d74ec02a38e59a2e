"""HTML pages rendered with Jinja2."""

from fastapi import APIRouter

router = APIRouter()
