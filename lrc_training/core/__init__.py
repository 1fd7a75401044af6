"""Shared parts: home page, dashboard, audit log viewer, errors, PDF, CLI and API helpers."""

from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")

from . import views  # noqa: E402,F401  (attaches the pages to bp; create_app wires the rest)
