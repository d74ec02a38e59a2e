"""The Jinja2 environment every HTML page and fragment is rendered with."""

from fastapi.templating import Jinja2Templates

from app.config import TEMPLATES_DIR
from app.web.assets import import_map, static_url, url_for

templates = Jinja2Templates(directory=TEMPLATES_DIR)
# url_for is ours: root-relative links, never built from the Host header.
templates.env.globals.update(url_for=url_for, static_url=static_url, import_map=import_map)
