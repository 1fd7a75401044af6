"""Skill-level assessment: question bank, exam sessions, online exams, grading, results."""

from flask import Blueprint

bp = Blueprint("exams", __name__, url_prefix="/exams", template_folder="templates")
api_bp = Blueprint("exams_api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401  (routes, jobs, the certificate source and demo data register on import)
    analysis_views,
    api,
    bank_views,
    candidate_views,
    demo,
    grading_views,
    jobs,
    monitor_views,
    session_views,
)
from .services import results  # noqa: E402,F401  (the certificate source)
