"""Accounts, roles and organizations: sign-in pages, administration pages and their API."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")
admin_bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
api_bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")

from . import accreditation_api, admin_views, api, session_views, views  # noqa: E402,F401  (routes register on import)
