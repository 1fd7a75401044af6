"""Forms of the selection pages (Chinese labels and messages); the rules are checked again by the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ...core.form_fields import DateTimeLocalField
from .models import DEFAULT_NOTICE_DAYS, DEFAULT_PER_ORG_LIMIT, DEFAULT_TITLE, KIND_LABELS
from .rounds import NOTICE_MAX, PER_ORG_MAX, QUOTA_MAX, STANDARD_MAX, TITLE_MAX

REQUIRED = "此项为必填项"
MINUTES = "%Y-%m-%dT%H:%M"


class RoundForm(FlaskForm):
    title = StringField("评选名称", default=DEFAULT_TITLE,
                        validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX, message=f"不超过 {TITLE_MAX} 个字符")])
    kind = SelectField("评选对象", choices=list(KIND_LABELS.items()))
    standard = TextAreaField("评选标准", validators=[DataRequired(REQUIRED),
                                                 Length(max=STANDARD_MAX, message=f"不超过 {STANDARD_MAX} 个字符")],
                             description="推荐单位和评审专家都会看到")
    quota = IntegerField("名额", validators=[InputRequired("请填写名额"),
                                           NumberRange(min=1, max=QUOTA_MAX, message=f"应为 1–{QUOTA_MAX}")])
    per_org_limit = IntegerField("每个单位最多推荐", default=DEFAULT_PER_ORG_LIMIT, validators=[
        InputRequired("请填写人数"), NumberRange(min=1, max=PER_ORG_MAX, message=f"应为 1–{PER_ORG_MAX}")])
    nomination_deadline = DateTimeLocalField("推荐截止", format=MINUTES, validators=[InputRequired("请填写截止时间")])
    review_deadline = DateTimeLocalField("评审截止", format=MINUTES, validators=[InputRequired("请填写截止时间")])
    notice_days = IntegerField("公示天数", default=DEFAULT_NOTICE_DAYS, validators=[
        InputRequired("请填写天数"), NumberRange(min=1, max=NOTICE_MAX, message=f"应为 1–{NOTICE_MAX}")])
    version = HiddenField()
    submit = SubmitField("保存")


class NominationForm(FlaskForm):
    user_id = SelectField("被推荐人", coerce=int, validators=[InputRequired("请选择被推荐人")],
                          description="本单位的劳动关系协调员；其工作情况和证书将自动附上")
    grounds = TextAreaField("推荐理由", validators=[DataRequired("请填写推荐理由"),
                                                Length(max=5000, message="不超过 5000 个字符")])
    submit = SubmitField("提交推荐")


class OrganizationNominationForm(FlaskForm):
    grounds = TextAreaField("推荐理由", validators=[DataRequired("请填写推荐理由"),
                                                Length(max=5000, message="不超过 5000 个字符")])
    submit = SubmitField("推荐本单位")


class ReviewerForm(FlaskForm):
    username = StringField("评审专家用户名", validators=[DataRequired(REQUIRED), Length(max=32)],
                           description="被推荐人不能担任评审；评审专家不为本单位推荐的人选评分")
    submit = SubmitField("指定")


class ScoreForm(FlaskForm):
    score = StringField("分数（0–100）", validators=[DataRequired("请填写分数"), Length(max=10)])
    comment = TextAreaField("评语", validators=[DataRequired("请填写评语"), Length(max=1000, message="不超过 1000 个字符")])
    version = HiddenField()
    submit = SubmitField("保存评分")


class ButtonForm(FlaskForm):
    """A button that changes something: CSRF only."""

    submit = SubmitField("确定")


class DecideForm(FlaskForm):
    outcome = SelectField("处理结果", choices=[("dismissed", "异议不成立"), ("upheld", "异议成立，取消入选")])
    reply = TextAreaField("处理意见", validators=[DataRequired("请填写处理意见"), Length(max=2000, message="不超过 2000 个字符")])
    submit = SubmitField("处理")


class ObjectionForm(FlaskForm):
    nomination_id = SelectField("异议对象", coerce=int)
    text = TextAreaField("异议内容", validators=[DataRequired("请填写异议内容"), Length(max=2000, message="不超过 2000 个字符")],
                         description="请写明事实和依据")
    contact = StringField("联系方式", validators=[DataRequired("请留下联系方式"), Length(max=100, message="不超过 100 个字符")],
                          description="仅评选单位可见，用于核实")
    submit = SubmitField("提交异议")
