"""Skills competitions: registration, anonymous codes, judging, ranking, awards."""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/contests", template_folder="templates")
api_bp = Blueprint("contests_api", __name__, url_prefix="/api/v1")

from . import api, demo, export_views, finalize, manage_views, public_views, views  # noqa: E402,F401  (routes, jobs, certificate sources, demo data)
