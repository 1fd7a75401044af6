"""The registry's page forms. They render and carry the CSRF token; their input is declared, labelled and validated
by the schemas in schemas.py (core.forms.SchemaForm), so no limit is written here. (The work-record and risk forms
are in registry/work_views.py, the selection forms in selection/forms.py.)"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (  # WTForms' own date and number fields only render here: the schemas parse and bound them
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ...core.forms import SchemaForm
from ...core.levels import LEVEL_LABELS
from ..schemas.inputs import AddIn, EntryFormIn, HonorIn, ReportIn, ReturnFormIn, TargetFormIn


class HonorForm(SchemaForm):
    schema = HonorIn

    person = StringField()
    user_id = HiddenField()
    title = StringField()
    granted_by = StringField()
    granted_on = DateField()
    submit = SubmitField("记录荣誉")


class EntryForm(SchemaForm):
    schema = EntryFormIn

    position = StringField()
    full_time = SelectField(choices=[("0", "兼职"), ("1", "专职")])
    started_on = DateField()
    negotiation_instructor = BooleanField()
    party_member = BooleanField()
    union_cadre = BooleanField()
    version = HiddenField()
    submit = SubmitField("保存")


class AddForm(SchemaForm):
    schema = AddIn

    person = StringField()
    certificate_number = StringField()
    level = SelectField(choices=[("", "—")] + [(str(k), v) for k, v in LEVEL_LABELS.items()])
    position = StringField()
    full_time = BooleanField()
    submit = SubmitField("加入信息库")


class ImportForm(FlaskForm):
    """The file is read by services.importing (a sheet's rows are checked there, one by one)."""

    file = FileField("Excel 文件", validators=[FileRequired("请选择文件"), FileAllowed(["xlsx"], "请上传 .xlsx 文件")])
    submit = SubmitField("导入")


class TargetForm(SchemaForm):
    schema = TargetFormIn

    region_code = SelectField()
    year = IntegerField()
    coordinators = IntegerField()
    coverage_percent = DecimalField(places=1)
    submit = SubmitField("保存目标")


class CreateReportForm(SchemaForm):
    schema = ReportIn

    period = HiddenField()
    submit = SubmitField("生成报表")


class ActionForm(FlaskForm):
    """A report's buttons (refresh, submit, approve): CSRF and the version read."""

    version = HiddenField()


class ReturnForm(SchemaForm):
    schema = ReturnFormIn

    version = HiddenField()
    reason = TextAreaField()
    submit = SubmitField("退回")
