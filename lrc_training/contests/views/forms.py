"""Competition forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...auth.forms import REQUIRED
from ...core.form_fields import DateField, DateTimeLocalField
from ...core.forms import to_int
from ..models import AWARD_LABELS, DUTIES, STAGES, TIERS


class ItemRowForm(Form):
    name = StringField("项目名称", validators=[Optional(), Length(max=100)])
    kind = SelectField("类型", choices=[("", "—"), ("theory", "理论"), ("practical", "实操")], validate_choice=False)
    weight = DecimalField("权重", places=2, validators=[Optional(), NumberRange(0.01, 100)])
    criteria = TextAreaField("评分标准（每行：名称:满分）", validators=[Optional(), Length(max=2000)])
    exam_session_id = SelectField("或由在线考试计分（理论项目）", coerce=to_int, validate_choice=False)


class CompetitionForm(FlaskForm):
    title = StringField("竞赛名称", validators=[DataRequired(REQUIRED), Length(max=200)])
    tier = SelectField("级别", choices=list(TIERS.items()))
    level = SelectField("标准等级", coerce=int, choices=[(4, "四级"), (3, "三级"), (2, "二级"), (1, "一级")], default=3)
    registration_opens_at = DateTimeLocalField("报名开始", format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                               description="留空则创建后即可报名")
    registration_closes_at = DateTimeLocalField("报名截止", format="%Y-%m-%dT%H:%M",
                                                validators=[InputRequired("请填写报名截止时间")])
    venue = StringField("比赛地点", validators=[Optional(), Length(max=200)])
    starts_on = DateField("比赛开始日期", validators=[Optional()])
    ends_on = DateField("比赛结束日期", validators=[Optional()])
    min_work_years = DecimalField("报名条件：最低工作年限", places=1, validators=[Optional(), NumberRange(0, 60)])
    regions = StringField("报名条件：地区代码", validators=[Optional(), Length(max=200)],
                          description="多个用逗号分隔，如 371500,370100；留空不限")
    award_mode = SelectField("奖项规则", choices=[("ratio", "按比例（一、二、三等奖）"), ("national", "国赛式（金银铜+优胜奖）")])
    first = DecimalField("一等奖比例", default=0.1, places=2, validators=[Optional(), NumberRange(0, 1)])
    second = DecimalField("二等奖比例", default=0.2, places=2, validators=[Optional(), NumberRange(0, 1)])
    third = DecimalField("三等奖比例", default=0.3, places=2, validators=[Optional(), NumberRange(0, 1)])
    aggregation = SelectField("裁判分汇总", choices=[("auto", "5 人及以上去掉最高最低分，否则平均"),
                                                   ("mean", "平均"), ("trimmed", "去掉最高最低分后平均"),
                                                   ("median", "中位数")])
    min_level = SelectField("报名条件：最低证书等级", choices=[("", "不限"), ("4", "四级"), ("3", "三级"), ("2", "二级")],
                            validate_choice=False)
    quota = IntegerField("每单位名额", validators=[Optional(), NumberRange(1, 1000)])
    quota_city = IntegerField("每市名额", validators=[Optional(), NumberRange(1, 10000)])
    stage = SelectField("赛段", choices=list(STAGES.items()), default="single")
    advance_count = IntegerField("初赛晋级决赛人数", validators=[Optional(), NumberRange(1, 10000)])
    tie_break = SelectField("总分相同时依次比较", choices=[
        ("practical,theory", "实操成绩，再比理论成绩（默认）"), ("theory,practical", "理论成绩，再比实操成绩"),
        ("practical", "仅比较实操成绩"), ("theory", "仅比较理论成绩"), ("", "不比较，并列名次")],
        default="practical,theory")
    notice_days = IntegerField("公示期（天）", default=5, validators=[Optional(), NumberRange(0, 30)])
    appeal_hours = IntegerField("申诉时限（公布后小时数）", default=2,
                                validators=[Optional(), NumberRange(1, 240)])
    promotion_awards = SelectMultipleField("获奖晋升一个等级", choices=list(AWARD_LABELS.items()),
                                           default=["first", "second", "third"])
    promotion_requires_certificate = BooleanField("获奖晋级须已持有低一级证书", default=True)
    honor_top_n = IntegerField("前 N 名授予荣誉称号", default=0, validators=[Optional(), NumberRange(0, 1000)])
    honor_title = StringField("荣誉称号", default="技术能手", validators=[Optional(), Length(max=100)])
    items = FieldList(FormField(ItemRowForm), min_entries=4, max_entries=10)
    submit = SubmitField("创建竞赛")


class RegisterForm(FlaskForm):
    work_years = DecimalField("从事本职业工作年限", places=1, default=0, validators=[Optional(), NumberRange(0, 60)])
    submit = SubmitField("报名参赛")


class JudgeForm(FlaskForm):
    username = StringField("裁判员用户名", validators=[DataRequired(REQUIRED), Length(max=32)])
    item_index = SelectField("项目", coerce=int, validate_choice=False)
    is_chief = BooleanField("担任裁判长")
    submit = SubmitField("加入裁判组")


class AutoPanelForm(FlaskForm):
    per_item = IntegerField("每个项目的裁判人数", default=5,
                            validators=[InputRequired("请填写人数"), NumberRange(1, 15, "应为 1 到 15")])
    submit = SubmitField("自动组建裁判组")


class OfficialForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=32)])
    duty = SelectField("职责", choices=list(DUTIES.items()))
    submit = SubmitField("指定")


class ReasonForm(FlaskForm):
    reason = TextAreaField("理由", validators=[DataRequired("请填写理由"), Length(max=500)])
    submit = SubmitField("重新开放")


class AppealForm(FlaskForm):
    text = TextAreaField("申诉内容（写明事实和理由）",
                         validators=[DataRequired(REQUIRED), Length(10, 2000, "应为 10 到 2000 字")])
    submit = SubmitField("提交申诉")


class AppealDecisionForm(FlaskForm):
    upheld = SelectField("处理结果", choices=[("0", "申诉不成立"), ("1", "申诉成立（可更正评分）")])
    decision = TextAreaField("处理意见", validators=[DataRequired("请填写处理意见"), Length(2, 2000)])
    version = HiddenField()
    submit = SubmitField("作出决定")


class QualifiersForm(FlaskForm):
    source_id = SelectField("晋级来源", coerce=to_int, validate_choice=False)
    top_n = IntegerField("取前 N 名", validators=[Optional(), NumberRange(1, 10000)])
    submit = SubmitField("录入晋级选手")


class BulkRegistrationForm(FlaskForm):
    people = TextAreaField("每行一人：用户名或身份证号（可加逗号和工作年限）", validators=[Optional(), Length(max=100_000)])
    file = FileField("或上传 Excel", validators=[FileAllowed(["xlsx"], "请上传 .xlsx 文件")])
    submit = SubmitField("批量报名")


class PromotionRequestForm(FlaskForm):
    # Any id is accepted here: the service says why an organization cannot be chosen (not accredited, expired,
    # level not in its filing) instead of WTForms' "not a valid choice".
    evaluator_organization_id = SelectField("发证评价机构", coerce=to_int, validate_choice=False,
                                            validators=[DataRequired("请选择发证的评价机构")])
    submit = SubmitField("发送晋级发证申请")


class ActionForm(FlaskForm):
    submit = SubmitField("确认")

