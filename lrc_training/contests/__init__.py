"""Skills competitions (职业技能竞赛): setup and tiers, registration and eligibility, officials, check-in and the
anonymous codes, judge panels and judging sheets, ranking and awards, publication and appeals, finalisation and
rewards (promotions, honor titles), and the promotion requests sent to an evaluator.

The area's shape (docs/architecture.md): models.py, schemas/ (inputs declared once; the API's responses),
services/ (the use cases: flush + audit, never commit), queries.py (reads; the only module other areas may
import), views/ (pages), api.py and promotion_api.py (JSON), exports.py (workbook and PDFs), jobs.py (the
finalize job), demo.py, todo.py, templates/.

May call: core, auth, certificates (issuing, source requests, a person's levels) and exams (an online theory
item's published results). Imports neither courses nor registry: the registry reads `queries.py` and records
honor titles through the listener create_app wires (services.finalize.on_honor_granted).
"""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/contests", template_folder="templates")
api_bp = Blueprint("contests_api", __name__, url_prefix="/api/v1")

# The page and API modules attach their routes to these blueprints (Flask's way); create_app wires the rest.
from . import (  # noqa: E402,F401
    api,
    promotion_api,
    views,
)
