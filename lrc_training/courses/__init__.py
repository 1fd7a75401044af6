"""Courses and training: catalog, enrollment, sessions, attendance, completion."""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")
