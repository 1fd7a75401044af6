"""The page forms of the courses area. They render and carry the CSRF token; their input is declared, labelled and
validated by the schemas in schemas.py (core.forms.SchemaForm), so no limit is written here."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (  # WTForms' own date fields only render here: the schemas parse and bound every date
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)

from ...core.form_fields import MultiCheckboxField
from ...core.forms import SchemaForm
from ...core.levels import LEVEL_CHOICES
from ..schemas import CourseIn, InstructorIn, MaterialIn, RejectIn, SessionIn


class CourseForm(SchemaForm):
    schema = CourseIn

    title = StringField()
    level = SelectField(coerce=int, choices=LEVEL_CHOICES)
    work_areas = MultiCheckboxField()
    description = TextAreaField()
    hours = DecimalField(places=1, render_kw={"step": "0.5"})
    capacity = IntegerField()
    starts_on = DateField()
    ends_on = DateField()
    enrollment_closes_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M")
    location = StringField()
    online = BooleanField()
    requires_approval = BooleanField()
    completion_share = DecimalField(places=2, default=0.8, render_kw={"step": "0.05"})
    version = HiddenField()
    submit = SubmitField("保存")


class SessionForm(SchemaForm):
    schema = SessionIn

    held_on = DateField()
    starts_at = TimeField()
    ends_at = TimeField()
    topic = StringField()
    hours = DecimalField(places=1, render_kw={"step": "0.5"})
    room = StringField()
    submit = SubmitField("添加课次")


class MaterialForm(SchemaForm):
    schema = MaterialIn

    title = StringField()
    file = FileField("文件（PDF / DOCX / PPTX / XLSX）", validators=[FileRequired("请选择文件")])
    submit = SubmitField("上传")


class ReasonForm(SchemaForm):
    schema = RejectIn

    reason = StringField()
    submit = SubmitField("确认")


class InstructorForm(SchemaForm):
    schema = InstructorIn

    username = StringField()
    submit = SubmitField("添加授课教师")


class CatalogFilterForm(FlaskForm):
    """Shows the catalog's filters; their values are read through schemas.CourseQuery (core.pagination)."""

    class Meta:
        csrf = False

    q = StringField("关键词")
    level = SelectField("等级", coerce=lambda v: int(v) if v not in (None, "") else None,
                        choices=[("", "全部等级"), *LEVEL_CHOICES], validate_choice=False)
    work_area = SelectField("职业功能", validate_choice=False)
    region = SelectField("地区", validate_choice=False)
    starts_after = DateField("开课不早于")
    open_seats = BooleanField("只看有空位")
