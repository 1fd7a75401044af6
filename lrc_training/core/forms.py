"""Glue between Flask-WTF forms, the pydantic schemas that declare their input, and services' DomainError."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, get_args, get_origin

from annotated_types import MaxLen
from flask import Flask, flash
from flask_wtf import FlaskForm
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from wtforms import FieldList, SelectMultipleField

from ..extensions import db
from .api import AskFor, describe_error
from .errors import DomainError
from .params import MAX_DB_INT, ascii_int

REQUIRED = "此项为必填项"


class SchemaForm(FlaskForm):
    """A page form whose input a pydantic schema declares (`schema`, a core.api.InputModel): WTForms renders the
    fields and checks the CSRF token, the schema parses what was typed. The fields take their label, help text,
    required mark and length/range hints from the schema, and its Chinese reasons appear at the form field of the
    same name (or alias), so each limit is written once, in the schema.

    A schema field that is a list of models (`blueprint: list[BlueprintRow]`) may be typed into a FieldList of row
    forms of the same name, named in `row_lists`: each row's boxes take their hints from the row model, a row
    left wholly empty is not given, and a row's reasons appear at its own boxes."""

    schema: ClassVar[type[BaseModel]]
    row_lists: ClassVar[tuple[str, ...]] = ()  # FieldLists handed to the schema as lists of models

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, info in self.schema.model_fields.items():
            field = self._fields.get(info.alias or name)
            if field is not None:
                _describe_field(field, info)
                model = self._row_model(field, info)
                for entry in _row_entries(field) if model is not None else []:
                    for row_field, row_info in _row_fields(entry, model):
                        _describe_field(row_field, row_info, mark_required=False)  # a row may stay empty

    def parse(self) -> BaseModel | None:
        """The submitted input as the schema, or None with the reasons on the fields (or the CSRF error)."""
        if not self.validate_on_submit() and not self._only_schema_fields_failed():
            return None
        data, fields = {}, {}
        for name, info in self.schema.model_fields.items():
            field = self._fields.get(info.alias or name)
            if field is None:
                continue
            field.errors, fields[info.alias or name] = [], (field, info)
            model = self._row_model(field, info)
            value = _submitted(field) if model is None else _typed_rows(field, model)
            if value is not None:  # not given: the schema's default, or its "必填"
                data[info.alias or name] = value
        try:
            return self.schema.model_validate(data, strict=False)
        except PydanticValidationError as exc:
            for error in exc.errors(include_url=False):
                field, reason = self._place(error, fields)
                if field is None:
                    flash(reason, "danger")
                elif reason not in field.errors:
                    field.errors.append(reason)
            return None

    def _place(self, error: dict, fields: dict[str, tuple[Any, Any]]) -> tuple[Any, str]:
        """The form field an error belongs at (None: nowhere on the form) and its reason in Chinese."""
        loc = error["loc"]
        field, info = fields.get(str(loc[0]), (None, None)) if loc else (None, None)
        row_model = self._row_model(field, info) if info is not None else None
        if row_model is not None and len(loc) > 2 and isinstance(loc[1], int):
            rows = [entry for entry in _row_entries(field) if _row_given(entry)]
            for box, row_info in (_row_fields(rows[loc[1]], row_model) if loc[1] < len(rows) else []):
                if box.short_name == str(loc[2]):
                    return box, _reason({**error, "loc": loc[2:]}, row_model, row_info)
        return field, _reason(error, self.schema, info)

    def _row_model(self, field: Any, info: Any) -> type[BaseModel] | None:
        """The row model when `field` is one of `row_lists` typed for a list of models (list[BlueprintRow] →
        BlueprintRow), else None."""
        if field.short_name not in self.row_lists or not isinstance(field, FieldList):
            return None
        args = get_args(info.annotation) if get_origin(info.annotation) is list else ()
        return args[0] if args and isinstance(args[0], type) and issubclass(args[0], BaseModel) else None

    def _only_schema_fields_failed(self) -> bool:
        """WTForms' own parsing failed only on fields the schema parses again (with its own messages)."""
        declared = {info.alias or name for name, info in self.schema.model_fields.items()}
        return self.is_submitted() and set(self.errors) <= declared

    def form_name(self, service_field: str) -> str:
        """The form field showing a service's error about `service_field` (a schema field's name or alias)."""
        info = self.schema.model_fields.get(service_field)
        return (info.alias or service_field) if info is not None else service_field


def _reason(error: dict, schema: type[BaseModel], info: Any) -> str:
    """An error in Chinese; a required field left empty in the schema's own words for it (core.api.AskFor) or
    "此项为必填项"."""
    if error["type"] != "missing":
        return describe_error(error, schema)
    rules = info.metadata if info is not None and len(error["loc"]) == 1 else []
    asked = [rule.message for rule in rules if isinstance(rule, AskFor)]
    return asked[0] if asked else REQUIRED


def _row_entries(field: FieldList) -> list[Any]:
    """The row forms of a FieldList of FormFields."""
    return [entry for entry in field if hasattr(entry, "form")]


def _row_fields(entry: Any, model: type[BaseModel]) -> list[tuple[Any, Any]]:
    """(box, the row model's field) of one row."""
    boxes = entry.form._fields
    return [(boxes[info.alias or name], info) for name, info in model.model_fields.items()
            if (info.alias or name) in boxes]


def _row_given(entry: Any) -> bool:
    """Something was typed or chosen in the row (a row left wholly empty is not given)."""
    return any(_submitted(box) not in (None, []) for box in entry.form)


def _typed_rows(field: FieldList, model: type[BaseModel]) -> list[dict[str, Any]]:
    """The rows given in a FieldList, as dicts for the row model."""
    entries = _row_entries(field)
    for entry in entries:
        for box in entry.form:
            box.errors = []  # WTForms' own reasons go: the schema gives its own (and an empty row has none)
    return [_row_data(entry, model) for entry in entries if _row_given(entry)]


def _row_data(entry: Any, model: type[BaseModel]) -> dict[str, Any]:
    data = {}
    for box, info in _row_fields(entry, model):
        value = _submitted(box)
        if value is not None:
            data[info.alias or box.short_name] = value
    return data


def _describe_field(field: Any, info: Any, *, mark_required: bool = True) -> None:
    if info.title:
        field.label.text = info.title
    if info.description and not field.description:
        field.description = info.description
    if mark_required and info.is_required():
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
