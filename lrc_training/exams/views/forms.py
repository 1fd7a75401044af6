"""The page forms of the exams area: candidates' (applying) and staff and examiners'. They render and carry the
CSRF token. Every form is a core.forms.SchemaForm: its input, labels and limits are declared once, in
schemas/inputs.py — the API's own schema where the page has an API twin (questions, sessions, applying, deciding,
grading, extending), a page-only one where it has none (seats, rooms, proctors, key corrections, review
conclusions); the bank's filters show QuestionQuery, which core.pagination reads them through. Only the file
fields (imports) keep WTForms validators."""

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

from ...core.form_fields import DateField, DateTimeLocalField, MultiCheckboxField
from ...core.forms import SchemaForm
from ...core.levels import LEVEL_CHOICES, LEVEL_LABELS
from ..models import PARTS, QUESTION_KINDS
from ..schemas.inputs import (
    ApplyFormIn,
    DecisionIn,
    ExtendIn,
    GradeIn,
    KeyCorrectionIn,
    KeyCorrectionMultipleIn,
    NoteIn,
    QuestionFormIn,
    QuestionQuery,
    ReviewCloseIn,
    RoomProctorIn,
    RoomReasonIn,
    SeatsIn,
    SessionFormIn,
)
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
    """A row of the session form's blueprint: its labels and limits are schemas.inputs.BlueprintRow's."""

    function_code = SelectField(validate_choice=False)
    kind = SelectField(choices=[("", "—"), *QUESTION_KINDS.items()], validate_choice=False)
    count = IntegerField()
    points_each = DecimalField(places=2)


class SessionForm(SchemaForm):
    """Parsed by schemas.SessionFormIn, the blueprint's rows (a FieldList) as its list of BlueprintRow."""

    schema = SessionFormIn
    row_lists = ("blueprint",)

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


class SeatsForm(SchemaForm):
    schema = SeatsIn

    room_size = IntegerField(default=30)
    submit = SubmitField("编排考场座位")


class GradeForm(SchemaForm):
    schema = GradeIn

    score = DecimalField(places=2)
    comment = TextAreaField()
    submit = SubmitField("提交评分")


class ImportForm(FlaskForm):
    file = FileField("Excel 文件（.xlsx）", validators=[FileRequired("请选择文件"), FileAllowed(["xlsx"], "只支持 .xlsx")])
    submit = SubmitField("导入")


class BankFilterForm(SchemaForm):
    """Shows the bank's filters (their limits from QuestionQuery); core.pagination.page_filters reads them."""

    schema = QuestionQuery

    class Meta:
        csrf = False

    q = StringField("关键词")
    level = SelectField("等级", choices=[("", "全部等级"), *[(str(k), v) for k, v in LEVELS]], validate_choice=False)
    kind = SelectField("题型", choices=[("", "全部题型"), *QUESTION_KINDS.items()], validate_choice=False)
    function_code = SelectField("职业功能", validate_choice=False)



class ExtendForm(SchemaForm):
    schema = ExtendIn

    minutes = IntegerField(default=10)
    reason = StringField()
    submit = SubmitField("延时")


class RoomForm(SchemaForm):
    """Pause a room or void an attempt: a reason is required."""

    schema = RoomReasonIn

    reason = StringField()
    submit = SubmitField("确认")


class ReasonForm(SchemaForm):
    schema = NoteIn

    reason = StringField()
    submit = SubmitField("确认")


class KeyCorrectionForm(SchemaForm):
    """Mark a question's key wrong in a session: the right answer (choices set by the view from the question's own
    options), why, and the revision the page showed (a page left open while someone else corrected it is refused)."""

    schema = KeyCorrectionIn

    answer = SelectField(validate_choice=False)
    reason = TextAreaField()
    revision_id = HiddenField()
    submit = SubmitField("更正答案并重新评分")


class KeyCorrectionMultipleForm(KeyCorrectionForm):
    schema = KeyCorrectionMultipleIn

    answer = MultiCheckboxField(validate_choice=False)


class ReviewCloseForm(SchemaForm):
    schema = ReviewCloseIn

    note = StringField()
    submit = SubmitField("记录复核结论")


class RoomProctorForm(SchemaForm):
    """The room comes as a plain `room` field, as for pausing a room (monitor_views._room_value)."""

    schema = RoomProctorIn

    user_id = SelectField(coerce=int, validate_choice=False)
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
