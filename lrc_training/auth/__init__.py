"""Accounts, roles and organizations: sign-in pages, administration pages and their API."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")
admin_bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
api_bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")

# The page and API modules attach their routes to these blueprints (Flask's way); create_app wires the rest.
from . import (  # noqa: E402,F401
    account_views,
    accreditation_api,
    admin_views,
    api,
    org_picker,
    photo_models,
    photo_views,
    session_views,
    views,
)
