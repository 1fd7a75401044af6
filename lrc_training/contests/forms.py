"""Competition forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..auth.forms import REQUIRED
from .models import TIERS


class ItemRowForm(Form):
    name = StringField("项目名称", validators=[Optional(), Length(max=100)])
    kind = SelectField("类型", choices=[("", "—"), ("theory", "理论"), ("practical", "实操")], validate_choice=False)
    weight = DecimalField("权重", places=2, validators=[Optional(), NumberRange(0.01, 100)])
    criteria = TextAreaField("评分标准（每行：名称:满分）", validators=[Optional(), Length(max=2000)])


class CompetitionForm(FlaskForm):
    title = StringField("竞赛名称", validators=[DataRequired(REQUIRED), Length(max=200)])
    tier = SelectField("级别", choices=list(TIERS.items()))
    level = SelectField("标准等级", coerce=int, choices=[(4, "四级"), (3, "三级"), (2, "二级"), (1, "一级")], default=3)
    registration_closes_at = DateTimeLocalField("报名截止", format="%Y-%m-%dT%H:%M",
                                                validators=[InputRequired("请填写报名截止时间")])
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
    items = FieldList(FormField(ItemRowForm), min_entries=4, max_entries=10)
    submit = SubmitField("创建竞赛")


class RegisterForm(FlaskForm):
    work_years = DecimalField("从事本职业工作年限", places=1, default=0, validators=[Optional(), NumberRange(0, 60)])
    submit = SubmitField("报名参赛")


class JudgeForm(FlaskForm):
    username = StringField("裁判员用户名", validators=[DataRequired(REQUIRED), Length(max=32)])
    item_index = SelectField("项目", coerce=int, validate_choice=False)
    submit = SubmitField("加入裁判组")


class ActionForm(FlaskForm):
    submit = SubmitField("确认")

