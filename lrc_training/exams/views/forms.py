"""The page forms of the exams area: candidates' (applying) and staff and examiners'. They render and carry the
CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...core.form_fields import DateField, DateTimeLocalField, MultiCheckboxField
from ...core.forms import REQUIRED, SchemaForm
from ...core.levels import LEVEL_CHOICES, LEVEL_LABELS
from ..models import PARTS, QUESTION_KINDS
from ..schemas import DecisionIn, ExtendIn, GradeIn, QuestionFormIn, SessionFormIn
from ..services.eligibility import EDUCATION_LABELS

LEVELS = LEVEL_CHOICES


class QuestionForm(SchemaForm):
    schema = QuestionFormIn

    kind = SelectField(choices=list(QUESTION_KINDS.items()))
    level = SelectField(coerce=int, choices=LEVELS)
    function_code = SelectField()
    difficulty = IntegerField(default=3)
    points = DecimalField(default=1, places=2)
    stem = TextAreaField()
    option_a = StringField()
    option_b = StringField()
    option_c = StringField()
    option_d = StringField()
    option_e = StringField()
    option_f = StringField()
    answer = StringField()
    explanation = TextAreaField()
    rubric = TextAreaField()
    submit = SubmitField("保存")


class BlueprintRowForm(Form):
    function_code = SelectField("职业功能", validate_choice=False)
    kind = SelectField("题型", choices=[("", "—"), *QUESTION_KINDS.items()], validate_choice=False)
    count = IntegerField("题量", validators=[Optional(), NumberRange(1, 500, "1–500")])
    points_each = DecimalField("每题分值", places=2, validators=[Optional(), NumberRange(0.5, 100, "0.5–100")])


class SessionForm(SchemaForm):
    """The session's settings are parsed by schemas.SessionFormIn; the blueprint rows are WTForms rows."""

    schema = SessionFormIn

    title = StringField()
    level = SelectField(coerce=int, choices=LEVELS)
    parts = MultiCheckboxField(choices=list(PARTS.items()), default=["theory", "practical"])
    opens_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M")
    applications_close_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M")
    duration_minutes = IntegerField(default=90)
    pass_mark = DecimalField(default=60, places=2)
    partial_credit = BooleanField()
    examiners_per_paper = SelectField(coerce=int, choices=[(1, "1"), (3, "3"), (5, "5"), (7, "7")], default=3)
    arbitration_share = DecimalField(default=0.2, places=2)
    allow_review = BooleanField(default=True)
    part_validity_years = IntegerField(default=2)
    blueprint = FieldList(FormField(BlueprintRowForm), min_entries=6, max_entries=20)
    submit = SubmitField("保存批次")


class DecisionForm(SchemaForm):
    schema = DecisionIn

    reason = StringField()
    override_reason = StringField()
    submit = SubmitField("确认")


class SeatsForm(FlaskForm):
    room_size = IntegerField("每个考场人数", default=30, validators=[InputRequired(REQUIRED), NumberRange(1, 200)])
    submit = SubmitField("编排考场座位")


class GradeForm(SchemaForm):
    schema = GradeIn

    score = DecimalField(places=2)
    comment = TextAreaField()
    submit = SubmitField("提交评分")


class ImportForm(FlaskForm):
    file = FileField("Excel 文件（.xlsx）", validators=[FileRequired("请选择文件"), FileAllowed(["xlsx"], "只支持 .xlsx")])
    submit = SubmitField("导入")


class BankFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("关键词", validators=[Optional(), Length(max=50)])
    level = SelectField("等级", choices=[("", "全部等级"), *[(str(k), v) for k, v in LEVELS]], validate_choice=False)
    kind = SelectField("题型", choices=[("", "全部题型"), *QUESTION_KINDS.items()], validate_choice=False)
    function_code = SelectField("职业功能", validate_choice=False)



class ExtendForm(SchemaForm):
    schema = ExtendIn

    minutes = IntegerField(default=10)
    reason = StringField()
    submit = SubmitField("延时")


class RoomForm(FlaskForm):
    """Pause a room or void an attempt: a reason is required."""

    reason = StringField("原因", validators=[DataRequired("请填写原因"), Length(max=500)])
    submit = SubmitField("确认")


class ReasonForm(FlaskForm):
    reason = StringField("说明", validators=[Optional(), Length(max=500)])
    submit = SubmitField("确认")


class KeyCorrectionForm(FlaskForm):
    """Mark a question's key wrong in a session: the right answer (choices set by the view from the question's own
    options), why, and the revision the page showed (a page left open while someone else corrected it is refused)."""

    answer = SelectField("正确答案", validate_choice=False, validators=[DataRequired("请选择正确答案")])
    reason = TextAreaField("更正原因", validators=[DataRequired("请填写更正原因"),
                                               Length(max=500, message="不能超过 500 个字符")],
                           description="将写入审计日志；成绩已发布时也会告知受影响的考生。")
    revision_id = HiddenField()
    submit = SubmitField("更正答案并重新评分")


class KeyCorrectionMultipleForm(KeyCorrectionForm):
    answer = MultiCheckboxField("正确答案（多选）", validate_choice=False,
                                validators=[DataRequired("请至少选择两个选项")])


class ReviewCloseForm(FlaskForm):
    note = StringField("复核结论", validators=[DataRequired("请填写复核结论"), Length(max=500, message="不能超过 500 个字符")])
    submit = SubmitField("记录复核结论")


class RoomProctorForm(FlaskForm):
    """The room comes as a plain `room` field, as for pausing a room (monitor_views._room_value)."""

    user_id = SelectField("监考员", coerce=int, validate_choice=False)
    submit = SubmitField("指定")


class ChineseDateField(DateField):
    """A date input whose format error is in Chinese (and, like every page date field, within the sane range)."""

    parse_message = "日期格式应为 年-月-日，如 2019-06-01"


class ApplyForm(FlaskForm):
    work_started_on = ChineseDateField(
        "从事本职业或相关职业的起始日期", validators=[Optional()],
        description="按起始日期计算工作年限（计至报名当日的整年数）；填写后以此为准")
    work_years = DecimalField(
        "或：从事本职业或相关职业的工作年限（年）", places=1,
        validators=[Optional(), NumberRange(min=0, max=60, message="应为 0 到 60 之间的数字")],
        description="没有起始日期时填写，可填一位小数，如 4.5；申报三级及以上时按发证后的年限计，且不超过发证至今的年数",
        render_kw={"step": "0.5", "min": "0", "max": "60", "inputmode": "decimal"})
    education = SelectField("学历", choices=list(EDUCATION_LABELS.items()), default="none")
    related_major = RadioField(
        "所学专业是否为相关专业", choices=[("no", "否"), ("yes", "是")], default="no",
        description="相关专业：劳动与社会保障、劳动经济、人力资源管理、工商管理、法学、社会学")
    prior_certificate_number = StringField(
        "已有职业技能等级证书编号（选填）", validators=[Optional(), Length(max=40, message="不能超过 40 个字符")],
        description="申报三级及以上时填写；本平台签发的证书会自动识别等级和发证日期",
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": "40"})
    prior_certificate_issued_on = ChineseDateField(
        "该证书的发证日期", validators=[Optional()], description="非本平台签发的证书必填")
    prior_certificate_level = SelectField(
        "该证书的等级", choices=[("", "—"), *[(str(k), v) for k, v in LEVEL_LABELS.items()]], default="",
        description="非本平台签发、且编号不是 22 位标准编号时必填")
    submit = SubmitField("提交报名")

    def stated(self) -> dict:
        level = self.prior_certificate_level.data
        return {"work_started_on": self.work_started_on.data, "work_years": self.work_years.data,
                "education": self.education.data, "related_major": self.related_major.data == "yes",
                "prior_certificate_number": self.prior_certificate_number.data,
                "prior_certificate_issued_on": self.prior_certificate_issued_on.data,
                "prior_certificate_level": int(level) if level in ("1", "2", "3", "4") else None}
