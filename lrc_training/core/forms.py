"""Glue between services' DomainError and Flask-WTF forms."""

from __future__ import annotations

from flask import Flask, flash
from flask_wtf import FlaskForm

from ..extensions import db
from .errors import DomainError
from .params import MAX_DB_INT, ascii_int


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
    """A hidden field's integer, tolerant of tampering: anything but ASCII digits within the database's range
    ("²", "1_0", 30 digits) becomes `default`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) <= MAX_DB_INT else default
    number = ascii_int(value)
    return default if number is None else number


def form_error_text(form: FlaskForm) -> str:
    return "；".join(error for errors in form.errors.values() for error in errors)


def run_action(form: FlaskForm, action, success, failure: str = "") -> bool:
    """The shape of every small POST: validate the form, run the service, commit and flash `success`
    (a string, or a function of the service's result), or roll back and flash why. Returns whether it worked."""
    if not form.validate_on_submit():
        if form.errors:
            flash(failure + form_error_text(form), "danger")
        return False
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        flash(failure + exc.message, "danger")
        return False
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return True


def use_chinese_form_messages(app: Flask) -> None:
    """WTForms' built-in field errors ("Not a valid date value.", "Not a valid integer value.") in Chinese, from
    WTForms' own zh catalogue: Flask-WTF would look for Flask-Babel, which the platform does not use."""
    app.config.setdefault("WTF_I18N_ENABLED", False)
    FlaskForm.Meta.locales = ("zh",)
