"""The auth area's JSON API (docs/api.md "Conventions" and "People and organizations"): each endpoint parses its
request with a schema from schemas.py, calls one service, commits once and answers with its declared response
schema (so /api/v1/openapi.json describes every auth endpoint).

tokens         a bearer token for username and password, revoking it
users          the caller, users and organizations
accreditation  an organization's filing (备案): read, record or edit, end
"""

from flask import Blueprint

api_bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")

# The API modules attach their endpoints to api_bp (Flask's way); create_app wires the rest.
from . import accreditation, tokens, users  # noqa: E402,F401
