"""JSON API of the registry (docs/api.md "Registry and statistics", "Reports upward", "Coordinators' work and risk
reports"): each endpoint parses its request with a schema from schemas.py, calls one service, commits once and
answers with its declared response schema (so /api/v1/openapi.json describes every registry endpoint).

registry  the coordinator list and records, statistics and trends, service areas, targets
reports   reports upward: make, read, refresh, submit, return, approve
work      coordinators' work records and risk reports

Selections (评选) have theirs in selection/api.py.
"""

from . import registry, reports, work  # noqa: F401  (endpoints register on api_bp)
