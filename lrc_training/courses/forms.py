"""Course forms (Chinese labels and messages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..auth.forms import REQUIRED, MultiCheckboxField
from ..core.form_fields import DateField, DateTimeLocalField
from ..core.levels import LEVEL_CHOICES


class CourseForm(FlaskForm):
    title = StringField("课程名称", validators=[DataRequired(REQUIRED), Length(max=120, message="不能超过 120 个字符")])
    level = SelectField("培训等级", coerce=int, choices=LEVEL_CHOICES, validators=[InputRequired(REQUIRED)])
    work_areas = MultiCheckboxField("涵盖的职业功能")
    description = TextAreaField("课程简介", validators=[Optional(), Length(max=5000, message="不能超过 5000 个字符")])
    hours = DecimalField("总课时", places=1, validators=[InputRequired(REQUIRED), NumberRange(
        min=0.5, max=2000, message="总课时应在 0.5 到 2000 之间")], render_kw={"step": "0.5", "min": "0.5"})
    capacity = IntegerField("招生人数", validators=[InputRequired(REQUIRED), NumberRange(
        min=1, max=10000, message="招生人数应在 1 到 10000 之间")], render_kw={"min": "1"})
    starts_on = DateField("开始日期", validators=[InputRequired("请选择开始日期")])
    ends_on = DateField("结束日期", validators=[InputRequired("请选择结束日期")])
    enrollment_closes_at = DateTimeLocalField("报名截止时间", format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                              description="留空则为课程结束日当天 23:59；开课后仍可报名直至截止")
    location = StringField("上课地点", validators=[Optional(), Length(max=200, message="不能超过 200 个字符")])
    online = BooleanField("线上授课")
    requires_approval = BooleanField("报名需审核")
    completion_share = DecimalField("结业出勤比例", places=2, default=0.8, validators=[
        Optional(), NumberRange(min=0.1, max=1, message="应在 0.1 到 1 之间")],
        description="出勤课时达到总课时的该比例即可结业，默认 0.8（80%）", render_kw={"step": "0.05"})
    version = HiddenField()
    submit = SubmitField("保存")


class SessionForm(FlaskForm):
    held_on = DateField("上课日期", validators=[InputRequired("请选择上课日期")])
    starts_at = TimeField("开始时间", validators=[InputRequired("请填写开始时间")])
    ends_at = TimeField("结束时间", validators=[InputRequired("请填写结束时间")])
    topic = StringField("主题", validators=[DataRequired(REQUIRED), Length(max=200, message="不能超过 200 个字符")])
    hours = DecimalField("课时", places=1, validators=[InputRequired(REQUIRED), NumberRange(
        min=0.5, max=24, message="课时应在 0.5 到 24 之间")], render_kw={"step": "0.5"})
    room = StringField("教室", validators=[Optional(), Length(max=100, message="不能超过 100 个字符")])
    submit = SubmitField("添加课次")


class MaterialForm(FlaskForm):
    title = StringField("资料名称", validators=[Optional(), Length(max=200, message="不能超过 200 个字符")])
    file = FileField("文件（PDF / DOCX / PPTX / XLSX）", validators=[FileRequired("请选择文件")])
    submit = SubmitField("上传")


class ReasonForm(FlaskForm):
    reason = StringField("原因", validators=[Optional(), Length(max=200, message="不能超过 200 个字符")])
    submit = SubmitField("确认")


class InstructorForm(FlaskForm):
    username = StringField("教师用户名", validators=[DataRequired(REQUIRED), Length(max=32)])
    submit = SubmitField("添加授课教师")


class ActionForm(FlaskForm):
    """A bare POST button (publish, approve, withdraw ...): CSRF only."""

    submit = SubmitField("确认")


class CatalogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("关键词", validators=[Optional(), Length(max=50)])
    level = SelectField("等级", coerce=lambda v: int(v) if v not in (None, "") else None,
                        choices=[("", "全部等级"), *LEVEL_CHOICES], validate_choice=False)
    work_area = SelectField("职业功能", validate_choice=False)
    region = SelectField("地区", validate_choice=False)
    starts_after = DateField("开课不早于", validators=[Optional()])
    open_seats = BooleanField("只看有空位")
