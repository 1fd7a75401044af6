"""Courses and training: catalog, enrollment, sessions, attendance, completion."""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")
api_bp = Blueprint("courses_api", __name__, url_prefix="/api/v1")

from . import api, demo, manage_views, trainee_views  # noqa: E402,F401  (routes and demo data register on import)
