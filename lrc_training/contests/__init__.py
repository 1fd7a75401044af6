"""Skills competitions: registration, anonymous codes, judging, ranking, awards."""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/contests", template_folder="templates")
api_bp = Blueprint("contests_api", __name__, url_prefix="/api/v1")

# routes, jobs, certificate sources, demo data register on import
from . import (  # noqa: E402,F401
    api,
    demo,
    jobs,  # noqa: E402,F401
    promotion_api,
    views,
)
from .services import promotions  # noqa: E402,F401
