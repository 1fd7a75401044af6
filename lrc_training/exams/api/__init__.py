"""JSON API for skill-level assessment (docs/api.md "Exams"): each endpoint parses its request with a schema from
schemas/, calls one service, commits once and answers with its declared response schema (so
/api/v1/openapi.json describes every exams endpoint).

attempts  the candidate's theory exam: start, read, autosave, hand in (with the start's and autosave's fast paths)
manage    questions, sessions, applications, grading, scores, results, item analysis, the monitor
"""

from flask import Blueprint

api_bp = Blueprint("exams_api", __name__, url_prefix="/api/v1")

from . import attempts, manage  # noqa: E402,F401  (their endpoints attach to api_bp)
