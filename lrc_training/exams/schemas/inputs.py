"""Every input of the exams area, declared once: the API parses these strictly, the page forms (views/forms.py,
core.forms.SchemaForm) through the `...FormIn` variants or as they are, and services take them. A field's `title`
names it in Chinese messages ("难度应在 1 到 5 之间")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, Field, field_validator, model_validator

from ...core.api import ApiModel, AskFor, InputModel, OptionalText, QueryModel
from ...core.timeutil import parse_local
from ..models import NOTE_MAX, OPTION_MAX, REFERENCE_MAX, STEM_MAX

Kind = Literal["single", "multiple", "true_false", "essay"]


class QuestionFields(InputModel):
    """What a question's API body (QuestionIn) and its page form (QuestionFormIn) share, declared once."""

    kind: Kind = Field(title="题型")
    level: int = Field(ge=1, le=4, title="等级")
    function_code: str = Field(min_length=1, max_length=8, title="职业功能")
    difficulty: int = Field(default=3, ge=1, le=5, title="难度")
    points: float = Field(default=1, gt=0, le=100, title="分值")
    stem: str = Field(min_length=1, max_length=STEM_MAX, title="题干")
    explanation: OptionalText = Field(default=None, max_length=NOTE_MAX, title="解析")
    rubric: OptionalText = Field(default=None, max_length=NOTE_MAX, title="评分要点（简答题）")


class QuestionIn(QuestionFields):
    """`POST /api/v1/questions`: the options as an object (A → text) and the key typed by kind."""

    options: dict[str, str] | None = None
    answer: bool | str | list[str] = Field(title="答案")


def _option(key: str) -> Any:
    return Field(default=None, max_length=OPTION_MAX, title=f"选项 {key}")


class QuestionFormIn(QuestionFields):
    """The question form: six option boxes and the key as typed text (letters, 对/错 or the reference answer)."""

    option_a: OptionalText = _option("A")
    option_b: OptionalText = _option("B")
    option_c: OptionalText = _option("C")
    option_d: OptionalText = _option("D")
    option_e: OptionalText = _option("E")
    option_f: OptionalText = _option("F")
    answer: str = Field(min_length=1, max_length=REFERENCE_MAX, title="答案",
                        description="单选填一个字母；多选填多个字母（如 AC）；判断填 对 或 错；简答填参考答案")

    def question_fields(self) -> dict[str, Any]:
        """The question as QuestionIn's fields: the options of a choice question, the key in its kind's type."""
        fields = self.model_dump(include=set(QuestionFields.model_fields))
        options = {key.upper(): getattr(self, f"option_{key}") for key in "abcdef" if getattr(self, f"option_{key}")}
        fields["options"] = options if self.kind in ("single", "multiple") else None
        if self.kind == "multiple":
            fields["answer"] = [c for c in self.answer.upper() if c.isalpha()]
        elif self.kind == "true_false":
            fields["answer"] = {"对": True, "正确": True, "错": False, "错误": False}.get(self.answer, self.answer)
        else:
            fields["answer"] = self.answer
        return fields


class QuestionQuery(QueryModel):
    """The question bank's filters: `GET /api/v1/questions` and the bank page (/exams/bank, its Excel export)."""

    level: int | None = Field(default=None, ge=1, le=4, description="等级 1–4")
    kind: Kind | None = Field(default=None, description="题型")
    function_code: str | None = Field(default=None, max_length=8, description="职业功能代码")
    q: str | None = Field(default=None, max_length=50, description="题干关键词")


class BlueprintRow(ApiModel):
    """One row of a session's blueprint (双向细目表): the API's object, and a row of boxes on the session form."""

    function_code: Annotated[str, AskFor("请选择职业功能")] = Field(min_length=1, max_length=8, title="职业功能")
    kind: Annotated[Kind, AskFor("请选择题型")] = Field(title="题型")
    count: Annotated[int, AskFor("请填写题量")] = Field(ge=1, le=500, title="题量")
    points_each: Annotated[float, AskFor("请填写每题分值")] = Field(ge=0.5, le=100, title="每题分值")
    difficulty: int | None = Field(default=None, ge=1, le=5, title="难度")


class SessionFields(InputModel):
    """What a session's API body (SessionIn) and its page form (SessionFormIn) share, declared once."""

    title: str = Field(min_length=1, max_length=200, title="批次名称")
    level: int = Field(ge=1, le=4, title="认定等级")
    parts: list[Literal["theory", "practical", "review"]] | None = Field(default=None, title="考核部分")
    opens_at: AwareDatetime = Field(title="理论考试开始")
    closes_at: AwareDatetime = Field(title="理论考试结束")
    applications_close_at: AwareDatetime | None = Field(default=None, title="报名截止", description="留空为考试结束时间")
    duration_minutes: int = Field(default=90, ge=10, le=600, title="考试时长（分钟）")
    pass_mark: float = Field(default=60, ge=1, le=100, title="合格分数线")
    partial_credit: bool = Field(default=False, title="多选题少选按比例得分")
    examiners_per_paper: int = Field(default=3, title="每份试卷考评员人数")
    arbitration_share: float = Field(default=0.2, gt=0, le=1, title="仲裁阈值（占满分比例）")
    allow_review: bool = Field(default=True, title="成绩发布后允许考生查看答卷")
    part_validity_years: int = Field(  # a passed part exempts retakes this long
        default=2, ge=1, le=5, title="已通过部分的有效期（年）", description="本批次通过的部分在此期限内补考时免考；留空为 2 年")


class SessionIn(SessionFields):
    """`POST /api/v1/exam-sessions`: times with their offset, and the blueprint."""

    blueprint: list[BlueprintRow] = Field(min_length=1, max_length=100)


_TIMES = ("opens_at", "closes_at", "applications_close_at")


class SessionFormIn(SessionFields):
    """The session form: its times are typed in local time (a datetime-local box), and a checkbox left unticked
    is not sent, which means no. Its blueprint is a list of row boxes (views.forms.BlueprintRowForm), rows left
    empty not counted; an empty blueprint is the service's to refuse ("双向细目表不能为空")."""

    blueprint: list[BlueprintRow] = Field(default_factory=list, max_length=100, title="双向细目表")

    @model_validator(mode="before")
    @classmethod
    def _as_typed(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = {"partial_credit": False, "allow_review": False, **data}
        for name in _TIMES:
            data[name] = _local_time(data.get(name))
        return {name: value for name, value in data.items() if value is not None}


def _local_time(value: Any) -> Any:
    """"2026-05-01T09:00" as 09:00 local time; anything else as it is (the field says what is wrong)."""
    if not isinstance(value, str):
        return value
    moment = parse_local(value)
    return value if moment is None else moment


class ApplicationIn(InputModel):
    """work_years: total years of work in the occupation or a related one; work_started_on (YYYY-MM-DD), when
    given, decides instead (full years to the application date). prior_certificate_issued_on and
    prior_certificate_level are needed only for a certificate issued elsewhere (the level can be read from a
    standard 22-character number); a platform certificate's date and level are known."""

    work_started_on: date | None = Field(
        default=None, title="从事本职业或相关职业的起始日期",
        description="按起始日期计算工作年限（计至报名当日的整年数）；填写后以此为准")
    work_years: float | None = Field(
        default=None, ge=0, le=60, title="从事本职业或相关职业的工作年限（年）",
        description="没有起始日期时填写，可填一位小数，如 4.5；申报三级及以上时按发证后的年限计，且不超过发证至今的年数")
    education: Literal["none", "technical_school", "senior_technical", "junior_college", "bachelor", "master"] = Field(
        default="none", title="学历")
    related_major: bool = Field(default=False, title="所学专业是否为相关专业",
                                description="相关专业：劳动与社会保障、劳动经济、人力资源管理、工商管理、法学、社会学")
    prior_certificate_number: str | None = Field(
        default=None, max_length=40, title="已有职业技能等级证书编号",
        description="申报三级及以上时填写；本平台签发的证书会自动识别等级和发证日期")
    prior_certificate_issued_on: date | None = Field(default=None, title="该证书的发证日期",
                                                     description="非本平台签发的证书必填")
    prior_certificate_level: int | None = Field(default=None, ge=1, le=4, title="该证书的等级",
                                                description="非本平台签发、且编号不是 22 位标准编号时必填")


class ApplyFormIn(ApplicationIn):
    """The application form: a date typed in another shape is explained in the candidate's words."""

    @field_validator("work_started_on", "prior_certificate_issued_on", mode="before")
    @classmethod
    def _typed_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("日期格式应为 年-月-日，如 2019-06-01") from None
        return value


class DecisionIn(InputModel):
    """Approving or rejecting an application (the API's approve/reject bodies, the buttons on the session page)."""

    reason: str | None = Field(default=None, max_length=500, title="原因")
    override_reason: str | None = Field(default=None, max_length=500, title="破格理由")


class ResponseIn(ApiModel):
    response: bool | str | list[str] | None


class GradeIn(InputModel):
    """An essay answer's grade (`PUT /api/v1/grading/tasks/<id>`, the grading page); the service bounds the score
    by the question's points."""

    score: float = Field(title="得分")
    comment: str | None = Field(default=None, max_length=2000, title="评语")


class PracticalScoreIn(ApiModel):
    application_id: int
    score: float
    part: Literal["practical", "review"] = "practical"


class RegradeIn(ApiModel):
    application_id: int
    part: Literal["practical", "review"] = "practical"
    score: float
    reason: str = Field(min_length=1, max_length=500)


class ExtendIn(InputModel):
    """More time for one candidate (the API, the monitor page's row)."""

    minutes: int = Field(ge=1, le=120, title="延长时间（分钟）")
    reason: str = Field(min_length=1, max_length=500, title="延时原因")


# -- inputs only the pages have (no API twin) ------------------------------------------------------------------

REASON_MAX = 500


class SeatsIn(InputModel):
    """Seating the admitted candidates (the session page)."""

    room_size: int = Field(ge=1, le=200, title="每个考场人数")


class RoomReasonIn(InputModel):
    """Pausing a room or voiding an attempt (the monitor page): why, for the audit log and the room report."""

    reason: Annotated[str, AskFor("请填写原因")] = Field(min_length=1, max_length=REASON_MAX, title="原因")


class NoteIn(InputModel):
    """Resuming a room (the monitor page): an optional note."""

    reason: str | None = Field(default=None, max_length=REASON_MAX, title="说明")


class RoomProctorIn(InputModel):
    """A room's proctor (the monitor page); 0 (不指定) takes the proctor away. The room is the page's own value."""

    user_id: int = Field(default=0, ge=0, title="监考员")


class KeyCorrectionIn(InputModel):
    """A single-choice or true/false question's right key in a session, and why. The revision the page showed is
    the page's hidden value (a stale page is refused by the service), not something typed."""

    answer: Annotated[str, AskFor("请选择正确答案")] = Field(min_length=1, max_length=8, title="正确答案")
    reason: Annotated[str, AskFor("请填写更正原因")] = Field(
        min_length=1, max_length=REASON_MAX, title="更正原因", description="将写入审计日志；成绩已发布时也会告知受影响的考生。")


def _chosen(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("请至少选择两个选项")
    return value


class KeyCorrectionMultipleIn(KeyCorrectionIn):
    """A multiple-choice question's right key: the options ticked (the service wants at least two of its own)."""

    answer: Annotated[list[str], AfterValidator(_chosen)] = Field(max_length=6, title="正确答案（多选）")


class ReviewCloseIn(InputModel):
    """The staff's conclusion on a certificate flagged for review after a key correction."""

    note: Annotated[str, AskFor("请填写复核结论")] = Field(min_length=1, max_length=REASON_MAX, title="复核结论")
