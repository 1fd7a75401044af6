"""Glue between services' DomainError and Flask-WTF forms."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from .errors import DomainError


def apply_errors(form: FlaskForm, exc: DomainError) -> None:
    """Show a service's field errors next to the form's fields; anything else as a flash message."""
    shown = False
    for field_name, reason in exc.fields.items():
        field = getattr(form, field_name, None)
        if field is not None and hasattr(field, "errors") and field_name != "version":
            field.errors = [*list(field.errors), reason]
            shown = True
    if not shown or "version" in exc.fields:
        flash(exc.message, "danger")


def to_int(value, default: int = 0) -> int:
    """A hidden field's integer, tolerant of tampering (a bad value becomes `default`)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
