"""Certificates: numbering, PDF rendering, public verification, revocation, batches."""

from flask import Blueprint

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")
public_bp = Blueprint("verify", __name__, template_folder="templates")
api_bp = Blueprint("certificates_api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401  (routes and jobs register on import)
    api,
    batches,
    manual_api,
    manual_views,
    public_views,
    source_request_api,
    source_request_views,
    views,
)
