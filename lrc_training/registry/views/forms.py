"""The registry's page forms. They render and carry the CSRF token; their input is declared, labelled and validated
by the schemas in schemas.py (core.forms.SchemaForm), so no limit is written here. (The selection forms are in
selection/views/forms.py.)"""

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
from ..models import SEVERITY_LABELS, WORK_KIND_LABELS
from ..schemas.inputs import (
    AddIn,
    CloseFormIn,
    EntryFormIn,
    HonorIn,
    ReportIn,
    ReturnFormIn,
    TargetFormIn,
    WorkRecordFormIn,
)


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


class WorkRecordForm(SchemaForm):
    """A piece of a coordinator's work. The enterprise is a searchable picker (static/js/combobox.js): the typed
    name, and the id of the enterprise chosen from the matches; without JavaScript the page resolves the typed
    name (views/work.py)."""

    schema = WorkRecordFormIn

    kind = SelectField(choices=list(WORK_KIND_LABELS.items()))
    occurred_on = DateField()
    enterprise = StringField()
    enterprise_id = HiddenField()
    summary = TextAreaField()
    people = IntegerField()
    severity = SelectField(choices=[("", "—")] + list(SEVERITY_LABELS.items()))
    submit = SubmitField("记录")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise.flags.required = True  # a name, or the picker's choice (the page checks which)


class CloseForm(SchemaForm):
    """Closing a risk report with how it was handled (a row of the 风险隐患 page)."""

    schema = CloseFormIn

    handling = TextAreaField()
    submit = SubmitField("办结")
