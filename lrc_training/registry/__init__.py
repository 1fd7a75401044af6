"""The coordinator registry (信息库) and statistics by region."""

from flask import Blueprint

bp = Blueprint("registry", __name__, url_prefix="/registry", template_folder="templates")
api_bp = Blueprint("registry_api", __name__, url_prefix="/api/v1")

# Routes and demo data register on import (selection: 评选).
from . import (  # noqa: E402,F401
    api,
    coverage_views,
    demo,
    record_views,
    report_api,
    report_views,
    selection,
    target_views,
    views,
    work_api,
    work_views,
)
