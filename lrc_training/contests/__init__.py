"""Skills competitions: registration, anonymous codes, judging, ranking, awards."""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/contests", template_folder="templates")
