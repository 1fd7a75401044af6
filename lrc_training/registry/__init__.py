"""The coordinator registry (信息库) and statistics by region."""

from flask import Blueprint

bp = Blueprint("registry", __name__, url_prefix="/registry", template_folder="templates")
api_bp = Blueprint("registry_api", __name__, url_prefix="/api/v1")

from . import api, coverage_views, demo, record_views, views, work_api, work_views  # noqa: E402,F401  (routes and demo data register on import)
from . import selection  # noqa: E402,F401  (评选: its routes go on the blueprints above)
