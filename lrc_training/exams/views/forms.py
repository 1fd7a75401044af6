"""The page forms of the exams area: candidates' (applying) and staff and examiners'. They render and carry the
CSRF token. The forms with an API twin (questions, sessions, applying, deciding, grading, extending) are
core.forms.SchemaForms: their input, labels and limits are declared once, in schemas/inputs.py; the others (seats, rooms,
key corrections, imports, the bank's filters) have no API and keep their WTForms validators."""

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
from ..schemas.inputs import ApplyFormIn, DecisionIn, ExtendIn, GradeIn, QuestionFormIn, SessionFormIn
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


class ApplyForm(SchemaForm):
    schema = ApplyFormIn

    work_started_on = DateField()
    work_years = DecimalField(places=1, render_kw={"step": "0.5", "inputmode": "decimal"})
    education = SelectField(choices=list(EDUCATION_LABELS.items()), default="none")
    related_major = RadioField(choices=[("no", "否"), ("yes", "是")], default="no")
    prior_certificate_number = StringField(render_kw={"autocomplete": "off", "spellcheck": "false"})
    prior_certificate_issued_on = DateField()
    prior_certificate_level = SelectField(choices=[("", "—"), *[(str(k), v) for k, v in LEVEL_LABELS.items()]],
                                          default="")
    submit = SubmitField("提交报名")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.work_years.label.text = "或：" + self.work_years.label.text  # after the start date, as its alternative
        self.prior_certificate_number.label.text += "（选填）"
