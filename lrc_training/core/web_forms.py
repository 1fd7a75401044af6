"""Small forms shared by core pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.validation import clean_email
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
    email = StringField("接收通知的邮箱", validators=[Length(max=254, message="不超过 254 个字符")],
                        description="留空则只在站内收到通知")
    kinds = SelectMultipleField("通过邮件接收", choices=list(KINDS.items()), validate_choice=True,
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    submit = SubmitField("保存设置")

    def validate_email(self, field):
        try:
            field.data = clean_email(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
