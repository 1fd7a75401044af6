"""The coordinator registry (信息库) and statistics by region."""

from flask import Blueprint

bp = Blueprint("registry", __name__, url_prefix="/registry", template_folder="templates")
api_bp = Blueprint("registry_api", __name__, url_prefix="/api/v1")

# The page and API modules attach their routes to these blueprints (Flask's way; selection: 评选); create_app
# wires the rest.
from . import (  # noqa: E402,F401
    api,
    coverage_views,
    record_views,
    report_api,
    report_views,
    selection,
    target_views,
    views,
    work_api,
    work_views,
)
