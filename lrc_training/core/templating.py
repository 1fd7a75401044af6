"""Jinja filters and globals shared by every template. Those about people (masked identity numbers, organization
kinds) belong to auth, which adds them itself (auth/templating.py, called from create_app)."""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from .levels import LEVEL_LABELS, level_label, level_name
from .navigation import items_for
from .notifications import unread_count
from .occupation import template_names
from .regions import region_display
from .roles import ROLE_LABELS
from .timeutil import format_local


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.filters["region"] = region_display
    app.jinja_env.filters["role_label"] = lambda role: ROLE_LABELS.get(role, role)
    app.jinja_env.filters["level_label"] = level_label
    app.jinja_env.filters["level_name"] = level_name
    app.jinja_env.globals["LEVEL_LABELS"] = LEVEL_LABELS

    @app.context_processor
    def occupation():
        """occupation_name, workforce_name, occupation_code, site_name: the one place templates get them."""
        return template_names()

    @app.context_processor
    def navigation():
        return {"nav_items": items_for(current_user)}

    app.jinja_env.globals["unread_notification_count"] = unread_notification_count


def unread_notification_count() -> int:
    """The signed-in user's unread notifications for the bell: one COUNT, at most once per request."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(current_user.id)
    return g.unread_notifications
