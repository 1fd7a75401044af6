"""Glue between Flask-WTF forms, the pydantic schemas that declare their input, and services' DomainError."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from annotated_types import MaxLen
from flask import Flask, flash
from flask_wtf import FlaskForm
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from wtforms import SelectMultipleField

from ..extensions import db
from .api import describe_error
from .errors import DomainError
from .params import MAX_DB_INT, ascii_int

REQUIRED = "此项为必填项"


class SchemaForm(FlaskForm):
    """A page form whose input a pydantic schema declares (`schema`, a core.api.InputModel): WTForms renders the
    fields and checks the CSRF token, the schema parses what was typed. The fields take their label, help text,
    required mark and length/range hints from the schema, and its Chinese reasons appear at the form field of the
    same name (or alias), so each limit is written once, in the schema."""

    schema: ClassVar[type[BaseModel]]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, info in self.schema.model_fields.items():
            field = self._fields.get(info.alias or name)
            if field is not None:
                _describe_field(field, info)

    def parse(self) -> BaseModel | None:
        """The submitted input as the schema, or None with the reasons on the fields (or the CSRF error)."""
        if not self.validate_on_submit() and not self._only_schema_fields_failed():
            return None
        data, names = {}, {}
        for name, info in self.schema.model_fields.items():
            field = self._fields.get(info.alias or name)
            if field is not None:
                field.errors = []
                names[info.alias or name] = field
                value = _submitted(field)
                if value is not None:  # not given: the schema's default, or its "必填"
                    data[info.alias or name] = value
        try:
            return self.schema.model_validate(data, strict=False)
        except PydanticValidationError as exc:
            for error in exc.errors(include_url=False):
                field = names.get(str(error["loc"][0])) if error["loc"] else None
                reason = REQUIRED if error["type"] == "missing" else describe_error(error, self.schema)
                if field is None:
                    flash(reason, "danger")
                elif reason not in field.errors:
                    field.errors.append(reason)
            return None

    def _only_schema_fields_failed(self) -> bool:
        """WTForms' own parsing failed only on fields the schema parses again (with its own messages)."""
        declared = {info.alias or name for name, info in self.schema.model_fields.items()}
        return self.is_submitted() and set(self.errors) <= declared

    def form_name(self, service_field: str) -> str:
        """The form field showing a service's error about `service_field` (a schema field's name or alias)."""
        info = self.schema.model_fields.get(service_field)
        return (info.alias or service_field) if info is not None else service_field


def _describe_field(field: Any, info: Any) -> None:
    if info.title:
        field.label.text = info.title
    if info.description and not field.description:
        field.description = info.description
    if info.is_required():
        field.flags.required = True
    for rule in info.metadata:
        if isinstance(rule, MaxLen):
            field.flags.maxlength = rule.max_length
        for attr, flag in (("ge", "min"), ("gt", "min"), ("le", "max"), ("lt", "max")):
            if getattr(rule, attr, None) is not None:
                setattr(field.flags, flag, getattr(rule, attr))


def _submitted(field: Any) -> Any:
    """What was typed into `field`, as text for the schema to parse (an empty box means "not given")."""
    raw = [value for value in (field.raw_data or []) if value != ""]
    if isinstance(field, SelectMultipleField):
        return raw
    return raw[0] if raw else None


def apply_errors(form: FlaskForm, exc: DomainError) -> None:
    """Show a service's field errors next to the form's fields; anything else as a flash message."""
    shown = False
    for field_name, reason in exc.fields.items():
        if isinstance(form, SchemaForm):
            field_name = form.form_name(field_name)
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
    """The form's errors in one line for a flash message, each after its field's label unless it names it already
    ("理由：此项为必填项", but "总课时应在 0.5 到 2000 之间" as it is)."""
    texts = []
    for name, errors in form.errors.items():
        label = form[name].label.text if name in form else ""
        texts += [error if not label or error.startswith(label) else f"{label}：{error}" for error in errors]
    return "；".join(texts)


@dataclass(frozen=True)
class Outcome:
    """What run_action did: true when the service ran and was committed; `value` is what it returned."""

    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def run_action(form: FlaskForm, action: Callable, success: str | Callable | None, failure: str = "", *,
               on_form: bool = False, show_error: Callable[[DomainError], None] | None = None) -> Outcome:
    """The shape of every POST: parse the form, run the service, commit and flash `success` (a string, a function
    of the service's result giving a message or a (message, category) pair, or None for no message), or roll back
    and say why. A SchemaForm's parsed input is
    passed to `action`; a plain form (a button: CSRF only) calls `action()`. With `on_form` the reasons are shown
    at the form's fields (the page renders the form again), otherwise in a flash message; `show_error` (after the
    rollback) places a service's refusal itself, for forms whose errors belong somewhere special (a row of a
    table, a refusal box)."""
    if isinstance(form, SchemaForm):
        data = form.parse()
        if data is None:
            if form.errors and (failure or not on_form):
                flash(failure + form_error_text(form), "danger")
            return Outcome(False)
        call = lambda: action(data)  # noqa: E731
    elif not form.validate_on_submit():
        if form.errors:
            flash(failure + form_error_text(form), "danger")
        return Outcome(False)
    else:
        call = action
    try:
        result = call()
    except DomainError as exc:
        db.session.rollback()
        if show_error is not None:
            show_error(exc)
            return Outcome(False)
        if not on_form:
            flash(failure + exc.message, "danger")
            return Outcome(False)
        apply_errors(form, exc)
        if failure and form.errors:
            flash(failure + form_error_text(form), "danger")
        return Outcome(False)
    db.session.commit()
    message = success(result) if callable(success) else success
    if message is not None:
        flash(*(message if isinstance(message, tuple) else (message, "success")))
    return Outcome(True, result)


def use_chinese_form_messages(app: Flask) -> None:
    """WTForms' built-in field errors ("Not a valid date value.", "Not a valid integer value.") in Chinese, from
    WTForms' own zh catalogue: Flask-WTF would look for Flask-Babel, which the platform does not use."""
    app.config.setdefault("WTF_I18N_ENABLED", False)
    FlaskForm.Meta.locales = ("zh",)
