"""Certificates: numbering, PDF rendering, public verification, revocation, batches."""

from flask import Blueprint

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")
public_bp = Blueprint("verify", __name__, template_folder="templates")
api_bp = Blueprint("certificates_api", __name__, url_prefix="/api/v1")

# The page and API modules attach their routes to these blueprints (Flask's way); create_app wires the rest.
from . import (  # noqa: E402,F401
    api,
    manual_api,
    manual_views,
    public_views,
    source_request_api,
    source_request_views,
    views,
)
