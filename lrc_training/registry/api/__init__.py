"""JSON API of the registry (docs/api.md "Registry and statistics", "Reports upward", "Coordinators' work and risk
reports"): each endpoint parses its request with a schema from schemas.py, calls one service, commits once and
answers with its declared response schema (so /api/v1/openapi.json describes every registry endpoint).

registry  the coordinator list and records, statistics and trends, service areas, targets
reports   reports upward: make, read, refresh, submit, return, approve
work      coordinators' work records and risk reports

Selections (评选) have theirs in selection/api.py, which attaches to api_bp too, imported here.
"""

from flask import Blueprint

api_bp = Blueprint("registry_api", __name__, url_prefix="/api/v1")

# These modules attach their endpoints to api_bp.
# isort: off
from . import registry, reports, work  # noqa: E402,F401
from ..selection import api as selection_api  # noqa: E402,F401
# isort: on
