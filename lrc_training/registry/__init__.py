"""The coordinator registry (信息库) and statistics by region."""

from flask import Blueprint

api_bp = Blueprint("registry_api", __name__, url_prefix="/api/v1")

from . import api  # noqa: E402,F401  (routes register on import)
