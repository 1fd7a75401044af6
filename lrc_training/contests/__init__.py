"""Skills competitions: registration, anonymous codes, judging, ranking, awards."""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/contests", template_folder="templates")
api_bp = Blueprint("contests_api", __name__, url_prefix="/api/v1")

# The page and API modules attach their routes to these blueprints (Flask's way); create_app wires the rest.
from . import (  # noqa: E402,F401
    api,
    export_views,
    manage_views,
    promotion_api,
    public_views,
    views,
)
