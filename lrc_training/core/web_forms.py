"""Small forms shared by core pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from .notifications import KINDS


class ActionForm(FlaskForm):
    """A bare POST button: CSRF only."""

    submit = SubmitField("确认")


class WorkAreaForm(FlaskForm):
    code = StringField("代码", validators=[DataRequired("此项为必填项"), Length(max=8, message="不超过 8 个字符")])
    name = StringField("名称", validators=[DataRequired("此项为必填项"), Length(max=50, message="不超过 50 个字符")])
    active = BooleanField("启用", default=True)
    create = HiddenField(default="1")
    submit = SubmitField("保存")


class NotificationSettingsForm(FlaskForm):
    """Which kinds come by email. The address itself is changed on the profile (auth: confirmed by a link)."""

    kinds = SelectMultipleField("通过邮件接收", choices=list(KINDS.items()), validate_choice=True,
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    submit = SubmitField("保存设置")
