"""Competition forms."""

from __future__ import annotations

from flask import flash
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional

from ...core.errors import DomainError, ValidationFailed
from ...core.form_fields import DateField, DateTimeLocalField
from ...core.forms import SchemaForm, to_int
from ...core.levels import LEVEL_NAMES, LEVELS
from ...core.timeutil import local_zone
from ..models import AWARD_LABELS, DUTIES, STAGES, TIERS
from ..schemas.inputs import (
    DEFAULT_AWARD_RATIOS,
    DEFAULT_HONOR_TITLE,
    DEFAULT_TIE_BREAK,
    RATIO_AWARDS,
    AppealDecisionIn,
    AppealIn,
    AutoPanelIn,
    BulkListFormIn,
    CompetitionIn,
    JudgeFormIn,
    OfficialIn,
    PromotionRequestsIn,
    QualifiersIn,
    RegistrationFormIn,
    ReopenIn,
    competition_in,
)


class ItemRowForm(Form):
    name = StringField("项目名称")
    kind = SelectField("类型", choices=[("", "—"), ("theory", "理论"), ("practical", "实操")], validate_choice=False)
    weight = DecimalField("权重", places=2)
    criteria = TextAreaField("评分标准（每行：名称:满分）")
    exam_session_id = SelectField("或由在线考试计分（理论项目）", coerce=to_int, validate_choice=False)

    def values(self) -> dict:
        item = {"name": self.name.data, "kind": self.kind.data, "weight": self.weight.data,
                "criteria": criteria_rows(self.criteria.data)}
        if self.exam_session_id.data:
            item["exam_session_id"] = self.exam_session_id.data
        return item


def criteria_rows(text: str | None) -> list[dict]:
    """"名称:满分" per line (a full-width colon too) as the schema's criteria."""
    rows = []
    for line in (text or "").splitlines():
        if line.strip():
            name, _, points = line.replace("：", ":").rpartition(":")
            rows.append({"name": name.strip(), "max_points": points.strip()})
    return rows


_DEFAULTS = CompetitionIn.model_fields


class CompetitionForm(SchemaForm):
    """Renders the competition form; what was typed is parsed by schemas.CompetitionIn (the API's schema), so no
    limit is written here. The eligibility conditions and award ratios are separate boxes on the page."""

    schema = CompetitionIn

    title = StringField()
    tier = SelectField(choices=list(TIERS.items()), validate_choice=False)  # the service says why a tier is refused
    level = SelectField(coerce=int, choices=[(lv, LEVEL_NAMES[lv]) for lv in LEVELS], default=3)
    registration_opens_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                               description="留空则创建后即可报名")
    registration_closes_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[Optional()])
    venue = StringField()
    starts_on = DateField(validators=[Optional()])
    ends_on = DateField(validators=[Optional()])
    min_work_years = DecimalField("报名条件：最低工作年限", places=1, validators=[Optional()])
    regions = StringField("报名条件：地区代码", description="多个用逗号分隔，如 371500,370100；留空不限")
    award_mode = SelectField("奖项规则", choices=[("ratio", "按比例（一、二、三等奖）"), ("national", "国赛式（金银铜+优胜奖）")])
    first = DecimalField("一等奖比例", default=DEFAULT_AWARD_RATIOS["first"], places=2, validators=[Optional()])
    second = DecimalField("二等奖比例", default=DEFAULT_AWARD_RATIOS["second"], places=2, validators=[Optional()])
    third = DecimalField("三等奖比例", default=DEFAULT_AWARD_RATIOS["third"], places=2, validators=[Optional()])
    aggregation = SelectField("裁判分汇总", choices=[("auto", "5 人及以上去掉最高最低分，否则平均"),
                                                   ("mean", "平均"), ("trimmed", "去掉最高最低分后平均"),
                                                   ("median", "中位数")])
    min_level = SelectField("报名条件：最低证书等级", choices=[("", "不限")] + [(str(lv), LEVEL_NAMES[lv]) for lv in LEVELS[:-1]],
                            validate_choice=False)
    quota = IntegerField("每单位名额", validators=[Optional()])
    quota_city = IntegerField("每市名额", validators=[Optional()])
    stage = SelectField("赛段", choices=list(STAGES.items()), default="single")
    advance_count = IntegerField(validators=[Optional()])
    tie_break = SelectField("总分相同时依次比较", choices=[
        ("practical,theory", "实操成绩，再比理论成绩（默认）"), ("theory,practical", "理论成绩，再比实操成绩"),
        ("practical", "仅比较实操成绩"), ("theory", "仅比较理论成绩"), ("", "不比较，并列名次")],
        default=",".join(DEFAULT_TIE_BREAK))
    notice_days = IntegerField(default=_DEFAULTS["notice_days"].default, validators=[Optional()])
    appeal_hours = IntegerField(default=_DEFAULTS["appeal_hours"].default, validators=[Optional()])
    promotion_awards = SelectMultipleField("获奖晋升一个等级", choices=list(AWARD_LABELS.items()),
                                           default=list(RATIO_AWARDS))
    promotion_requires_certificate = BooleanField("获奖晋级须已持有低一级证书", default=True)
    honor_top_n = IntegerField(default=_DEFAULTS["honor_top_n"].default, validators=[Optional()])
    honor_title = StringField(default=DEFAULT_HONOR_TITLE)
    items = FieldList(FormField(ItemRowForm), min_entries=4, max_entries=10)
    submit = SubmitField("创建竞赛")

    # Where a schema or service error about a nested value is shown on this page.
    FIELD_OF = {"eligibility.regions": "regions", "eligibility.min_level": "min_level",
                "eligibility.min_work_years": "min_work_years", "eligibility.quota_per_organization": "quota",
                "eligibility.quota_per_city": "quota_city", "award_ratios": "first"}

    def values(self) -> dict:
        """What was typed, as the schema's input; an empty box is "not given" (the schema's default applies)."""
        given = {name: getattr(self, name).data for name in (
            "title", "tier", "level", "award_mode", "aggregation", "stage", "advance_count", "notice_days",
            "appeal_hours", "honor_top_n", "honor_title", "venue", "starts_on", "ends_on")}
        values = {name: value for name, value in given.items() if value not in (None, "")}
        for name in ("registration_closes_at", "registration_opens_at"):
            if getattr(self, name).data:
                values[name] = getattr(self, name).data.replace(tzinfo=local_zone())
        values["items"] = [entry.form.values() for entry in self.items if entry.form.name.data]
        values["award_ratios"] = {k: float(getattr(self, k).data or 0) for k in RATIO_AWARDS}
        values["tie_break"] = [t for t in (self.tie_break.data or "").split(",") if t]
        values["promotion_awards"] = list(self.promotion_awards.data or [])
        values["promotion_requires_certificate"] = bool(self.promotion_requires_certificate.data)
        values["eligibility"] = self._eligibility()
        return values

    def _eligibility(self) -> dict:
        rules = {"min_level": to_int(self.min_level.data, -1) if self.min_level.data else None,
                 "quota_per_organization": self.quota.data, "quota_per_city": self.quota_city.data,
                 "min_work_years": self.min_work_years.data,
                 "regions": [r.strip() for r in (self.regions.data or "").replace("，", ",").split(",") if r.strip()]}
        return {key: value for key, value in rules.items() if value not in (None, "", [])}

    def parse(self) -> CompetitionIn | None:
        if not self.validate_on_submit():
            return None
        try:
            return competition_in(**self.values())
        except ValidationFailed as exc:
            self.show(exc)
            return None

    def show(self, exc: DomainError) -> None:
        """Each reason at its field; a reason about an item (or another value without a box) as a message."""
        for key, reason in exc.fields.items():
            field = self._fields.get(self.form_name(key))
            if field is not None and not key.startswith("items"):
                field.errors = [*list(field.errors), reason]
            else:
                flash(f"{_where(key)}：{reason}", "danger")

    def form_name(self, service_field: str) -> str:
        return self.FIELD_OF.get(service_field, service_field)


def _where(key: str) -> str:
    """"items.1.criteria.0.max_points" → "第 2 个项目"; "items" → "竞赛项目"."""
    parts = key.split(".")
    if parts[0] == "items":
        return f"第 {int(parts[1]) + 1} 个项目" if len(parts) > 1 and parts[1].isdigit() else "竞赛项目"
    return key


# The small forms below render and protect (CSRF); their input is declared once in schemas/inputs.py, beside the
# API's, and the rules that need the database (who may judge, the appeal window and length) are the services'.

class RegisterForm(SchemaForm):
    schema = RegistrationFormIn

    work_years = DecimalField(places=1, default=0)
    submit = SubmitField("报名参赛")


class JudgeForm(SchemaForm):
    schema = JudgeFormIn

    username = StringField()
    item_index = SelectField(coerce=to_int, validate_choice=False)
    is_chief = BooleanField()
    submit = SubmitField("加入裁判组")


class AutoPanelForm(SchemaForm):
    schema = AutoPanelIn

    per_item = IntegerField(default=5)
    submit = SubmitField("自动组建裁判组")


class OfficialForm(SchemaForm):
    schema = OfficialIn

    username = StringField()
    duty = SelectField(choices=list(DUTIES.items()), validate_choice=False)
    submit = SubmitField("指定")


class ReasonForm(SchemaForm):
    schema = ReopenIn

    reason = TextAreaField()
    submit = SubmitField("重新开放")


class AppealForm(SchemaForm):
    schema = AppealIn

    text = TextAreaField(description="写明事实和理由，10 到 2000 字")
    submit = SubmitField("提交申诉")


class AppealDecisionForm(SchemaForm):
    schema = AppealDecisionIn

    upheld = SelectField(choices=[("0", "申诉不成立"), ("1", "申诉成立（可更正评分）")])
    decision = TextAreaField()
    version = HiddenField()
    submit = SubmitField("作出决定")


class QualifiersForm(SchemaForm):
    schema = QualifiersIn

    source_id = SelectField(coerce=to_int, validate_choice=False)
    top_n = IntegerField()
    submit = SubmitField("录入晋级选手")


class BulkRegistrationForm(SchemaForm):
    """The typed list (BulkListFormIn) or an Excel file; a file field is WTForms' own (a schema cannot declare an
    upload), so whether either was given is checked here."""

    schema = BulkListFormIn

    people = TextAreaField()
    file = FileField("或上传 Excel", validators=[Optional(), FileAllowed(["xlsx"], "请上传 .xlsx 文件")])
    submit = SubmitField("批量报名")

    def parse(self) -> BulkListFormIn | None:
        data = super().parse()
        if data is not None and not self.file.data and not data.people.strip():
            self.people.errors.append("请填写名单或上传 Excel 文件")
            return None
        return data


class PromotionRequestForm(SchemaForm):
    schema = PromotionRequestsIn

    # Any id is accepted here: the service says why an organization cannot be chosen (not accredited, expired,
    # level not in its filing) instead of WTForms' "not a valid choice".
    evaluator_organization_id = SelectField(coerce=to_int, validate_choice=False)
    submit = SubmitField("发送晋级发证申请")
