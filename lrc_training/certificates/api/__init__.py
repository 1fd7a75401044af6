"""JSON API of certificates (docs/api.md "Certificates"): each endpoint parses its request with a schema from
schemas.py, calls one service, commits once and answers with its declared response schema.

certificates     issue for a registered source, read, the PDF, revoke, the settings, public verification
manual           manual certificate requests: file, list, read, approve, reject
source_requests  issue requests from a source addressed to the caller's organization: list, read, approve, decline
"""

from flask import Blueprint

api_bp = Blueprint("certificates_api", __name__, url_prefix="/api/v1")

# The API modules attach their endpoints to this blueprint (Flask's way); create_app wires the rest.
from . import certificates, manual, source_requests  # noqa: E402,F401
