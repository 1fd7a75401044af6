"""core.forms.SchemaForm: the schema's Chinese reasons at the page form's fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, Form, FormField, IntegerField, StringField

from lrc_training.core.api import AskFor, InputModel
from lrc_training.core.forms import SchemaForm


class _NoteIn(InputModel):
    note: Annotated[str, AskFor("请填写结论")] = Field(min_length=1, max_length=5, title="结论")
    size: int = Field(ge=1, le=9, title="人数")


class _NoteForm(SchemaForm):
    schema = _NoteIn

    class Meta:
        csrf = False

    note = StringField()
    size = IntegerField()


def _parse(app, data: dict):
    with app.test_request_context("/", method="POST", data=MultiDict(data)):
        form = _NoteForm()
        return form.parse(), {name: list(errors) for name, errors in form.errors.items()}, form


def test_a_required_field_left_empty_says_the_schemas_own_words(app):
    parsed, errors, _ = _parse(app, {"note": "", "size": ""})
    assert parsed is None
    assert errors == {"note": ["请填写结论"], "size": ["此项为必填项"]}  # the field's own words, else the common ones


def test_limits_and_labels_come_from_the_schema(app):
    parsed, errors, form = _parse(app, {"note": "太长太长太长", "size": "12"})
    assert parsed is None and errors == {"note": ["长度不能超过 5 个字符"], "size": ["人数应在 1 到 9 之间"]}
    assert form.note.label.text == "结论" and form.note.flags.required and form.note.flags.maxlength == 5
    assert (form.size.flags.min, form.size.flags.max) == (1, 9)
    parsed, errors, _ = _parse(app, {"note": "可以", "size": "3"})
    assert errors == {} and parsed == _NoteIn(note="可以", size=3)


class _RowIn(InputModel):
    code: Annotated[str, AskFor("请填写代码")] = Field(min_length=1, max_length=4, title="代码")
    count: int = Field(ge=1, le=50, title="数量")


class _ListIn(InputModel):
    rows: list[_RowIn] = Field(default_factory=list, max_length=5)


class _RowForm(Form):
    code = StringField()
    count = IntegerField()


class _ListForm(SchemaForm):
    schema = _ListIn
    row_lists = ("rows",)

    class Meta:
        csrf = False

    rows = FieldList(FormField(_RowForm), min_entries=3)


def _rows(app, data: dict):
    with app.test_request_context("/", method="POST", data=MultiDict(data)):
        form = _ListForm()
        parsed = form.parse()
        return parsed, [{box.short_name: list(box.errors) for box in entry.form if box.errors} for entry in form.rows], form


def test_a_fieldlist_of_row_forms_is_the_schemas_list_of_models(app):
    empty = {"rows-1-code": "", "rows-1-count": ""}
    parsed, errors, form = _rows(app, {"rows-0-code": "LC", "rows-0-count": "3", **empty,
                                       "rows-2-code": "", "rows-2-count": "80"})
    assert parsed is None
    assert errors == [{}, {}, {"code": ["请填写代码"], "count": ["数量应在 1 到 50 之间"]}]  # at the row's own boxes
    box = form.rows[0].form.count
    assert (box.flags.min, box.flags.max, box.label.text) == (1, 50, "数量") and not box.flags.required
    parsed, errors, _ = _rows(app, {"rows-0-code": "LC", "rows-0-count": "3", **empty,
                                    "rows-2-code": "PM", "rows-2-count": "2"})
    assert parsed == _ListIn(rows=[_RowIn(code="LC", count=3), _RowIn(code="PM", count=2)])  # the empty row left out
