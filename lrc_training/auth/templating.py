"""The template filters about people and organizations, added to an app by create_app (core's filters are in
core/templating.py)."""

from __future__ import annotations

from flask import Flask

from .roles import ORG_KIND_LABELS
from .services.identity import mask_id_number, mask_phone


def register_template_filters(app: Flask) -> None:
    app.jinja_env.filters["mask_id"] = mask_id_number
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["org_kind_label"] = lambda kind: ORG_KIND_LABELS.get(kind, kind)
