"""JSON API for courses and enrollments (docs/api.md "Courses"): each endpoint parses its request with a schema
from schemas.py, calls one service, commits once and answers with its declared response schema.

courses  courses, sessions, enrollments, decisions and completion
"""

from flask import Blueprint

api_bp = Blueprint("courses_api", __name__, url_prefix="/api/v1")

from . import courses  # noqa: E402,F401  (its endpoints attach to api_bp)
