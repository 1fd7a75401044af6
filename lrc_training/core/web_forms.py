"""Small forms shared by core pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class ActionForm(FlaskForm):
    """A bare POST button: CSRF only."""

    submit = SubmitField("确认")


class WorkAreaForm(FlaskForm):
    code = StringField("代码", validators=[DataRequired("此项为必填项"), Length(max=8, message="不超过 8 个字符")])
    name = StringField("名称", validators=[DataRequired("此项为必填项"), Length(max=50, message="不超过 50 个字符")])
    active = BooleanField("启用", default=True)
    create = HiddenField(default="1")
    submit = SubmitField("保存")
